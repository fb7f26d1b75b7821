"""Every measure cross-checked against NetworkX (or a brute-force reference) on real covert networks.

Networks: the UCINET covert-network matrices in ../shared/data/covert, symmetrised (w_ij + w_ji), analysed
weighted (tie length 1/w for path measures) and unweighted. Tolerances are stated per measure.
"""
import itertools
import random
from collections import deque

import networkx as nx
import numpy as np
import pytest

from netgraph.analysis import communities, measures
from netgraph.analysis.brokers import path_share
from netgraph.analysis.disruption import fragmentation
from netgraph.analysis.matrices import matrix_network

from .conftest import shared_file

NETWORKS = ["morselli_caviar", "morselli_cielnet", "berlusconietal_oversize", "luciaetal_montagna",
            "natajaran_cocaine", "ITALIAN_GANGS", "MONTREALGANG", "morselli_siren"]
EXACT = 1e-9  # float arithmetic only
ITERATIVE = 1e-6  # power iterations / ARPACK


@pytest.fixture(scope="module", params=NETWORKS)
def covert(request):
    net = matrix_network(shared_file("covert", f"{request.param}.csv"))
    graph = net.to_networkx()
    for _, _, data in graph.edges(data=True):
        data["length"] = 1.0 / data["weight"]
    return net, graph


def assert_close(ours: dict, reference: dict, tol: float):
    assert set(ours) == set(reference)
    for key, value in reference.items():
        if np.isnan(value):
            assert np.isnan(ours[key]), key
        else:
            assert ours[key] == pytest.approx(value, abs=tol), key


@pytest.mark.parametrize("weighted", [True, False])
def test_centrality_matches_networkx(covert, weighted):
    net, graph = covert
    c = net.centrality(weighted=weighted).set_index("id")
    weight, length = ("weight", "length") if weighted else (None, None)
    n = graph.number_of_nodes()
    assert_close(c["degree"].to_dict(), dict(graph.degree()), 0)
    assert_close(c["strength"].to_dict(), dict(graph.degree(weight=weight)), EXACT)
    assert_close(c["betweenness"].to_dict(), nx.betweenness_centrality(graph, weight=length), EXACT)
    assert_close(c["closeness"].to_dict(), nx.closeness_centrality(graph, distance=length, wf_improved=False), EXACT)
    harmonic = {k: v / (n - 1) for k, v in nx.harmonic_centrality(graph, distance=length).items()}
    assert_close(c["harmonic"].to_dict(), harmonic, EXACT)
    assert_close(c["pagerank"].to_dict(), nx.pagerank(graph, weight=weight, tol=1e-12, max_iter=10_000), ITERATIVE)
    assert_close(c["k_core"].to_dict(), nx.core_number(graph), 0)
    largest = max(nx.connected_components(graph), key=len)
    if len(largest) == n:  # eigenvector centrality is only comparable on a connected graph
        reference = nx.eigenvector_centrality_numpy(graph, weight=weight)
        top = max(reference.values())
        assert_close(c["eigenvector"].to_dict(), {k: v / top for k, v in reference.items()}, ITERATIVE)


def test_sampled_betweenness_is_the_scaled_subset_betweenness(covert):
    net, graph = covert
    n, k, seed = graph.number_of_nodes(), 10, 7
    c = net.centrality(betweenness_k=k, seed=seed).set_index("id")
    assert c.attrs["betweenness_sources"] == k
    sources = [net.graph.vs[i]["name"] for i in sorted(random.Random(seed).sample(range(n), k))]
    subset = nx.betweenness_centrality_subset(graph, sources, list(graph), weight="length")
    pairs = (n - 1) * (n - 2) / 2
    assert_close(c["betweenness"].to_dict(), {v: b * n / k / pairs for v, b in subset.items()}, EXACT)
    exact = net.centrality().set_index("id")["betweenness"]
    assert np.corrcoef(exact, c.loc[exact.index, "betweenness"])[0, 1] > 0.5  # an estimate, not noise


@pytest.mark.parametrize("weighted", [True, False])
def test_structural_holes_match_networkx(covert, weighted):
    net, graph = covert
    b = net.brokerage(weighted=weighted).set_index("id")
    weight = "weight" if weighted else None
    assert_close(b["constraint"].to_dict(), nx.constraint(graph, weight=weight), EXACT)
    # nodes=list(G) takes NetworkX's per-node formula: its all-nodes sparse path (3.6) normalises weighted
    # ties by the wrong axis (networkx/networkx PR #8906), so it is not a reference for weighted graphs.
    assert_close(b["effective_size"].to_dict(), nx.effective_size(graph, nodes=list(graph), weight=weight), EXACT)
    assert set(b.index[b["articulation_point"]]) == set(nx.articulation_points(graph))
    assert {frozenset(p) for p in net.bridges()[["source", "target"]].values} == {
        frozenset(p) for p in nx.bridges(graph)}


