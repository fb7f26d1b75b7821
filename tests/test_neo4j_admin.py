"""The bulk path into Neo4j: the CSV files `neo4j-admin database import full` reads, checked structurally
(headers, ID spaces, every node and relationship of the store, arrays, quoting) by a reader that follows the
importer's default rules (comma, '"' quotes doubled inside, an unquoted empty field is no value). The importer
itself cannot run here: no Neo4j can be installed."""
import datetime as dt
import math
import re
import shlex
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.schema import NODE_TYPES, REL_TYPES
from netgraph.store.batch import GraphBatch
from netgraph.store.neo4j_admin import IMPORT_TYPES, write_neo4j_admin

FIELD = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)?(?::(?P<kind>ID|START_ID|END_ID|LABEL|TYPE|"
                   + "|".join(re.escape(k) for k in sorted(set(IMPORT_TYPES.values()))) + r")"
                   r"(?:\((?P<space>[A-Za-z]+)\))?)?$")
HOSTILE = 'O\'Brien "Tony", Jr.\n=cmd|\' /C calc\'!A0; ; DETACH DELETE n'


def read_import_csv(path) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    """Header and rows of an import file; each field (text, quoted) so that an empty value and no value differ."""
    text = path.read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows, row, i = [], [], 0
    while i < len(text):
        if text[i] == '"':
            value, i = [], i + 1
            while True:
                j = text.index('"', i)
                value.append(text[i:j])
                if text.startswith('""', j):
                    value.append('"')
                    i = j + 2
                else:
                    i = j + 1
                    break
            row.append(("".join(value), True))
        else:
            j = min([k for k in (text.find(",", i), text.find("\n", i)) if k >= 0] or [len(text)])
            row.append((text[i:j], False))
            i = j
        if i < len(text) and text[i] == ",":
            i += 1
        elif i >= len(text) or text[i] == "\n":
            rows.append(row)
            row, i = [], i + 1
    header = [value for value, _ in rows[0]]
    return header, rows[1:]


def typed(field: tuple[str, bool], kind: str | None, delimiter: str):
    """A field as the importer would store it (None: no property)."""
    text, quoted = field
    if not text and not quoted:
        return None
    if kind == "string[]":
        return text.split(delimiter)
    return {"date": dt.date.fromisoformat, "double": float, "long": int}.get(kind, str)(text)


def plain(value):
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return value or None  # an empty list is written as no value
    return value


def check_export(store, written) -> None:
    """Every node and relationship of ``store``, with its values, in files whose headers the importer accepts."""
    delimiter = written.array_delimiter
    ids = {}
    counts = store.counts()
    for label, path in written.node_files.items():
        header, rows = read_import_csv(path)
        fields = [FIELD.match(h) for h in header]
        assert all(fields), header
        assert header[0] == f"id:ID({label})" and header[-1] == ":LABEL"
        assert [f["name"] for f in fields[1:-1]] == [p for p in NODE_TYPES[label].all_properties if p != "id"]
        assert {typed(r[-1], None, delimiter) for r in rows} == {label}
        ids[label] = [typed(r[0], None, delimiter) for r in rows]
        assert len(set(ids[label])) == len(rows) == counts.get(label, 0), label
        frame = store.node_properties(label)
        expected = [[plain(v) for v in row] for row in frame.itertuples(index=False)]
        got = [[typed(f, field["kind"], delimiter) for f, field in zip(r[:-1], fields)] for r in rows]
        assert got == expected, label
    assert set(written.node_files) == {label for label in NODE_TYPES if counts.get(label)}
    for (rel, a, b), path in written.relationship_files.items():
        header, rows = read_import_csv(path)
        fields = [FIELD.match(h) for h in header]
        assert all(fields), header
        assert header[:3] == [f":START_ID({a})", f":END_ID({b})", ":TYPE"]
        props = list(REL_TYPES[rel].all_properties)
        assert [f["name"] for f in fields[3:]] == props
        assert {typed(r[2], None, delimiter) for r in rows} == {rel}
        assert {typed(r[0], None, delimiter) for r in rows} <= set(ids[a])  # every end is in its ID space
        assert {typed(r[1], None, delimiter) for r in rows} <= set(ids[b])
        edges = store.edge_frame(rel)
        edges = edges[(edges["source_label"] == a) & (edges["target_label"] == b)]
        expected = [[plain(v) for v in row] for row in edges[["source", "target", *props]].itertuples(index=False)]
        got = [[typed(f, field["kind"], delimiter) for f, field in zip(r[:2] + r[3:], fields[:2] + fields[3:])]
               for r in rows]
        assert got == expected, (rel, a, b)
    for rel in REL_TYPES:  # every relationship of the store, in the files of its type
        files = [p for key, p in written.relationship_files.items() if key[0] == rel]
        assert sum(len(read_import_csv(p)[1]) for p in files) == counts.get(rel, 0) == written.counts.get(rel, 0), rel
    words = shlex.split(written.command("cases"))
    assert words[:4] == ["neo4j-admin", "database", "import", "full"] and words[-1] == "cases"
    assert "--id-type=string" in words
    assert sorted(w.split("=", 1)[1] for w in words if w.startswith("--nodes=")) == \
        sorted(str(p.resolve()) for p in written.node_files.values())
    assert sorted(w.split("=", 1)[1] for w in words if w.startswith("--relationships=")) == \
        sorted(str(p.resolve()) for p in written.relationship_files.values())


def test_the_samples_export_whole_with_headers_the_importer_reads(sample_store, tmp_path):
    written = write_neo4j_admin(sample_store, tmp_path / "import")
    check_export(sample_store, written)
    assert written.array_delimiter == ";" and not written.multiline
    assert "--array-delimiter=;" in shlex.split(written.command())
    seizures = (tmp_path / "import" / "Seizure.nodes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "date:date" in seizures.split(",") and "weight_kg:double" in seizures.split(",")
    assert "row:long" in (tmp_path / "import" / "Record.nodes.csv").read_text(encoding="utf-8").splitlines()[0]
    involved = (tmp_path / "import" / "INVOLVED_IN.Person.Seizure.rels.csv").read_text(encoding="utf-8")
    assert involved.splitlines()[0] == ":START_ID(Person),:END_ID(Seizure),:TYPE,role,fine:double,fine_currency,sources:string[]"
    located = (tmp_path / "import" / "LOCATED_IN.Location.Location.rels.csv").read_text(encoding="utf-8")
    assert "sources" not in located.splitlines()[0]  # its records are the place's: none of its own


def hostile_batch(record_suffix: str) -> GraphBatch:
    batch = GraphBatch()
    records = [f"record:T{record_suffix}{i}" for i in range(3)]
    for i, record in enumerate(records):
        batch.node("Record", record, {"name": f"r{i}", "source": "T", "row": i, "record_date": dt.date(2021, 1, i + 1),
                                      "validity": 2}, record)
    batch.node("Person", "person:hostile", {"name": HOSTILE, "nationality": "", "birth_date": dt.date(1980, 2, 29)},
               records[0])
    batch.node("Person", "person:plain", {"name": "Plain"}, records[1])
    batch.node("Seizure", "seizure:s1", {"name": "S1", "date": dt.date(2021, 1, 1), "weight_kg": 1e-05, "pieces": 3.0},
               records[0])
    batch.node("Phone", "phone:1", {"name": '"+84" 90,1'}, records[2])
    for person, record in (("person:hostile", records[0]), ("person:plain", records[1])):
        batch.rel("INVOLVED_IN", ("Person", person), ("Seizure", "seizure:s1"), {"role": HOSTILE}, records)
        batch.rel("USES", ("Person", person), ("Phone", "phone:1"), {}, record)
    batch.rel("SAME_AS", ("Person", "person:hostile"), ("Person", "person:plain"),
              {"score": 0.5, "threshold": 0.9, "agreed": ["name; phone", 'a "b"'], "decided_by": HOSTILE}, records)
    return batch


def test_hostile_text_survives_quoting_and_arrays_choose_a_free_delimiter(tmp_path):
    with ng.open_store(tmp_path / "hostile.lbdb") as store:
        store.write(hostile_batch(";"))  # record keys hold ';': arrays are joined by '|'
        written = write_neo4j_admin(store, tmp_path / "one")
        check_export(store, written)
        assert written.array_delimiter == "|" and written.multiline
        words = shlex.split(written.command())
        assert "--array-delimiter=|" in words and "--multiline-fields=true" in words
        people = read_import_csv(written.node_files["Person"])[1]
        assert [typed(r[1], None, "|") for r in people] == [HOSTILE, "Plain"]
        assert [r[2] for r in people] == [("", True), ("", False)]  # an empty text, then no value
        store.write(hostile_batch("|"))  # now both ';' and '|' occur: U+001F
        written = write_neo4j_admin(store, tmp_path / "two")
        check_export(store, written)
        assert written.array_delimiter == "\u001f" and "--array-delimiter=U+001F" in shlex.split(written.command())


def test_export_command_writes_the_files_and_prints_the_import_command(tmp_path):
    db = tmp_path / "small.lbdb"
    with ng.open_store(db) as store:
        store.write(hostile_batch("-"))
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--neo4j-admin", str(tmp_path / "out"),
                                       "--target-database", "cases"])
    assert result.exit_code == 0, result.output
    command = next(line for line in result.output.splitlines() if line.startswith("neo4j-admin "))
    words = shlex.split(command)
    assert words[-1] == "cases" and f"--nodes={(tmp_path / 'out' / 'Person.nodes.csv').resolve()}" in words
    assert all(Path(w.split("=", 1)[1]).is_file() for w in words if w.startswith(("--nodes=", "--relationships=")))
    assert "wrote 7 nodes in 4 files and 9 relationships in 6 files" in result.output
