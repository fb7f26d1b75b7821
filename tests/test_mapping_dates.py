"""Dates as intervals (issue 31, item 2): a date known to the year or month, or a range, is compared as every day
it may be; several dates in one cell give the earliest as the event's date and keep every one; whole numbers
written as decimals (item 9); a country column that names no country rejects its row.

The README's examples of these features run in tests/test_mapping_language.py with the others."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

import netgraph as ng

from . import test_mapping_language as language
from .test_mapping_language import compile_cells, mapping_from, rejected

EXAMPLES = [e for e in language.readme_examples() if any(w in e[0].lower() for w in (
    "intervals", "several dates", "whole numbers", "country"))]
SEIZED_AND_JUDGED = {"fields": {"date": {"column": "Seized"}, "prosecution_date": {"year": "judgement-year"}}}


def test_the_snippet_shows_each_feature_with_a_rejected_row():
    titles = " ".join(t for t, *_ in EXAMPLES).lower()
    for feature in ("intervals", "several dates", "whole numbers", "country"):
        assert feature in titles, feature
    assert all(any(row[-1].startswith("rejected") for row in rows) for *_, rows in EXAMPLES)


# --- intervals --------------------------------------------------------------------------------------
def write_mapping(tmp_path, fragment: dict) -> str:
    document = {**language.BASE, **fragment, "fields": {**language.BASE["fields"], **fragment["fields"]}}
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_a_judgement_year_of_the_seizures_own_year_loads_and_an_earlier_one_names_its_column(tmp_path):
    """The issue's minimal case, through the real store: seizure 2013-03-10, prosecution year 2013 or 2012."""
    path = tmp_path / "court.csv"
    pd.DataFrame({"Seized": ["2013-03-10", "2013-03-10", "2013-03-10"],
                  "judgement-year": ["2013", "2012", "2014"]}).to_csv(path, index=False)
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, write_mapping(tmp_path, SEIZED_AND_JUDGED), store, progress=False)
        prosecutions = store.node_frame("Prosecution")
    assert (report.loaded, report.rejected) == (2, 1)
    assert sorted(str(d) for d in prosecutions["date"]) == ["2013-01-01", "2014-01-01"]
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    assert rejects[["row", "column"]].values.tolist() == [["3", "judgement-year"]]
    assert rejects.loc[0, "reason"] == "prosecution date 2012 is before the seizure date 2013-03-10"


@pytest.mark.parametrize("seized, judged, loads", [
    ("2013-03-10", "2013-03", True),  # March 2013 may be the 10th or later
    ("2013-03-10", "2013-02", False),
    ("2013-03-10", "2013-03-01 to 2013-03-12", True),  # a range ending after the seizure
    ("2013-03-10", "2013-03-01 to 2013-03-09", False),
    ("2013", "2013-01-01", True),  # the seizure's first possible day is what the prosecution must not precede
    ("2013-05", "2013-04-30", False),
])
def test_a_prosecution_is_before_its_seizure_only_when_every_day_it_may_be_is(tmp_path, seized, judged, loads):
    mapping = mapping_from({"date_formats": ["%Y-%m-%d", "%Y-%m", "%Y"],
                            "fields": {"date": {"column": "Seized"}, "prosecution_date": {"column": "Judged"}}},
                           tmp_path)
    compiled = compile_cells(mapping, [{"Seized": seized, "Judged": judged}])
    assert compiled.rejects.empty == loads, compiled.rejects.to_dict("records")
    if not loads:
        column, reason = rejected(compiled)
        assert column == "Judged" and reason.startswith("prosecution date ") and "is before the seizure" in reason


