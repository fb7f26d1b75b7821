"""Neo4j 5 as a netgraph store, through the official ``neo4j`` driver.

Connection settings come from ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE``,
or from a TOML file (``[neo4j]`` table with ``uri``, ``username``, ``password``, ``database``) named by
``NETGRAPH_CONFIG`` or at ``~/.config/netgraph/config.toml``; the environment wins. The password is
never logged, printed or put in a repr.

Every statement is built from :mod:`netgraph.schema` names only; every value travels as a parameter.
Writes are batched ``UNWIND $rows AS r MERGE …`` statements in managed write transactions (the driver
retries transient errors); the schema (a uniqueness constraint per label, indexes on queried fields) is
created idempotently with ``IF NOT EXISTS``. Neo4j 5 has no list sort without APOC, so ``sources`` lists
are united in the server and sorted when read.

>>> store = Neo4jStore("neo4j://localhost:7687")       # doctest: +SKIP
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from ..schema import NODE_TYPES, REL_TYPES, check_label, check_rel_type
from . import cypher
from .base import EDGE_COLUMNS, GraphStore, check_property_names, records_of
from .batch import GraphBatch, RelKey

DEFAULT_BATCH_SIZE = 1_000
INDEXED = {"Seizure": ("date", "country"), "Record": ("record_date", "handling", "source"),
           "Location": ("country", "kind"), "Person": ("name", "nationality"), "Organization": ("name",),
           "Commodity": ("taxon", "product"), "Mention": ("record",)}
REL_INDEXED = {"INVOLVED_IN": ("role",), "SUSPECTED_LINK": ("method",)}


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str | None
    password: str | None
    database: str | None

    def __repr__(self) -> str:  # never show the password
        return f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"

    @classmethod
    def load(cls, uri: str | None = None, database: str | None = None) -> "Neo4jSettings":
        """Settings from arguments, then the environment, then the config file."""
        path = Path(os.environ.get("NETGRAPH_CONFIG", Path.home() / ".config" / "netgraph" / "config.toml"))
        file = tomllib.loads(path.read_text(encoding="utf-8")).get("neo4j", {}) if path.is_file() else {}
        pick = lambda key, given=None: given or os.environ.get(f"NEO4J_{key.upper()}") or file.get(key)  # noqa: E731
        resolved = pick("uri", uri)
        if not resolved:
            raise ValueError("no Neo4j URI: pass one, or set NEO4J_URI, or [neo4j] uri in the config file")
        return cls(resolved, pick("username"), pick("password"), pick("database", database))


class Neo4jStore(GraphStore):
    """A netgraph graph in a Neo4j 5 database."""

    dialect = "neo4j"

    def __init__(self, uri: str | None = None, database: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 create_schema: bool = True, settings: Neo4jSettings | None = None):
        import neo4j
        self.settings = settings or Neo4jSettings.load(uri, database)
        auth = (self.settings.username or "neo4j", self.settings.password or "")
        self._driver = neo4j.GraphDatabase.driver(self.settings.uri, auth=auth)
        self.batch_size = batch_size
        if create_schema:
            for statement in schema_statements():
                self._driver.execute_query(statement, database_=self.settings.database)

    def __repr__(self) -> str:
        return f"Neo4jStore({self.settings.uri!r}, database={self.settings.database!r})"

    def close(self) -> None:
        self._driver.close()

    # --- transport --------------------------------------------------------------------------------
    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        result = self._driver.execute_query(cypher, params or {}, database_=self.settings.database)
        rows = [{k: _native(v) for k, v in record.items()} for record in result.records]
        return pd.DataFrame(rows, columns=result.keys)

    def _write_batches(self, statement: str, rows: list[dict]) -> None:
        """Send ``rows`` in batches, each in its own managed write transaction (retried if transient)."""
        with self._driver.session(database=self.settings.database) as session:
            for start in range(0, len(rows), self.batch_size):
                chunk = rows[start:start + self.batch_size]
                session.execute_write(lambda tx, batch=chunk: tx.run(statement, rows=batch).consume())

    # --- writes -----------------------------------------------------------------------------------
    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        nodes = {label: batch.node_frame(label) for label in batch.labels()}
        asserts = {label: batch.asserts_frame(label) for label in nodes}
        self.check_records(nodes, asserts)
        with tqdm(total=2 * len(nodes) + len(batch.rel_keys()), desc="writing to Neo4j", unit="table",
                  disable=not progress) as bar:
            for label in sorted(nodes, key=lambda label: label != "Record"):
                self._write_batches(node_merge(label), records_of(nodes[label]))
                bar.update()
            for label, pairs in asserts.items():
                self._write_batches(cypher.asserts_merge(label), records_of(pairs))
                bar.update()
            for key in batch.rel_keys():
                self._write_batches(rel_merge(key), records_of(batch.rel_frame(key)))
                bar.update()

    def write_properties(self, label: str, frame: pd.DataFrame) -> None:
        columns = check_property_names([c for c in frame.columns if c != "id"])
        rows = [{"id": row["id"], "props": {c: None if pd.isna(row[c]) else float(row[c]) for c in columns}}
                for row in frame.to_dict("records")]
        self._write_batches(property_update(label), rows)

    # --- reads ------------------------------------------------------------------------------------
    def node_properties(self, label: str) -> pd.DataFrame:
        frame = self.query(node_read(label))
        return pd.DataFrame(columns=list(NODE_TYPES[label].all_properties)) if frame.empty else frame

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        props = [p for p in REL_TYPES[check_rel_type(rel_type)].all_properties if p != "sources"]
        own = REL_TYPES[rel_type].sources  # else the from-node's records
        frame = self.query(edge_read(rel_type))
        if frame.empty:
            frame = pd.DataFrame(columns=[c for c in EDGE_COLUMNS if c != "type" and (own or c != "sources")] + props)
        frame["sources"] = [sorted(s or []) for s in frame["sources"]] if own else self.from_node_sources(frame)
        frame.insert(2, "type", rel_type)
        return frame[EDGE_COLUMNS + props]


# --- the statements (module level, so that tests can lint every one without a server) -------------
def schema_statements() -> list[str]:
    out = [f"CREATE CONSTRAINT netgraph_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
           for label in NODE_TYPES]
    out += [f"CREATE INDEX netgraph_{label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
            for label, props in INDEXED.items() for prop in props]
    out += [f"CREATE INDEX netgraph_{rel.lower()}_{prop} IF NOT EXISTS FOR ()-[e:{rel}]-() ON (e.{prop})"
            for rel, props in REL_INDEXED.items() for prop in props]
    return out


def _union(current: str) -> str:
    return (f"reduce(acc = [], x IN coalesce({current}, []) + r.sources | "
            f"CASE WHEN x IN acc THEN acc ELSE acc + x END)")


def node_merge(label: str) -> str:
    return cypher.node_merge(label, lambda prop, kind: f"r.{prop}")


def rel_merge(key: RelKey) -> str:
    return cypher.rel_merge(key, lambda prop, kind: f"r.{prop}", _union)


def property_update(label: str) -> str:
    return f"UNWIND $rows AS r MATCH (n:{check_label(label)} {{id: r.id}}) SET n += r.props"


def node_read(label: str) -> str:
    props = list(NODE_TYPES[check_label(label)].all_properties)
    return f"MATCH (n:{label}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in props) + " ORDER BY id"


def edge_read(rel_type: str) -> str:
    props = [p for p in REL_TYPES[check_rel_type(rel_type)].all_properties if p != "sources"]
    extra = "".join(f", e.{p} AS {p}" for p in props)
    sources = ", e.sources AS sources" if REL_TYPES[rel_type].sources else ""  # else the from-node's records
    return (f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS source, b.id AS target, labels(a)[0] AS source_label, "
            f"labels(b)[0] AS target_label{sources}{extra} ORDER BY source, target")


def all_statements() -> list[str]:
    """Every statement this store can send (for the syntax check by Neo4j's own parser)."""
    out = schema_statements()
    out += [node_merge(label) for label in NODE_TYPES] + [node_read(label) for label in NODE_TYPES]
    out += [rel_merge((rel.type, a, b)) for rel in REL_TYPES.values() for a, b in rel.pairs if rel.type != "ASSERTS"]
    out += [cypher.asserts_merge(label) for _, label in REL_TYPES["ASSERTS"].pairs]
    out += [edge_read(t) for t in REL_TYPES] + [property_update(label) for label in NODE_TYPES]
    out += GraphStore.shared_statements()
    return out


def _native(value):
    """neo4j temporal values as Python ones."""
    return value.to_native() if hasattr(value, "to_native") else value
