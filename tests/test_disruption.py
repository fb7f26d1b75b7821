"""Attacks checked against a brute-force NetworkX loop on real covert networks, and the key player set
against exhaustive search.

Networks: the UCINET covert-network matrices in ../shared/data/covert, symmetrised (w_ij + w_ji), attacked
weighted (degree = strength, betweenness on tie length 1/w, PageRank/eigenvector on weights) and unweighted.
The reference's tie lengths are exact fractions, so paths of equal length tie as they should.
The reference applies the rule netgraph states: highest score (rounded to 10 decimals), ties to the smallest id.
"""
import itertools
import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import netgraph as ng
from netgraph.analysis import disruption
from netgraph.analysis.matrices import matrix_network

from .conftest import shared_file

NETWORKS = ["morselli_caviar", "morselli_cielnet", "berlusconietal_oversize", "luciaetal_montagna",
            "natajaran_cocaine", "ITALIAN_GANGS", "MONTREALGANG", "morselli_siren"]
K = 10
PLACES = 4  # metrics agree to 4 decimals
ITERATIVE = 1e-6  # PageRank and eigenvector: a choice is right if its reference score is this close to the best


@pytest.fixture(scope="module", params=NETWORKS)
def covert(request):
    net = matrix_network(shared_file("covert", f"{request.param}.csv"))
    graph = net.to_networkx()
    for _, _, data in graph.edges(data=True):  # exact lengths: equal paths tie (igraph compares with a tolerance)
        data["length"] = Fraction(1) / Fraction(data["weight"])
    return net, graph


def reference_scores(graph: nx.Graph, measure: str, weighted: bool) -> dict:
    weight, length = ("weight", "length") if weighted else (None, None)
    if measure == "degree":
        return dict(graph.degree(weight=weight))
    if measure == "betweenness":
        return nx.betweenness_centrality(graph, weight=length)
    if measure == "collective_influence":
        out = {}
        for i in graph:
            ball = nx.single_source_shortest_path_length(graph, i, cutoff=2)
            out[i] = (graph.degree(i) - 1) * sum(graph.degree(j) - 1 for j, d in ball.items() if d == 2)
        return out
    if measure == "pagerank":
        return nx.pagerank(graph, weight=weight, tol=1e-12, max_iter=10_000)
    if measure == "eigenvector":  # the leading eigenvector of the whole adjacency, scaled to max 1
        nodes = list(graph)
        if graph.number_of_edges() == 0:
            return dict.fromkeys(nodes, 0.0)
        values, vectors = np.linalg.eigh(nx.to_numpy_array(graph, nodelist=nodes, weight=weight))
        if values[-1] - values[-2] < 1e-9:
            return None  # two leading eigenvalues: any choice among their vectors is right
        lead = np.abs(vectors[:, -1])
        return dict(zip(nodes, lead / lead.max()))
    raise AssertionError(measure)


def reference_metrics(graph: nx.Graph, original_largest: int) -> dict:
    n = graph.number_of_nodes()
    sizes = [len(c) for c in nx.connected_components(graph)]
    pairs = n * (n - 1)
    efficiency = nx.global_efficiency(graph)
    return {"nodes": n, "components": len(sizes), "largest_component": max(sizes, default=0),
            "lcc_fraction": max(sizes, default=0) / original_largest,
            "fragmentation": 1 - sum(s * (s - 1) for s in sizes) / pairs if n > 1 else 0.0,
            "distance_fragmentation": 1 - efficiency if n > 1 else 0.0, "efficiency": efficiency}


def best(scores: dict) -> str:
    return min(scores, key=lambda v: (-round(scores[v], 10), v))


