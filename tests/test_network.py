"""Person, organisation and location networks built from the real embedded store."""
import importlib.util
import random
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main

from .conftest import DATA, SAMPLES


@pytest.fixture
def tiny(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    return store


def edge(net, a, b):
    a, b = sorted([a, b])
    found = net.edges[(net.edges["source"] == a) & (net.edges["target"] == b)]
    assert len(found) == 1, (a, b)
    return found.iloc[0]


def test_person_edges_keep_the_records_and_links_behind_them(tiny):
    net = ng.person_network(tiny)
    hung_wang = edge(net, "person:nguyễn văn hùng", "person:wang wei")
    # both were in T-2, carried by 14C-123.45; QN-01 puts Hùng in that vehicle again: evidence of the tie
    assert hung_wang["via"] == ["conveyance", "seizure"]
    assert hung_wang["hubs"] == ["seizure:CEN:T-2", "vehicle:14C12345"]
    assert hung_wang["sources"] == ["record:CEN:T-2", "record:VN-AGENCY:QN-01"] and hung_wang["weight"] == 2
    only_seizures = edge(ng.person_network(tiny, via=("seizure",)), "person:nguyễn văn hùng", "person:wang wei")
    assert only_seizures["sources"] == ["record:CEN:T-2"] and only_seizures["weight"] == 1
    hung_lan = edge(net, "person:nguyễn văn hùng", "person:trần thị lan")
    # QN-01 names both (seizure, and its vehicle), Hùng works for and Lan directs the same company
    assert hung_lan["via"] == ["conveyance", "organization", "seizure"]
    assert hung_lan["sources"] == ["record:CEN:T-2", "record:VN-AGENCY:QN-01"]  # T-2: Hùng in 14C-123.45
    # a shared phone across two seizures: T-1 and T-2 both say Hùng uses 0912 345 678 (same person, no pair)
    assert "person:lê văn tám" in set(net.nodes["id"])  # alone on LS-02: a node without ties
    assert net.graph.degree(net.graph.vs.find(name="person:lê văn tám").index) == 0


def test_a_hub_shared_by_more_people_than_the_cap_ties_no_one(sample_store):
    everyone = ng.person_network(sample_store, max_hub_people=None)
    capped = ng.person_network(sample_store, max_hub_people=15)
    shared = everyone.edges.explode("hubs").groupby("hubs").size()  # a hub with m people has m(m-1)/2 pairs
    crowded = {hub for hub, pairs in shared.items() if pairs > 15 * 14 // 2}
    assert crowded and capped.description["hubs_left_out"] == len(crowded)
    largest = capped.description["largest_hubs_left_out"][0]  # e.g. "vehicle:29H89413 (conveyance, 22 people)"
    assert largest.split(" (")[0] in crowded and int(largest.split(", ")[-1].split()[0]) > 15
    assert not crowded & set(capped.edges.explode("hubs")["hubs"])
    # every other tie is kept, with its evidence from the hubs left
    kept = everyone.edges.explode("hubs")
    kept = kept[~kept["hubs"].isin(crowded)].groupby(["source", "target"])["hubs"].agg(sorted)
    assert capped.edges.set_index(["source", "target"])["hubs"].map(sorted).sort_index().equals(kept.sort_index())
    assert list(capped.nodes["id"]) == list(everyone.nodes["id"])  # their people stay nodes
    assert ng.person_network(sample_store).description["hubs_left_out"] == 0  # the default (100) leaves all in


def test_only_chosen_links_tie_people(tiny):
    net = ng.person_network(tiny, via=("organization",))
    assert net.edges[["source", "target"]].values.tolist() == [["person:nguyễn văn hùng", "person:trần thị lan"]]
    with pytest.raises(ValueError, match="unknown link kinds"):
        ng.person_network(tiny, via=("telepathy",))


def test_scope_filters_country_commodity_date_and_grading(tiny):
    assert set(ng.person_network(tiny, countries=("CN",)).nodes["id"]) == {"person:wang wei"}
    rhino = ng.person_network(tiny, commodities=("rhino horn",))
    assert set(rhino.nodes["id"]) == {"person:wang wei", "person:lê văn tám"}
    dated = ng.person_network(tiny, date_from="2023-01-01")
    assert set(dated.nodes["id"]) == {"person:somchai srisuk"}
    graded = ng.person_network(tiny, min_reliability="A")
    assert set(graded.nodes["id"]) == {"person:nguyễn văn hùng", "person:wang wei"}


def test_recency_weighting_halves_with_age(tiny):
    net = ng.person_network(tiny, via=("seizure",), half_life_days=365)
    newest = pd.Timestamp("2023-02-02")  # the newest record in scope
    hung_wang = edge(net, "person:nguyễn văn hùng", "person:wang wei")  # asserted on 2021-05-06
    age = (newest - pd.Timestamp("2021-05-06")).days
    assert hung_wang["weight"] == pytest.approx(0.5 ** (age / 365))
    assert hung_wang["records"] == 1


def test_organization_and_location_networks(tiny):
    orgs = ng.organization_network(tiny)
    assert set(orgs.nodes["id"]) >= {"org:eko global trading ltd", "org:công ty tnhh thương mại biển bắc"}
    flows = ng.location_network(tiny, level="country")
    legs = {(s, t): w for s, t, w in flows.edges[["source", "target", "weight"]].itertuples(index=False)}
    assert legs[("country:NG", "country:SG")] == 1  # T-1 Lagos → Singapore
    # T-2 and QN-01 Móng Cái → Dongxing, T-3 Hà Nội → Dongxing, LS-02 Hữu Nghị → Pingxiang
    assert legs[("country:VN", "country:CN")] == 4
    assert legs[("country:MZ", "country:QA")] == 1
    assert flows.graph.is_directed()


def test_same_input_and_seed_give_identical_reports(sample_store):
    first = ng.person_network(sample_store).broker_report(seed=3)
    second = ng.person_network(sample_store).broker_report(seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert first["rank"].tolist() == list(range(1, len(first) + 1))
    assert first["score"].is_monotonic_decreasing
    assert first["reasons"].str.len().gt(0).all()


def test_broker_report_finds_the_planted_brokers(sample_store):
    spec = importlib.util.spec_from_file_location("sample_generator", SAMPLES / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    brokers = {"person:" + b["name"].casefold() for b in generate.build_people(random.Random(generate.SEED))}
    report = ng.person_network(sample_store).broker_report()
    top = set(report.head(10)["id"])
    assert len(top & brokers) >= 3, report.head(10)[["name", "reasons"]]
    leader = report.iloc[0]
    assert "groups" in leader["reasons"] and "seizures" in leader["reasons"]


def test_group_profiles_add_up(sample_store):
    net = ng.person_network(sample_store)
    profiles = net.group_profiles()
    assert profiles["size"].sum() == len(net.nodes)
    assert (profiles["seizures"] > 0).all()
    assert profiles["first_seen"].le(profiles["last_seen"]).all()


def test_disruption_removes_the_top_brokers_in_order(sample_store):
    net = ng.person_network(sample_store)
    steps = net.disruption(k=3, measure="betweenness")
    top = net.centrality().sort_values(["betweenness", "id"], ascending=[False, True])["id"].head(3).tolist()
    assert steps["removed"].dropna().tolist() == top
    assert steps["nodes"].tolist() == [len(net.nodes) - i for i in range(4)]
    assert (steps["fragmentation"].diff().dropna() >= 0).all()


def test_results_written_back_to_the_store(tiny):
    net = ng.person_network(tiny)
    written = net.write_back(tiny, net.centrality()[["id", "pagerank", "betweenness"]])
    assert written == ["ng_pagerank", "ng_betweenness"]
    back = tiny.query("MATCH (p:Person) RETURN p.id AS id, p.ng_pagerank AS pr ORDER BY id")
    expected = net.centrality().sort_values("id")["pagerank"].tolist()
    assert back["pr"].tolist() == pytest.approx(expected)
    with pytest.raises(ValueError, match="invalid property names"):
        tiny.write_properties("Person", pd.DataFrame({"id": ["x"], "name": [1.0]}))


def test_cli_analyse_writes_csv_xlsx_and_method_stamp(sample_store, tmp_path):
    out = tmp_path / "reports"
    db = sample_store.path
    result = CliRunner().invoke(main, ["analyse", "--db", str(db), "--out", str(out), "--seed", "2"])
    assert result.exit_code == 0, result.output
    brokers = pd.read_csv(out / "broker_report.csv", encoding="utf-8-sig")
    sheets = pd.read_excel(out / "netgraph_report.xlsx", sheet_name=None)
    assert set(sheets) == {"broker_report", "group_profiles", "method"}
    assert len(sheets["broker_report"]) == len(brokers) > 50
    method = dict(sheets["method"].values)
    assert '"leiden"' in method["parameters"] and len(method["input_sha256"].strip('"')) == 64
