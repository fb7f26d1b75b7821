"""The embedded default store: LadybugDB (PyPI ``ladybug``), a persistent Cypher graph database in one file.

LadybugDB is schema-first: the tables are created from :mod:`netgraph.schema` when the store opens.
Small writes are ``UNWIND $rows … MERGE`` upserts that unite the ``sources`` lists; a large write into
empty tables takes the bulk path (``COPY … FROM`` an Arrow table), which gives the same graph faster.

>>> with LadybugStore("demo.lbdb") as store:          # doctest: +SKIP
...     store.counts()["Seizure"]
"""
from __future__ import annotations

import os
from pathlib import Path

import ladybug
import pandas as pd
import pyarrow as pa
from tqdm.auto import tqdm

from ..schema import NODE_TYPES, REL_TYPES, check_label, check_rel_type
from . import cypher
from .base import EDGE_COLUMNS, GraphStore, check_property_names, records_of
from .batch import GraphBatch

ARROW_TYPES = {"STRING": pa.string(), "DOUBLE": pa.float64(), "INT64": pa.int64(), "DATE": pa.date32(),
               "STRING[]": pa.list_(pa.string())}
BATCH_ROWS = 2_000
BULK_MIN_ROWS = 5_000
DEFAULT_BUFFER_POOL_MB = 1024


