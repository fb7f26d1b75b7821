"""The Neo4j 5 store and the named queries, in layers:

- Neo4j's own parser for the dialect of every statement and query (npm, tests/neo4j);
- a Bolt server for the transport: FalkorDB on loopback (tests/falkordb.py), or, when
  ``NETGRAPH_TEST_NEO4J_URI`` names a real Neo4j 5 (with ``NETGRAPH_TEST_NEO4J_USER`` and
  ``NETGRAPH_TEST_NEO4J_PASSWORD``), that server's default database, against which the conformance tests
  (``TestOnARealNeo4j5``: schema, dates, shortestPath, leads, every named query row for row with the embedded
  store on the samples, reloads) also run;
- proof that no value is ever formatted into a Cypher string.

What the tests write to a server is tagged (``netgraph_test_run`` on every node) and only that is deleted; a
database that holds netgraph data the tests did not write is refused, never wiped (see ``real_database``)."""
import contextlib
import datetime as dt
import json
import logging
import math
import os
import re
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

import netgraph as ng
from netgraph.analysis import reads
from netgraph.resources import NetgraphError
from netgraph.schema import NODE_TYPES, REL_TYPES
from netgraph.store.batch import GraphBatch
from netgraph.store.neo4j import (
    SHOW_SCHEMA,
    Neo4jAuthError,
    Neo4jConnectionError,
    Neo4jDatabaseError,
    Neo4jSettings,
    Neo4jStore,
    Neo4jVersionError,
    all_statements,
    check_server,
    default_rejects_dir,
    named_schema_statements,
    shown,
)
from netgraph.store.queries import list_queries, portability_problems
from netgraph.views.export import flat

from .conftest import DATA, ROOT, SAMPLES
from .falkordb import bolt_server

LINT = ROOT / "tests" / "neo4j"
HOSTILE = "O'Brien\" }) DETACH DELETE n // $x {"
# FalkorDB's Bolt stand-in inlines string parameters: it fails on ' and mangles \ (a FalkorDB limit, not
# netgraph's; Neo4j sends parameters apart from the text). The Bolt tests use a hostile value without them.
BOLT_HOSTILE = "Nguyễn \"Tony\" }) DETACH DELETE n // $x {"
REAL_URI = os.environ.get("NETGRAPH_TEST_NEO4J_URI")
needs_neo4j = pytest.mark.skipif(not REAL_URI, reason="needs a real Neo4j 5: set NETGRAPH_TEST_NEO4J_URI (README, "
                                 "'Named queries and Neo4j 5')")
TAG = "netgraph_test_run"  # the property that marks what the tests wrote
STALE_HOURS = 6  # tagged nodes older than this are an interrupted run's
SAMPLE_FILES = [("cen_customs_sample.csv", "cen_customs"), ("vn_agency_sample.xlsx", "vn_agency")]  # as sample_store
QUERY_VALUES = {"person": "person:nguyễn thị bình", "a": "person:nguyễn thị bình", "b": "person:celso macuácua",
                "origin_country": "NG", "destination_country": "VN", "date_from": "2019-01-01",
                "date_to": "2024-12-31", "kind": "border_crossing", "country": "VN", "min_seizures": 1,
                "min_countries": 2, "min_score": 0.0}


