"""The mapping language for real files (issue 14): dates from parts and ranges, per-field separators and line
breaks, parallel columns, values taken by a named-group pattern, defaults, unit names and weights per piece,
value maps, and mapping files validated with errors naming file, line and key.

The README's worked examples (section "Mapping language for real files") run here as they are written: each
YAML fragment is added to a minimal mapping and each table row loaded, then compared with its "loads as".
"""
from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import netgraph as ng
from netgraph.cli import describe_store
from netgraph.ingest.mapping import MappingInvalidError, load_mapping
from netgraph.ingest.tables import read_table
from netgraph.ingest.transform import compile_rows

from .conftest import DATA, ROOT, shared_file

COURT = DATA / "guangxi_court.csv"
BASE = {"name": "readme", "description": "a README example", "source": "README",
        "fields": {"date": {"value": "2020-01-01"}}}


# --- helpers ----------------------------------------------------------------------------------------
def mapping_from(fragment: dict, tmp_path: Path, name: str = "m.yaml"):
    """A minimal mapping with ``fragment`` added (its fields over the base's), written and loaded as a file."""
    document = {**BASE, **{k: v for k, v in fragment.items() if k != "fields"},
                "fields": {**BASE["fields"], **fragment.get("fields", {})}}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return load_mapping(path)


def compile_cells(mapping, rows: list[dict]):
    frame = pd.DataFrame(rows, dtype=object).fillna("")
    frame.insert(0, "__row__", range(2, len(rows) + 2))
    return compile_rows(frame, mapping, "t.csv")


def rejected(compiled, row: int = 0) -> tuple[str, str]:
    found = compiled.rejects[compiled.rejects["row"] == row]
    assert len(found) == 1, f"row {row} loaded"
    return found.iloc[0]["column"], found.iloc[0]["reason"]


def facts(compiled) -> dict:
    """What the README's "loads as" column can name, for the first row."""
    b = compiled.batch
    seizure = b.node_frame("Seizure").iloc[0].to_dict()
    people = b.node_frame("Person")
    involved = b.rel_frame(("INVOLVED_IN", "Person", "Seizure")) if ("INVOLVED_IN", "Person", "Seizure") in b.rel_keys() \
        else pd.DataFrame(columns=["from", "role"])
    out = {k: seizure.get(k) for k in ("date", "date_end", "date_precision", "dates", "country", "agency",
                                       "concealment", "weight_kg", "pieces")}
    out["people"] = list(people["name"]) if len(people) else []
    out["nationality"] = list(people["nationality"]) if len(people) else []
    roles = dict(zip(involved["from"], involved["role"]))
    out["roles"] = [roles[k] for k in people["id"]] if len(people) else []
    conviction = b.node_frame("Conviction")
    out["sentence"] = conviction.iloc[0]["sentence"] if len(conviction) else None
    arrest = b.node_frame("Arrest")
    out["arrested"] = int(arrest.iloc[0]["people"]) if len(arrest) else None
    place = None
    if ("AT", "Seizure", "Location") in b.rel_keys():  # (rel_frame of a type the batch lacks fails)
        at = b.rel_frame(("AT", "Seizure", "Location")).iloc[0]["to"]
        place = b.node_frame("Location").drop_duplicates("id").set_index("id").loc[at]
    out["place"] = place["name"] if place is not None else None
    out["province"] = place["province"] if place is not None else None
    seized = b.rel_frame(("SEIZED", "Seizure", "Commodity")) if ("SEIZED", "Seizure", "Commodity") in b.rel_keys() \
        else pd.DataFrame(columns=["to"])
    commodities = b.node_frame("Commodity").drop_duplicates("id").set_index("id")
    out["products"] = [commodities.loc[c, "product"] for c in seized["to"]]
    out["commodities"] = [commodities.loc[c, "name"] for c in seized["to"]]
    out["record_id"] = b.node_frame("Record").iloc[0]["record_id"]
    out.update({k: seizure.get(k) for k in ("value", "value_currency", "purpose")})
    prosecution = b.node_frame("Prosecution")
    out.update({k: prosecution.iloc[0][k] if len(prosecution) else None for k in ("case_number", "judgement_date")})
    fine = dict(zip(involved["from"], involved["fine"])) if "fine" in involved else {}
    currency = dict(zip(involved["from"], involved["fine_currency"])) if "fine" in involved else {}
    out["fine"] = [f"{fine[k]:g}" if pd.notna(fine.get(k)) else "" for k in people["id"]] if len(people) else []
    out["fine_currency"] = [currency.get(k) or "" for k in people["id"]] if len(people) else []
    out["prosecution"] = prosecution.iloc[0]["date"] if len(prosecution) else None
    record = b.node_frame("Record").iloc[0]
    out["validity"] = record["validity"]
    return out


