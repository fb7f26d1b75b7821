"""Key players and disruption: what happens to a network if these people are arrested.

An attack removes people one after another, chosen by a measure computed once on the intact network
(``recalculate=False``) or again after every removal (``recalculate=True``: the sequential attack of Duijn et
al. 2014 and Cavallaro et al. 2020). Measures: degree (weighted: strength), betweenness (weighted: tie length
1/weight), PageRank and eigenvector (weighted: tie weights), collective influence (Morone & Makse 2015, radius
``CI_RADIUS``, on hops), any other measure of :func:`netgraph.analysis.measures.centrality`, ``kpp``: the key
player set that fragments the network most (Borgatti 2006, KPP-Neg), and ``random`` (seeded).

Choice rule, stable: the highest score, scores compared rounded to ``DECIMALS`` decimals, ties to the smallest
node id (igraph vertex name). Connectivity is undirected (a directed network is read as undirected).

After each removal, on hops: components, the largest component and its share of the original one
(``lcc_fraction``), average distance between connected pairs, Borgatti's fragmentation (share of pairs that
cannot reach each other) and distance-weighted fragmentation (1 − mean of 1/distance over pairs), and global
efficiency (Latora & Marchiori 2001: the mean of 1/distance, so 1 − distance-weighted fragmentation; both are
reported because the two literatures name it so). Above ``measures.PATH_MEASURES_MAX_NODES`` nodes average
distance and efficiency are estimated from ``measures.PATH_SAMPLE_SOURCES`` seeded sources per step (a search
from every node at every step took 80 s a step on 20,000 nodes); the frame's ``attrs["methods"]`` says which.

>>> import igraph as ig
>>> fragmentation(ig.Graph(n=4, edges=[(0, 1), (2, 3)]))   # two pairs: 1 − (2·1 + 2·1) / (4·3)
0.6666666666666667
>>> g = ig.Graph.Famous("Zachary"); g.vs["name"] = [f"{i:02d}" for i in range(34)]; g.es["weight"] = 1.0
>>> attack(g, 2, "degree", recalculate=True)[0]           # the two leaders
['33', '00']
"""
from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pandas as pd

from . import measures
from .edgelist import NetworkInputError

STRATEGIES = ("degree", "betweenness", "pagerank", "eigenvector", "collective_influence", "kpp")
METRICS = ("lcc_fraction", "fragmentation", "distance_fragmentation", "efficiency")
DECIMALS = 10  # scores are compared rounded to this many decimals, so float noise cannot reorder ties
CI_RADIUS = 2  # collective influence counts the excess degrees at exactly this many hops
KPP_RESTARTS = 5  # random starting sets of the key player search (the best result is kept)
KPP_MAX_NODES = 500  # beyond this the search takes many minutes (110 nodes, k = 10: 5–8 s)


def fragmentation(graph: ig.Graph) -> float:
    """Borgatti's fragmentation: the share of node pairs that cannot reach each other (0 = one component)."""
    return _fragmentation(graph.connected_components().sizes(), graph.vcount())


def _fragmentation(sizes: list[int], n: int) -> float:
    return 1.0 - sum(s * (s - 1) for s in sizes) / (n * (n - 1)) if n >= 2 else 0.0


def efficiency(graph: ig.Graph) -> float:
    """Global efficiency: the mean of 1/distance (hops) over ordered pairs, unreachable pairs 0 (0 below 2
    nodes)."""
    n = graph.vcount()
    if n < 2:
        return 0.0
    return float(np.sum(graph.harmonic_centrality(mode="all", normalized=False))) / (n * (n - 1))


def distance_fragmentation(graph: ig.Graph) -> float:
    """Borgatti's distance-weighted fragmentation: 1 − global efficiency (0 below 2 nodes, like
    :func:`fragmentation`)."""
    return 1.0 - efficiency(graph) if graph.vcount() >= 2 else 0.0


