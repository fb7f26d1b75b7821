"""Neo4j 5 as a netgraph store, through the official ``neo4j`` driver.

Connection settings come from ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE``,
or from a TOML file (``[neo4j]`` table with ``uri``, ``username``, ``password``, ``database``) named by
``NETGRAPH_CONFIG`` or at ``~/.config/netgraph/config.toml``; the environment wins. The password is
never logged, printed or put in a repr.

Opening a store checks the server once: a URI that is not a Bolt URI or reaches nothing, credentials the
server refuses, a database it does not have and a server that is not Neo4j 5 each raise their own
:class:`Neo4jStoreError` (a :class:`~netgraph.resources.NetgraphError`) that says what to change. The driver
is told not to send notifications about labels, types and properties that do not exist yet (a store that has
never seen a ``SAME_AS`` is read every day), so reads stay quiet.

Every statement is built from :mod:`netgraph.schema` names only; every value travels as a parameter.
Writes are ``UNWIND $rows AS r MERGE …`` statements, one per label and per relationship type and end labels,
always the same text for the same table (so the server plans each once), sent in batches of
``batch_size`` rows (10,000, as Neo4j's ingestion guidance suggests), each in its own managed write
transaction (the driver retries transient errors), all through one session. The schema (a uniqueness
constraint per label, indexes on queried fields) is looked up first and only what is missing is created,
then awaited online. Neo4j 5 has no list sort without APOC, so ``sources`` lists are united in the server
and sorted when read.

>>> store = Neo4jStore("neo4j://localhost:7687")       # doctest: +SKIP
"""
from __future__ import annotations

import logging
import os
import re
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from tqdm.auto import tqdm

from ..resources import NetgraphError
from ..schema import NODE_TYPES, REL_TYPES, check_label, check_rel_type
from . import cypher
from .base import EDGE_COLUMNS, GraphStore, check_property_names, records_of
from .batch import GraphBatch, RelKey

DEFAULT_BATCH_SIZE = 10_000
INDEXED = {"Seizure": ("date", "country"), "Record": ("record_date", "handling", "source"),
           "Location": ("country", "kind"), "Person": ("name", "nationality"), "Organization": ("name",),
           "Commodity": ("taxon", "product"), "Mention": ("record",)}
REL_INDEXED = {"INVOLVED_IN": ("role",), "SUSPECTED_LINK": ("method",)}
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
#: notifications the server need not send: reads of labels, types and properties not created yet
QUIET = ["UNRECOGNIZED"]
SHOW_SCHEMA = ("SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name RETURN name")
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"
INDEX_WAIT_SECONDS = 300
PROBE = "RETURN 1 AS ok"
log = logging.getLogger(__name__)


class Neo4jStoreError(NetgraphError):
    """netgraph cannot use the Neo4j server or database it was given; the message says what to change."""


class Neo4jConnectionError(Neo4jStoreError):
    """The URI is not a Bolt URI, or nothing answers at it."""


class Neo4jAuthError(Neo4jStoreError):
    """The server refused the user name or password."""


class Neo4jDatabaseError(Neo4jStoreError):
    """The server has no database of that name."""