def same(expected: str, got) -> bool:
    if isinstance(got, list):
        return got == expected.split(",")
    if isinstance(got, float) or isinstance(got, int):
        return abs(float(expected) - got) < 1e-9
    return str(got) == expected


def readme_examples(text: str | None = None) -> list[tuple[str, dict, list[str], list[list[str]]]]:
    """(title, YAML fragment, table header, table rows) of every example of the README's mapping language (or
    of ``text`` written like it)."""
    text = text or (ROOT / "README.md").read_text(encoding="utf-8")
    return examples_in(text.split("### Mapping language for real files", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0])


def examples_in(section: str) -> list[tuple[str, dict, list[str], list[list[str]]]]:
    """(title, YAML fragment, table header, table rows) of every example of ``section``."""
    examples = []
    for match in re.finditer(r"```yaml\n(.*?)```\n\n(\|.*?)\n\n", section, re.DOTALL):
        fragment, table = match.groups()
        title = re.findall(r"\*\*([^*]+)\*\*", section[:match.start()])[-1]
        lines = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines()]
        examples.append((title, yaml.safe_load(fragment), lines[0], lines[2:]))
    return examples


EXAMPLES = readme_examples()


def test_the_readme_shows_an_example_of_each_feature():
    titles = " ".join(t for t, *_ in EXAMPLES).lower()
    for feature in ("date from parts", "date ranges", "separators", "parallel", "pattern", "defaults", "units",
                    "value maps", "composite", "line breaks", "optional", "product"):
        assert feature in titles, feature
    assert all(any(row[-1].startswith("rejected") for row in rows) for *_, rows in EXAMPLES), \
        "each feature shows a bad value that rejects its row"


@pytest.mark.parametrize("example", EXAMPLES, ids=[t for t, *_ in EXAMPLES])
def test_readme_example(example, tmp_path):
    title, fragment, header, rows = example
    mapping = mapping_from(fragment, tmp_path)
    for cells in rows:
        row = {h: c.replace("\\n", "\n") for h, c in zip(header[:-1], cells[:-1])}
        compiled = compile_cells(mapping, [row])
        expected = cells[-1]
        if expected.startswith("rejected"):
            column, reason = rejected(compiled)
            wanted = re.search(r"`(.*)`", expected).group(1)
            assert wanted in reason, (title, reason)
            assert set(column.split(" + ")) <= set(header[:-1]), (title, column)  # a composite: "City + Province"
            continue
        assert compiled.rejects.empty, (title, compiled.rejects.to_dict("records"))
        got = facts(compiled)
        for pair in shlex.split(re.search(r"`(.*)`", expected).group(1)):
            key, value = pair.split("=", 1)
            assert got[key] is None if value == "None" else same(value, got[key]), (title, key, value, got[key])


