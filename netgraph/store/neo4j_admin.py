"""The bulk path into Neo4j: a store written as the CSV files ``neo4j-admin database import full`` reads.

For a first load of a big data set, Neo4j's offline importer is far faster than any transactional write: load
the files into the embedded store (``netgraph load --db``), export them with ``netgraph export --db …
--neo4j-admin DIR``, and run the printed command on the Neo4j machine. The first netgraph command against the
imported database creates netgraph's constraints and indexes (the importer makes none).

The files follow Neo4j's import header format: one node file per label (``Person.nodes.csv``: ``id:ID(Person)``,
the label's properties, ``:LABEL``), one ID space per label (netgraph's keys are unique within a label), and one
relationship file per type and pair of end labels (``INVOLVED_IN.Person.Seizure.rels.csv``:
``:START_ID(Person)``, ``:END_ID(Seizure)``, ``:TYPE``, properties). Properties are typed from the schema
(``date:date``, ``weight_kg:double``, ``row:long``, ``sources:string[]``); text is always quoted, quotes doubled
(RFC 4180, as the importer reads by default); a missing value is an empty, unquoted field (no property). Array
elements are joined by the first of ``;``, ``|`` or U+001F that no element contains, named in the command
(``--array-delimiter``), which also asks for ``--multiline-fields=true`` when a value holds a line break.

Values are data for Neo4j, not a spreadsheet: no formula neutralising (that would change them). Files are UTF-8
without a byte-order mark. Properties written back by analyses (``pagerank`` …) are not exported, only the schema's.

>>> header_field("date", "DATE"), header_field("sources", "STRING[]"), header_field("name", "STRING")
('date:date', 'sources:string[]', 'name')
"""
from __future__ import annotations

import datetime as dt
import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..schema import NODE_TYPES, REL_TYPES
from .base import GraphStore

IMPORT_TYPES = {"STRING": "string", "DOUBLE": "double", "INT64": "long", "DATE": "date", "STRING[]": "string[]"}
ARRAY_DELIMITERS = (";", "|", "\u001f")


@dataclass
class AdminExport:
    """What :func:`write_neo4j_admin` wrote: files, how many nodes and relationships, and the options they need."""
    folder: Path
    node_files: dict[str, Path] = field(default_factory=dict)  # label -> file
    relationship_files: dict[tuple[str, str, str], Path] = field(default_factory=dict)  # (type, from, to) -> file
    counts: dict[str, int] = field(default_factory=dict)  # label or type -> rows written
    array_delimiter: str = ";"
    multiline: bool = False

    def command(self, database: str = "neo4j") -> str:
        """The exact ``neo4j-admin`` command that imports these files into ``database``."""
        delimiter = self.array_delimiter if self.array_delimiter.isprintable() else f"U+{ord(self.array_delimiter):04X}"
        words = ["neo4j-admin", "database", "import", "full", "--id-type=string", f"--array-delimiter={delimiter}"]
        if self.multiline:
            words.append("--multiline-fields=true")
        words += [f"--nodes={path.resolve()}" for path in self.node_files.values()]
        words += [f"--relationships={path.resolve()}" for path in self.relationship_files.values()]
        words.append(database)
        return " ".join(shlex.quote(word) for word in words)


def header_field(name: str, kind: str) -> str:
    """A property's header field: ``name`` for text, ``name:type`` otherwise."""
    return name if kind == "STRING" else f"{name}:{IMPORT_TYPES[kind]}"


def write_neo4j_admin(store: GraphStore, folder: str | Path) -> AdminExport:
    """Write every node and relationship of ``store`` (either store) as import CSVs into ``folder``."""
    return write_admin_files({label: store.node_properties(label) for label in NODE_TYPES},
                             {rel: store.edge_frame(rel) for rel in REL_TYPES}, folder)


def write_admin_files(nodes: dict[str, pd.DataFrame], edges: dict[str, pd.DataFrame],
                      folder: str | Path) -> AdminExport:
    """Write ``nodes`` (label → the label's properties) and ``edges`` (type → ``source``, ``target``,
    ``source_label``, ``target_label``, properties) as import CSVs into ``folder`` (a store's, or the Parquet
    tables of a load on Spark: :func:`netgraph.ingest.spark.admin_frames`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nodes = {label: nodes.get(label, pd.DataFrame()) for label in NODE_TYPES}
    edges = {rel: edges[rel] for rel in REL_TYPES if rel in edges}
    arrays = [value for rel, frame in edges.items() if len(frame)
              for prop, kind in _rel_properties(rel).items() if kind == "STRING[]" for value in frame[prop]]
    arrays += [value for label, frame in nodes.items() if len(frame)
               for prop, kind in NODE_TYPES[label].all_properties.items() if kind == "STRING[]" for value in frame[prop]]
    out = AdminExport(folder, array_delimiter=_array_delimiter(arrays))
    for label, frame in nodes.items():
        if not len(frame):
            continue
        types = NODE_TYPES[label].all_properties
        header = [f"id:ID({label})"] + [header_field(p, k) for p, k in types.items() if p != "id"] + [":LABEL"]
        columns = [[_text(key) for key in frame["id"].tolist()]]
        columns += [[_cell(v, k, out) for v in frame[p].tolist()] for p, k in types.items() if p != "id"]
        columns.append([_text(label)] * len(frame))
        path = folder / f"{label}.nodes.csv"
        _write(path, header, zip(*columns))
        out.node_files[label], out.counts[label] = path, len(frame)
    for rel, frame in edges.items():
        props = _rel_properties(rel)
        for (a, b), part in frame.groupby(["source_label", "target_label"], sort=True):
            header = [f":START_ID({a})", f":END_ID({b})", ":TYPE"] + [header_field(p, k) for p, k in props.items()]
            columns = [[_text(key) for key in part[end].tolist()] for end in ("source", "target")]
            columns.append([_text(rel)] * len(part))
            columns += [[_cell(v, k, out) for v in part[p].tolist()] for p, k in props.items()]
            path = folder / f"{rel}.{a}.{b}.rels.csv"
            _write(path, header, zip(*columns))
            out.relationship_files[(rel, a, b)] = path
            out.counts[rel] = out.counts.get(rel, 0) + len(part)
    return out


def _rel_properties(rel_type: str) -> dict[str, str]:
    """The properties a relationship stores (``sources`` only where it lists its own records)."""
    return dict(REL_TYPES[rel_type].all_properties)


def _array_delimiter(arrays: list) -> str:
    elements = {str(e) for value in arrays if isinstance(value, (list, tuple)) or hasattr(value, "tolist")
                for e in (value.tolist() if hasattr(value, "tolist") else value)}
    for delimiter in ARRAY_DELIMITERS:
        if not any(delimiter in element for element in elements):
            return delimiter
    raise ValueError("every array delimiter netgraph can use (; | U+001F) occurs in an array value")


def _text(value: str) -> str:
    return '"' + str(value).replace('"', '""') + '"'


def _cell(value, kind: str, out: AdminExport) -> str:
    """One field: empty for a missing value, else the value as the importer reads it."""
    if kind == "STRING[]":
        items = value.tolist() if hasattr(value, "tolist") else value
        if not isinstance(items, (list, tuple)) or not items:
            return ""
        value = out.array_delimiter.join(str(item) for item in items)
        kind = "STRING"
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "STRING":
        text = str(value)
        out.multiline |= "\n" in text or "\r" in text
        return _text(text)
    if kind == "DATE":
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if kind == "INT64":
        return str(int(value))
    return repr(float(value))


def _write(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(",".join(header) + "\n")
        for row in rows:
            file.write(",".join(row) + "\n")