def lint(statements: list[str]) -> list[list[str]]:
    if not (LINT / "node_modules").exists():
        if os.environ.get("CI"):
            pytest.fail("tests/neo4j/node_modules missing: `make test` runs npm ci there")
        pytest.skip("run `npm ci --prefix tests/neo4j` for Neo4j's Cypher parser")
    done = subprocess.run(["node", "lint.mjs"], cwd=LINT, input=json.dumps(statements), capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_every_store_statement_and_query_parses_as_neo4j_5_cypher():
    statements = all_statements() + [q.text("neo4j") for q in list_queries().values()] + conformance_statements()
    errors = {s: e for s, e in zip(statements, lint(statements)) if e}
    assert not errors, errors
    assert len(statements) > 150


def test_the_parser_catches_what_neo4j_would_refuse():
    ladybug_only = [list_queries()["shortest_path"].text("ladybug"), "MATCH (n) SET n += {a: 1",
                    "CREATE NODE TABLE X(id STRING, PRIMARY KEY(id))"]
    assert all(lint(ladybug_only))


def test_every_query_declares_exactly_the_parameters_it_uses():
    queries = list_queries()
    assert len(queries) >= 12
    for query in queries.values():
        assert query.description and set(query.texts) == {"ladybug", "neo4j"}
        for dialect, text in query.texts.items():
            used = set(re.findall(r"\$([A-Za-z_]\w*)", text))
            assert used == set(query.params), (query.name, dialect)
            literals = set(re.findall(r"'([^']*)'", text))
            assert literals <= {"consignee", "id", "name"}, (query.name, literals)  # constants, never user data


# the texts before issue 16, which a real Neo4j 5.13 answered differently from LadybugDB
OLD_SHARED_VEHICLES = """MATCH (a:Person)-[:INVOLVED_IN]->(s1:Seizure)-[:CONVEYED_BY]->(v)<-[:CONVEYED_BY]-(s2:Seizure)<-[:INVOLVED_IN]-(b:Person)
WHERE a.id < b.id
RETURN v.id AS conveyance, count(DISTINCT s1) AS seizures_a, count(DISTINCT s2) AS seizures_b"""
OLD_COMMODITIES_BY_ROUTE = """MATCH (c:Commodity)<-[e:SEIZED]-(s:Seizure)-[:ORIGIN]->(o:Location), (s)-[:DESTINATION]->(d:Location)
RETURN c.name AS commodity, count(DISTINCT s) AS seizures, sum(e.weight_kg) AS weight_kg, sum(e.pieces) AS pieces"""


def test_every_named_query_means_the_same_on_both_stores():
    """No MATCH repeats a relationship pattern (Neo4j binds a relationship once per MATCH, LadybugDB twice) and
    every sum/avg/min/max states its result over no values (Neo4j's sum of nulls is 0, LadybugDB's NULL)."""
    for query in list_queries().values():
        for dialect, text in query.texts.items():
            assert portability_problems(text) == [], (query.name, dialect)
    assert any("CONVEYED_BY" in p for p in portability_problems(OLD_SHARED_VEHICLES))
    assert len(portability_problems(OLD_COMMODITIES_BY_ROUTE)) == 2
    assert portability_problems("MATCH (a:Person)-[:USES]->(p)<-[r]-(b) RETURN a")  # an untyped one may be the same
    assert portability_problems("MATCH (a)-[:USES*1..3]-(b) RETURN a")  # trails on Neo4j, walks on LadybugDB
    assert portability_problems("MATCH (a) RETURN coalesce(sum(a.x), null) AS s")  # still 0 on Neo4j
    assert not portability_problems("MATCH p = shortestPath((a)-[:USES*..4]-(b)) RETURN coalesce(max(a.x), null) AS m")


def test_shared_vehicles_pairs_people_caught_in_the_same_seizure(sample_store):
    """Two people of one seizure pair through its one CONVEYED_BY (Neo4j dropped those pairs before issue 16)."""
    involved = sample_store.edge_frame("INVOLVED_IN")
    involved = involved[involved["source_label"] == "Person"][["source", "target"]].set_axis(["person", "seizure"], axis=1)
    conveyed = sample_store.edge_frame("CONVEYED_BY")[["source", "target"]].set_axis(["seizure", "conveyance"], axis=1)
    caught = involved.merge(conveyed, on="seizure")
    pairs = caught.merge(caught, on="conveyance", suffixes=("_a", "_b"))
    pairs = pairs[pairs["person_a"] < pairs["person_b"]]
    expected = pairs.groupby(["conveyance", "person_a", "person_b"]).agg(
        seizures_a=("seizure_a", "nunique"), seizures_b=("seizure_b", "nunique")).reset_index()
    rows = ng.query(sample_store, "shared_vehicles")
    got = rows[["conveyance", "person_a", "person_b", "seizures_a", "seizures_b"]]
    assert got.astype(object).values.tolist() == expected.astype(object).values.tolist()
    assert (pairs["seizure_a"] == pairs["seizure_b"]).any()  # the pairs that need the relationship bound twice


def test_commodities_by_route_states_zero_where_no_weight_is_known(sample_store):
    rows = ng.query(sample_store, "commodities_by_route")
    assert len(rows) and rows[["weight_kg", "pieces"]].notna().all().all()  # LadybugDB gave NULL, Neo4j 0.0
    assert (rows["weight_kg"] == 0).any()
    seized = sample_store.edge_frame("SEIZED")
    assert rows["weight_kg"].max() <= seized["weight_kg"].sum()


def test_suspected_links_without_leads_on_the_embedded_store(tmp_path):
    """No leads written: no rows, and the table still prints and exports (an empty date column once failed)."""
    from click.testing import CliRunner

    from netgraph.cli import main
    with ng.open_store(tmp_path / "no-leads.lbdb") as store:
        ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
        rows = ng.query(store, "suspected_links", min_score=0.0)
        assert rows.empty and flat(rows).columns.tolist() == rows.columns.tolist()
    runner = CliRunner()
    shown = runner.invoke(main, ["query", "suspected_links", "--db", str(tmp_path / "no-leads.lbdb"), "-p",
                                 "min_score=0"])
    assert shown.exit_code == 0 and "(no rows)" in shown.output, shown.output
    written = runner.invoke(main, ["query", "suspected_links", "--db", str(tmp_path / "no-leads.lbdb"), "-p",
                                   "min_score=0", "--out", str(tmp_path / "leads.csv")])
    assert written.exit_code == 0, written.output
    assert "source,source_name" in (tmp_path / "leads.csv").read_text(encoding="utf-8-sig")


def test_named_queries_run_on_the_embedded_store(sample_store):
    values = QUERY_VALUES
    for name, query in list_queries().items():
        rows = ng.query(sample_store, name, **{p: values[p] for p in query.params})
        assert isinstance(rows, pd.DataFrame), name
    path = ng.query(sample_store, "shortest_path", a=values["a"], b=values["b"])
    assert path["path"][0][0] == values["a"] and path["path"][0][-1] == values["b"]
    border = ng.query(sample_store, "seizures_by_place_kind", kind="border_crossing", date_from="2019-01-01",
                      date_to="2024-12-31")
    seizures = sample_store.node_frame("Seizure").set_index("id")
    at = sample_store.edge_frame("AT").set_index("source")["target"]
    kinds = sample_store.node_frame("Location").set_index("id")["kind"]
    assert border["seizures"].sum() == int((seizures.index.map(at).map(kinds) == "border_crossing").sum())
    behind = ng.query(sample_store, "records_behind_entity", person=values["person"])
    assert sorted(behind["record"]) == sample_store.node_frame("Person").set_index("id").loc[values["person"], "sources"]
    with pytest.raises(ValueError, match="missing"):
        ng.query(sample_store, "co_offenders")


def recorded_statements(store) -> list[str]:
    sent = []
    execute = store._conn.execute

    def record(statement, parameters=None):
        sent.append(statement)
        return execute(statement, parameters)
    store._conn.execute = record
    return sent


def test_no_value_reaches_a_cypher_string_on_the_embedded_store(store, tmp_path):
    sent = recorded_statements(store)
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "Offenders"] = f"{HOSTILE}; Emeka Okafor"
    frame.loc[1, "Consignee company"] = HOSTILE
    frame.to_csv(tmp_path / "hostile.csv", index=False)
    ng.load_file(tmp_path / "hostile.csv", "cen_customs", store, progress=False)
    ng.query(store, "co_offenders", person=HOSTILE)
    ng.query(store, "person_profile", person=f"person:{HOSTILE.casefold()}")
    net = ng.person_network(store)
    net.write_back(store, net.centrality()[["id", "pagerank"]])
    store.write_leads(net.leads(k=3), HOSTILE)
    assert sent and not [s for s in sent if "O'Brien" in s or "o'brien" in s or "DETACH" in s]
    assert HOSTILE in set(store.node_frame("Organization")["name"])  # stored exactly, as a value