class Neo4jVersionError(Neo4jStoreError):
    """The server is not Neo4j 5 (nor a later calendar-versioned Neo4j that speaks Cypher 5)."""


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str | None
    password: str | None
    database: str | None

    def __repr__(self) -> str:  # never show the password
        return f"Neo4jSettings(uri={shown(self.uri)!r}, username={self.username!r}, database={self.database!r})"

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
    """A netgraph graph in a Neo4j 5 database.

    ``rejects_dir``: where loads into it write their rejects files unless told otherwise (``netgraph load
    --rejects DIR``); by default :func:`default_rejects_dir`, one folder per server and database, never the
    current directory.
    """

    dialect = "neo4j"

    def __init__(self, uri: str | None = None, database: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 create_schema: bool = True, settings: Neo4jSettings | None = None,
                 rejects_dir: str | Path | None = None):
        self.settings = settings or Neo4jSettings.load(uri, database)
        self.batch_size = batch_size
        self._driver = connect(self.settings)
        self.rejects_dir = Path(rejects_dir) if rejects_dir else default_rejects_dir(self.settings)
        try:
            with self._errors():
                self._driver.execute_query(PROBE, database_=self.settings.database)
            if create_schema:
                self.create_schema()
        except BaseException:
            self._driver.close()
            raise

    def __repr__(self) -> str:
        return f"Neo4jStore({shown(self.settings.uri)!r}, database={self.settings.database!r})"

    def close(self) -> None:
        self._driver.close()

    @contextmanager
    def _errors(self):
        """Driver errors that mean a wrong setting, as the store's own errors."""
        import neo4j.exceptions as errors
        try:
            yield
        except errors.AuthError as exc:
            raise Neo4jAuthError(_auth_message(self.settings)) from exc
        except errors.ServiceUnavailable as exc:
            raise Neo4jConnectionError(_unreachable_message(self.settings)) from exc
        except errors.ClientError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise Neo4jDatabaseError(f"the Neo4j server at {shown(self.settings.uri)} has no database "
                                         f"{self.settings.database!r}: give an existing one with --neo4j-database "
                                         "or NEO4J_DATABASE (Neo4j Community has one, 'neo4j'), or none for the "
                                         "server's default") from exc
            raise

    # --- schema -----------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create the constraints and indexes the database lacks (all of them, ``IF NOT EXISTS``, if it will not
        list them) and wait until they are online, so that a load never waits on an index being built."""
        import neo4j.exceptions as errors
        with self._errors():
            try:
                existing = {name for statement in SHOW_SCHEMA for name in self.query(statement)["name"]}
            except errors.ClientError:  # no privilege to list them: create each if it does not exist
                existing = set()
            missing = [text for name, text in named_schema_statements() if name not in existing]
            try:
                for statement in missing:
                    self._driver.execute_query(statement, database_=self.settings.database)
            except errors.Forbidden:
                log.warning("the Neo4j user may not create netgraph's constraints and indexes: reads work, but "
                            "loads into %s would be slow and could duplicate nodes", self)
                return
            if missing:
                self._driver.execute_query(AWAIT_INDEXES, {"seconds": INDEX_WAIT_SECONDS},
                                           database_=self.settings.database)

    # --- transport --------------------------------------------------------------------------------
    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        with self._errors():
            result = self._driver.execute_query(cypher, params or {}, database_=self.settings.database)
        rows = [{k: _native(v) for k, v in record.items()} for record in result.records]
        return pd.DataFrame(rows, columns=result.keys)

    @contextmanager
    def _session(self):
        with self._errors(), self._driver.session(database=self.settings.database) as session:
            yield session

    def _write_batches(self, statement: str, rows: list[dict], session=None) -> None:
        """Send ``rows`` in batches, each in its own managed write transaction (retried if transient)."""
        if session is None:
            with self._session() as opened:
                return self._write_batches(statement, rows, opened)
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start:start + self.batch_size]
            session.execute_write(lambda tx, batch=chunk: tx.run(statement, rows=batch).consume())

    # --- writes -----------------------------------------------------------------------------------
    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        nodes = {label: batch.node_frame(label) for label in batch.labels()}
        asserts = {label: batch.asserts_frame(label) for label in nodes}
        self.check_records(nodes, asserts)
        with self._session() as session, tqdm(total=2 * len(nodes) + len(batch.rel_keys()),
                                               desc="writing to Neo4j", unit="table", disable=not progress) as bar:
            for label in sorted(nodes, key=lambda label: label != "Record"):
                self._write_batches(node_merge(label), records_of(nodes[label]), session)
                bar.update()
            for label, pairs in asserts.items():
                self._write_batches(cypher.asserts_merge(label), records_of(pairs), session)
                bar.update()
            for key in batch.rel_keys():
                self._write_batches(rel_merge(key), records_of(batch.rel_frame(key)), session)
                bar.update()

    def write_properties(self, label: str, frame: pd.DataFrame) -> None:
        columns = check_property_names([c for c in frame.columns if c != "id"])
        rows = [{"id": row["id"], "props": {c: None if pd.isna(row[c]) else float(row[c]) for c in columns}}
                for row in frame.to_dict("records")]
        self._write_batches(property_update(label), rows)

    # --- reads ------------------------------------------------------------------------------------
    def node_properties(self, label: str) -> pd.DataFrame:
        frame = self.query(node_read(label))
        if frame.empty:
            return pd.DataFrame(columns=list(NODE_TYPES[label].all_properties))
        for prop, kind in NODE_TYPES[label].all_properties.items():  # a null made an integer column float
            if kind == "INT64" and prop in frame and frame[prop].dtype.kind == "f":
                frame[prop] = frame[prop].astype("Int64")
        return frame

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        props = [p for p in REL_TYPES[check_rel_type(rel_type)].all_properties if p != "sources"]
        own = REL_TYPES[rel_type].sources  # else the from-node's records
        frame = self.query(edge_read(rel_type))
        if frame.empty:
            frame = pd.DataFrame(columns=[c for c in EDGE_COLUMNS if c != "type" and (own or c != "sources")] + props)
        frame["sources"] = [sorted(s or []) for s in frame["sources"]] if own else self.from_node_sources(frame)
        frame.insert(2, "type", rel_type)
        return frame[EDGE_COLUMNS + props]


# --- connecting ------------------------------------------------------------------------------------
def connect(settings: Neo4jSettings):
    """A driver for ``settings`` that has reached the server, logged in and found Neo4j 5 there."""
    import neo4j
    import neo4j.exceptions as errors
    scheme = urlsplit(settings.uri).scheme
    if scheme not in SCHEMES:
        raise Neo4jConnectionError(f"{shown(settings.uri)} is not a Neo4j URI: write neo4j://HOST:7687 (or bolt://, "
                                   "and +s for TLS)")
    auth = (settings.username or "neo4j", settings.password or "")
    quiet = True
    while True:
        try:
            driver = neo4j.GraphDatabase.driver(settings.uri, auth=auth, **(notification_filters() if quiet else {}))
        except (ValueError, errors.ConfigurationError) as exc:
            raise Neo4jConnectionError(f"{shown(settings.uri)} is not a usable Neo4j URI "
                                       f"({_redacted(str(exc), settings.uri)})") from None
        try:
            info = driver.get_server_info()
        except errors.ConfigurationError as exc:  # a server before 5.7 filters no notifications
            driver.close()
            if quiet and "otification" in str(exc):
                quiet = False
                continue
            raise Neo4jConnectionError(f"cannot use the Neo4j server at {shown(settings.uri)}: "
                                       f"{_redacted(str(exc), settings.uri)}") from None
        except errors.AuthError:
            driver.close()
            raise Neo4jAuthError(_auth_message(settings)) from None
        except (errors.ServiceUnavailable, OSError):
            driver.close()
            raise Neo4jConnectionError(_unreachable_message(settings)) from None
        except BaseException:
            driver.close()
            raise
        try:
            check_server(info.agent, settings.uri)
        except Neo4jVersionError:
            driver.close()
            raise
        return driver


def notification_filters() -> dict:
    """Driver settings that stop the server sending notifications about not-yet-created labels, types and
    properties (``notifications_disabled_classifications`` since driver 5.22, categories before)."""
    import neo4j
    key = ("notifications_disabled_classifications" if hasattr(neo4j, "NotificationDisabledClassification")
           else "notifications_disabled_categories")
    return {key: list(QUIET)}


AGENT = re.compile(r"^Neo4j/(\d+)\.(\d+)")


def check_server(agent: str | None, uri: str) -> tuple[int, int]:
    """The (major, minor) version of a Neo4j 5 server from its Bolt agent string, else :class:`Neo4jVersionError`.
    Neo4j's calendar versions (2025.01 on) follow 5.26 and speak Cypher 5 by default: they are accepted.

    >>> check_server("Neo4j/5.13.0", "neo4j://h")
    (5, 13)
    >>> check_server("Neo4j/4.4.30", "neo4j://h")
    Traceback (most recent call last):
    ...
    netgraph.store.neo4j.Neo4jVersionError: the server at neo4j://h is Neo4j 4.4; netgraph needs Neo4j 5 (Cypher 5)
    """
    found = AGENT.match(agent or "")
    if not found:
        raise Neo4jVersionError(f"the server at {shown(uri)} is not Neo4j (it calls itself {agent!r}); netgraph needs "
                                "Neo4j 5")
    major, minor = int(found.group(1)), int(found.group(2))
    if major != 5 and major < 2025:
        raise Neo4jVersionError(f"the server at {shown(uri)} is Neo4j {major}.{minor}; netgraph needs Neo4j 5 (Cypher 5)")
    return major, minor


def default_rejects_dir(settings: Neo4jSettings) -> Path:
    """Where loads into a Neo4j database write rejects files unless told (``--rejects DIR``):
    ``$XDG_DATA_HOME/netgraph/rejects/HOST-PORT-DATABASE`` (``~/.local/share`` without ``XDG_DATA_HOME``), the
    same folder whichever directory the command runs in.

    >>> default_rejects_dir(Neo4jSettings("neo4j://db.example:7687", None, None, None)).name
    'db.example-7687-default'
    """
    parts = urlsplit(settings.uri)
    try:
        port = parts.port or 7687
    except ValueError:  # not a number: connecting says so
        port = parts.netloc.rsplit(":", 1)[-1]
    name = f"{parts.hostname or 'localhost'}-{port}-{settings.database or 'default'}"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "netgraph" / "rejects" / re.sub(r"[^A-Za-z0-9._-]", "_", name)


def shown(uri: str) -> str:
    """A URI fit for a message: without any user name or password written into it."""
    parts = urlsplit(uri)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl() if "@" in parts.netloc else uri


def _redacted(text: str, uri: str) -> str:
    """``text`` without the user name and password a URI may carry."""
    netloc = urlsplit(uri).netloc
    return text.replace(netloc, netloc.rsplit("@", 1)[-1]) if "@" in netloc else text


def _auth_message(settings: Neo4jSettings) -> str:
    return (f"the Neo4j server at {shown(settings.uri)} refused user {settings.username or 'neo4j'!r} and its "
            "password: set NEO4J_USERNAME and NEO4J_PASSWORD (or username and password under [neo4j] in the "
            "config file)")


def _unreachable_message(settings: Neo4jSettings) -> str:
    return (f"no Neo4j server answers at {shown(settings.uri)}: check the host and the Bolt port (7687 by default), "
            "that the server runs, and neo4j+s:// if it wants TLS")


# --- the statements (module level, so that tests can lint every one without a server) -------------
def named_schema_statements() -> list[tuple[str, str]]:
    """(name, statement) of every constraint and index the store creates."""
    out = [(f"netgraph_{label.lower()}_id",
            f"CREATE CONSTRAINT netgraph_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")
           for label in NODE_TYPES]
    out += [(f"netgraph_{label.lower()}_{prop}",
             f"CREATE INDEX netgraph_{label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
            for label, props in INDEXED.items() for prop in props]
    out += [(f"netgraph_{rel.lower()}_{prop}",
             f"CREATE INDEX netgraph_{rel.lower()}_{prop} IF NOT EXISTS FOR ()-[e:{rel}]-() ON (e.{prop})")
            for rel, props in REL_INDEXED.items() for prop in props]
    return out


def schema_statements() -> list[str]:
    return [statement for _, statement in named_schema_statements()]


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
    out = schema_statements() + list(SHOW_SCHEMA) + [AWAIT_INDEXES, PROBE]
    out += [node_merge(label) for label in NODE_TYPES] + [node_read(label) for label in NODE_TYPES]
    out += [rel_merge((rel.type, a, b)) for rel in REL_TYPES.values() for a, b in rel.pairs if rel.type != "ASSERTS"]
    out += [cypher.asserts_merge(label) for _, label in REL_TYPES["ASSERTS"].pairs]
    out += [edge_read(t) for t in REL_TYPES] + [property_update(label) for label in NODE_TYPES]
    out += GraphStore.shared_statements()
    return out


def _native(value):
    """neo4j temporal values as Python ones."""
    return value.to_native() if hasattr(value, "to_native") else value