def brute_force_brokerage(graph: nx.Graph, group: dict) -> dict:
    counts = {v: dict.fromkeys(measures.GF_ROLES, 0) for v in graph}
    for b in graph:
        for a, c in itertools.permutations(graph[b], 2):
            if graph.has_edge(a, c) or group[a] is None or group[b] is None or group[c] is None:
                continue
            if group[a] == group[b] == group[c]:
                role = "coordinator"
            elif group[a] == group[c]:
                role = "itinerant"
            elif group[a] == group[b]:
                role = "representative"
            elif group[b] == group[c]:
                role = "gatekeeper"
            else:
                role = "liaison"
            counts[b][role] += 1
    return counts


def test_gould_fernandez_roles_match_a_brute_force_count(covert):
    net, graph = covert
    rng = random.Random(3)
    groups = [rng.choice(["VN", "CN", "LA", None]) for _ in range(net.graph.vcount())]
    ours = measures.gould_fernandez(net.graph, groups).set_index("id")
    reference = brute_force_brokerage(graph, dict(zip(net.graph.vs["name"], groups)))
    for role in measures.GF_ROLES:
        assert ours[role].to_dict() == {v: counts[role] for v, counts in reference.items()}, role


def test_brokerage_refuses_a_network_with_too_many_two_paths(covert, monkeypatch):
    net, graph = covert
    paths = sum(d * (d - 1) // 2 for _, d in graph.degree())
    monkeypatch.setattr(measures, "MAX_TWO_PATHS", paths)  # at the limit: measured
    assert len(net.brokerage()) == graph.number_of_nodes()
    monkeypatch.setattr(measures, "MAX_TWO_PATHS", paths - 1)
    with pytest.raises(measures.NetworkTooLargeError, match=f"{paths:,} two-paths.*narrow it"):
        net.broker_report()
    assert len(net.centrality(which=("degree", "pagerank"))) == graph.number_of_nodes()  # no limit there


def test_communities_components_and_modularity(covert):
    net, graph = covert
    found = net.communities("components").set_index("id")["community"]
    assert {frozenset(found.index[found == c]) for c in found.unique()} == {
        frozenset(c) for c in nx.connected_components(graph)}
    leiden = net.communities("leiden", seed=1)
    parts = [set(part["id"]) for _, part in leiden.groupby("community")]
    assert leiden.attrs["modularity"] == pytest.approx(nx.community.modularity(graph, parts, weight="weight"),
                                                       abs=EXACT)
    louvain = nx.community.louvain_communities(graph, weight="weight", seed=1)
    assert leiden.attrs["modularity"] >= nx.community.modularity(graph, louvain, weight="weight") - 0.02
    assert leiden.equals(net.communities("leiden", seed=1))


def test_fragmentation_matches_its_definition_on_networkx(covert):
    net, graph = covert
    sizes = [len(c) for c in nx.connected_components(graph)]
    n = graph.number_of_nodes()
    assert fragmentation(net.graph) == pytest.approx(1 - sum(s * (s - 1) for s in sizes) / (n * (n - 1)))
    steps = net.disruption(k=3)
    after = graph.copy()
    after.remove_nodes_from(steps["removed"].dropna())
    assert steps.iloc[-1]["components"] == nx.number_connected_components(after)
    assert steps.iloc[-1]["largest_component"] == max(len(c) for c in nx.connected_components(after))


def bfs_counts(adjacency, source):
    dist, sigma, queue = {source: 0}, {source: 1}, deque([source])
    while queue:
        u = queue.popleft()
        for w in adjacency[u]:
            if w not in dist:
                dist[w], sigma[w] = dist[u] + 1, 0
                queue.append(w)
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
    return dist, sigma


def test_path_share_matches_shortest_path_counting(covert):
    net, _ = covert
    graph = net.graph
    membership = communities.detect(graph, "leiden", seed=0)
    a = [i for i, c in enumerate(membership) if c == 0]
    b = [i for i, c in enumerate(membership) if c == 1]
    adjacency = graph.get_adjlist()
    for v in range(0, graph.vcount(), 7):
        dv, sv = bfs_counts(adjacency, v)
        through = pairs = 0
        for s in a:
            if s == v:
                continue
            ds, ss = bfs_counts(adjacency, s)
            for t in b:
                if t != v and t in ds:
                    pairs += 1
                    if v in ds and t in dv and ds[v] + dv[t] == ds[t]:
                        through += ss[v] * sv[t] / ss[t]
        assert path_share(graph, v, a, b) == pytest.approx(through / pairs if pairs else 0.0, abs=EXACT)