# --- the Neo4j server: a real Neo4j 5 (NETGRAPH_TEST_NEO4J_URI) or FalkorDB's Bolt stand-in -------------
@dataclass(frozen=True)
class Server:
    settings: Neo4jSettings
    real: bool  # a Neo4j 5 server, not the FalkorDB stand-in (which is only a transport)


@pytest.fixture
def server(request, tmp_path):
    """A real Neo4j 5 when NETGRAPH_TEST_NEO4J_URI names one (its default database), else a fresh FalkorDB on
    loopback for this test (its Bolt support accepts no new connection once two have been closed)."""
    if REAL_URI:
        yield request.getfixturevalue("real_database")
        return
    with bolt_server(tmp_path / "falkordb.log") as uri:
        yield Server(Neo4jSettings(uri, "netgraph", "", "netgraph_test"), False)


# what the tests themselves send to a server (parsed by Neo4j's parser with the store's own statements)
SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN name, type, labelsOrTypes"
SHOW_INDEXES = "SHOW INDEXES YIELD name, state RETURN name, state"
SEIZURES_FROM = "MATCH (s:Seizure) WHERE s.date >= $first RETURN count(s) AS n"
NEVER_CREATED = "MATCH ()-[e:NETGRAPH_TEST_NEVER_CREATED]->() RETURN count(e) AS n"