def path_method(n: int, seed: int = 0) -> str:
    """How :func:`structure` computes average distance and efficiency on ``n`` nodes."""
    if n <= measures.PATH_MEASURES_MAX_NODES:
        return "exact"
    return f"estimated from {measures.PATH_SAMPLE_SOURCES} sampled sources per step, seed {seed}"


def _path_metrics(graph: ig.Graph, seed: int) -> tuple[float, float]:
    """(average distance over connected pairs, efficiency), exact or from sampled sources (module doc)."""
    n = graph.vcount()
    if n < 2 or graph.ecount() == 0:
        return 0.0, 0.0
    if n <= measures.PATH_MEASURES_MAX_NODES:
        return graph.average_path_length(directed=False, unconn=True), efficiency(graph)
    sources = sorted(random.Random(seed).sample(range(n), min(n, measures.PATH_SAMPLE_SOURCES)))
    inverse = np.asarray(graph.harmonic_centrality(vertices=sources, mode="all", normalized=False))
    closeness = np.asarray(graph.closeness(vertices=sources, mode="all", normalized=False), dtype=float)
    components = graph.connected_components()
    reached = np.asarray(components.sizes())[np.asarray(components.membership)[sources]] - 1
    reaches = reached > 0  # closeness = 1 / the sum of distances to the nodes reached
    total = float(np.sum(1.0 / closeness[reaches]))
    return (total / reached.sum() if reaches.any() else 0.0), float(inverse.mean()) / (n - 1)


def structure(graph: ig.Graph, original_largest: int | None = None, seed: int = 0) -> dict:
    """Components, largest component (and its share of ``original_largest``), average distance (hops, over
    connected pairs), fragmentation, distance-weighted fragmentation and efficiency."""
    components = graph.connected_components()
    largest = max(components.sizes(), default=0)
    original = largest if original_largest is None else original_largest
    average, reach = _path_metrics(graph, seed)
    return {"nodes": graph.vcount(), "edges": graph.ecount(), "components": len(components),
            "largest_component": largest, "lcc_fraction": largest / original if original else 0.0,
            "average_distance": average, "fragmentation": _fragmentation(components.sizes(), graph.vcount()),
            "distance_fragmentation": 1.0 - reach if graph.vcount() >= 2 else 0.0, "efficiency": reach}


def collective_influence(graph: ig.Graph, radius: int = CI_RADIUS) -> np.ndarray:
    """CI_ℓ(i) = (k_i − 1) · Σ (k_j − 1) over the nodes j exactly ℓ = ``radius`` hops from i."""
    excess = np.asarray(graph.degree(), dtype=float) - 1.0
    frontier = graph.neighborhood(order=radius, mindist=radius)
    return excess * np.array([excess[f].sum() for f in frontier])


def scores(graph: ig.Graph, measure: str, weighted: bool = True, betweenness_k: int | None = None,
           seed: int = 0) -> np.ndarray:
    """Each vertex's score by ``measure`` (degree is strength when ``weighted``)."""
    if measure == "collective_influence":
        return collective_influence(graph)
    column = "strength" if measure == "degree" and weighted else measure
    if column not in measures.MEASURES:
        raise NetworkInputError(f"no measure {measure!r}; choose from {[*STRATEGIES, 'random', *measures.MEASURES]}",
                                "disruption")
    return measures.centrality(graph, weighted, betweenness_k, seed, (column,))[column].to_numpy(dtype=float)


def _ranked(values: np.ndarray, names: list[str]) -> list[int]:
    """Vertex indices by the choice rule (module doc)."""
    rounded = np.round(values, DECIMALS)
    return sorted(range(len(names)), key=lambda i: (-rounded[i], names[i]))


def _best(values: np.ndarray, names: list[str]) -> int:
    """The first of :func:`_ranked`, without sorting them all."""
    rounded = np.round(values, DECIMALS)
    return min(range(len(names)), key=lambda i: (-rounded[i], names[i]))


