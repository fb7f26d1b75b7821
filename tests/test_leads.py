"""Link prediction: scores cross-checked against NetworkX and dense algebra, evaluation on real covert
networks against a random baseline, leads with their evidence, and SUSPECTED_LINK kept apart from facts."""
import networkx as nx
import numpy as np
import pandas as pd
import pytest

import netgraph as ng
from netgraph.analysis import leads
from netgraph.analysis.matrices import matrix_network

from .conftest import DATA, shared_file

NETWORKS = ["morselli_caviar", "berlusconietal_oversize", "ITALIAN_GANGS", "morselli_siren"]


@pytest.fixture(scope="module", params=NETWORKS)
def covert(request):
    return matrix_network(shared_file("covert", f"{request.param}.csv"))


def candidate_scores(net, method):
    a = leads.adjacency(net.graph)
    frame = leads.top_pairs(leads.score_matrix(a, method), None, None)
    names = net.graph.vs["name"]
    return {(names[i], names[j]): s for i, j, s in frame.itertuples(index=False)}


@pytest.mark.parametrize("method,reference", [
    ("jaccard", nx.jaccard_coefficient), ("adamic_adar", nx.adamic_adar_index),
    ("resource_allocation", nx.resource_allocation_index), ("preferential_attachment", nx.preferential_attachment),
])
def test_topological_scores_match_networkx(covert, method, reference):
    ours = candidate_scores(covert, method)
    graph = nx.Graph(covert.to_networkx())
    expected = {tuple(sorted((u, v))): s for u, v, s in reference(graph, list(ours))}
    assert ours.keys() == expected.keys() and len(ours) > 0
    for pair, value in expected.items():
        assert ours[pair] == pytest.approx(value, abs=1e-9), pair
    two_hops = {tuple(sorted((u, v))) for u in graph for v in nx.single_source_shortest_path_length(graph, u, 2)
                if u != v and not graph.has_edge(u, v)}
    assert set(ours) == two_hops  # the candidates are exactly the pairs two steps apart


def test_common_neighbours_and_katz_match_dense_algebra(covert):
    a = leads.adjacency(covert.graph).toarray()
    two, three = a @ a, a @ a @ a
    names = covert.graph.vs["name"]
    index = {n: i for i, n in enumerate(names)}
    for method, dense in (("common_neighbours", two),
                          ("katz", leads.KATZ_BETA ** 2 * two + leads.KATZ_BETA ** 3 * three)):
        for (u, v), s in candidate_scores(covert, method).items():
            assert s == pytest.approx(dense[index[u], index[v]], abs=1e-12)


def test_personalised_pagerank_matches_networkx(covert):
    graph = nx.Graph(covert.to_networkx())
    scores = candidate_scores(covert, "ppr")
    for (u, v) in list(scores)[:5]:
        from_u = nx.pagerank(graph, alpha=1 - leads.PPR_RESTART, personalization={u: 1}, weight=None, tol=1e-13, max_iter=2000)
        from_v = nx.pagerank(graph, alpha=1 - leads.PPR_RESTART, personalization={v: 1}, weight=None, tol=1e-13, max_iter=2000)
        assert scores[(u, v)] == pytest.approx(from_u[v] + from_v[u], abs=1e-8)


def test_methods_beat_random_on_real_covert_networks(covert):
    table = leads.evaluate(covert, methods=("adamic_adar", "resource_allocation", "katz"), seeds=range(5),
                           include_model=False).set_index("method")
    baseline = table.loc["random"]
    assert 0.35 < baseline["auc_mean"] < 0.65
    for method in ("adamic_adar", "resource_allocation", "katz"):
        assert table.loc[method, "auc_mean"] > baseline["auc_mean"] + 0.1, method
        assert table.loc[method, "average_precision_mean"] > 5 * baseline["average_precision_mean"], method


def test_supervised_model_is_calibrated_and_useful(sample_store):
    net = ng.person_network(sample_store)
    model = leads.fit_model(net, seed=1)
    found = net.leads(k=30, model=model)
    assert found["score"].between(0, 1).all() and found["score"].is_monotonic_decreasing
    table = leads.evaluate(net, methods=("adamic_adar",), seeds=range(2)).set_index("method")
    assert table.loc["model", "auc_mean"] > table.loc["random", "auc_mean"] + 0.2


def test_temporal_split_learns_from_the_past(sample_store):
    net = ng.person_network(sample_store)
    table = leads.evaluate(net, methods=("adamic_adar", "common_neighbours"), temporal=True, fraction=0.2)
    assert table.attrs["split"] == "temporal" and table.attrs["positives"] > 0
    table = table.set_index("method")
    assert table.loc["adamic_adar", "auc_mean"] > table.loc["random", "auc_mean"] + 0.1


def test_leads_explain_themselves_with_the_records_behind_them(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    net = ng.person_network(store, via=("seizure",))
    found = net.leads(k=10, method="common_neighbours")
    pair = found[(found["source"] == "person:emeka okafor") & (found["target"] == "person:trần thị lan")]
    assert len(pair) == 1  # both were caught with Hùng (T-1, QN-01) but never together
    row = pair.iloc[0]
    assert row["shared_contacts"] == ["Nguyễn Văn Hùng"] and row["score"] == 1
    assert row["records"] == ["record:CEN:T-1", "record:VN-AGENCY:QN-01"]
    assert row["path"] == ["Emeka Okafor", "Nguyễn Văn Hùng", "Trần Thị Lan"]
    assert "1 shared contact: Nguyễn Văn Hùng" == row["reason"]
    per_person = net.leads(persons=["person:wang wei"], per_person=2, method="adamic_adar")
    assert set(per_person["source"]) == {"person:wang wei"} and len(per_person) <= 2
    pd.testing.assert_frame_equal(found, net.leads(k=10, method="common_neighbours"))


def test_suspected_links_are_stored_apart_from_facts(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    net = ng.person_network(store, via=("seizure",))
    before_edges, before_net = store.edges(), ng.person_network(store).edges
    found = net.leads(k=5, method="common_neighbours")
    assert store.write_leads(found, "common_neighbours") == len(found) > 0
    assert store.write_leads(found.head(2), "common_neighbours") == 2  # a new run replaces the old leads
    stored = store.edge_frame("SUSPECTED_LINK")
    assert len(stored) == 2 and set(stored["method"]) == {"common_neighbours"}
    assert stored["sources"].tolist() == found.head(2)["records"].tolist()
    pd.testing.assert_frame_equal(store.edges(), before_edges)  # never read as asserted links
    pd.testing.assert_frame_equal(ng.person_network(store).edges, before_net)
    assert "SUSPECTED_LINK" not in set(ng.subgraph(store).edges["type"])


def test_unknown_method_is_refused(covert):
    with pytest.raises(ValueError, match="unknown method"):
        covert.leads(method="astrology")
    assert np.isfinite(covert.leads(k=3)["score"]).all()