def tag_nodes(label: str) -> str:
    return f"UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) SET n.{TAG} = r.tag"


def remove_in_transactions(label: str) -> str:
    return f"MATCH (n:{label}) WHERE n.{TAG} = $tag CALL {{ WITH n DETACH DELETE n }} IN TRANSACTIONS OF 5000 ROWS"


def remove_some(label: str) -> str:
    return f"MATCH (n:{label}) WHERE n.{TAG} = $tag WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n"


def untagged(label: str) -> str:
    return f"MATCH (n:{label}) WHERE n.{TAG} IS NULL RETURN count(n) AS n"


def tags_of(label: str) -> str:
    return f"MATCH (n:{label}) WHERE n.{TAG} IS NOT NULL RETURN DISTINCT n.{TAG} AS t"


def drop_schema(name: str) -> str:
    """Drop one of netgraph's own constraints or indexes (names from the schema, never from data)."""
    assert name in {known for known, _ in named_schema_statements()}
    return f"DROP {'CONSTRAINT' if name.endswith('_id') else 'INDEX'} {name} IF EXISTS"


def a_value(label: str, prop: str) -> str:
    return f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL RETURN n.{prop} AS d LIMIT 1"


def conformance_statements() -> list[str]:
    return [SHOW_CONSTRAINTS, SHOW_INDEXES, SEIZURES_FROM, NEVER_CREATED, tag_nodes("Person"),
            remove_in_transactions("Person"), remove_some("Person"), untagged("Person"), tags_of("Person"),
            drop_schema("netgraph_person_id"), drop_schema("netgraph_person_name"), a_value("Seizure", "date")]


class TaggedStore(Neo4jStore):
    """A Neo4j store that tags every node it writes with its ``tag`` (property ``netgraph_test_run``), so that
    :func:`remove_tagged` deletes exactly what the tests wrote, never anything else in a shared database."""

    def __init__(self, server: Server, **kwargs):
        super().__init__(settings=server.settings, create_schema=server.real, **kwargs)
        self.server, self.tag = server, f"{time.time():.0f}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        super().write(batch, progress)
        for label in batch.labels():
            rows = [{"id": key, "tag": self.tag} for key in batch.node_frame(label)["id"]]
            self._write_batches(tag_nodes(label), rows)


def remove_tagged(store: Neo4jStore, tag: str, real: bool) -> None:
    """Delete the nodes (and their relationships) tagged ``tag``; on Neo4j in batches of inner transactions."""
    for label in NODE_TYPES:
        if real:  # CALL … IN TRANSACTIONS runs only in an auto-commit transaction
            with store._driver.session(database=store.settings.database) as session:
                session.run(remove_in_transactions(label), tag=tag).consume()
        else:
            while store.query(remove_some(label), {"tag": tag})["n"][0]:
                pass


@pytest.fixture(scope="module")
def real_database():
    """The real server's default database, checked before anything is written: the tests load netgraph's
    deterministic keys (``person:…``, ``country:VN``), which would MERGE into netgraph data already there, and
    compare whole labels, so they refuse a database holding netgraph nodes they did not tag. Tagged nodes of a
    run older than STALE_HOURS (an interrupted one) are removed; a younger run's are left alone (it may still be
    going). Constraints and indexes the tests created are dropped at the end if no netgraph node is left."""
    if not REAL_URI:
        pytest.skip("needs a real Neo4j 5: set NETGRAPH_TEST_NEO4J_URI")
    server = Server(Neo4jSettings(REAL_URI, os.environ.get("NETGRAPH_TEST_NEO4J_USER", "neo4j"),
                                  os.environ.get("NETGRAPH_TEST_NEO4J_PASSWORD", ""), None), True)
    probe = Neo4jStore(settings=server.settings, create_schema=False)
    try:
        foreign = {label: n for label in NODE_TYPES if (n := int(probe.query(untagged(label))["n"][0]))}
        if foreign:
            pytest.fail(f"{shown(server.settings.uri)} (its default database) holds netgraph nodes these tests "
                        f"did not write: {foreign}. They load netgraph's deterministic keys, which would merge into "
                        "those nodes, and compare whole labels: point NETGRAPH_TEST_NEO4J_URI at a server whose "
                        "default database has no netgraph data. Nothing was written or deleted.")
        tags = {t for label in NODE_TYPES for t in probe.query(tags_of(label))["t"]}
        busy = [t for t in tags if time.time() - float(t.split("-")[0]) < STALE_HOURS * 3600]
        if busy:
            pytest.fail(f"another test run is writing to {shown(server.settings.uri)} (tags {busy}); try again later")
        for tag in tags:
            remove_tagged(probe, tag, True)
        before = schema_names(probe)
        yield server
        if not sum(probe.counts().values()):
            for name in sorted((schema_names(probe) - before) & {name for name, _ in named_schema_statements()}):
                probe.query(drop_schema(name))
    finally:
        probe.close()