def check_attack(net, graph, measure, weighted, recalculate):
    ours = net.disruption(k=K, measure=measure, weighted=weighted, recalculate=recalculate)
    exact = measure in ("degree", "betweenness", "collective_influence")
    graph = graph.copy()
    original = max(len(c) for c in nx.connected_components(graph))
    once = reference_scores(graph, measure, weighted)
    for row in ours.itertuples(index=False):
        if row.step:
            scores = reference_scores(graph, measure, weighted) if recalculate else once
            if exact:
                assert row.removed == best(scores), (row.step, row.removed)
                assert row.score == pytest.approx(scores[row.removed], abs=1e-9)
            elif scores is not None:
                assert scores[row.removed] >= max(scores.values()) - ITERATIVE, (row.step, row.removed)
            graph.remove_node(row.removed)  # follow our choice: the metrics are compared step by step
            if not recalculate:
                del once[row.removed]
        for metric, value in reference_metrics(graph, original).items():
            assert round(getattr(row, metric), PLACES) == round(value, PLACES), (row.step, metric)
    assert len(ours) == K + 1


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("measure", ["degree", "betweenness", "collective_influence", "pagerank", "eigenvector"])
def test_sequential_attack_matches_a_networkx_loop(covert, measure, weighted):
    net, graph = covert
    check_attack(net, graph, measure, weighted, recalculate=True)


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("measure", ["degree", "betweenness"])
def test_attack_ranked_once_matches_networkx(covert, measure, weighted):
    net, graph = covert
    check_attack(net, graph, measure, weighted, recalculate=False)


def test_recalculating_changes_the_attack(covert):
    net, _ = covert
    once = net.disruption(k=K, measure="betweenness", recalculate=False)
    again = net.disruption(k=K, measure="betweenness", recalculate=True)
    assert once.iloc[1]["removed"] == again.iloc[1]["removed"]  # the first choice is the same
    assert again["lcc_fraction"].iloc[-1] <= once["lcc_fraction"].iloc[-1] + 0.25  # usually far lower


def distance_fragmentation(graph: nx.Graph, removed) -> float:
    rest = graph.subgraph(set(graph) - set(removed))
    return 1 - nx.global_efficiency(rest) if rest.number_of_nodes() > 1 else 0.0


def small_graphs():
    for seed in range(6):
        graph = nx.gnm_random_graph(12, 15 + seed, seed=seed)
        yield f"gnm-{seed}", graph
    yield "barbell", nx.barbell_graph(5, 2)
    yield "kite", nx.krackhardt_kite_graph()
    yield "florentine", nx.convert_node_labels_to_integers(nx.florentine_families_graph(), ordering="sorted")


@pytest.mark.parametrize("name,graph", list(small_graphs()), ids=[n for n, _ in small_graphs()])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_key_player_set_is_the_exhaustive_optimum(name, graph, k):
    graph = nx.relabel_nodes(graph, lambda v: f"{v:02d}")
    net = ng.Network.from_networkx(graph)
    found = net.disruption(k=k, measure="kpp")
    chosen = found["removed"].dropna().tolist()
    assert len(set(chosen)) == k
    optimum = max(distance_fragmentation(graph, s) for s in itertools.combinations(graph, k))
    assert distance_fragmentation(graph, chosen) == pytest.approx(optimum, abs=1e-12)
    assert found.iloc[-1]["distance_fragmentation"] == pytest.approx(optimum, abs=1e-12)


def test_key_player_set_no_swap_improves_on_a_covert_network():
    graph = matrix_network(shared_file("covert", "morselli_siren.csv")).to_networkx()
    net = ng.Network.from_networkx(graph)
    chosen = set(net.disruption(k=3, measure="kpp", seed=4)["removed"].dropna())
    value = distance_fragmentation(graph, chosen)
    for out, into in itertools.product(sorted(chosen), sorted(set(graph) - chosen)):
        assert distance_fragmentation(graph, (chosen - {out}) | {into}) <= value + 1e-12, (out, into)
    removed = set(net.disruption(k=3, measure="betweenness", recalculate=True)["removed"].dropna())
    assert value >= distance_fragmentation(graph, removed) - 1e-12