def test_the_readme_validation_example_is_the_error_netgraph_gives(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = text.split("**Validation**", 1)[1].split("```\n", 2)[1].strip().splitlines()[1].strip()
    path = tmp_path / "m.yaml"
    path.write_text("name: m\ndescription: d\nsource: S\nfields:\n  date: {year: Year, day: Day}\n")
    with pytest.raises(MappingInvalidError) as caught:
        load_mapping(path)
    assert str(caught.value).splitlines()[1].strip() == shown


# --- the files of the issue --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def c4ads():
    mapping = load_mapping("c4ads_air")
    table = read_table(shared_file("seizures", "c4ads_air_seizures.csv"), mapping.encoding)
    frame = table.frame
    return frame, compile_rows(frame, mapping, "c4ads_air_seizures.csv")


def test_c4ads_loads_the_values_an_analyst_reads(c4ads):
    frame, compiled = c4ads
    assert len(compiled.rejects) <= 1  # was 3: "5/17/2011 to 5/26/2011", "400g each", "100s"
    seizures = compiled.batch.node_frame("Seizure").set_index("id")
    ranged = seizures.loc["seizure:C4ADS-ROUTES:180"]
    assert (str(ranged["date"]), str(ranged["date_end"])) == ("2011-05-17", "2011-05-26")
    each = seizures.loc["seizure:C4ADS-ROUTES:199"]  # "400g each", Number 2
    assert each["weight_kg"] == pytest.approx(0.8) and each["pieces"] == 2
    assert seizures.loc["seizure:C4ADS-ROUTES:230", "pieces"] == 100  # "100s" in the weight column
    assert seizures["date_precision"].eq("day").all()


def test_an_agency_given_by_the_mapping_is_every_records(c4ads):
    _, compiled = c4ads
    for label in ("Record", "Seizure"):
        assert compiled.batch.node_frame(label)["agency"].eq("C4ADS").all()


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    folder = tmp_path_factory.mktemp("court")
    with ng.open_store(folder / "court.lbdb") as store:
        report = ng.load_file(COURT, "cn_court", store, progress=False)
        yield store, report


def test_the_court_extract_loads_every_row(court):
    store, report = court
    assert (report.read, report.loaded, report.rejected) == (20, 20, 0)
    seizures = store.node_frame("Seizure")
    assert len(seizures) == 20
    assert seizures["date_precision"].value_counts().to_dict() == {"day": 13, "month": 4, "year": 3}
    assert pd.Timestamp(seizures["date"].min()).year == 2017 and pd.Timestamp(seizures["date"].max()).year == 2019


def test_the_court_extract_gives_hanzi_names_and_their_sentences(court):
    store, _ = court
    people = store.node_frame("Person")
    assert len(people) == 26 and people["name"].map(lambda n: bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n))).all()
    convictions = store.node_frame("Conviction").set_index("id")["sentence"]
    assert len(convictions) == 19  # one row gives no sentence
    assert convictions["conviction:CN-COURT:guangxi_court.csv#3"] == \
        "10 years(prison); 3 years(prison), fine 20000 yuan"  # "陆海明:…\n韦春兰：…" (a full-width colon)
    roles = store.edge_frame("INVOLVED_IN")["role"]
    assert set(roles) == {"defendant"}
    arrests = store.node_frame("Arrest")
    assert arrests["people"].sum() == 25 and len(arrests) == 18  # "1.0" read as 1; "0.0" and "" make none


def test_the_court_extract_splits_quantities_and_units_in_parallel(court):
    store, _ = court
    seizures = store.node_frame("Seizure").set_index("id")
    row3 = seizures.loc["seizure:CN-COURT:guangxi_court.csv#3"]  # "2\n18.5" with "head\nkg"
    assert (row3["pieces"], row3["weight_kg"]) == (2, 18.5)
    row8 = seizures.loc["seizure:CN-COURT:guangxi_court.csv#8"]  # "8.2; 1" with "kg; no."
    assert (row8["pieces"], row8["weight_kg"]) == (1, pytest.approx(8.2))
    assert seizures["pieces"].notna().sum() + seizures["weight_kg"].notna().sum() >= 20