def schema_names(store: Neo4jStore) -> set[str]:
    return {name for statement in SHOW_SCHEMA for name in store.query(statement)["name"]
            if name.startswith("netgraph_")}


@pytest.fixture
def neo4j_store(server):
    store = TaggedStore(server, batch_size=3)  # tiny batches: several transactions per table
    try:
        yield store
    finally:
        remove_tagged(store, store.tag, server.real)
        store.close()


def non_temporal_batch() -> GraphBatch:
    """Facts without dates: FalkorDB's Bolt support refuses Date parameters (Neo4j takes them)."""
    batch = GraphBatch()
    for i in (*range(7), 9):
        batch.node("Record", f"record:r{i}", {"name": f"r{i}", "source": "TEST", "row": i}, f"record:r{i}")
    for i in range(7):
        batch.node("Person", f"person:p{i}", {"name": f"P{i}", "nationality": "VN" if i % 2 else "CN"}, f"record:r{i}")
        batch.node("Phone", f"phone:{i % 3}", {"name": f"090{i % 3}"}, f"record:r{i}")
        batch.rel("USES", ("Person", f"person:p{i}"), ("Phone", f"phone:{i % 3}"), {}, f"record:r{i}")
    batch.node("Person", "person:hostile", {"name": BOLT_HOSTILE}, "record:r9")
    return batch


def test_password_is_never_logged_or_shown(server, caplog):
    # a user that does not exist: a real server's own account is never locked by failed logins
    wrong = replace(server.settings, username="netgraph-test-nobody", password="s3cret-never-logged")
    caplog.set_level(logging.DEBUG)
    assert "s3cret" not in repr(wrong)
    with pytest.raises(Exception) as failure:  # FalkorDB wants an empty password: this login fails on both
        Neo4jStore(settings=wrong, create_schema=False)
    assert "s3cret" not in str(failure.value) and "s3cret" not in repr(failure.value)
    if server.real:
        assert isinstance(failure.value, Neo4jAuthError) and "netgraph-test-nobody" in str(failure.value)
    assert "LOGON" in caplog.text and "s3cret-never-logged" not in caplog.text


def sent_statements(monkeypatch) -> list[str]:
    """Record the text of every statement the driver sends (driver.execute_query and managed transactions)."""
    import neo4j
    sent = []
    for owner, name in ((neo4j.Driver, "execute_query"), (neo4j.ManagedTransaction, "run"), (neo4j.Session, "run")):
        original = getattr(owner, name)

        def record(self, query, *args, _original=original, **kwargs):
            sent.append(query)
            return _original(self, query, *args, **kwargs)
        monkeypatch.setattr(owner, name, record)
    return sent


def test_neo4j_store_over_a_real_bolt_connection(neo4j_store, tmp_path, monkeypatch):
    sent = sent_statements(monkeypatch)
    store = neo4j_store
    store.write(non_temporal_batch())
    store.write(non_temporal_batch())  # twice: MERGE changes nothing
    with ng.open_store(tmp_path / "same.lbdb") as embedded:
        embedded.write(non_temporal_batch())
        for label in ("Person", "Phone"):
            ours = store.node_frame(label)[["id", "name", "sources"]]
            assert ours.equals(embedded.node_frame(label)[["id", "name", "sources"]]), label
        bolt_edges = store.edge_frame("USES")[["source", "target", "sources"]]
        assert bolt_edges.equals(embedded.edge_frame("USES")[["source", "target", "sources"]])
        bolt_graph = ng.subgraph(store, labels=["Person", "Phone"], rel_types=["USES"]).to_igraph()
        same_graph = ng.subgraph(embedded, labels=["Person", "Phone"], rel_types=["USES"]).to_igraph()
        assert sorted(bolt_graph.get_edgelist()) == sorted(same_graph.get_edgelist())
    back = store.query("MATCH (p:Person) WHERE p.name = $name RETURN p.id AS id", {"name": BOLT_HOSTILE})
    assert back["id"].tolist() == ["person:hostile"]
    store.write_properties("Person", pd.DataFrame({"id": ["person:p1"], "ng_score": [0.25]}))
    assert store.query("MATCH (p:Person {id: $id}) RETURN p.ng_score AS s", {"id": "person:p1"})["s"][0] == 0.25
    # every statement the store sent is one of its constant texts (or the projections' lean reads): values
    # travelled as parameters
    known = set(all_statements()) | set(reads.statements())
    ours = [s for s in sent if TAG not in s and "ng_score" not in s and "p.name = $name" not in s]
    assert ours and set(ours) <= known, set(ours) - known
    assert not [s for s in sent if "Tony" in s or "DETACH" in s]


