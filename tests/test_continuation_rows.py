"""Records over several rows (issue 31, item 1): ``continues: {when_empty: Case ID}``.

A court-style extract generated here (seeded): about 300 cases, 40–50% of the rows continuing the case above
them (empty case id; their own seizure date, place, taxon and quantity), a few cases repeating an earlier
case's id, Chinese and pinyin names. Loaded into the embedded store, each case is one Record whose seizures are
every row of it, with the case's defendants in each seizure and one prosecution following all of them.
"""
from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import random
import re
import shlex
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

import netgraph as ng
from netgraph.ingest import load
from netgraph.ingest.mapping import MappingInvalidError, load_mapping
from netgraph.ingest.tables import read_table
from netgraph.ingest.transform.continuation import chunk_starts
from netgraph.schema import NODE_TYPES, REL_TYPES

from .conftest import ROOT

SPARK = importlib.util.find_spec("pyspark") is not None
if SPARK:
    from .test_spark import assert_same_tables, embedded_tables, spark, spark_module  # noqa: F401 (a fixture)

SOURCE = "CN-EXTRACT"
MAPPING = {
    "name": "court_extract", "description": "a court judgement extract, a case over several rows",
    "source": SOURCE, "continues": {"when_empty": "Case ID"},
    "fields": {"record_id": {"column": "Case ID"}, "agency": {"column": "Court"},
               "date": {"column": "Seizure date", "required": True}, "country": {"value": "China"},
               "place": {"column": "Place"}, "commodity": {"column": "Species", "required": True},
               "quantities": [{"column": "Quantity", "unit_column": "Unit"}],
               "prosecution_date": {"column": "Judgement date"}, "sentence": {"column": "Sentence"}},
    "people": [{"column": "Defendants", "separator": ["、", ";"], "role": "defendant"}],
}
HEADER = ["Case ID", "Court", "Seizure date", "Place", "Species", "Quantity", "Unit", "Defendants",
          "Judgement date", "Sentence"]
NAMES = ["黄志强", "陆海明", "韦春兰", "李国华", "陈建平", "Huang Zhiqiang", "Lu Haiming", "Wei Chunlan", "Li Guohua",
         "Chen Jianping", "Zhang Wei", "王芳", "Liu Yang", "刘洋", "Zhao Lei"]
PLACES = ["Dongxing", "Nanning", "Beihai", "Qinzhou", "Pingxiang", "Fangchenggang", "Guangzhou", "Kunming"]
SPECIES = [("Manis javanica", "no."), ("Manis javanica scales", "kg"), ("Elephas maximus ivory", "kg"),
           ("Panthera tigris", "no."), ("Rhinoceros horn", "kg"), ("Python bivittatus", "no.")]
COURTS = ["Nanning Intermediate People's Court", "Fangchenggang Intermediate People's Court",
          "Guangzhou Intermediate People's Court"]


def court_extract(path: Path, cases: int = 300, seed: int = 31) -> dict:
    """Write the extract; return what it holds: case id → the rows of the case that should load, the cases
    repeating an earlier id, the rows with a bad quantity."""
    rng = random.Random(seed)
    rows, expected, repeated, bad = [], {}, [], []
    for number in range(cases):
        seizures = rng.choices([1, 2, 3, 4], weights=[48, 30, 14, 8])[0]
        repeats = number > 20 and rng.random() < 0.03  # the id of an earlier case, written again
        case_id = rng.choice(list(expected)) if repeats else f"(2016)桂{rng.randint(1, 99):02d}刑初{number + 1}号"
        start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        dates = sorted(start + dt.timedelta(days=rng.randint(0, 60)) for _ in range(seizures))
        defendants = rng.sample(NAMES, rng.randint(1, 3))
        first_row = len(rows) + 2
        for k, seized in enumerate(dates):
            species, unit = rng.choice(SPECIES)
            quantity = str(rng.randint(1, 40)) if unit == "no." else f"{rng.uniform(0.5, 90):.1f}"
            if k and not repeats and rng.random() < 0.02:
                quantity = "many"
                bad.append(len(rows) + 2)
            rows.append({"Case ID": case_id if k == 0 else "", "Court": rng.choice(COURTS) if k == 0 else "",
                         "Seizure date": seized.isoformat(), "Place": rng.choice(PLACES), "Species": species,
                         "Quantity": quantity, "Unit": unit,
                         "Defendants": rng.choice(["、", ";"]).join(defendants) if k == 0 else "",
                         "Judgement date": (dates[-1] + dt.timedelta(days=200)).isoformat() if k == 0 else "",
                         "Sentence": f"{rng.randint(1, 13)} years (prison)" if k == 0 else ""})
        spreadsheet_rows = list(range(first_row, len(rows) + 2))
        if repeats:
            repeated.append((case_id, spreadsheet_rows))
        else:
            expected[case_id] = {"rows": [r for r in spreadsheet_rows if r not in bad],
                                 "defendants": defendants, "all_rows": spreadsheet_rows}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return {"cases": expected, "repeated": repeated, "bad": bad, "rows": len(rows)}


