"""The Neo4j 5 store and the named queries: Neo4j's own parser for the dialect, a real Bolt server for the
transport, and proof that no value is ever formatted into a Cypher string."""
import json
import logging
import os
import re
import subprocess

import pandas as pd
import pytest

import netgraph as ng
from netgraph.store.batch import GraphBatch
from netgraph.store.neo4j import Neo4jSettings, Neo4jStore, all_statements
from netgraph.store.queries import list_queries, portability_problems
from netgraph.views.export import flat

from .conftest import DATA, ROOT
from .falkordb import bolt_server

LINT = ROOT / "tests" / "neo4j"
HOSTILE = "O'Brien\" }) DETACH DELETE n // $x {"
# FalkorDB's Bolt stand-in inlines string parameters: it fails on ' and mangles \ (a FalkorDB limit, not
# netgraph's; Neo4j sends parameters apart from the text). The Bolt tests use a hostile value without them.
BOLT_HOSTILE = "Nguyễn \"Tony\" }) DETACH DELETE n // $x {"


def lint(statements: list[str]) -> list[list[str]]:
    if not (LINT / "node_modules").exists():
        if os.environ.get("CI"):
            pytest.fail("tests/neo4j/node_modules missing: `make test` runs npm ci there")
        pytest.skip("run `npm ci --prefix tests/neo4j` for Neo4j's Cypher parser")
    done = subprocess.run(["node", "lint.mjs"], cwd=LINT, input=json.dumps(statements), capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_every_store_statement_and_query_parses_as_neo4j_5_cypher():
    statements = all_statements() + [q.text("neo4j") for q in list_queries().values()]
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
    values = {"person": "person:nguyễn thị bình", "a": "person:nguyễn thị bình", "b": "person:celso macuácua",
              "origin_country": "NG", "destination_country": "VN", "date_from": "2019-01-01",
              "date_to": "2024-12-31", "kind": "border_crossing", "country": "VN", "min_seizures": 1,
              "min_countries": 2, "min_score": 0.0}
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


@pytest.fixture(scope="module")
def bolt(tmp_path_factory):
    with bolt_server(tmp_path_factory.mktemp("falkordb") / "server.log") as uri:
        yield uri


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


def test_password_is_never_logged_or_shown(bolt, monkeypatch, caplog):
    monkeypatch.setenv("NEO4J_USERNAME", "netgraph")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-never-logged")  # FalkorDB wants an empty one: this login fails
    caplog.set_level(logging.DEBUG)
    store = Neo4jStore(bolt, database="netgraph_test", create_schema=False)
    try:
        assert "s3cret" not in repr(store) and "s3cret" not in repr(store.settings)
        with pytest.raises(Exception) as failure:
            store.query("RETURN 1 AS one")
        assert "s3cret" not in str(failure.value)
    finally:
        store.close()
    assert "LOGON" in caplog.text and "s3cret-never-logged" not in caplog.text


def test_neo4j_store_over_a_real_bolt_connection(bolt, tmp_path, monkeypatch):
    monkeypatch.setenv("NEO4J_USERNAME", "netgraph")
    monkeypatch.setenv("NEO4J_PASSWORD", "")
    store = Neo4jStore(bolt, database="netgraph_test", batch_size=3, create_schema=False)
    try:
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
    finally:
        store.close()


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