def test_the_driver_is_told_not_to_send_notifications_about_types_not_created_yet(server, monkeypatch):
    import neo4j
    seen = {}
    original = neo4j.GraphDatabase.driver

    def driver(uri, **config):
        seen.update(config)
        return original(uri, **config)
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", driver)
    Neo4jStore(settings=server.settings, create_schema=False).close()
    key = "notifications_disabled_classifications"  # driver 5.22 on; before, notifications_disabled_categories
    assert list(seen.get(key, seen.get("notifications_disabled_categories"))) == ["UNRECOGNIZED"]


def test_a_wrong_uri_is_a_clear_error(tmp_path):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(Neo4jConnectionError, match=f"no Neo4j server answers at bolt://127.0.0.1:{port}"):
        Neo4jStore(settings=Neo4jSettings(f"bolt://127.0.0.1:{port}", "neo4j", "pw", None))
    with pytest.raises(Neo4jConnectionError, match="is not a Neo4j URI"):
        Neo4jStore(settings=Neo4jSettings("http://127.0.0.1:7474", "neo4j", "pw", None))
    with pytest.raises(Neo4jConnectionError, match="not a usable Neo4j URI") as failure:
        Neo4jStore(settings=Neo4jSettings("neo4j://analyst:pw-in-uri@host:port", "neo4j", "pw", None))
    assert "pw-in-uri" not in str(failure.value)
    assert isinstance(failure.value, NetgraphError)


def test_only_neo4j_5_is_accepted():
    assert check_server("Neo4j/5.26.1", "neo4j://h") == (5, 26)
    assert check_server("Neo4j/2025.10.1", "neo4j://h") == (2025, 10)  # calendar versions follow 5.26
    for agent, words in (("Neo4j/4.4.30", "is Neo4j 4.4"), ("Neo4j/3.5.0", "is Neo4j 3.5"),
                         ("Memgraph/2.10", "is not Neo4j"), (None, "is not Neo4j")):
        with pytest.raises(Neo4jVersionError, match=words):
            check_server(agent, "neo4j://h")