def write_mapping(tmp_path: Path, document: dict = MAPPING) -> Path:
    path = tmp_path / "court_extract.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "court_extract.csv"
    return path, court_extract(path), write_mapping(tmp_path)


def rejects_of(report) -> pd.DataFrame:
    if not report.rejects_file:
        return pd.DataFrame(columns=["row", "column", "reason"])
    return pd.read_csv(report.rejects_file, dtype=str, keep_default_na=False).astype({"row": int})


def test_the_generated_extract_is_court_style(extract):
    path, made, _ = extract
    frame = read_table(path).frame
    continuing = (frame["Case ID"] == "").mean()
    assert 0.40 <= continuing <= 0.50, continuing
    assert len(made["cases"]) + len(made["repeated"]) == 300 and 300 < made["rows"] < 1000
    assert made["repeated"] and made["bad"]


def test_every_seizure_of_each_case_loads(extract, tmp_path):
    path, made, mapping = extract
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, mapping, store, progress=False)
        records = store.node_properties("Record").set_index("id")
        seizures = store.node_frame("Seizure")
        involved = store.edge_frame("INVOLVED_IN")
        followed = store.edge_frame("FOLLOWED_BY")
    rejects = rejects_of(report)
    assert report.read == made["rows"] and report.loaded + report.rejected == report.read
    per_record = Counter(s for sources in seizures["sources"] for s in sources)
    whole = 0
    for case_id, case in made["cases"].items():
        key = f"record:{SOURCE}:{case_id}"
        assert per_record[key] == len(case["rows"]), case_id  # every seizure of the case, counted in the store
        assert records.loc[key, "rows"] == ", ".join(map(str, case["rows"]))  # provenance names every row
        assert records.loc[key, "row"] == case["rows"][0]
        whole += case["rows"] == case["all_rows"]
    assert whole / (len(made["cases"]) + len(made["repeated"])) >= 0.95
    # a continuation row is rejected only for a bad value of its own, naming its column
    continuing = {r for case in made["cases"].values() for r in case["all_rows"][1:]}
    assert set(rejects.loc[rejects["row"].isin(continuing), "row"]) == set(made["bad"])
    assert set(rejects.loc[rejects["row"].isin(made["bad"]), "column"]) == {"Quantity"}
    # seizure ids: the case's own, then "#k" for its k-th row
    first = next(c for c in made["cases"].values() if len(c["rows"]) == 3 and c["rows"] == c["all_rows"])
    case_id = next(i for i, c in made["cases"].items() if c is first)
    mine = seizures[[f"record:{SOURCE}:{case_id}" in s for s in seizures["sources"]]]
    assert sorted(mine["id"]) == [f"seizure:{SOURCE}:{case_id}" + k for k in ("", "#2", "#3")]
    # the case's defendants took part in each of its seizures; its one prosecution follows each of them
    defendants = involved[involved["target"].isin(mine["id"])]
    assert len(defendants) == 3 * len(first["defendants"]) and set(defendants["role"]) == {"defendant"}
    prosecution = followed[followed["source"].isin(mine["id"]) & (followed["target_label"] == "Prosecution")]
    assert prosecution["target"].nunique() == 1 and len(prosecution) == 3


def test_a_repeated_case_id_is_a_duplicate_with_its_continuation_rows(extract, tmp_path):
    path, made, mapping = extract
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, mapping, store, progress=False)
    rejects = rejects_of(report).set_index("row")
    for case_id, rows in made["repeated"]:
        first = rejects.loc[rows[0]]
        assert first["column"] == "Case ID" and "duplicate record id" in first["reason"]
        assert f"row {made['cases'][case_id]['all_rows'][0]} has the same one" in first["reason"]
        for row in rows[1:]:  # not folded into the earlier case of that id
            assert rejects.loc[row, "column"] == "Case ID"
            assert rejects.loc[row, "reason"] == f"continues the record of row {rows[0]}, which is rejected"