def test_a_place_across_a_line_break_is_one_place(court):
    store, _ = court
    at = store.edge_frame("AT")
    assert len(at) == 20 and at["source"].is_unique  # "Qinzhou,\nGuangxi" is one place, not two
    names = store.node_frame("Location").set_index("id")["name"]
    assert not any("\n" in n for n in names)


def test_a_source_without_an_agency_says_so_not_nan(court):
    store, _ = court
    text = describe_store(store)
    assert "CN-COURT / (no agency given): 20" in text and "nan" not in text


def test_a_bad_cell_of_the_court_extract_is_rejected_with_file_row_and_column(tmp_path):
    frame = pd.read_csv(COURT, dtype=str, keep_default_na=False)
    frame.loc[4, "Month"] = "13"
    frame.loc[6, "Sanction"] = "蒙志刚 12 years"
    frame.loc[8, "Unit"] = "kg\npcs"
    path = tmp_path / "court.csv"
    frame.to_csv(path, index=False)
    with ng.open_store(tmp_path / "s.lbdb") as store:
        report = ng.load_file(path, "cn_court", store, progress=False)
    assert (report.loaded, report.rejected) == (17, 3)
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    assert rejects[["file", "row", "column"]].values.tolist() == [
        ["court.csv", "6", "Month"], ["court.csv", "8", "Sanction"], ["court.csv", "10", "Unit"]]
    assert "month '13' is not 1–12" in rejects.loc[0, "reason"]
    assert "does not match the pattern" in rejects.loc[1, "reason"]
    assert "2 units cannot be matched to 1 quantities" in rejects.loc[2, "reason"]


# --- each feature, beyond the README ---------------------------------------------------------------
def test_date_parts_reject_what_is_no_date(tmp_path):
    mapping = mapping_from({"fields": {"date": {"year": "Y", "month": "M", "day": "D"}}}, tmp_path)
    rows = [{"Y": "2019", "M": "2", "D": "29"}, {"Y": "20l9", "M": "", "D": ""}, {"Y": "2019", "M": "", "D": "3"},
            {"Y": "", "M": "", "D": ""}, {"Y": "2019.0", "M": "2.0", "D": "28"}, {"Y": "unknown", "M": "", "D": ""}]
    compiled = compile_cells(mapping, rows)
    assert rejected(compiled, 0) == ("D", "no such date: year 2019, month 2, day 29")
    assert rejected(compiled, 1) == ("Y", "year '20l9' is not a year")
    assert rejected(compiled, 2) == ("D", "a day without a month")
    assert rejected(compiled, 3) == ("Y", "no date")
    assert rejected(compiled, 5) == ("Y", "no date")  # a null token is no year
    dates = compiled.batch.node_frame("Seizure")
    assert (str(dates.iloc[0]["date"]), dates.iloc[0]["date_precision"]) == ("2019-02-28", "day")  # 2019.0 as 2019