def attack(graph: ig.Graph, k: int, measure: str = "betweenness", recalculate: bool = False,
           weighted: bool = True, betweenness_k: int | None = None, seed: int = 0) -> tuple[list[str], list[float]]:
    """The ``k`` vertex names an attack by ``measure`` removes, in order, and each one's score when chosen
    (NaN for ``random``; for ``kpp``, the distance-weighted fragmentation after its removal)."""
    names = graph.vs["name"]
    k = max(0, min(k, graph.vcount()))
    if measure == "random":
        return random.Random(seed).sample(sorted(names), k), [np.nan] * k
    if measure == "kpp":
        return _kpp_order(graph, key_players(graph, k, seed))
    if not recalculate:
        values = scores(graph, measure, weighted, betweenness_k, seed)
        order = _ranked(values, names)[:k]
        return [names[i] for i in order], [float(values[i]) for i in order]
    current, removed, chosen = graph.copy(), [], []
    for _ in range(k):
        values = scores(current, measure, weighted, betweenness_k, seed)
        at = _best(values, current.vs["name"])
        removed.append(current.vs[at]["name"])
        chosen.append(float(values[at]))
        current.delete_vertices(at)
    return removed, chosen


def key_players(graph: ig.Graph, k: int, seed: int = 0, restarts: int = KPP_RESTARTS) -> list[str]:
    """Borgatti's KPP-Neg: ``k`` vertices whose removal together maximises distance-weighted fragmentation.

    Greedy swaps (Borgatti 2006): from a random set, make the swap of a member for a non-member that raises
    fragmentation most, until none does; ``restarts`` seeded starting sets, the best result kept (equal
    results: the first found; swaps are tried in vertex order). A heuristic: each pass costs k·(n − k)
    all-pairs searches, so it suits networks of hundreds of nodes."""
    n = graph.vcount()
    if n > KPP_MAX_NODES:
        raise NetworkInputError(f"the key player search is for networks of at most {KPP_MAX_NODES} nodes, not "
                                f"{n:,} (each pass costs k·(n − k) searches from every node): attack by another "
                                f"measure, or a subnetwork", "kpp")
    k = max(0, min(k, n))
    if k in (0, n):
        return sorted(graph.vs["name"])[:k] if k else []
    rng = random.Random(seed)
    best, best_value = None, -1.0
    for _ in range(restarts):
        chosen = sorted(rng.sample(range(n), k))
        value = _fragmentation_without(graph, chosen)
        while True:
            swap, swap_value = None, value
            for out in chosen:
                for into in range(n):
                    if into in chosen:
                        continue
                    trial = _fragmentation_without(graph, [v for v in chosen if v != out] + [into])
                    if trial > swap_value + 10 ** -DECIMALS:
                        swap, swap_value = (out, into), trial
            if swap is None:
                break
            chosen = sorted([v for v in chosen if v != swap[0]] + [swap[1]])
            value = swap_value
        if value > best_value + 10 ** -DECIMALS:
            best, best_value = chosen, value
    return sorted(graph.vs[v]["name"] for v in best)


def _fragmentation_without(graph: ig.Graph, removed: list[int]) -> float:
    gone = set(removed)
    return distance_fragmentation(graph.induced_subgraph([v for v in range(graph.vcount()) if v not in gone]))


def _kpp_order(graph: ig.Graph, chosen: list[str]) -> tuple[list[str], list[float]]:
    """The set in removal order: each step the member whose removal fragments most (ties: smallest name)."""
    index = {name: i for i, name in enumerate(graph.vs["name"])}
    order, values, left = [], [], sorted(chosen)
    while left:
        trials = [_fragmentation_without(graph, [index[v] for v in [*order, name]]) for name in left]
        at = _best(np.array(trials), left)
        order.append(left.pop(at))
        values.append(trials[at])
    return order, values