def test_a_conviction_year_is_compared_with_the_prosecution_as_an_interval(tmp_path):
    mapping = mapping_from({"fields": {"prosecution_date": {"column": "Judged"},
                                       "conviction_date": {"year": "Convicted"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Judged": "2020-06-01", "Convicted": "2020"},
                                       {"Judged": "2020-06-01", "Convicted": "2019.0"}])
    assert rejected(compiled, 1) == ("Convicted", "conviction date 2019 is before the prosecution date 2020-06-01")
    assert list(compiled.rejects["row"]) == [1]


# --- several dates in one cell ----------------------------------------------------------------------
def seizure(compiled, row: int = 0) -> dict:
    return compiled.batch.node_frame("Seizure").iloc[row].to_dict()


def test_several_dates_in_a_cell_give_the_earliest_and_keep_every_one_as_written(tmp_path):
    mapping = mapping_from({"date_formats": ["%d/%m/%Y", "%Y"], "fields": {"date": {"column": "Seized"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Seized": "02/05/2013; 10/03/2013"}, {"Seized": "2014 ; 01/03/2013"},
                                       {"Seized": "10/03/2013"}, {"Seized": "01/03/2013 to 05/03/2013; 2012"}])
    assert compiled.rejects.empty, compiled.rejects.to_dict("records")
    first, second, one, ranged = (seizure(compiled, i) for i in range(4))
    assert (str(first["date"]), first["dates"]) == ("2013-03-10", ["2013-05-02", "2013-03-10"])
    assert (str(second["date"]), second["date_precision"], second["dates"]) == ("2013-03-01", "day",
                                                                                ["2014", "2013-03-01"])
    assert one["dates"] is None  # one date: no list
    assert (str(ranged["date"]), ranged["date_end"], ranged["date_precision"]) == ("2012-01-01", None, "year")
    assert ranged["dates"] == ["2013-03-01/2013-03-05", "2012"]
    record = compiled.batch.node_frame("Record").iloc[0]
    assert str(record["record_date"]) == "2013-03-10"


def test_a_cell_with_one_good_and_one_bad_date_rejects_its_row_naming_the_column(tmp_path):
    mapping = mapping_from({"fields": {"date": {"column": "Seized"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Seized": "2013-03-10; 2013-03-40"}, {"Seized": "2013-03-10;"}])
    column, reason = rejected(compiled, 0)
    assert column == "Seized" and "'2013-03-40'" in reason and "'2013-03-10; 2013-03-40'" in reason
    assert str(seizure(compiled)["date"]) == "2013-03-10"  # an empty entry is no date: the other stands


def test_a_single_date_that_holds_the_list_separator_is_never_split(tmp_path):
    mapping = mapping_from({"list_separator": ",", "date_formats": ["%b %d, %Y"],
                            "fields": {"date": {"column": "Seized"}, "prosecution_date": {"column": "Judged",
                                                                                          "separator": "|"}}},
                           tmp_path)
    compiled = compile_cells(mapping, [{"Seized": "Mar 10, 2013", "Judged": ""},
                                       {"Seized": "Mar 10, 2013", "Judged": "Mar 12, 2013|Mar 11, 2013"}])
    assert compiled.rejects.empty, compiled.rejects.to_dict("records")
    assert seizure(compiled, 0)["dates"] is None
    prosecution = compiled.batch.node_frame("Prosecution").iloc[0]  # the field's own separator
    assert (str(prosecution["date"]), prosecution["dates"]) == ("2013-03-11", ["2013-03-12", "2013-03-11"])


def test_several_months_take_the_one_year_and_mismatched_parts_reject_naming_the_column(tmp_path):
    mapping = mapping_from({"fields": {"date": {"year": "Y", "month": "M", "day": "D"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Y": "2013", "M": "1 ; 5", "D": ""},
                                       {"Y": "2013; 2014", "M": "3;4", "D": "1;2"},
                                       {"Y": "2013", "M": "1;2;3", "D": "1;2"}])
    assert seizure(compiled, 0)["dates"] == ["2013-01", "2013-05"]
    assert seizure(compiled, 1)["dates"] == ["2013-03-01", "2014-04-02"]
    column, reason = rejected(compiled, 2)
    assert column == "D" and reason == "2 days for 3 months"


def test_several_dates_of_an_outcome_are_kept_and_compared_as_one_interval(tmp_path):
    mapping = mapping_from({"fields": {"date": {"column": "Seized"}, "prosecution_date": {"column": "Judged"}}},
                           tmp_path)
    compiled = compile_cells(mapping, [{"Seized": "2013-03-10; 2013-05-02", "Judged": "2013-04-01; 2013-06-01"},
                                       {"Seized": "2013-03-10", "Judged": "2012-04-01; 2013-01-01"}])
    prosecution = compiled.batch.node_frame("Prosecution").iloc[0]
    assert (str(prosecution["date"]), prosecution["dates"]) == ("2013-04-01", ["2013-04-01", "2013-06-01"])
    assert rejected(compiled, 1) == (
        "Judged", "prosecution date 2012-04-01; 2013-01-01 is before the seizure date 2013-03-10")


def test_a_store_keeps_every_date_of_a_cell(tmp_path):
    path = tmp_path / "cases.csv"
    pd.DataFrame({"Case": ["A-1", "A-2"], "Seized": ["2013-05-02; 2013-03-10", "2013-03-10"]}).to_csv(path, index=False)
    fragment = {"fields": {"date": {"column": "Seized"}}}
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, write_mapping(tmp_path, fragment), store, progress=False)
        seizures = store.node_frame("Seizure").sort_values("id")
    assert report.loaded == 2
    assert [str(d) for d in seizures["date"]] == ["2013-03-10", "2013-03-10"]
    assert [None if d is None else list(d) for d in seizures["dates"]] == [["2013-05-02", "2013-03-10"], None]


# --- whole numbers written as decimals --------------------------------------------------------------
def test_whole_numbers_written_as_decimals_are_whole_numbers(tmp_path):
    mapping = mapping_from({"fields": {"arrested": {"column": "A"}, "reliability": {"column": "R"},
                                       "validity": {"column": "V"}, "handling": {"column": "H"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"A": "32.0", "R": "B", "V": "3.0", "H": "2.00"},
                                       {"A": "32.5", "R": "B", "V": "3", "H": "2"},
                                       {"A": "1", "R": "B", "V": "3.5", "H": "2"},
                                       {"A": "1", "R": "B", "V": "3", "H": "6.0"}])
    assert int(compiled.batch.node_frame("Arrest").iloc[0]["people"]) == 32
    record = compiled.batch.node_frame("Record").iloc[0]
    assert (record["validity"], record["handling"]) == (3, 2)
    assert rejected(compiled, 1) == ("A", "number arrested '32.5' is not a whole number (0 to 999999999)")
    assert rejected(compiled, 2) == ("V", "validity '3.5' is not 1–5")
    assert rejected(compiled, 3) == ("H", "handling '6.0' is not 1–5")


# --- a country column names a country ---------------------------------------------------------------
def test_a_country_column_value_that_names_no_country_rejects_its_row(tmp_path):
    mapping = mapping_from({"fields": {"country": {"column": "Country"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Country": "Atlantis"}, {"Country": "China - Hong Kong"},
                                       {"Country": ""}])
    assert rejected(compiled, 0) == ("Country", "'Atlantis' names no country")
    assert list(compiled.rejects["row"]) == [0]


def test_a_window_keeps_a_record_any_day_of_which_is_in_it_and_the_chart_prints_its_precision(tmp_path):
    """A record dated to the year 2013 is in a window from 2013-06-01 (it may be any day of 2013) and out of one
    ending 2012-12-31; the court chart's evidence prints it as '2013', never as a made-up 2013-01-01."""
    from netgraph.views.chart import case_chart
    path = tmp_path / "cases.csv"
    pd.DataFrame({"Case": ["A-1", "A-2"], "Seized": ["2013", "2013-03-10"],
                  "People": ["Lò Văn Hải; Trần Thị Mai", "Lò Văn Hải; Vi Văn Tú"]}).to_csv(path, index=False)
    mapping = write_mapping(tmp_path, {"date_formats": ["%Y-%m-%d", "%Y"], "fields": {
        "record_id": {"column": "Case"}, "date": {"column": "Seized"}},
        "people": [{"column": "People"}]})
    with ng.open_store(tmp_path / "x.lbdb") as store:
        ng.load_file(path, mapping, store, progress=False)
        records = store.records().set_index("record_id")
        assert str(records.loc["A-1", "record_date_end"]) == "2013-12-31"
        assert records.loc["A-1", "record_date_precision"] == "year"
        assert pd.isna(records.loc["A-2", "record_date_end"])
        late = ng.person_network(store, date_from="2013-06-01", resolved=False)
        assert "Trần Thị Mai" in set(late.nodes["name"]) and "Vi Văn Tú" not in set(late.nodes["name"])
        early = ng.person_network(store, date_to="2012-12-31", resolved=False)
        assert early.nodes.empty
        chart = case_chart(store, ["Lò Văn Hải"], tmp_path / "c.pdf", release_level=5)
    dates = dict(zip(chart.evidence["record"], chart.evidence["date"]))
    assert dates == {"A-1": "2013", "A-2": "2013-03-10"}