def test_a_date_format_without_a_day_states_its_precision(tmp_path):
    mapping = mapping_from({"date_formats": ["%b %Y", "%Y"], "fields": {"date": {"column": "When"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"When": "Mar 2018"}, {"When": "2018"}, {"When": "2018-03-09"}])
    seizures = compiled.batch.node_frame("Seizure")
    assert [(str(d), p) for d, p in zip(seizures["date"], seizures["date_precision"])] == [
        ("2018-03-01", "month"), ("2018-01-01", "year"), ("2018-03-09", "day")]


def test_date_ranges_in_every_spelling(tmp_path):
    mapping = mapping_from({"fields": {"date": {"column": "When"},
                                       "prosecution_date": {"column": "Charged"}}}, tmp_path)
    cells = ["2011-05-17 to 2011-05-26", "2011-05-17 TO 2011-05-26", "2011-05-17–2011-05-26",
             "2011-05-17 - 2011-05-26", "2011-05-17 ~ 2011-05-26", "2011-05-17 至 2011-05-26"]
    compiled = compile_cells(mapping, [{"When": c, "Charged": "2011-06-01 to 2011-06-03"} for c in cells])
    assert compiled.rejects.empty
    seizures = compiled.batch.node_frame("Seizure")
    assert {(str(a), str(b)) for a, b in zip(seizures["date"], seizures["date_end"])} == {("2011-05-17", "2011-05-26")}
    assert set(map(str, compiled.batch.node_frame("Prosecution")["date"])) == {"2011-06-01"}  # its first day
    bad = compile_cells(mapping, [{"When": "2011-05-17 to someday"}, {"When": "1 to 2 to 3"}])
    assert rejected(bad, 0)[1].startswith("unparseable date range '2011-05-17 to someday' (expected two dates")
    assert rejected(bad, 1)[1].startswith("unparseable date range")


def test_a_line_break_is_a_separator_only_where_the_mapping_says(tmp_path):
    mapping = mapping_from({"list_separator": ["\n", ";"], "fields": {
        "commodity": {"column": "What"}, "place": {"column": "Where"}, "route": {"column": "Route"},
        "quantities": [{"column": "Kg", "unit": "kg"}]}}, tmp_path)
    compiled = compile_cells(mapping, [{"What": "ivory\r\nrhino horn; pangolin scales", "Where": "Qinzhou,\nGuangxi",
                                        "Route": "Lagos →\nAddis Ababa\n→ Hà Nội", "Kg": "1\n2;3"}])
    assert compiled.rejects.empty
    b = compiled.batch
    assert b.node_frame("Seizure").iloc[0]["weight_kg"] == 6
    assert len(b.rel_frame(("SEIZED", "Seizure", "Commodity"))) == 3
    assert len(b.rel_frame(("AT", "Seizure", "Location"))) == 1
    stops = sum(len(b.rel_frame((t, "Seizure", "Location"))) for t in ("ORIGIN", "TRANSIT", "DESTINATION"))
    assert stops == 3  # a route splits at its arrows; its line breaks read as spaces


def test_a_route_may_split_at_its_own_separator(tmp_path):
    mapping = mapping_from({"fields": {"route": {"column": "Route", "separator": "\n"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Route": "Lagos\nAddis Ababa → Hà Nội"}])
    b = compiled.batch
    assert sum(len(b.rel_frame((t, "Seizure", "Location"))) for t in ("ORIGIN", "TRANSIT", "DESTINATION")) == 3


def test_parallel_nationalities_and_roles_follow_the_names_separator(tmp_path):
    mapping = mapping_from({"people": [{"column": "Names", "separator": "\n", "nationality": "From",
                                        "role_column": "Role", "phone": "Phone"}]}, tmp_path)
    compiled = compile_cells(mapping, [{"Names": "An\nBình", "From": "Viet Nam\nChina", "Role": "courier",
                                        "Phone": "0912 345 678\n0987 654 321, 0911 111 111"},
                                       {"Names": "An\nBình", "From": "Viet Nam\nChina\nLaos", "Role": "", "Phone": ""}])
    people = compiled.batch.node_frame("Person").set_index("name")
    assert people["nationality"].to_dict() == {"An": "VN", "Bình": "CN"}
    roles = compiled.batch.rel_frame(("INVOLVED_IN", "Person", "Seizure"))["role"]
    assert set(roles) == {"courier"}  # one role for all
    uses = compiled.batch.rel_frame(("USES", "Person", "Phone"))
    assert uses.groupby("from").size().to_dict() == {"person:an": 1, "person:bình": 2}
    assert rejected(compiled, 1) == ("From", "3 values cannot be matched to 2 names; give one per name, "
                                             "separated by '\\n'")


def test_a_pattern_may_name_its_group_and_reads_organisations_too(tmp_path):
    mapping = mapping_from({"fields": {"agency": {"column": "Office", "pattern": r"^(?P<code>\w+)\s*/", "group": "code"}},
                            "organizations": [{"column": "Firm", "pattern": r"(?P<name>.+?)\s*\((?P<kind>[^)]*)\)"}]},
                           tmp_path)
    compiled = compile_cells(mapping, [{"Office": "HCM / Tân Sơn Nhất", "Firm": "Công ty An Phát (front)"}])
    assert compiled.batch.node_frame("Seizure").iloc[0]["agency"] == "HCM"
    assert list(compiled.batch.node_frame("Organization")["name"]) == ["Công ty An Phát"]


def test_a_long_entry_is_not_searched_by_a_pattern(tmp_path):
    mapping = load_mapping("cn_court")
    cells = {"Year": "2019", "Month": "", "Day": "", "Species": "Manis javanica",
             "Sanction": "x" * 100_000, "Location": "Qinzhou,\n" + " " * 50_000 + "Guangxi"}
    start = time.perf_counter()
    compiled = compile_cells(mapping, [cells])
    assert time.perf_counter() - start < 20
    assert rejected(compiled) == ("Sanction", f"{'x' * 100_000!r} does not match the pattern the mapping gives for "
                                              "this column (no 'sentence' in it)")


def test_no_regex_of_the_language_backtracks_through_long_spaces(tmp_path):
    mapping = mapping_from({"list_separator": ["\n", ";"], "fields": {"date": {"column": "When"}}}, tmp_path)
    spaces = " " * 60_000
    start = time.perf_counter()
    compiled = compile_cells(mapping, [{"When": "2011-05-17" + spaces + "to" + spaces + "x"},
                                       {"When": "2011-05-17" + spaces + "x\n"}])
    assert time.perf_counter() - start < 10
    assert len(compiled.rejects) == 2


def test_a_value_map_reads_list_entries_and_may_drop_them(tmp_path):
    mapping = mapping_from({"fields": {"commodity": {"column": "What", "map": {"ngà": "ivory", "misc": ""}}}},
                           tmp_path)
    compiled = compile_cells(mapping, [{"What": "NGÀ; misc"}])
    seized = compiled.batch.rel_frame(("SEIZED", "Seizure", "Commodity"))
    assert len(seized) == 1 and "ivory" in seized.iloc[0]["to"]


def test_a_default_fills_only_an_empty_cell(tmp_path):
    mapping = mapping_from({"fields": {"country": {"column": "Country", "default": "Viet Nam"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Country": ""}, {"Country": "unknown"}, {"Country": "Laos"}])
    assert list(compiled.batch.node_frame("Seizure")["country"]) == ["VN", "VN", "LA"]


def test_units_of_the_vocabulary_and_weights_per_piece(tmp_path):
    mapping = mapping_from({"fields": {"quantities": [{"column": "Weight", "unit": "kg"},
                                                      {"column": "Number", "unit": "pieces"}]}}, tmp_path)
    rows = [{"Weight": w, "Number": n} for w, n in (("", "3 no."), ("", "4 head"), ("", "5 individuals"),
                                                    ("", "6 pcs"), ("0.5 kg apiece; 2 kg", "4; 1"),
                                                    ("250 g per piece", "2; 2"), ("3 pieces each", "2"))]
    compiled = compile_cells(mapping, rows)
    seizures = compiled.batch.node_frame("Seizure")
    assert list(seizures["pieces"][:4]) == [3, 4, 5, 6]
    assert seizures.iloc[4]["weight_kg"] == pytest.approx(4.0)  # 0.5 × 4 (the same position) + 2
    assert seizures.iloc[5]["weight_kg"] == pytest.approx(1.0)  # 0.25 × (2 + 2): lists of other lengths
    assert rejected(compiled, 6) == ("Weight", "quantity '3 pieces each': only a weight can be given per piece")


# --- companies and their legal forms (issue 29, item 4) ----------------------------------------------
@pytest.mark.parametrize("separator, cell, names", [
    (",", "Dongxing Hengtai Trading Co., Ltd", ["Dongxing Hengtai Trading Co., Ltd"]),
    (",", "Vongsa Trading Co.,Ltd., Eko Global Trading Ltd", ["Vongsa Trading Co.,Ltd.", "Eko Global Trading Ltd"]),
    (",", "Công ty TNHH Thương mại Biển Bắc, Ltd", ["Công ty TNHH Thương mại Biển Bắc, Ltd"]),
    (",", "Công ty TNHH Hải Hà, Công ty Cổ phần Vinh Phát, JSC", ["Công ty TNHH Hải Hà", "Công ty Cổ phần Vinh Phát, JSC"]),
    (",", "Cong ty TNHH MTV Hai Long, TNHH MTV", ["Cong ty TNHH MTV Hai Long, TNHH MTV"]),
    (",", "Tan Brothers Sdn. Bhd., Lim Holdings Sdn., Bhd.", ["Tan Brothers Sdn. Bhd.", "Lim Holdings Sdn., Bhd."]),
    (",", "Lion City Pte., Ltd", ["Lion City Pte., Ltd"]),
    (",", "Hai Ha Trading Co., Limited", ["Hai Ha Trading Co., Limited"]),
    (",", "Acme, Inc., Mekong Logistics, LLC", ["Acme, Inc.", "Mekong Logistics, LLC"]),
    (",", "东兴恒泰贸易有限公司, 凭祥新源贸易股份有限公司", ["东兴恒泰贸易有限公司", "凭祥新源贸易股份有限公司"]),
    ("，", "东兴恒泰贸易，有限公司，凭祥新源贸易有限責任公司", ["东兴恒泰贸易，有限公司", "凭祥新源贸易有限責任公司"]),
    ([";", ","], "Hengtai Co., Ltd; Acme, Inc.", ["Hengtai Co., Ltd", "Acme, Inc."])])
def test_a_list_of_companies_is_never_split_inside_a_legal_form(tmp_path, separator, cell, names):
    mapping = mapping_from({"list_separator": separator, "organizations": [{"column": "Company"}]}, tmp_path)
    compiled = compile_cells(mapping, [{"Company": cell}])
    assert compiled.rejects.empty
    assert list(compiled.batch.node_frame("Organization")["name"]) == names


def test_several_employers_of_a_name_are_split_at_commas_but_not_inside_a_legal_form(tmp_path):
    mapping = mapping_from({"people": [{"column": "Names", "employer": "Company"}]}, tmp_path)
    compiled = compile_cells(mapping, [{"Names": "Lê Tám; Trần Lan",
                                        "Company": "Hengtai Co., Ltd, Acme, Inc.; Công ty TNHH Biển Bắc"}])
    works = compiled.batch.rel_frame(("WORKS_FOR", "Person", "Organization"))
    names = compiled.batch.node_frame("Organization").set_index("id")["name"]
    assert [(p, names[o]) for p, o in zip(works["from"], works["to"])] == [
        ("person:lê tám", "Hengtai Co., Ltd"), ("person:lê tám", "Acme, Inc."),
        ("person:trần lan", "Công ty TNHH Biển Bắc")]


@pytest.mark.parametrize("form", ["Ltd", "Co.", "LLC", "TNHH", "Limited", "Inc", "JSC", "Co.,Ltd.", "Sdn. Bhd.",
                                  "Công ty TNHH MTV", "Cty CP", "有限公司", "股份有限公司", "有限責任公司"])
def test_a_legal_form_alone_names_no_company(tmp_path, form):
    """A legal form is no company: a cell or list entry that is one rejects its row, naming column and form (a
    semicolon ends a company: a form after one is not joined to the company before it)."""
    mapping = mapping_from({"organizations": [{"column": "Company"}], "people": [{"column": "Names",
                                                                                  "employer": "Employer"}]}, tmp_path)
    compiled = compile_cells(mapping, [{"Company": form}, {"Company": f"Hengtai Trading Co., Ltd; {form}"},
                                       {"Names": "Lê Tám", "Employer": f"Acme Ltd; {form}"},
                                       {"Company": "Hengtai Trading Co., Ltd"}])
    reason = f"{form!r} is a legal form alone, not the name of a company (loaders/vocab/legal_forms.yaml)"
    assert rejected(compiled, 0) == rejected(compiled, 1) == ("Company", reason)
    assert rejected(compiled, 2)[0] == "Employer"
    assert list(compiled.batch.node_frame("Organization")["name"]) == ["Hengtai Trading Co., Ltd"]


# --- validation ---------------------------------------------------------------------------------------
CANARY = "CANARY-7f3a"


@pytest.mark.parametrize(("fragment", "line", "key", "says"), [
    ("  date: {year: Y, day: D}\n", 5, "fields.date", "'day' needs a 'month' column"),
    ("  date: {column: D, year: Y}\n", 5, "fields.date", "exactly one of 'column', 'value' or 'year'"),
    ("  date: {column: D}\n  sentence: {column: S, pattern: '(" + CANARY + "'}\n", 6, "fields.sentence.pattern",
     "not a regular expression Python reads at position 0"),
    ("  date: {column: D}\n  sentence: {column: S, pattern: '" + CANARY + "'}\n", 6, "fields.sentence.pattern",
     "names no group"),
    ("  date: {column: D}\n  sentence:\n    column: S\n    pattern: '(?P<a>x)(?P<b>y)'\n", 6, "fields.sentence",
     "none named 'sentence'"),
    ("  date: {column: D}\n  sentence: {column: S, pattern: '(?P<a>x)', group: " + CANARY + "}\n", 6,
     "fields.sentence", "'group' names no group of the pattern"),
    ("  date: {column: D}\n  quantities:\n    - {column: Q, units: {no.: " + CANARY + "}}\n", 7,
     "fields.quantities.0.units", "must stand for a unit"),
    ("  date: {column: D}\n  commodity: {column: C, separator: ['\\n', '']}\n", 6, "fields.commodity.separator",
     "none of them empty"),
    ("  date: {column: D}\n  arrested: {column: A, map: {yes: 1}}\n", 6, "fields.arrested.map", "quote them"),
    ("  date: {column: D, defualt: " + CANARY + "}\n", 5, "fields.date.defualt", "Extra inputs are not permitted"),
    ("  date: {column: D}\npeople:\n  - column: P\n    pattern: '(?P<who>x)(?P<what>y)'\n", 7, "people.0",
     "none named 'name'"),
])
def test_a_bad_mapping_names_file_line_and_key_never_a_value(tmp_path, fragment, line, key, says):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: m\ndescription: d\nsource: S\nfields:\n{fragment}", encoding="utf-8")
    with pytest.raises(MappingInvalidError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid mapping:")
    assert re.search(rf"line {line}, {re.escape(key)}: .*{re.escape(says)}", message), message
    assert CANARY not in message


def test_every_shipped_mapping_loads_and_applies():
    frame = read_table(DATA / "tiny_cen.csv").frame
    for name in ("c4ads_air", "cen_customs", "cn_court", "vn_agency"):
        compile_rows(frame, load_mapping(name), "tiny.csv")


def test_a_form_column_gives_the_product(tmp_path):
    mapping = mapping_from({"fields": {"commodity": {"column": "What"}, "form": {"column": "Form"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"What": "Manis javanica", "Form": "frozen"},
                                       {"What": "Manis javanica", "Form": "scales"}, {"What": "Manis javanica"}])
    seized = compiled.batch.rel_frame(("SEIZED", "Seizure", "Commodity")).sort_values("from")
    assert list(seized["to"]) == ["commodity:manis javanica|carcass", "commodity:manis javanica|scales",
                                  "commodity:manis javanica|live"]
    assert "Form" in mapping.known_columns()
