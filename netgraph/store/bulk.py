"""A load into an empty store, written table by table: every chunk's facts are spilled to Parquet, merged
across chunks with DuckDB, and each table is then copied into the store once.

Why: a store that commits chunk after chunk pays, at every commit, for rewriting the relationship data of
every node group that gained a relationship (``benchmarks/ladybug_commit.py``), so a load of many chunks
grows faster than its rows. Written once per table, a load costs what a plain ``COPY`` of its facts costs.

The merge keeps the batch's rules (:mod:`netgraph.store.batch`): a node keeps, per property, the first value
any chunk gave (chunks in reading order; within a chunk the batch has merged already), the highest for a
``max`` rule and the latest for a ``last`` rule; a relationship is one per ends and identity, its
``sources`` the sorted union of every chunk's.

>>> sink = BulkLoad(Path("/tmp/spill"))                         # doctest: +SKIP
>>> sink(batch_of_chunk_1); sink(batch_of_chunk_2)             # doctest: +SKIP
>>> for table, ends, path in sink.tables(): ...                # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..schema import NODE_TYPES, REL_TYPES
from .batch import GraphBatch

MEMORY_LIMIT = "2GB"  # DuckDB's, while merging (it spills to the folder beyond that)
ARROW_TYPES = {"STRING": pa.string(), "DOUBLE": pa.float64(), "INT64": pa.int64(), "DATE": pa.date32(),
               "STRING[]": pa.list_(pa.string())}


class BulkLoad:
    """Collects the batches of one load (call it with each) in ``folder``; :meth:`tables` merges them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.chunks = 0

    def __call__(self, batch: GraphBatch) -> None:
        """Spill one chunk's facts: node and relationship tables (merged within the chunk), and ASSERTS."""
        for kind, name, table in chunk_tables(batch):
            self._spill((kind, name), table)
        self.chunks += 1

    def _spill(self, where: tuple[str, str], table: pa.Table) -> None:
        folder = self.folder.joinpath(*where)
        folder.mkdir(parents=True, exist_ok=True)
        chunk = pa.array(np.full(table.num_rows, self.chunks, dtype=np.int32))
        pq.write_table(table.append_column("chunk", chunk), folder / f"{self.chunks:06d}.parquet")

    def tables(self) -> Iterator[tuple[str, tuple[str, str] | None, Path]]:
        """(table, (from label, to label) or None, a Parquet file of its merged rows), nodes first."""
        merged = self.folder / "merged"
        merged.mkdir(exist_ok=True)
        con = duckdb.connect()
        try:
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET temp_directory = ?", [str(self.folder / "duckdb-tmp")])
            for kind in ("node", "asserts", "rel"):
                for folder in sorted(p for p in (self.folder / kind).glob("*") if p.is_dir()):
                    table, ends, select = _merge(kind, folder.name)
                    out = merged / f"{kind}.{folder.name}.parquet"
                    source = f"read_parquet('{path_literal(folder / '*.parquet')}')"
                    con.execute(f"COPY ({select.format(source=source)}) TO '{path_literal(out)}' (FORMAT parquet)")
                    yield table, ends, out
        finally:
            con.close()


def chunk_tables(batch: GraphBatch) -> list[tuple[str, str, pa.Table]]:
    """One chunk's facts as (kind, name, Arrow table): ("node", label), ("asserts", label) and
    ("rel", "TYPE.From.To"), typed by the schema (what a bulk load spills and the Spark load merges)."""
    out = []
    for label in batch.labels():
        out.append(("node", label, arrow_table(batch.node_frame(label), NODE_TYPES[label].all_properties)))
        pairs = batch.asserts_frame(label)
        if len(pairs):
            out.append(("asserts", label, pa.table({"from": pa.array(pairs["record"].tolist(), pa.string()),
                                                    "to": pa.array(pairs["id"].tolist(), pa.string())})))
    for rel_type, a, b in batch.rel_keys():
        types = {"from": "STRING", "to": "STRING", **REL_TYPES[rel_type].all_properties}
        out.append(("rel", f"{rel_type}.{a}.{b}", arrow_table(batch.rel_frame((rel_type, a, b)), types)))
    return out


def _merge(kind: str, name: str) -> tuple[str, tuple[str, str] | None, str]:
    """The table, its ends, and the DuckDB query (``{source}`` the spilled files) that merges its chunks."""
    if kind == "node":
        spec = NODE_TYPES[name]
        columns = [_first(c) if spec.merge.get(c) is None else
                   f'max("{c}") AS "{c}"' if spec.merge[c] == "max" else _last(c)
                   for c in spec.all_properties if c != "id"]
        return name, None, f'SELECT "id", {", ".join(columns)} FROM {{source}} GROUP BY "id"'
    if kind == "asserts":
        return "ASSERTS", ("Record", name), 'SELECT DISTINCT "from", "to" FROM {source}'
    rel_type, a, b = name.split(".")
    spec = REL_TYPES[rel_type]
    keys = ["from", "to", *spec.identity]
    columns = [f'"{c}"' if c in keys else
               'list_sort(list_distinct(flatten(list("sources")))) AS "sources"' if c == "sources" else _first(c)
               for c in ["from", "to", *spec.all_properties]]
    group = ", ".join(f'"{c}"' for c in keys)
    return rel_type, (a, b), f"SELECT {', '.join(columns)} FROM {{source}} GROUP BY {group}"


def _first(column: str) -> str:
    return f'arg_min("{column}", "chunk") FILTER (WHERE "{column}" IS NOT NULL) AS "{column}"'


def _last(column: str) -> str:
    return f'arg_max("{column}", "chunk") FILTER (WHERE "{column}" IS NOT NULL) AS "{column}"'


def path_literal(path: Path) -> str:
    """A temporary file's path as a string literal for DuckDB's and LadybugDB's COPY (which take no
    parameter for their files)."""
    text = str(path)
    if "'" in text or "\\" in text:
        raise ValueError(f"cannot copy from a path with quotes or backslashes: {text!r}; keep the store (and TMPDIR) "
                         "in a folder whose path has none")
    return text


def arrow_table(frame, types: dict[str, str]) -> pa.Table:
    """The frame as an Arrow table typed by the schema (so that all-empty columns keep their type)."""
    return pa.table({c: pa.array(frame[c].tolist(), ARROW_TYPES[types[c]], from_pandas=True) for c in types})