def test_random_baseline_is_seeded_and_is_the_mean_of_its_runs():
    net = ng.Network.from_networkx(nx.relabel_nodes(nx.karate_club_graph(), str))
    curves = net.attack_curves(["degree"], k=5, runs=4, seed=3)
    assert curves.equals(net.attack_curves(["degree"], k=5, runs=4, seed=3))
    runs = [net.disruption(k=5, measure="random", seed=3 + r) for r in range(4)]
    random_rows = curves[curves["strategy"] == "random"].reset_index(drop=True)
    for metric in disruption.METRICS:
        values = np.array([run[metric].to_numpy() for run in runs])
        assert np.allclose(random_rows[metric], values.mean(axis=0))
        assert np.allclose(random_rows[f"{metric}_sd"], values.std(axis=0, ddof=1))
    degree_rows = curves[curves["strategy"] == "degree"]
    assert degree_rows["lcc_fraction_sd"].isna().all()
    assert degree_rows["removed"].tolist()[1:] == net.disruption(k=5, measure="degree", recalculate=True)[
        "removed"].tolist()[1:]
    other = net.attack_curves(["degree"], k=5, runs=4, seed=4)
    assert not other[other["strategy"] == "random"]["lcc_fraction"].equals(random_rows["lcc_fraction"])


def test_attack_curves_plot_to_a_file(tmp_path):
    net = ng.Network.from_networkx(nx.relabel_nodes(nx.karate_club_graph(), str))
    path = tmp_path / "attack.png"
    curves = net.attack_curves(["degree", "betweenness", "kpp"], k=4, runs=3, plot=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(curves["strategy"]) == {"degree", "betweenness", "kpp", "random"}
    assert (curves.groupby("strategy")["step"].max() == 4).all()


def test_unknown_measure_and_ties_broken_by_id():
    net = ng.Network.from_edges(pd.DataFrame({"source": ["c", "c", "a", "a"], "target": ["x", "y", "p", "q"]}))
    assert net.disruption(k=2, measure="degree")["removed"].tolist()[1:] == ["a", "c"]  # both degree 2
    with pytest.raises(ng.NetworkInputError, match="no measure 'fame'"):
        net.disruption(k=2, measure="fame")
    assert math.isnan(net.disruption(remove=["x"])["score"].iloc[1])


def test_path_metrics_from_sampled_sources_on_big_networks(monkeypatch):
    net = matrix_network(shared_file("covert", "morselli_caviar.csv"))
    exact = net.disruption(k=5, measure="degree", recalculate=True)
    assert exact.attrs["methods"]["efficiency"] == "exact"
    monkeypatch.setattr(disruption.measures, "PATH_MEASURES_MAX_NODES", 50)
    monkeypatch.setattr(disruption.measures, "PATH_SAMPLE_SOURCES", 1_000)  # every node a source: the same values
    every = net.disruption(k=5, measure="degree", recalculate=True)
    for metric in ("average_distance", "efficiency", "distance_fragmentation"):
        assert np.allclose(every[metric], exact[metric], atol=1e-12), metric
    monkeypatch.setattr(disruption.measures, "PATH_SAMPLE_SOURCES", 40)
    sampled = net.disruption(k=5, measure="degree", recalculate=True, seed=2)
    assert sampled.attrs["methods"]["efficiency"] == "estimated from 40 sampled sources per step, seed 2"
    assert sampled["removed"].equals(exact["removed"]) and sampled["lcc_fraction"].equals(exact["lcc_fraction"])
    assert np.allclose(sampled["efficiency"], exact["efficiency"], atol=0.03)
    assert np.allclose(sampled["average_distance"], exact["average_distance"], rtol=0.1)
    assert not np.allclose(sampled["efficiency"], exact["efficiency"], atol=1e-9)  # an estimate, really


def test_key_player_search_and_curves_refuse_what_they_cannot_do(monkeypatch):
    net = ng.Network.from_networkx(nx.relabel_nodes(nx.karate_club_graph(), str))
    with pytest.raises(ng.NetworkInputError, match="random removal is the baseline"):
        net.attack_curves(["degree", "random"], k=3)
    monkeypatch.setattr(disruption, "KPP_MAX_NODES", 20)
    with pytest.raises(ng.NetworkInputError, match="at most 20 nodes, not 34"):
        net.disruption(k=3, measure="kpp")