def remove_and_measure(graph: ig.Graph, removal_order: list[str], chosen_scores: list[float] | None = None,
                       seed: int = 0) -> pd.DataFrame:
    """Remove the named vertices one after another; one row per step (step 0 = the intact network), with
    each removed vertex's ``score`` when given (``seed``: sources of estimated path metrics)."""
    missing = [v for v in removal_order if v not in set(graph.vs["name"])]
    if missing:
        raise KeyError(f"not in the network: {missing}")
    first = structure(graph, seed=seed)
    rows = [{"step": 0, "removed": None, "score": np.nan, **first}]
    current = graph.copy()
    chosen_scores = chosen_scores or [np.nan] * len(removal_order)
    for step, (name, score) in enumerate(zip(removal_order, chosen_scores), start=1):
        current.delete_vertices(current.vs.find(name=name).index)
        rows.append({"step": step, "removed": name, "score": score,
                     **structure(current, first["largest_component"], seed)})
    frame = pd.DataFrame(rows)
    frame.attrs["methods"] = {m: path_method(graph.vcount(), seed) for m in ("average_distance", "efficiency")}
    return frame


def attack_curves(graph: ig.Graph, strategies=STRATEGIES[:-1], k: int = 10, recalculate: bool = True,
                  weighted: bool = True, runs: int = 20, seed: int = 0,
                  betweenness_k: int | None = None) -> pd.DataFrame:
    """One row per strategy and step: what was removed and ``METRICS``; plus ``random``, the mean over
    ``runs`` seeded random orders (run r drawn with seed ``seed + r``), with ``*_sd`` columns (their
    standard deviation; NaN for the other strategies). ``kpp`` is left out unless named (it is slow)."""
    if "random" in strategies:
        raise NetworkInputError("random removal is the baseline, not a strategy: set runs", "attack_curves")
    frames = []
    for strategy in strategies:
        order, chosen = attack(graph, k, strategy, recalculate, weighted, betweenness_k, seed)
        steps = remove_and_measure(graph, order, chosen, seed)
        frames.append(steps[["step", "removed", "score", *METRICS]].assign(strategy=strategy))
    if runs:
        trials = pd.concat([remove_and_measure(graph, attack(graph, k, "random", seed=seed + r)[0], seed=seed)
                            for r in range(runs)])
        grouped = trials.groupby("step")[list(METRICS)]
        mean, sd = grouped.mean(), grouped.std(ddof=1).fillna(0.0)
        frames.append(mean.join(sd.add_suffix("_sd")).reset_index().assign(strategy="random", removed=None))
    curves = pd.concat(frames, ignore_index=True)
    columns = ["strategy", "step", "removed", "score", *METRICS, *[f"{m}_sd" for m in METRICS]]
    curves = curves.reindex(columns=columns)
    curves.attrs["methods"] = {"efficiency": path_method(graph.vcount(), seed)}
    return curves


def plot_attack_curves(curves: pd.DataFrame, metric: str = "lcc_fraction", ax=None):
    """Draw ``metric`` against people removed, one line per strategy, random as mean ± sd; returns the Axes.

    >>> ax = plot_attack_curves(net.attack_curves(["degree", "betweenness"], k=10))   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    if metric not in METRICS:
        raise NetworkInputError(f"no metric {metric!r}; choose from {list(METRICS)}", "plot_attack_curves")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for strategy, part in curves.groupby("strategy", sort=False):
        if strategy == "random":
            ax.plot(part["step"], part[metric], color="grey", linestyle="--", label="random (mean ± sd)")
            ax.fill_between(part["step"], part[metric] - part[f"{metric}_sd"], part[metric] + part[f"{metric}_sd"],
                            color="grey", alpha=0.2)
        else:
            ax.plot(part["step"], part[metric], marker="o", markersize=3, label=strategy)
    ax.set_xlabel("people removed")
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(frameon=False)
    return ax
