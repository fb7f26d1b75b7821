"""The embedded default store: LadybugDB (PyPI ``ladybug``), a persistent Cypher graph database in one file.

LadybugDB is schema-first: the tables are created from :mod:`netgraph.schema` when the store opens.
Writes are set-based: facts new to the store are bulk-copied (``COPY … FROM`` an Arrow table); facts it
holds already are looked up for the batch's keys only, and just those that gain a value or a record go
through an ``UNWIND $rows … MERGE`` upsert. So a load costs what its new facts cost.

>>> with LadybugStore("demo.lbdb") as store:          # doctest: +SKIP
...     store.counts()["Seizure"]
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import ladybug
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from ..resources import NetgraphError
from ..schema import NODE_TYPES, REL_TYPES, check_label, check_rel_type
from . import cypher
from .base import EDGE_COLUMNS, LOOKUP_KEYS, GraphStore, check_property_names, records_of
from .batch import GraphBatch
from .bulk import BulkLoad, arrow_table, path_literal

BATCH_ROWS = 2_000
COPY_MIN_ROWS = 2_000  # fewer new facts than this are created by UNWIND, more by COPY
DEFAULT_BUFFER_POOL_MB = 1024


class LadybugStore(GraphStore):
    """A netgraph graph in a LadybugDB database file at ``path`` (created if missing).

    ``buffer_pool_mb`` bounds its memory (default 1 GiB, or ``NETGRAPH_BUFFER_POOL_MB``); LadybugDB would
    otherwise take about 80% of RAM. Only one process may open a database for writing at a time.
    """

    dialect = "ladybug"
    _failed_write = False

    def __init__(self, path: str | Path, read_only: bool = False, buffer_pool_mb: int | None = None):
        self.path = Path(path)
        self.rejects_dir = self.path.parent / f"{self.path.name}.rejects"
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"no netgraph database at {self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        pool_mb = buffer_pool_mb or int(os.environ.get("NETGRAPH_BUFFER_POOL_MB", DEFAULT_BUFFER_POOL_MB))
        try:
            self._open(pool_mb, read_only)
            if not read_only:
                self._create_schema()
                for stale in self.path.parent.glob(f"{self.path.name}.bulk-*"):  # a killed bulk load's facts
                    shutil.rmtree(stale, ignore_errors=True)  # (this process holds the store's write lock)
            elif self._outdated():  # made by an older netgraph: one open for writing adds what the schema gained
                self.close()
                LadybugStore(self.path, buffer_pool_mb=pool_mb).close()
                self._open(pool_mb, read_only)
        except RuntimeError as exc:
            raise store_error(self.path, exc) from None

    def _open(self, pool_mb: int, read_only: bool) -> None:
        self._db = ladybug.Database(str(self.path), buffer_pool_size=pool_mb * 1024 * 1024, read_only=read_only)
        # one thread: a COPY run with several hung now and then (no CPU used) on 2-core machines
        self._conn = ladybug.Connection(self._db, num_threads=1)

    def _outdated(self) -> bool:
        """Whether the database lacks a table or a property of :mod:`netgraph.schema`."""
        tables = set(self.query("CALL show_tables() RETURN name")["name"])
        if not set(NODE_TYPES) | set(REL_TYPES) <= tables:
            return True
        schema = {**NODE_TYPES, **REL_TYPES}  # names come from the schema, never from users
        return any(set(table.all_properties) - set(self.query(f"CALL table_info('{name}') RETURN name")["name"])
                   for name, table in schema.items())

    @staticmethod
    def repair(path: str | Path) -> str:
        """Make a store whose last write was cut short (a killed process, a full disk) open again; say how.
        Opening it for writing lets LadybugDB replay its write-ahead log and finish an interrupted checkpoint.
        A log it cannot replay is copied aside, then replayed up to its damage (what was committed before it
        stays); only if that fails too is the log itself set aside. Loads cut short say INCOMPLETE."""
        path = Path(path)
        left = [p.name[len(path.name):] for p in _leftovers(path)]
        try:
            _reopen(path, strict=True)
            return (f"finished the write that was cut short ({', '.join(left)} left over): LadybugDB replayed its "
                    "log and completed its checkpoint" if left else "nothing to repair: the store opens as it is")
        except RuntimeError as exc:
            error = store_error(path, exc)
            if not isinstance(error, StoreDamagedError):
                raise error from None
        aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
        aside.mkdir(exist_ok=True)
        for file in _leftovers(path):
            shutil.copy2(file, aside)
        try:
            _reopen(path, strict=False)
            return (f"the write-ahead log was damaged (a write cut short by a full disk?): replayed what was "
                    f"committed before the damage; the damaged log, as it was, is kept in {aside}")
        except RuntimeError:
            pass
        log = Path(f"{path}.wal")
        if log.exists():
            log.unlink()  # its copy is in `aside`
            try:
                _reopen(path, strict=True)
                return (f"the damaged log could not be replayed: it is set aside in {aside} and the store opens as "
                        "of its last checkpoint; loads after that must be run again")
            except RuntimeError:
                shutil.copy2(aside / log.name, log)
        raise StoreDamagedError(f"could not repair {path}: LadybugDB can neither replay its write-ahead log nor "
                                f"finish its checkpoint; its files are left as they were (copies in {aside}). "
                                "Load the files into a new store, or restore it from a copy")

    def writer_pid(self) -> int | None:
        """The process writing this store now (0: none; None: cannot be told here); see :func:`writer_pid`."""
        return writer_pid(self.path)

    def __repr__(self) -> str:
        return f"LadybugStore({str(self.path)!r})"

    def close(self) -> None:
        if self._failed_write:  # LadybugDB aborts the process if it closes after a failed write to disk
            if not _ABANDONED:
                atexit.register(_leave_without_closing)
            _ABANDONED.append((self._conn, self._db))
            return
        self._conn.close()
        self._db.close()

    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        return self._conn.execute(cypher, params or {}).get_as_df()

    def query_arrow(self, cypher: str, params: dict | None = None) -> pa.Table:
        """The rows of a parameterised Cypher statement as an Arrow table (no Python object per value:
        projections read through this, see :mod:`netgraph.analysis.reads`)."""
        return self._conn.execute(cypher, params or {}).get_as_arrow()

    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        """Bulk upsert: facts new to the store are COPYed in; facts it holds already are read back for
        just the keys in ``batch`` and updated only where the batch fills a gap or adds a record."""
        try:
            self._write(batch, progress)
        except RuntimeError as exc:
            error = store_error(self.path, exc)
            self._failed_write = isinstance(error, StoreFullError)
            raise error from None

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
            for name, kind in rel.properties.items():
                self._conn.execute(f"ALTER TABLE {rel.type} ADD IF NOT EXISTS {name} {kind}")

    # --- writes -----------------------------------------------------------------------------------
    def _write(self, batch: GraphBatch, progress: bool) -> None:
        nodes = {label: batch.node_frame(label) for label in batch.labels()}
        asserts = {label: batch.asserts_frame(label) for label in nodes}
        self.check_records(nodes, asserts)
        rel_keys = batch.rel_keys()
        new_ids: dict[str, set] = {}
        with self._transaction(), tqdm(total=2 * len(nodes) + len(rel_keys), desc="writing", unit="table",
                                       disable=not progress) as bar:
            for label in sorted(nodes, key=lambda label: label != "Record"):  # records first
                new_ids[label] = self._write_nodes(label, nodes[label])
                bar.update()
            for label, pairs in asserts.items():
                if len(pairs):
                    self._write_asserts(label, pairs, new_ids.get("Record", set()))
                bar.update()
            for key in rel_keys:
                self._write_rels(key, batch.rel_frame(key), new_ids)
                bar.update()

    @contextmanager
    def _transaction(self):
        """One transaction: a batch is written whole or, if anything fails (or the process dies), not at all."""
        self._conn.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            try:
                self._conn.execute("ROLLBACK")
            except RuntimeError:  # the transaction may be gone with the error (e.g. a failed write to disk)
                pass
            raise
        self._conn.execute("COMMIT")

    def _write_nodes(self, label: str, frame: pd.DataFrame) -> set:
        """Upsert the nodes of ``frame``; return the ids that were new."""
        types = NODE_TYPES[label].all_properties
        if self._empty(f"MATCH (n:{label}) RETURN n.id LIMIT 1"):
            self._insert(label, None, frame, types)
            return set(frame["id"])
        stored = self._stored(f"UNWIND $keys AS k MATCH (n:{label} {{id: k}}) RETURN "
                              + ", ".join(f"n.{p} AS {p}" for p in types), frame["id"])
        known = frame["id"].isin(stored["id"])
        if (~known).any():
            self._insert(label, None, frame[~known], types)
        if known.any():
            both = frame[known].merge(stored, on="id", suffixes=("", "_stored"))
            fills = pd.Series(False, index=both.index)
            rules = NODE_TYPES[label].merge
            for prop in (p for p in types if p != "id"):
                new, old = both[prop], both[f"{prop}_stored"]
                if rules.get(prop) == "max":
                    fills |= new.notna() & (old.isna() | (new.astype(float) > old.astype(float)))
                elif rules.get(prop) == "last":
                    fills |= new.notna() & (old.isna() | (new != old))
                else:
                    fills |= new.notna() & old.isna()
            self._merge_rows(cypher.node_merge(label, _value), frame[known][fills.to_numpy()])
        return set(frame.loc[~known, "id"])

    def _write_asserts(self, label: str, pairs: pd.DataFrame, new_records: set) -> None:
        """Link records to the nodes they assert; pairs of records already in the store are checked first."""
        old = ~pairs["record"].isin(new_records)
        if old.any() and not self._empty(f"MATCH (:Record)-[:ASSERTS]->(n:{label}) RETURN 1 LIMIT 1"):
            # both ends by primary key: from the records alone, the planner scans the label's nodes and
            # every ASSERTS they have (a hub's fill the buffer pool)
            ends = pairs.loc[old, ["record", "id"]].set_axis(["f", "t"], axis=1)
            stored = self._stored(f"UNWIND $keys AS k MATCH (rec:Record {{id: k.f}}) MATCH (n:{label} {{id: k.t}}) "
                                  "MATCH (rec)-[:ASSERTS]->(n) RETURN rec.id AS record, n.id AS id", ends)
            seen = pd.MultiIndex.from_frame(stored[["record", "id"]])
            pairs = pairs[~pd.MultiIndex.from_frame(pairs[["record", "id"]]).isin(seen)]
        if len(pairs):
            frame = pd.DataFrame({"from": pairs["record"].to_numpy(), "to": pairs["id"].to_numpy()})
            self._insert("ASSERTS", ("Record", label), frame, {"from": "STRING", "to": "STRING"})

    def _write_rels(self, key, frame: pd.DataFrame, new_ids: dict[str, set]) -> None:
        """Upsert the relationships of ``frame``: those with a new end are new; the rest are looked up."""
        rel_type, a, b = key
        spec = REL_TYPES[rel_type]
        types = {"from": "STRING", "to": "STRING", **spec.all_properties}
        identity = ["from", "to", *spec.identity]
        maybe = ~frame["from"].isin(new_ids.get(a, ())) & ~frame["to"].isin(new_ids.get(b, ()))
        if maybe.any() and self._empty(f"MATCH (:{a})-[e:{rel_type}]->(:{b}) RETURN 1 LIMIT 1"):
            maybe[:] = False
        fresh = ~maybe
        if maybe.any():
            props = "".join(f", e.{p} AS {p}" for p in spec.all_properties)
            ends = frame.loc[maybe, ["from", "to"]].set_axis(["f", "t"], axis=1)
            stored = self._stored(f"UNWIND $keys AS k MATCH (a:{a} {{id: k.f}}) MATCH (b:{b} {{id: k.t}}) "
                                  f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS from, b.id AS to{props}", ends)
            both = frame[maybe].reset_index().merge(stored, on=identity, how="left", suffixes=("", "_stored"),
                                                    indicator=True)
            found = both["_merge"] == "both"
            fresh |= frame.index.isin(both.loc[~found, "index"])
            changed = pd.Series(False, index=both.index)
            for prop in spec.properties:
                if prop not in spec.identity:
                    changed |= both[prop].notna() & both[f"{prop}_stored"].isna()
            if spec.sources:
                changed |= np.array([not set(new) <= set(old) if isinstance(old, (list, np.ndarray)) else True
                                     for new, old in zip(both["sources"], both["sources_stored"])], dtype=bool)
            update = both.loc[found & changed, "index"]
            self._merge_rows(cypher.rel_merge(key, _value, _union), frame.loc[update])
        if fresh.any():
            self._insert(rel_type, (a, b), frame[fresh], types)

    def _insert(self, table: str, ends: tuple[str, str] | None, frame: pd.DataFrame, types: dict) -> None:
        """Create facts the store does not hold: a bulk COPY, or for a few rows (COPY costs ~0.1 s a call)
        an ``UNWIND … CREATE``. ``ends``: the (from, to) labels of a relationship table."""
        if len(frame) >= COPY_MIN_ROWS:
            # from a Parquet file, not an Arrow parameter: a large in-memory table can deadlock the copy
            with tempfile.TemporaryDirectory(prefix="netgraph-copy-") as folder:
                path = Path(folder) / "facts.parquet"
                pq.write_table(arrow_table(frame, types), path)
                self._copy(table, ends, path)
            return
        values = ", ".join(f"{p}: {_value(p, kind)}" for p, kind in types.items() if p not in ("from", "to"))
        statement = (f"UNWIND $rows AS r CREATE (n:{table} {{{values}}})" if ends is None else
                     f"UNWIND $rows AS r MATCH (a:{ends[0]} {{id: r.from}}) MATCH (b:{ends[1]} {{id: r.to}}) "
                     f"CREATE (a)-[:{table}{' {' + values + '}' if values else ''}]->(b)")
        self._merge_rows(statement, frame)

    def _copy(self, table: str, ends: tuple[str, str] | None, path: Path) -> None:
        """``COPY`` a Parquet file into ``table`` (``ends``: a relationship table's from and to labels)."""
        pairs = f", from='{ends[0]}', to='{ends[1]}'" if ends else ""
        self._conn.execute(f"COPY {table} FROM '{path_literal(path)}' (file_format='parquet'{pairs})")

    @contextmanager
    def bulk_load(self, progress: bool = False):
        """Write one load into this empty store table by table (see :mod:`netgraph.store.bulk`): call the
        yielded sink with each chunk's batch; on leaving, every table is merged and copied in once. If that
        fails, the store is emptied again (its ``Load`` nodes stay, saying ``incomplete``). The facts wait in
        a folder beside the store (``<store>.bulk-…``, about 1.3 GB at 1M records), removed when done or, if
        the process was killed, when the store is next opened for writing."""
        with tempfile.TemporaryDirectory(prefix=f"{self.path.name}.bulk-", dir=self.path.parent) as folder:
            sink = BulkLoad(Path(folder))
            yield sink
            self.copy_tables(sink.tables(), progress)

    def copy_tables(self, tables, progress: bool = False) -> None:
        """COPY merged tables into this empty store: (table, (from label, to label) or None, a Parquet file),
        nodes first (a bulk load's, or the Spark load's). If one fails, the store is emptied again."""
        try:
            with tqdm(desc="writing tables", unit="table", disable=not progress) as bar:
                for table, ends, path in tables:
                    self._copy(table, ends, path)
                    bar.update()
        except BaseException:
            self._empty_again()
            raise

    def _empty_again(self) -> None:
        """Drop every table but ``Load``'s and make them anew (a bulk load into an empty store failed)."""
        try:
            for rel in REL_TYPES:
                self._conn.execute(f"DROP TABLE IF EXISTS {rel}")
            for label in NODE_TYPES:
                if label != "Load":
                    self._conn.execute(f"DROP TABLE IF EXISTS {label}")
            self._create_schema()
        except RuntimeError:  # e.g. the disk is full: the Load node says the load is incomplete
            pass

    def _empty(self, statement: str) -> bool:
        """Whether ``statement`` (a LIMIT 1 probe of one table) finds nothing: then nothing needs looking up."""
        return not self._conn.execute(statement).has_next()

    def _stored(self, statement: str, keys: pd.Series | pd.DataFrame) -> pd.DataFrame:
        """Rows of ``statement`` for the distinct ``keys`` (ids, or rows of end ids ``f``, ``t``), in chunks.
        The statement looks each key up by primary key (``WHERE id IN $keys`` scans the table once per key;
        a relationship is matched by both ends in separate MATCH clauses, else the whole table is read)."""
        unique = keys.drop_duplicates()
        unique = unique.to_dict("records") if isinstance(unique, pd.DataFrame) else unique.tolist()
        frames = [self._conn.execute(statement, {"keys": unique[i:i + LOOKUP_KEYS]}).get_as_df()
                  for i in range(0, len(unique), LOOKUP_KEYS)]
        frames = [f for f in frames if len(f)]
        if not frames:
            columns = [part.split(" AS ")[1] for part in statement.split("RETURN ", 1)[1].split(", ")]
            return pd.DataFrame(columns=columns, dtype=object)
        return pd.concat(frames, ignore_index=True).astype(object)  # object ids: isin hashes them

    def _merge_rows(self, statement: str, frame: pd.DataFrame) -> None:
        rows = records_of(frame)
        for start in range(0, len(rows), BATCH_ROWS):
            self._conn.execute(statement, {"rows": rows[start:start + BATCH_ROWS]})

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
    def node_properties(self, label: str) -> pd.DataFrame:
        props = list(NODE_TYPES[check_label(label)].all_properties)
        cypher = f"MATCH (n:{label}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in props) + " ORDER BY id"
        return self._frame(cypher, props)

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        props = [p for p in REL_TYPES[check_rel_type(rel_type)].all_properties if p != "sources"]
        extra = "".join(f", e.{p} AS {p}" for p in props)
        own = REL_TYPES[rel_type].sources  # else the from-node's records
        cypher = (f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS source, b.id AS target, label(a) AS source_label, "
                  f"label(b) AS target_label{', e.sources AS sources' if own else ''}{extra} ORDER BY source, target")
        frame = self._frame(cypher, [c for c in EDGE_COLUMNS if c != "type" and (own or c != "sources")] + props)
        if not own:
            frame["sources"] = self.from_node_sources(frame)
        frame.insert(2, "type", rel_type)
        return frame[EDGE_COLUMNS + props]

    def _frame(self, cypher: str, columns: list[str]) -> pd.DataFrame:
        table = self._conn.execute(cypher).get_as_arrow()
        frame = table.to_pandas(types_mapper=None) if table.num_rows else pd.DataFrame(columns=columns)
        if "sources" in frame:
            frame["sources"] = [list(s) if s is not None else [] for s in frame["sources"]]
        return frame


_ABANDONED: list = []  # databases that must not be closed (see LadybugStore.close)


def _leave_without_closing() -> None:
    """At exit, after a failed write to disk: end the process before LadybugDB's destructor aborts it (the
    log it could not write is set aside by ``netgraph repair``)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


class StoreError(NetgraphError):
    """The embedded store cannot be opened or written; the message says why and what to do."""


class StoreBusyError(StoreError):
    """Another process has the store open for writing."""


class StoreDamagedError(StoreError):
    """The store's write-ahead log cannot be read: a write is under way in another process, or was cut short."""


class StoreReadOnlyError(StoreError):
    """The store is on a read-only file system, or this user may not write to it."""


class StoreFullError(StoreError):
    """The disk holding the store is full, or the store's files hit a size limit."""


class StoreMemoryError(StoreError):
    """The store's buffer pool is too small for what a statement needs."""


def store_error(path: Path, exc: RuntimeError) -> Exception:
    """LadybugDB's error as one netgraph can explain; others as they are (they may quote data: never echoed)."""
    text = str(exc)
    writer = writer_pid(path)
    if "Could not set lock" in text:
        return StoreBusyError(f"{path} is open for writing by another netgraph process ("
                              + (f"process {writer}: " if writer else "") + "a load or an analysis still "
                              "running?); wait for it to finish, then try again")
    if "Read-only file system" in text or "Permission denied" in text:
        why = "cannot write to {}: read-only file system" if "Read-only" in text else "cannot open {}: permission denied"
        return StoreReadOnlyError(why.format(path) + "; open it read-only (`netgraph info`, analyses) or copy it "
                                  "to a disk you can write to")
    if "Cannot write to file" in text or "No space left" in text or "checkpoint failed" in text:
        free = shutil.disk_usage(path.parent).free // 2 ** 20
        return StoreFullError(f"could not write to {path}: the disk may be full ({free:,} MiB free there) or the "
                              "file too large; the write was rolled back. Free space, then if the store will not "
                              f"open run `netgraph repair --db {path}`")
    if "buffer pool is full" in text:
        return StoreMemoryError(f"{path}: the store's buffer pool is full (what it was writing was rolled back). Set "
                                "NETGRAPH_BUFFER_POOL_MB higher than its default 1024 (e.g. 4096) and try again, or "
                                "load the file in parts")
    if ".wal" in text or "WAL" in text or "checkpoint" in text:
        if writer:
            return StoreDamagedError(f"{path} is being written by process {writer} right now (a load?); wait for it "
                                     "to finish, then try again")
        busy = "" if writer == 0 else ", or another process is writing to it right now (wait and try again)"
        return StoreDamagedError(f"{path} cannot be read: a write to it was cut short (a killed process, a full "
                                 f"disk?){busy}. If nothing is writing to it, `netgraph repair --db {path}` "
                                 "finishes that write, or undoes what of it cannot be replayed")
    return exc


def writer_pid(path: Path) -> int | None:
    """The process other than this one holding ``path``'s write lock (LadybugDB's POSIX lock on the file, which
    dies with its process): its PID, 0 if none, None where it cannot be told (no /proc/locks). Read from
    /proc/locks, never by opening the file: closing a descriptor would drop this process's own locks."""
    try:
        file, locks = os.stat(path), Path("/proc/locks").read_text()
    except OSError:
        return 0 if os.path.exists("/proc/locks") else None
    inode = f"{os.major(file.st_dev):02x}:{os.minor(file.st_dev):02x}:{file.st_ino}"
    for fields in (line.split() for line in locks.splitlines() if "->" not in line):  # "->": a waiting request
        if len(fields) > 5 and fields[3] == "WRITE" and fields[5] == inode and fields[4] != str(os.getpid()):
            return int(fields[4])
    return 0


def _leftovers(path: Path) -> list[Path]:
    """The files a write cut short leaves beside the store: its log, a checkpoint's log and shadow pages."""
    return [p for p in (Path(f"{path}{end}") for end in (".wal", ".wal.checkpoint", ".shadow")) if p.exists()]


def _reopen(path: Path, strict: bool) -> None:
    """Open ``path`` for writing and close it, so LadybugDB recovers it (``strict=False``: replay its log up
    to the first damage and drop the rest)."""
    pool = int(os.environ.get("NETGRAPH_BUFFER_POOL_MB", DEFAULT_BUFFER_POOL_MB)) * 1024 * 1024
    ladybug.Database(str(path), buffer_pool_size=pool, throw_on_wal_replay_failure=strict).close()


def _union(current: str) -> str:
    return f"list_sort(list_distinct(list_concat(coalesce({current}, []), r.sources)))"


def _value(prop: str, kind: str) -> str:
    """A row value in a statement, cast to its schema type (a column of only nulls has no type of its own)."""
    return f"r.{prop}" if kind in ("STRING", "STRING[]") else f"CAST(r.{prop} AS {kind})"