def test_a_continuation_row_before_any_case_is_rejected_naming_the_column(tmp_path):
    path = tmp_path / "orphan.csv"
    cells = [["", "", "2015-03-01", "Beihai", "Manis javanica", "3", "no.", "", "", ""],
             ["C-1", "Nanning Intermediate People's Court", "2015-04-01", "Beihai", "Manis javanica", "2", "no.",
              "黄志强", "2015-09-01", "3 years (prison)"],
             ["", "", "2015-04-09", "Dongxing", "Manis javanica scales", "4.5", "kg", "", "", ""]]
    pd.DataFrame(cells, columns=HEADER).to_csv(path, index=False)
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, write_mapping(tmp_path), store, progress=False)
        seizures = store.node_properties("Seizure")
    rejects = rejects_of(report)
    assert (report.read, report.loaded, report.rejected) == (3, 2, 1)
    assert rejects[["row", "column"]].values.tolist() == [[2, "Case ID"]]
    assert "no row above it starts one" in rejects["reason"].iloc[0]
    assert sorted(seizures["id"]) == [f"seizure:{SOURCE}:C-1", f"seizure:{SOURCE}:C-1#2"]


def test_a_case_with_a_bad_first_row_rejects_the_rows_continuing_it(tmp_path):
    path = tmp_path / "bad.csv"
    cells = [["C-1", "Nanning Intermediate People's Court", "2015-04-01", "Beihai", "Manis javanica", "2", "no.",
              "黄志强", "2015-01-01", "3 years (prison)"],  # judged before the seizure
             ["", "", "2015-04-09", "Dongxing", "Manis javanica scales", "4.5", "kg", "", "", ""]]
    pd.DataFrame(cells, columns=HEADER).to_csv(path, index=False)
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, write_mapping(tmp_path), store, progress=False)
    rejects = rejects_of(report)
    assert rejects[["row", "column"]].values.tolist() == [[2, "Judgement date"], [3, "Case ID"]]
    assert rejects["reason"].iloc[1] == "continues the record of row 2, which is rejected"


def loaded_in_chunks(tmp_path, monkeypatch, path, mapping, rows: int, name: str, before: Path | None = None):
    """The store, report and rejects of loading ``path`` in chunks of ``rows`` (after ``before``, if given: a
    store that holds data is written chunk by chunk, an empty one in bulk)."""
    monkeypatch.setattr(load, "CHUNK_ROWS", rows)
    store = ng.open_store(tmp_path / f"{name}.lbdb")
    if before:
        ng.load_file(before, mapping, store, rejects_dir=tmp_path / f"{name}-before", progress=False)
    report = ng.load_file(path, mapping, store, rejects_dir=tmp_path / name, progress=False)
    return store, report


@pytest.mark.parametrize("preloaded", [False, True], ids=["in bulk", "chunk by chunk"])
def test_a_chunked_load_writes_what_a_one_chunk_load_writes(preloaded, extract, tmp_path, monkeypatch):
    path, made, mapping = extract
    frame = read_table(path).frame
    starts = chunk_starts(frame, load_mapping(mapping), 50)
    assert len(starts) > 5 and all(frame["Case ID"].iloc[s] != "" for s in starts)
    assert any(frame["Case ID"].iloc[s] == "" for s in range(50, len(frame), 50))  # a plain cut would split cases
    before = None
    if preloaded:
        before = tmp_path / "before.csv"
        pd.DataFrame([["Z-1", "", "2015-03-01", "Beihai", "Manis javanica", "3", "no.", "陆海明", "", ""]],
                     columns=HEADER).to_csv(before, index=False)
    whole, report = loaded_in_chunks(tmp_path, monkeypatch, path, mapping, 10_000, "one", before)
    chunked, again = loaded_in_chunks(tmp_path, monkeypatch, path, mapping, 50, "chunked", before)
    with whole, chunked:
        assert (again.read, again.loaded, again.rejected) == (report.read, report.loaded, report.rejected)
        assert rejects_of(again).equals(rejects_of(report))
        for label in NODE_TYPES:
            if label != "Load":
                pd.testing.assert_frame_equal(whole.node_frame(label), chunked.node_frame(label), obj=label)
        for rel_type in REL_TYPES:
            pd.testing.assert_frame_equal(whole.edge_frame(rel_type), chunked.edge_frame(rel_type), obj=rel_type)


@pytest.mark.parametrize("continues, wanted", [
    ({"when_empty": "Case No"}, "continues: Value error, when_empty: 'Case No' is no column the mapping reads"),
    ({"when": "Case ID"}, "continues.when: Extra inputs are not permitted"),
    ("Case ID", "continues: Input should be a valid dictionary"),
])
def test_a_bad_continues_names_the_key(continues, wanted, tmp_path):
    with pytest.raises(MappingInvalidError) as error:
        load_mapping(write_mapping(tmp_path, {**MAPPING, "continues": continues}))
    assert wanted in str(error.value)