class LadybugStore(GraphStore):
    """A netgraph graph in a LadybugDB database file at ``path`` (created if missing).

    ``buffer_pool_mb`` bounds its memory (default 1 GiB, or ``NETGRAPH_BUFFER_POOL_MB``); LadybugDB would
    otherwise take about 80% of RAM. Only one process may open a database for writing at a time.
    """

    dialect = "ladybug"

    def __init__(self, path: str | Path, read_only: bool = False, buffer_pool_mb: int | None = None):
        self.path = Path(path)
        self.rejects_dir = self.path.parent / f"{self.path.name}.rejects"
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"no netgraph database at {self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        pool_mb = buffer_pool_mb or int(os.environ.get("NETGRAPH_BUFFER_POOL_MB", DEFAULT_BUFFER_POOL_MB))
        self._db = ladybug.Database(str(self.path), buffer_pool_size=pool_mb * 1024 * 1024, read_only=read_only)
        self._conn = ladybug.Connection(self._db)
        if not read_only:
            self._create_schema()

    def __repr__(self) -> str:
        return f"LadybugStore({str(self.path)!r})"

    def close(self) -> None:
        self._conn.close()
        self._db.close()

    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        return self._conn.execute(cypher, params or {}).get_as_df()

    # --- schema -----------------------------------------------------------------------------------
    def _create_schema(self) -> None:
        for node in NODE_TYPES.values():
            columns = ", ".join(f"{name} {kind}" for name, kind in node.all_properties.items())
            self._conn.execute(f"CREATE NODE TABLE IF NOT EXISTS {node.label}({columns}, PRIMARY KEY(id))")
            for name, kind in node.properties.items():  # a database made by an older netgraph gains new columns
                self._conn.execute(f"ALTER TABLE {node.label} ADD IF NOT EXISTS {name} {kind}")
        for rel in REL_TYPES.values():
            pairs = ", ".join(f"FROM {a} TO {b}" for a, b in rel.pairs)
            columns = "".join(f", {name} {kind}" for name, kind in rel.all_properties.items())
            self._conn.execute(f"CREATE REL TABLE IF NOT EXISTS {rel.type}({pairs}{columns})")

    # --- writes -----------------------------------------------------------------------------------
    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        jobs = [("node", label) for label, t in batch.nodes.items() if t]
        jobs += [("rel", key) for key, t in batch.rels.items() if t]
        total = len(batch)
        with tqdm(total=total, desc="writing", unit="fact", disable=not progress or total < BATCH_ROWS) as bar:
            for kind, what in jobs:
                frame = batch.node_frame(what) if kind == "node" else batch.rel_frame(what)
                types = (NODE_TYPES[what].all_properties if kind == "node"
                         else {"from": "STRING", "to": "STRING", **REL_TYPES[what[0]].all_properties})
                if len(frame) >= BULK_MIN_ROWS and self._empty(kind, what):
                    self._copy(kind, what, _arrow(frame, types))
                    bar.update(len(frame))
                    continue
                statement = (cypher.node_merge(what, _value, _union) if kind == "node"
                             else cypher.rel_merge(what, _value, _union))
                rows = records_of(frame)
                for start in range(0, len(rows), BATCH_ROWS):
                    chunk = rows[start:start + BATCH_ROWS]
                    self._conn.execute(statement, {"rows": chunk})
                    bar.update(len(chunk))

    def _empty(self, kind: str, what) -> bool:
        if kind == "node":
            statement = f"MATCH (n:{check_label(what)}) RETURN count(n)"
        else:
            rel_type, a, b = what
            statement = (f"MATCH (:{check_label(a)})-[r:{check_rel_type(rel_type)}]->(:{check_label(b)}) "
                         "RETURN count(r)")
        return self._conn.execute(statement).get_next()[0] == 0

    def _copy(self, kind: str, what, table: pa.Table) -> None:
        if kind == "node":
            self._conn.execute(f"COPY {check_label(what)} FROM $facts", {"facts": table})
            return
        rel_type, a, b = what
        self._conn.execute(f"COPY {check_rel_type(rel_type)} FROM $facts (from='{check_label(a)}', "
                           f"to='{check_label(b)}')", {"facts": table})

    def write_properties(self, label: str, frame: pd.DataFrame) -> None:
        columns = check_property_names([c for c in frame.columns if c != "id"])
        for column in columns:
            self._conn.execute(f"ALTER TABLE {check_label(label)} ADD IF NOT EXISTS {column} DOUBLE")
        assignments = ", ".join(f"n.{c} = CAST(r.{c} AS DOUBLE)" for c in columns)
        rows = records_of(frame[["id", *columns]].astype({c: float for c in columns}))
        for start in range(0, len(rows), BATCH_ROWS):
            self._conn.execute(f"UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) SET {assignments}",
                               {"rows": rows[start:start + BATCH_ROWS]})

    # --- reads ------------------------------------------------------------------------------------
    def node_frame(self, label: str) -> pd.DataFrame:
        props = list(NODE_TYPES[check_label(label)].all_properties)
        cypher = f"MATCH (n:{label}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in props) + " ORDER BY id"
        return self._frame(cypher, props)

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        props = [p for p in REL_TYPES[check_rel_type(rel_type)].all_properties if p != "sources"]
        extra = "".join(f", e.{p} AS {p}" for p in props)
        cypher = (f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS source, b.id AS target, label(a) AS source_label, "
                  f"label(b) AS target_label, e.sources AS sources{extra} ORDER BY source, target")
        frame = self._frame(cypher, [c for c in EDGE_COLUMNS if c != "type"] + props)
        frame.insert(2, "type", rel_type)
        return frame[EDGE_COLUMNS + props]

    def _frame(self, cypher: str, columns: list[str]) -> pd.DataFrame:
        table = self._conn.execute(cypher).get_as_arrow()
        frame = table.to_pandas(types_mapper=None) if table.num_rows else pd.DataFrame(columns=columns)
        if "sources" in frame:
            frame["sources"] = [list(s) if s is not None else [] for s in frame["sources"]]
        return frame


def _union(current: str) -> str:
    return f"list_sort(list_distinct(list_concat(coalesce({current}, []), r.sources)))"


def _value(prop: str, kind: str) -> str:
    """A row value in a statement, cast to its schema type (a column of only nulls has no type of its own)."""
    return f"r.{prop}" if kind in ("STRING", "STRING[]") else f"CAST(r.{prop} AS {kind})"


def _arrow(frame: pd.DataFrame, types: dict[str, str]) -> pa.Table:
    """The frame as an Arrow table typed by the schema (so that all-empty columns keep their type)."""
    return pa.table({c: pa.array(frame[c].tolist(), ARROW_TYPES[types[c]], from_pandas=True) for c in types})