def test_rejects_of_a_neo4j_load_go_to_a_folder_of_the_server_not_the_current_directory(server, monkeypatch,
                                                                                            tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    store = Neo4jStore(settings=server.settings, create_schema=False)
    try:
        parts = urlsplit(server.settings.uri)
        folder = f"{parts.hostname}-{parts.port or 7687}-{server.settings.database or 'default'}"
        assert store.rejects_dir == tmp_path / "data" / "netgraph" / "rejects" / folder
    finally:
        store.close()
    with contextlib.ExitStack() as stack:  # FalkorDB takes no third connection once two closed: a fresh one
        settings = server.settings if server.real else Neo4jSettings(
            stack.enter_context(bolt_server(tmp_path / "second.log")), "netgraph", "", "netgraph_test")
        chosen = Neo4jStore(settings=settings, create_schema=False, rejects_dir=tmp_path / "mine")
        assert chosen.rejects_dir == tmp_path / "mine"
        chosen.close()
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_rejects_dir(server.settings).parent == Path.home() / ".local" / "share" / "netgraph" / "rejects"
    assert not (tmp_path / "netgraph-rejects").exists()


def test_settings_come_from_the_environment_or_a_config_file(tmp_path, monkeypatch):
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[neo4j]\nuri = "neo4j://files:7687"\nusername = "analyst"\npassword = "pw-in-file"\n')
    monkeypatch.setenv("NETGRAPH_CONFIG", str(config))
    settings = Neo4jSettings.load()
    assert (settings.uri, settings.username, settings.password) == ("neo4j://files:7687", "analyst", "pw-in-file")
    monkeypatch.setenv("NEO4J_URI", "neo4j://env:7687")
    assert Neo4jSettings.load().uri == "neo4j://env:7687"  # the environment wins
    assert "pw-in-file" not in repr(Neo4jSettings.load())
    monkeypatch.delenv("NEO4J_URI")
    config.write_text("[neo4j]\n")
    with pytest.raises(ValueError, match="no Neo4j URI"):
        Neo4jSettings.load()


# --- against a real Neo4j 5 only (NETGRAPH_TEST_NEO4J_URI): what FalkorDB cannot stand in for ----------------
def comparable(frame: pd.DataFrame, ordered: tuple[str, ...] = ()) -> list[list]:
    """Rows as plain values: dates as ISO text, numbers as float, missing as None; lists sorted (collect()
    has no defined order on either store) except the columns in ``ordered``."""
    def cell(value, column):
        if isinstance(value, (list, tuple, np.ndarray)):
            values = [cell(v, None) for v in value]
            return values if column in ordered else sorted(values, key=repr)
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return round(float(value), 9)
        return value
    return [[cell(v, c) for c, v in zip(frame.columns, row)] for row in frame.itertuples(index=False)]


def same_nodes_and_edges(a, b, skip: dict[str, list[str]]) -> None:
    for label in NODE_TYPES:
        left, right = a.node_frame(label), b.node_frame(label)
        drop = skip.get(label, [])
        assert comparable(left.drop(columns=drop)) == comparable(right.drop(columns=drop)), label
    for rel_type in REL_TYPES:
        assert comparable(a.edge_frame(rel_type)) == comparable(b.edge_frame(rel_type)), rel_type


LOAD_PATHS = {"Load": ["rejects_file", "conflicts_file", "finished"]}  # where each store put its rejects, and when


@needs_neo4j
class TestOnARealNeo4j5:
    """The whole store against a real server, on the samples, compared with the embedded store."""

    @pytest.fixture(scope="class")
    def neo4j_samples(self, real_database, sample_store, tmp_path_factory):
        store = TaggedStore(real_database)
        folder = tmp_path_factory.mktemp("neo4j-rejects")
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("XDG_DATA_HOME", str(folder))
                store.rejects_dir = default_rejects_dir(store.settings)
                store.reports = [ng.load_file(SAMPLES / name, mapping, store, progress=False)
                                 for name, mapping in SAMPLE_FILES]
            yield store
        finally:
            remove_tagged(store, store.tag, True)
            store.close()

    def test_constraints_and_indexes_are_created_and_online(self, neo4j_samples):
        constraints = neo4j_samples.query(SHOW_CONSTRAINTS)
        ours = constraints[constraints["name"].str.startswith("netgraph_")]
        assert sorted(ours["name"]) == sorted(f"netgraph_{label.lower()}_id" for label in NODE_TYPES)
        assert all("UNIQUENESS" in kind for kind in ours["type"])  # UNIQUENESS, later NODE_PROPERTY_UNIQUENESS
        assert sorted(map(tuple, ours["labelsOrTypes"])) == sorted((label,) for label in NODE_TYPES)
        indexes = neo4j_samples.query(SHOW_INDEXES)
        indexes = indexes[indexes["name"].str.startswith("netgraph_")]
        assert set(indexes["name"]) == {name for name, _ in named_schema_statements()}  # constraints own one each
        assert set(indexes["state"]) == {"ONLINE"}

    def test_the_samples_read_back_as_on_the_embedded_store(self, neo4j_samples, sample_store):
        assert neo4j_samples.counts() == sample_store.counts()
        same_nodes_and_edges(neo4j_samples, sample_store, LOAD_PATHS)
        for report in neo4j_samples.reports:
            assert report.rejects_file is None or report.rejects_file.startswith(str(neo4j_samples.rejects_dir))

    def test_dates_are_stored_as_neo4j_dates(self, neo4j_samples):
        import neo4j.time
        for label, prop in (("Seizure", "date"), ("Record", "record_date")):
            found = neo4j_samples._driver.execute_query(a_value(label, prop),
                                                        database_=neo4j_samples.settings.database)
            assert isinstance(found.records[0]["d"], neo4j.time.Date), label
        dated = neo4j_samples.query(SEIZURES_FROM, {"first": dt.date(2020, 1, 1)})["n"][0]
        seizures = neo4j_samples.node_frame("Seizure")
        assert dated == sum(1 for d in seizures["date"] if pd.notna(d) and d >= dt.date(2020, 1, 1)) > 0

    def test_every_named_query_answers_as_on_the_embedded_store(self, neo4j_samples, sample_store):
        for name, query in list_queries().items():
            params = {p: QUERY_VALUES[p] for p in query.params}
            ours, theirs = ng.query(neo4j_samples, name, **params), ng.query(sample_store, name, **params)
            assert list(ours.columns) == list(theirs.columns), name
            if name == "shortest_path":  # several paths may be shortest: the length must agree, and the path be one
                assert ours["hops"].tolist() == theirs["hops"].tolist()
                continue
            assert comparable(ours) == comparable(theirs), name
            assert len(ours) or name == "suspected_links", name  # no leads yet: see the write-back test

    def test_shortest_path_is_a_chain_of_asserted_links(self, neo4j_samples):
        path = ng.query(neo4j_samples, "shortest_path", a=QUERY_VALUES["a"], b=QUERY_VALUES["b"])
        hops = path["path"][0]
        assert hops[0] == QUERY_VALUES["a"] and hops[-1] == QUERY_VALUES["b"] and len(hops) == path["hops"][0] + 1
        edges = neo4j_samples.edges(["INVOLVED_IN", "USES", "WORKS_FOR", "DIRECTS", "CONVEYED_BY"])
        linked = set(zip(edges["source"], edges["target"]))
        assert all((x, y) in linked or (y, x) in linked for x, y in zip(hops, hops[1:]))

    def test_leads_are_written_back_and_replaced(self, neo4j_samples, sample_store):
        leads = ng.person_network(neo4j_samples).leads(k=10)
        assert comparable(leads) == comparable(ng.person_network(sample_store).leads(k=10))
        assert neo4j_samples.write_leads(leads, "netgraph_test") == len(leads) > 0
        stored = ng.query(neo4j_samples, "suspected_links", min_score=0.0)
        assert sorted(zip(stored["source"], stored["target"])) == sorted(zip(leads["source"], leads["target"]))
        assert set(stored["method"]) == {"netgraph_test"} and set(stored["created"]) == {dt.date.today()}
        assert stored["score"].tolist() == pytest.approx(sorted(leads["score"], reverse=True))
        neo4j_samples.write_leads(leads.head(3), "netgraph_test")  # replaces the method's leads
        assert len(ng.query(neo4j_samples, "suspected_links", min_score=0.0)) == 3
        neo4j_samples.write_leads(leads.head(0), "netgraph_test")
        assert ng.query(neo4j_samples, "suspected_links", min_score=0.0).empty

    def test_reads_of_types_never_created_are_quiet(self, neo4j_samples, caplog):
        import neo4j
        never = NEVER_CREATED
        caplog.set_level(logging.INFO, logger="neo4j.notifications")
        assert neo4j_samples.query(never)["n"][0] == 0
        assert not [r for r in caplog.records if r.name == "neo4j.notifications"]
        settings = neo4j_samples.settings  # the same read without the filters: the server does warn
        with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.username, settings.password)) as plain:
            plain.execute_query(never, database_=settings.database)
        assert [r for r in caplog.records if r.name == "neo4j.notifications"]

    def test_an_unknown_database_and_bad_credentials_are_clear_errors(self, neo4j_samples):
        with pytest.raises(Neo4jDatabaseError, match="has no database 'netgraph_no_such_database'"):
            Neo4jStore(settings=replace(neo4j_samples.settings, database="netgraph_no_such_database"))
        with pytest.raises(Neo4jAuthError, match="refused user 'netgraph-test-nobody'"):
            Neo4jStore(settings=replace(neo4j_samples.settings, username="netgraph-test-nobody", password="x"))

    def test_loading_the_samples_again_changes_nothing(self, neo4j_samples):  # last: it loads again
        counts, before = neo4j_samples.counts(), snapshot(neo4j_samples)
        for name, mapping in SAMPLE_FILES:
            ng.load_file(SAMPLES / name, mapping, neo4j_samples, progress=False)
        assert neo4j_samples.counts() == counts
        assert snapshot(neo4j_samples) == before


def snapshot(store) -> dict:
    out = {label: comparable(store.node_frame(label)) for label in NODE_TYPES if label != "Load"}
    return out | {t: comparable(store.edge_frame(t)) for t in REL_TYPES}


def test_neo4j_option_with_a_uri_that_is_not_neo4j_is_an_error_not_a_file(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from netgraph.cli import main
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["info", "--neo4j", "http://x:1"])
    assert result.exit_code != 0
    assert "is not a Neo4j URI" in result.output + str(result.exception)
    assert not list(tmp_path.iterdir())  # once an embedded store named 'http:/x:1' was created here