def readme_example() -> tuple[dict, list[str], list[list[str]]]:
    """The YAML fragment, table header and rows of the README's example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Records over several rows", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    fragment, table = re.search(r"```yaml\n(.*?)```\n\n(\|.*?)(?:\n\n|\Z)", section, re.DOTALL).groups()
    lines = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
    return yaml.safe_load(fragment), lines[0], lines[2:]


def test_readme_example(tmp_path):
    fragment, header, rows = readme_example()
    document = {"name": "readme", "description": "a README example", "source": "README", **fragment}
    path = tmp_path / "example.csv"
    pd.DataFrame([cells[:-1] for cells in rows], columns=header[:-1]).to_csv(path, index=False)
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, write_mapping(tmp_path, document), store, progress=False)
        seizures = store.node_frame("Seizure").set_index("id")
        records = store.node_properties("Record").set_index("id")
        involved = store.edge_frame("INVOLVED_IN")
        people = store.node_properties("Person").set_index("id")["name"]
    rejects = rejects_of(report).set_index("row")
    assert report.read == len(rows)
    for row, cells in enumerate(rows, start=2):
        expected = cells[-1]
        if expected.startswith("rejected"):
            assert re.search(r"`(.*)`", expected).group(1) in rejects.loc[row, "reason"], row
            assert rejects.loc[row, "column"] in header, row
            continue
        assert row not in rejects.index, row
        wanted = dict(part.split("=", 1) for part in shlex.split(expected.strip("`")))
        seizure = f"seizure:README:{wanted['seizure']}"
        record = f"record:README:{wanted['record']}"
        assert seizures.loc[seizure, "sources"] == [record], row
        assert records.loc[record, "rows"] == wanted["rows"], row
        assert abs(seizures.loc[seizure, "weight_kg"] - float(wanted["weight_kg"])) < 1e-9, row
        named = people[involved.loc[involved["target"] == seizure, "source"]]
        assert sorted(named) == sorted(wanted["people"].split(",")), row


@pytest.mark.skipif(not SPARK, reason="pyspark is not installed")
def test_a_spark_load_in_chunks_keeps_each_case_in_one_chunk(extract, spark, tmp_path):
    path, made, mapping = extract
    result = spark_module.spark_load(spark, path, mapping, tmp_path / "spark", rows_per_chunk=50)
    assert result.chunks == len(chunk_starts(read_table(path).frame, load_mapping(mapping), 50)) > 5
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, mapping, store, progress=False)
    assert (result.loaded, result.rejected) == (report.loaded, report.rejected)
    assert_same_tables(result, embedded_tables(path, mapping, tmp_path / "bulk"))


def test_a_case_number_on_the_record_row_is_one_prosecution_each_seizure_of_the_case_leads_to(tmp_path):
    """Court facts are case-level: the case number and judgement date of the record's row make one Prosecution,
    and every seizure of the case (continuation rows too) is FOLLOWED_BY it — not one prosecution per row."""
    path = tmp_path / "court.csv"
    pd.DataFrame({"Case ID": ["C-1", "", "", "C-2"], "Date": ["2015-03-02", "2015-03-09", "2015-04-01", "2016-01-05"],
                  "Case number": ["(2015)桂07刑初50号", "", "", "(2016)桂07刑初9号"],
                  "Judged": ["2015-11-20", "", "", "2016-06-01"]}).to_csv(path, index=False)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"name": "m", "description": "d", "source": "S",
                                       "continues": {"when_empty": "Case ID"},
                                       "fields": {"record_id": {"column": "Case ID"}, "date": {"column": "Date"},
                                                  "case_number": {"column": "Case number"},
                                                  "judgement_date": {"column": "Judged"}}}, allow_unicode=True),
                       encoding="utf-8")
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(path, str(mapping), store, progress=False)
        prosecutions = store.node_frame("Prosecution")
        followed = store.edge_frame("FOLLOWED_BY")
    assert (report.loaded, report.rejected) == (4, 0)
    assert sorted(prosecutions["case_number"]) == ["(2015)桂07刑初50号", "(2016)桂07刑初9号"]
    first = prosecutions.loc[prosecutions["case_number"] == "(2015)桂07刑初50号", "id"].item()
    assert sorted(followed.loc[followed["target"] == first, "source"]) == [
        "seizure:S:C-1", "seizure:S:C-1#2", "seizure:S:C-1#3"]
