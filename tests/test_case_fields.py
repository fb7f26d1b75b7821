"""Fields with a home (issue 31, item 7): each defendant's fine, the seizure's declared value and purpose, the
court case's number and judgement date, loaded from a court-style extract into the embedded store, shown in
the court chart's evidence from releasable records only; a bad fine, value or judgement date rejects its row
naming the column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

import netgraph as ng
from netgraph.ingest.mapping import MappingInvalidError, load_mapping
from netgraph.ingest.transform.common import _money
from netgraph.views.chart import case_chart
from netgraph.views.release import ReleaseView

MAPPING = {
    "name": "court_fields", "description": "Court judgement extract: fines, value, purpose, case number, judgement",
    "source": "TEST-COURT", "date_formats": ["%Y-%m-%d", "%Y-%m", "%Y"],
    "fields": {"record_id": {"column": "Record"}, "seizure_id": {"column": "Seizure"},
               "date": {"column": "Seized", "required": True}, "country": {"value": "China"},
               "commodity": {"column": "Species"},
               "value": {"column": "Value", "currency": "CNY"},
               "purpose": {"column": "Purpose", "map": {"为牟利": "sale"}},
               "case_number": {"column": "Case number"},
               "judgement_date": {"column": "Judged"},
               "handling": {"column": "Handling"}},
    "people": [{"column": "Defendants", "role": "defendant", "fine": "Fines", "currency": "CNY"}],
}
COLUMNS = ["Record", "Seizure", "Seized", "Species", "Value", "Purpose", "Case number", "Judged", "Defendants",
           "Fines", "Handling"]
ROWS = [  # spreadsheet rows 2 …
    ["C-1", "S-1", "2018-03-10", "pangolin scales", "¥120,000", "食用", "(2018)桂0502刑初123号", "2018-11",
     "黄志强; 陆海明", "50,000 CNY; 人民币2万元", "1"],
    ["C-2", "S-2", "2019-05-01", "pangolin scales", "80000", "for sale", "(2019)桂01刑初7号", "2019-12-20",
     "韦春兰", "30.000", "1"],
    ["C-3", "S-3", "2019-06-01", "pangolin scales", "", "", "", "", "李四", "fifty thousand", "1"],
    ["C-4", "S-4", "2019-06-02", "pangolin scales", "12 apples", "", "", "", "张三", "", "1"],
    ["C-5", "S-5", "2019-06-03", "pangolin scales", "", "", "(2019)桂01刑初9号", "2019-13-45", "王五", "", "1"],
    ["C-6", "S-6", "2019-07-01", "pangolin scales", "", "ornamental display", "", "", "黄志强; 韦春兰",
     "10 000", "1"],
    ["C-7", "S-7", "2020-02-01", "pangolin scales", "¥999,999", "为牟利", "(2020)秘字1号", "2020", "黄志强; 王秘密",
     "99,999 CNY; 1 CNY", "5"],
]


def write_case(folder: Path, rows: list[list[str]] = ROWS, mapping: dict = MAPPING) -> tuple[Path, Path]:
    csv = folder / "court.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(csv, index=False, encoding="utf-8")
    path = folder / "court_fields.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return csv, path


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    folder = tmp_path_factory.mktemp("court")
    csv, mapping = write_case(folder)
    store = ng.open_store(folder / "x.lbdb")
    report = ng.load_file(csv, mapping, store, progress=False)
    yield store, report, folder
    store.close()


def test_value_purpose_case_number_and_judgement_date_are_stored(court):
    store, _, _ = court
    seizures = store.node_frame("Seizure").set_index("id")
    assert seizures.loc["seizure:TEST-COURT:S-1", ["value", "value_currency", "purpose"]].tolist() == [
        120000.0, "CNY", "food"]
    assert seizures.loc["seizure:TEST-COURT:S-2", ["value", "value_currency", "purpose"]].tolist() == [
        80000.0, "CNY", "sale"]  # the mapping's currency where the cell names none
    assert seizures.loc["seizure:TEST-COURT:S-6", "purpose"] == "ornamental display"  # unknown: kept as written
    assert seizures.loc["seizure:TEST-COURT:S-7", "purpose"] == "sale"  # the field's value map
    prosecutions = store.node_frame("Prosecution").set_index("id")
    first = prosecutions.loc["prosecution:TEST-COURT:S-1"]
    assert first["case_number"] == "(2018)桂0502刑初123号"
    assert pd.Timestamp(first["judgement_date"]).date() == dt.date(2018, 11, 1)
    assert first["judgement_date_precision"] == "month"
    assert prosecutions.loc["prosecution:TEST-COURT:S-2", "judgement_date_precision"] == "day"
    assert "prosecution:TEST-COURT:S-6" not in prosecutions.index  # no case number, no judgement: no prosecution
    followed = store.edge_frame("FOLLOWED_BY")
    assert ("seizure:TEST-COURT:S-1", "prosecution:TEST-COURT:S-1") in set(zip(followed["source"], followed["target"]))


def test_each_defendant_has_a_fine_on_their_tie_to_the_seizure(court):
    store, _, _ = court
    involved = store.edge_frame("INVOLVED_IN")
    fines = {(p, s.removeprefix("seizure:TEST-COURT:")): (f, c) for p, s, f, c in
             involved[["source", "target", "fine", "fine_currency"]].itertuples(index=False)}
    assert fines[("person:黄志强", "S-1")] == (50000.0, "CNY")
    assert fines[("person:陆海明", "S-1")] == (20000.0, "CNY")  # 人民币2万元
    assert fines[("person:韦春兰", "S-2")] == (30000.0, "CNY")  # 30.000: groups of three, the mapping's currency
    assert fines[("person:黄志强", "S-6")] == fines[("person:韦春兰", "S-6")] == (10000.0, "CNY")  # one for all


def test_a_bad_fine_value_or_judgement_date_rejects_its_row_naming_the_column(court):
    _, report, _ = court
    assert (report.read, report.loaded, report.rejected) == (7, 4, 3)
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig").set_index("row")
    assert rejects.loc["4", "column"] == "Fines"
    assert "fine 'fifty thousand' is not an amount of money" in rejects.loc["4", "reason"]
    assert rejects.loc["5", "column"] == "Value"
    assert "unknown currency 'apples'" in rejects.loc["5", "reason"]
    assert rejects.loc["6", "column"] == "Judged"
    assert "unparseable date '2019-13-45'" in rejects.loc["6", "reason"]


def test_the_case_chart_evidence_holds_the_case_number_judgement_fine_and_value(court, tmp_path):
    store, _, _ = court
    chart = case_chart(store, ["黄志强"], tmp_path / "c.pdf", release_level=5)
    evidence = chart.evidence.set_index("record")
    assert evidence.loc["C-1", "case_number"] == "(2018)桂0502刑初123号"
    assert evidence.loc["C-1", "judgement_date"] == "2018-11"  # to its precision
    fined = {"黄志强": "黄志强: 50,000 CNY", "陆海明": "陆海明: 20,000 CNY"}
    assert evidence.loc["C-1", "fine"] == "; ".join(fined[p] for p in evidence.loc["C-1", "between"].split(" — "))
    assert evidence.loc["C-1", "value"] == "120,000 CNY"
    assert evidence.loc["C-7", "case_number"] == "(2020)秘字1号"
    csv = pd.read_csv(tmp_path / "c-evidence.csv", dtype=str, keep_default_na=False)
    assert evidence.loc["C-1", "fine"] in set(csv["fine"])


def test_the_court_facts_of_a_withheld_record_reach_no_chart(court, tmp_path):
    store, _, _ = court
    chart = case_chart(store, ["黄志强"], tmp_path / "c.pdf", release_level=3)
    text = chart.evidence.to_csv() + (tmp_path / "c-evidence.csv").read_text(encoding="utf-8-sig")
    assert "(2018)桂0502刑初123号" in text
    assert "秘字" not in text and "99,999" not in text and "999,999" not in text


def test_a_fine_a_withheld_record_gave_a_shared_tie_is_dropped_from_the_release(tmp_path):
    """The restricted record comes first, so the tie and seizure it shares with a releasable one hold its fine,
    value and case number (first value wins): the release view drops them."""
    rows = [["C-0", "S-1", "2018-03-10", "pangolin scales", "¥999,999", "食用", "(2018)秘字1号", "2018",
             "黄志强; 陆海明", "99,999 CNY", "5"],
            ["C-1", "S-1", "2018-03-10", "pangolin scales", "¥120,000", "食用", "(2018)桂0502刑初123号", "2018-11",
             "黄志强; 陆海明", "50,000 CNY; 人民币2万元", "1"]]
    csv, mapping = write_case(tmp_path, rows)
    with ng.open_store(tmp_path / "x.lbdb") as store:
        ng.load_file(csv, mapping, store, progress=False)
        involved = store.edge_frame("INVOLVED_IN")
        assert set(involved["fine"]) == {99999.0}  # the store holds what the first record said
        view = ReleaseView(store, 3)
        assert view.edge_frame("INVOLVED_IN")["fine"].isna().all()
        assert view.node_frame("Seizure")["value"].isna().all()
        assert view.node_frame("Prosecution")["case_number"].isna().all()
        chart = case_chart(store, ["黄志强"], tmp_path / "c.pdf", release_level=3)
        assert "99,999" not in chart.evidence.to_csv() and "秘字" not in chart.evidence.to_csv()


@pytest.mark.parametrize("cell, read", [
    ("¥50,000", (50000.0, "CNY")), ("CNY 50,000", (50000.0, "CNY")), ("50.000 VND", (50000.0, "VND")),
    ("人民币5万元", (50000.0, "CNY")), ("1.234,50 EUR", (1234.5, "EUR")), ("1,234.50 usd", (1234.5, "USD")),
    ("US$ 12.5", (12.5, "USD")), ("50 000 ₫", (50000.0, "VND"))])
def test_amounts_of_money_as_courts_and_ngos_write_them(cell, read):
    assert _money(cell, None) == read


@pytest.mark.parametrize("cell, reason", [
    ("$50", "unknown currency '$'"), ("50000", "names no currency"), ("1.234.5 EUR", "not an amount"),
    ("-50 CNY", "not an amount"), ("¥50 USD", "names two currencies"), ("1.2345 USD", "not an amount")])
def test_money_that_is_not_read_says_why(cell, reason):
    assert reason in _money(cell, None)


def test_a_mapping_currency_must_be_an_iso_4217_code(tmp_path):
    bad = {**MAPPING, "fields": {**MAPPING["fields"], "value": {"column": "Value", "currency": "yuan"}}}
    _, path = write_case(tmp_path, mapping=bad)
    with pytest.raises(MappingInvalidError, match="fields.value.currency: Value error, not an ISO 4217"):
        load_mapping(path)


def test_the_readme_example_shows_three_rejected_rows():
    """The README's court-facts example (tests/test_mapping_language.py runs it as written)."""
    from .test_mapping_language import readme_examples
    examples = [e for e in readme_examples() if e[0] == "Court facts"]
    assert len(examples) == 1
    assert sum(row[-1].startswith("rejected") for row in examples[0][3]) == 3
