"""The load on Spark: the same compiled mapping, distributed over row chunks, merged by the bulk load's query.

Nothing of the mapping is rewritten for Spark. The driver reads the file as the embedded load does
(:func:`~netgraph.ingest.tables.read_table`: encoding, delimiter, spreadsheet rows) and hands its cells to Spark
in chunks of consecutive rows; each chunk is compiled on an executor by the very
:func:`~netgraph.ingest.transform.compile_rows` the embedded load calls, into the chunk's node, ASSERTS and
relationship tables (merged within the chunk, split into buckets by key) and its rejected rows. Spark then
groups each table's buckets of every chunk, and each group is merged on an executor by the DuckDB query of
:mod:`netgraph.store.bulk` (a property keeps the first non-null value by chunk order, a ``max`` rule the
highest, a ``last`` rule the latest; ``sources`` the sorted union; ASSERTS distinct) and written as Parquet. A record id that an earlier chunk loaded is a duplicate, as in the embedded load: the chunks that
hold one are compiled again knowing the earlier rows (none, when record ids are unique).

Because a chunk is consecutive rows and facts within a chunk are in reading order, the tables do not depend on
the chunk size: they are, row for row, the tables the embedded load writes (``tests/test_spark.py``).

Where things run: reading and decoding a file happens once on the driver (one file at a time, its cells then
go to Spark as Arrow); compiling, merging and writing run on the executors. ``master`` is any Spark master URL
(``local[4]``, ``spark://host:7077``, ``yarn``, ``k8s://…``); on a cluster, ``out`` must be a folder every
executor and the driver can reach (a shared mount: the executors write it with pyarrow) — the store load then
reads it on one machine.

pyspark is the ``spark`` extra (``pip install 'netgraph[spark]'``); it needs Java 17 or later.

>>> spark = session("local[2]")                                              # doctest: +SKIP
>>> result = spark_load(spark, "records.csv", "cen_customs", "tables/")     # doctest: +SKIP
>>> with ng.open_store("big.lbdb") as store: copy_tables(store, result)   # doctest: +SKIP
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..resources import NetgraphError, netgraph_version
from ..schema import NODE_TYPES, REL_TYPES
from ..store.base import GraphStore
from ..store.batch import GraphBatch
from ..store.bulk import ARROW_TYPES, chunk_tables
from ..store.bulk import _merge as bulk_merge
from .cells import write_csv
from .load import MissingColumnsError, _mark, load_identity
from .mapping import Mapping, load_mapping
from .tables import TEXT, read_table
from .transform import compile_rows
from .transform.continuation import chunk_starts

ROWS_PER_CHUNK = 50_000  # rows compiled by one task
BLOBS = "chunk int, kind string, name string, bucket int, data binary"  # a chunk's table (or its bucket), Arrow IPC
ROWS_PER_BUCKET = 100_000  # input rows per bucket of every merged table (a bucket is merged by one task)
POSITION = "__position__"  # a row's position in the file (0-based), beside the reader's ``__row__``


class SparkMissingError(NetgraphError, ImportError):
    """pyspark is not installed: it is the ``spark`` extra."""


def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession, functions
    except ImportError:
        raise SparkMissingError("the Spark engine needs pyspark: pip install 'netgraph[spark]' (and Java 17 or "
                                "later)") from None
    return SparkSession, functions


def session(master: str = "local[2]", app: str = "netgraph", config: dict | None = None):
    """A Spark session for netgraph: ``master`` a Spark master URL; Arrow transfers on, the UI off in local
    mode, few shuffle partitions locally, and Splink's similarity functions on the classpath (for
    ``resolve --engine spark``). ``config`` adds or overrides Spark settings.

    >>> spark = session("spark://head:7077", config={"spark.executor.memory": "8g"})   # doctest: +SKIP
    """
    SparkSession, _ = _pyspark()
    local = master.startswith("local")
    settings = {"spark.sql.execution.arrow.pyspark.enabled": "true",
                "spark.sql.session.timeZone": "UTC",
                "spark.sql.shuffle.partitions": "4" if local else "200",
                "spark.ui.enabled": "false" if local else "true",
                "spark.ui.showConsoleProgress": "false",
                "spark.driver.memory": "4g"}
    if local:  # the workers run this interpreter (with netgraph); on a cluster, executors need netgraph installed
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from splink.backends.spark import similarity_jar_location
    settings["spark.jars"] = similarity_jar_location()
    settings.update(config or {})
    builder = SparkSession.builder.master(master).appName(app)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def running(master: str = "local[2]", config: dict | None = None):
    """A session for one command: stopped at the end unless it was running before (e.g. a notebook's)."""
    SparkSession, _ = _pyspark()
    before = SparkSession.getActiveSession()
    spark = session(master, config=config)
    try:
        yield spark
    finally:
        if before is None:
            spark.stop()


@dataclass
class SparkLoad:
    """What :func:`spark_load` wrote in ``folder``: a Parquet folder per table (``node.<Label>``,
    ``asserts.<Label>``, ``rel.<TYPE>.<From>.<To>``), the rejects, and the counts (``read = loaded + rejected``)."""
    folder: Path
    file: str
    mapping: str
    read: int
    loaded: int
    rejected: int
    tables: list[tuple[str, str, Path]] = field(default_factory=list)  # (kind, name, Parquet folder)
    rejects_file: str | None = None  # CSV, as the embedded load writes it
    chunks: int = 0
    recompiled: int = 0  # chunks compiled again for record ids an earlier chunk had
    load: dict = field(default_factory=dict)  # the store's ``Load`` node: id and properties

    def summary(self) -> str:
        lines = [f"{self.file} ({self.mapping}, Spark, {self.chunks} chunk(s)): read {self.read} = loaded "
                 f"{self.loaded} + rejected {self.rejected}; tables in {self.folder}"]
        if self.rejects_file:
            lines.append(f"rejected rows and reasons: {self.rejects_file}")
        return "\n".join(lines)

    def frame(self, kind: str, name: str) -> pd.DataFrame:
        """One merged table as a DataFrame (rows in no particular order)."""
        path = self.folder / "tables" / f"{kind}.{name}"
        return read_table_folder(kind, name, path).to_pandas() if path.exists() \
            else pd.DataFrame(columns=list(columns_of(kind, name)))

    def rejects(self) -> pd.DataFrame:
        """The rejected rows: file, row, column, reason, then the row's cells."""
        path = self.folder / "rejects"
        return pq.read_table(path).to_pandas().sort_values("row", ignore_index=True) if path.exists() \
            else pd.DataFrame(columns=["file", "row", "column", "reason"])


def spark_load(spark, path: str | Path, mapping: str | Path | Mapping, out: str | Path,
               encoding: str | None = None, delimiter: str | None = None,
               rows_per_chunk: int = ROWS_PER_CHUNK, rejects_dir: str | Path | None = None) -> SparkLoad:
    """Compile ``path`` with ``mapping`` on ``spark`` and write its merged tables as Parquet in ``out`` (a new or
    emptied folder). Rejected rows go to ``out/rejects`` (Parquet) and, as the embedded load writes them, to a
    rejects CSV in ``rejects_dir`` (default ``out``)."""
    _, F = _pyspark()
    from pyspark import StorageLevel
    path, out = Path(path), Path(out)
    mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    table = read_table(path, encoding or mapping.encoding, delimiter or mapping.delimiter, mapping.sheet)
    frame = table.frame
    present = set(frame.columns)
    missing = [c for c in mapping.required_columns() if c not in present]
    if missing:
        raise MissingColumnsError(f"{path.name}: missing required column(s) {missing} for mapping "
                                  f"{mapping.name!r}; the file has {sorted(present - {'__row__'})}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    columns = [c for c in frame.columns if c != "__row__"]
    starts = chunk_starts(frame, mapping, rows_per_chunk)  # consecutive rows; a record never split
    chunk = np.searchsorted(starts, np.arange(len(frame)), side="right") - 1
    cells = pa.table({POSITION: pa.array(range(len(frame)), pa.int64()), "chunk": pa.array(chunk, pa.int32()),
                      "__row__": pa.array(frame["__row__"].to_numpy(), pa.int64()),
                      **{f"c{i}": pa.array(frame[c].astype(object).where(frame[c].notna(), None).tolist(), pa.string())
                         for i, c in enumerate(columns)}})
    names = {f"c{i}": c for i, c in enumerate(columns)}  # Spark column names need not be the file's headers
    chunks = len(starts)
    result = SparkLoad(out, path.name, mapping.name, len(frame), 0, 0, chunks=chunks)
    digest, load_id, options = load_identity(path, mapping, encoding, delimiter)
    result.load = {"id": load_id, "name": f"{path.name} with {mapping.name}",
                   "file": path.name, "mapping": mapping.name, "file_sha256": digest, "encoding": table.encoding,
                   "read": len(frame), "conflicts": 0, "status": "complete", "netgraph_version": netgraph_version(),
                   "options_sha256": options}
    if not len(frame):
        return _finish(result)
    source = spark.createDataFrame(cells)
    buckets = max(1, -(-len(frame) // ROWS_PER_BUCKET))
    compile_chunk = _compiler(mapping, path.name, names, {}, buckets)
    compiled = source.groupBy("chunk").applyInPandas(compile_chunk, BLOBS).persist(StorageLevel.DISK_ONLY)
    redo = _duplicated_elsewhere(spark, compiled)
    if redo:
        result.recompiled = len(redo)
        again = source.where(F.col("chunk").isin(list(redo))).groupBy("chunk").applyInPandas(
            _compiler(mapping, path.name, names, redo, buckets), BLOBS)
        compiled = compiled.where(~F.col("chunk").isin(list(redo))).unionByName(again).persist(StorageLevel.DISK_ONLY)
    tables = out / "tables"
    written = compiled.where(F.col("kind").isin("node", "asserts", "rel")).groupBy("kind", "name", "bucket") \
        .applyInPandas(_merger(str(tables)), "kind string, name string, bucket int, rows long")
    for kind, name in sorted({(r.kind, r.name) for r in written.collect()}):
        result.tables.append((kind, name, tables / f"{kind}.{name}"))
    rejected = _unpack(compiled, "rejects", "", "position bigint, column string, reason string")
    rejected = rejected.join(source.drop("chunk"), on=F.col("position") == F.col(POSITION)).select(
        F.lit(path.name).alias("file"), F.col("__row__").alias("row"), "column", "reason",
        *[F.col(c).alias(names[c]) for c in names])
    rejected.write.parquet(str(out / "rejects"))
    compiled.unpersist()
    rejects = result.rejects()
    result.rejected, result.loaded = len(rejects), len(frame) - len(rejects)
    if len(rejects):
        folder = Path(rejects_dir or out)
        folder.mkdir(parents=True, exist_ok=True)
        result.rejects_file = str(write_csv(rejects, folder / f"{path.name}.{mapping.name}.rejects.csv"))
    return _finish(result)


def _finish(result: SparkLoad) -> SparkLoad:
    result.load.update(loaded=result.loaded, rejected=result.rejected, rejects_file=result.rejects_file,
                       finished=datetime.now(timezone.utc).isoformat(timespec="microseconds"))
    (result.folder / "load.json").write_text(json.dumps(
        {k: str(v) if isinstance(v, Path) else v for k, v in result.__dict__.items() if k != "tables"}, indent=1))
    return result


def _compiler(mapping: Mapping, file_name: str, names: dict[str, str], loaded_before: dict[int, dict[str, int]],
              buckets: int = 1):
    """The function Spark runs on each chunk (a pandas frame of its rows): ``compile_rows``, then every table
    of the chunk as Arrow IPC blobs, one per bucket of its merge keys. ``loaded_before``: chunk → records
    earlier chunks loaded (key → row)."""
    def run(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows.sort_values(POSITION, ignore_index=True)
        chunk = int(rows["chunk"].iloc[0])
        part = pd.DataFrame({"__row__": rows["__row__"].astype("int64"),
                             **{names[c]: rows[c].astype(TEXT) for c in names}})
        done = compile_rows(part, mapping, file_name, loaded_before.get(chunk, {}))
        out = [("records", "", pa.table({"key": pa.array(list(done.records), pa.string()),
                                         "row": pa.array(list(done.records.values()), pa.int64())})),
               ("rejects", "", pa.table({"position": pa.array((rows[POSITION].to_numpy()[done.rejects["row"]
                                                               .to_numpy(dtype=int)]), pa.int64()),
                                         "column": pa.array(done.rejects["column"].tolist(), pa.string()),
                                         "reason": pa.array(done.rejects["reason"].tolist(), pa.string())}))]
        out = [(kind, name, 0, table) for kind, name, table in out]
        for kind, name, table in chunk_tables(done.batch):
            out += _bucketed(kind, name, table, buckets)
        return pd.DataFrame({"chunk": [chunk] * len(out), "kind": [o[0] for o in out], "name": [o[1] for o in out],
                             "bucket": [o[2] for o in out], "data": [_ipc(o[3]) for o in out]})
    return run


def _bucketed(kind: str, name: str, table: pa.Table, buckets: int) -> list[tuple[str, str, int, pa.Table]]:
    """The table's rows split by a stable hash of their merge keys (a key's rows of every chunk meet in one
    bucket)."""
    if buckets == 1:
        return [(kind, name, 0, table)]
    keys = ["id"] if kind == "node" else \
        ["from", "to", *([] if kind == "asserts" else REL_TYPES[name.split(".")[0]].identity)]
    frame = table.select(keys).to_pandas().astype(str)
    bucket = pd.util.hash_pandas_object(frame, index=False).to_numpy() % buckets
    return [(kind, name, int(b), table.filter(pa.array(bucket == b))) for b in range(buckets) if (bucket == b).any()]


def _merger(folder: str):
    """The function Spark runs on each (table, bucket): that bucket's rows of every chunk, merged by the very
    DuckDB query of :func:`netgraph.store.bulk._merge` (first non-null value by chunk, ``max``/``last`` rules,
    ``sources`` the sorted union: the rules stay in one place), written as one Parquet file of the table's
    folder (on a cluster, a folder every executor reaches)."""
    def merge(group: pd.DataFrame) -> pd.DataFrame:
        import duckdb
        kind, name, bucket = group["kind"].iloc[0], group["name"].iloc[0], int(group["bucket"].iloc[0])
        parts = []
        for chunk, data in zip(group["chunk"], group["data"]):
            table = pa.ipc.open_stream(data).read_all()
            parts.append(table.append_column("chunk", pa.array([int(chunk)] * table.num_rows, pa.int32())))
        facts = pa.concat_tables(parts)  # noqa: F841 - DuckDB reads it by name
        _, _, select = bulk_merge(kind, name)
        with duckdb.connect() as con:
            merged = con.sql(select.format(source="facts")).to_arrow_table()
        columns = columns_of(kind, name)
        merged = pa.table({c: merged.column(c).cast(ARROW_TYPES[t]) for c, t in columns.items()})
        target = Path(folder) / f"{kind}.{name}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(merged, target / f"part-{bucket:05d}.parquet")
        return pd.DataFrame({"kind": [kind], "name": [name], "bucket": [bucket], "rows": [merged.num_rows]})
    return merge


def _ipc(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def columns_of(kind: str, name: str) -> dict[str, str]:
    """A table's columns and their schema types."""
    if kind == "node":
        return dict(NODE_TYPES[name].all_properties)
    if kind == "asserts":
        return {"from": "STRING", "to": "STRING"}
    return {"from": "STRING", "to": "STRING", **REL_TYPES[name.split(".")[0]].all_properties}


def _unpack(compiled, kind: str, name: str, schema: str):
    """The rows of one table over all chunks (Arrow blobs → Spark rows, on the executors)."""
    from pyspark.sql import functions as F

    def unpack(batches):
        for batch in batches:
            for chunk, data in zip(batch.column("chunk").to_pylist(), batch.column("data").to_pylist()):
                table = pa.ipc.open_stream(data).read_all()
                table = table.append_column("chunk", pa.array([chunk] * table.num_rows, pa.int32()))
                yield from table.to_batches()
    return compiled.where((F.col("kind") == kind) & (F.col("name") == name)).select("chunk", "data") \
        .mapInArrow(unpack, schema)


def _duplicated_elsewhere(spark, compiled) -> dict[int, dict[str, int]]:
    """Chunk → the records (key → row) that an earlier chunk loaded and this one loads too: those chunks are
    compiled again, as the embedded load would have (the later row is a duplicate)."""
    from pyspark.sql import functions as F
    records = _unpack(compiled, "records", "", "key string, row bigint, chunk int")
    first = records.groupBy("key").agg(F.min(F.struct("chunk", "row")).alias("first"),
                                       F.count("*").alias("n")).where(F.col("n") > 1)
    later = records.join(first, "key").where(F.col("chunk") > F.col("first.chunk")) \
        .select("chunk", "key", F.col("first.row").alias("first_row"))
    redo: dict[int, dict[str, int]] = {}
    for row in later.collect():
        redo.setdefault(row["chunk"], {})[row["key"]] = row["first_row"]
    return redo


# --- from the tables to a store ---------------------------------------------------------------------------
def read_table_folder(kind: str, name: str, folder: Path) -> pa.Table:
    """One merged table (a ``table=…`` folder of the Spark output) with its own columns only."""
    return pq.read_table(folder, columns=list(columns_of(kind, name)))


def _one_file(kind: str, name: str, folder: Path, into: Path) -> Path:
    """A table as one Parquet file (the embedded store's COPY reads one file per table)."""
    pq.write_table(read_table_folder(kind, name, folder), into)
    return into


def copy_tables(store: GraphStore, load: SparkLoad, work: str | Path | None = None) -> dict[str, int]:
    """Put the tables of ``load`` into ``store``: into an empty embedded store by COPY, table by table; into any
    other store (Neo4j, or an embedded store that holds data) by the store's batched writes. Returns what the
    store gained, by label and type."""
    before = store.counts()
    copy = getattr(store, "copy_tables", None)
    if copy is not None and not set(before) - {"Load"}:
        work = Path(work or load.folder / "copy")
        work.mkdir(parents=True, exist_ok=True)
        order = {"node": 0, "asserts": 1, "rel": 2}
        tables = []
        for kind, name, folder in sorted(load.tables, key=lambda t: (order[t[0]], t[1])):
            path = _one_file(kind, name, folder, work / f"{kind}.{name}.parquet")
            tables.append(_table_and_ends(kind, name) + (path,))
        copy(tables)
        shutil.rmtree(work, ignore_errors=True)
    else:
        store.write(batch_of(load))
    props = dict(load.load)
    _mark(store, props.pop("id"), props)
    after = store.counts()
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _table_and_ends(kind: str, name: str) -> tuple[str, tuple[str, str] | None]:
    if kind == "node":
        return name, None
    if kind == "asserts":
        return "ASSERTS", ("Record", name)
    rel_type, a, b = name.split(".")
    return rel_type, (a, b)


def batch_of(load: SparkLoad) -> GraphBatch:
    """The tables of ``load`` as one batch (for a store's transactional, batched writes)."""
    batch = GraphBatch()
    for kind, name, folder in load.tables:
        frame = read_table_folder(kind, name, folder).to_pandas().astype(object)
        frame = frame.where(frame.notna(), None)
        if kind == "node":
            # no record asserts the merged row itself (ASSERTS below); a Mention's ``record`` is its own
            batch.add_nodes(name, frame if "record" in frame else frame.assign(record=None))
        elif kind == "asserts":
            batch.add_nodes(name, pd.DataFrame({"id": frame["to"], "record": frame["from"]}))
        else:
            rel_type, a, b = name.split(".")
            if REL_TYPES[rel_type].sources:
                frame = frame.explode("sources").rename(columns={"sources": "record"})
            batch.add_rels((rel_type, a, b), frame.assign(record=frame.get("record")))
    return batch


def admin_frames(load: SparkLoad) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The tables as :func:`~netgraph.store.neo4j_admin.write_admin_files` takes them: nodes by label, and
    relationships by type (``source``, ``target``, ``source_label``, ``target_label``, properties)."""
    nodes, edges = {}, {}
    for kind, name, folder in load.tables:
        frame = read_table_folder(kind, name, folder).to_pandas()
        if kind == "node":
            nodes[name] = frame
            continue
        rel_type, (a, b) = _table_and_ends(kind, name)
        frame = frame.rename(columns={"from": "source", "to": "target"}).assign(source_label=a, target_label=b)
        edges[rel_type] = pd.concat([edges[rel_type], frame], ignore_index=True) if rel_type in edges else frame
    return nodes, edges
