"""Centrality and brokerage measures on an undirected, weighted igraph Graph (python-igraph does the work).

Weights are tie strengths (number of supporting records). Where a measure needs distances (betweenness,
closeness, harmonic), a tie's length is ``1 / weight``: a tie seen in many records is a short path.
Every function returns a DataFrame indexed like ``graph.vs`` (column ``id`` = vertex ``name``).

>>> import igraph as ig
>>> g = ig.Graph.Famous("Zachary"); g.vs["name"] = [str(i) for i in range(34)]; g.es["weight"] = 1.0
>>> centrality(g).sort_values("betweenness", ascending=False).iloc[0]["id"]
'0'
"""
from __future__ import annotations

import random
import warnings

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..resources import NetgraphError

GF_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")

MAX_TWO_PATHS = 300_000_000
"""Two-paths a – b – c (pairs of a node's ties) above which the brokerage measures refuse to run: Burt's
effective size multiplies along them and Gould–Fernandez lists every triangle, so their memory grows with them
(the person network of 1,000,000 generated records, 26 million ties in dense groups, filled 21 GB and was
killed). The covert networks and samples have a few thousand to a few million."""


class NetworkTooLargeError(NetgraphError, MemoryError):
    """A measure would need more memory than a desktop has; the message says how to narrow the network."""


def check_two_paths(graph: ig.Graph, measure: str) -> None:
    """Raise :class:`NetworkTooLargeError` if ``graph`` has more than ``MAX_TWO_PATHS`` two-paths."""
    degree = np.asarray(graph.degree(), dtype=np.float64)
    paths = float((degree * (degree - 1) / 2).sum())
    if paths > MAX_TWO_PATHS:
        raise NetworkTooLargeError(
            f"{measure} on this network ({graph.vcount():,} nodes, {graph.ecount():,} ties) would go through "
            f"{paths:,.0f} two-paths, more than {MAX_TWO_PATHS:,} (memory grows with them): narrow it — a date "
            "window, countries, fewer kinds of tie (via), or a lower max_hub_people — or use centrality(), "
            "which has no such limit")


def _lengths(graph: ig.Graph, weighted: bool):
    return [1.0 / w for w in graph.es["weight"]] if weighted and graph.ecount() else None


MEASURES = ("degree", "strength", "betweenness", "closeness", "harmonic", "eigenvector", "pagerank", "k_core")

PATH_MEASURES_MAX_NODES = 5_000
"""Closeness, harmonic centrality and (unless a sample size is given) betweenness are exact on graphs up to this
many nodes; above it they are estimated.

Both need a shortest-path search from every node (n Dijkstra runs, about n × m work): on a 10,000-node network
they were 98% of ``to_html``, and at 100,000 nodes they did not finish. Above the threshold
:func:`path_measures` runs searches from :func:`sample_sources` sampled sources instead, and the frame's
``attrs["methods"]`` says so. No ranking in netgraph uses these two measures (the broker report ranks by
betweenness, PageRank, effective size, brokerage, groups bridged and constraint)."""

PATH_SAMPLE_SOURCES = 200
"""Sources sampled (per connected component) for closeness, harmonic and betweenness above
``PATH_MEASURES_MAX_NODES``, at most (see :func:`sample_sources`); also the HTML view's sample there."""

SAMPLE_WORK = 10_000_000
"""Sampled sources × ties a path measure estimated by default may cost: a weighted search from one source
costs about one pass over the ties (200 sources over 500,000 ties took 44 s), so above 50,000 ties fewer than
``PATH_SAMPLE_SOURCES`` sources are drawn, and never fewer than ``MIN_SAMPLE_SOURCES``."""
MIN_SAMPLE_SOURCES = 10


def sample_sources(nodes: int, ties: int, work: int | None = None) -> int:
    """Sources to draw for an estimated path measure: ``PATH_SAMPLE_SOURCES`` (or every node, if fewer) up to
    ``work`` source-ties (default ``SAMPLE_WORK``), fewer above, at least ``MIN_SAMPLE_SOURCES``.

    >>> sample_sources(100_000, 500_000), sample_sources(3_000, 15_000), sample_sources(50, 10**9)
    (20, 200, 10)
    """
    work = SAMPLE_WORK if work is None else work
    return min(nodes, PATH_SAMPLE_SOURCES, max(MIN_SAMPLE_SOURCES, work // max(ties, 1)))


def centrality(graph: ig.Graph, weighted: bool = True, betweenness_k: int | None = None,
               seed: int = 0, which: tuple[str, ...] = MEASURES, path_k: int | None = None,
               vertices: list[int] | None = None) -> pd.DataFrame:
    """Degree, strength, betweenness, closeness, harmonic, eigenvector, PageRank and k-core number
    (or only the measures named in ``which``).

    ``betweenness`` is normalised to [0, 1] (the share of all pairs' shortest paths through a node). With
    ``betweenness_k``, it is estimated from ``k`` source nodes drawn with ``seed`` (Brandes & Pich 2007),
    scaled by n/k; ``frame.attrs["betweenness_sources"]`` records k. Without it, betweenness is exact up to
    ``PATH_MEASURES_MAX_NODES`` nodes and estimated from :func:`sample_sources` sources above
    (``betweenness_k >= n``: exact at any size).

    ``closeness`` and ``harmonic`` are exact up to ``PATH_MEASURES_MAX_NODES`` nodes and estimated from
    :func:`sample_sources` sampled sources above it (see :func:`path_measures`); ``path_k`` sets the number
    of sources instead (``path_k >= n``: exact). ``vertices``: only these rows (vertex indices); closeness
    and harmonic are then computed for them alone, the other measures on the whole graph.
    ``frame.attrs["methods"]`` says, for each path measure computed, whether it is exact or estimated.
    """
    unknown = set(which) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}; choose from {MEASURES}")
    lengths = _lengths(graph, weighted)
    weights = graph.es["weight"] if weighted and graph.ecount() else None
    rows = slice(None) if vertices is None else list(vertices)
    compute = {
        "degree": lambda: graph.degree(),
        "strength": lambda: graph.strength(weights=weights),
        "eigenvector": lambda: _eigenvector(graph, weights),
        "pagerank": lambda: graph.pagerank(weights=weights),
        "k_core": lambda: graph.coreness(),
    }
    names = graph.vs["name"]
    frame = pd.DataFrame({"id": names if vertices is None else [names[v] for v in rows]})
    methods = {}
    paths = tuple(m for m in ("closeness", "harmonic") if m in which)
    if paths:
        path_values, method = path_measures(graph, lengths, path_k, seed, vertices, paths)
        methods.update({m: method for m in paths})
    for name in (m for m in MEASURES if m in which):
        if name == "betweenness":
            n = graph.vcount()
            auto = betweenness_k is None and n > PATH_MEASURES_MAX_NODES
            values, used = betweenness(graph, lengths, sample_sources(n, graph.ecount()) if auto else betweenness_k,
                                       seed)
            frame["betweenness"] = values if vertices is None else np.asarray(values, dtype=float)[rows]
            frame.attrs["betweenness_sources"] = used
            methods["betweenness"] = "exact" if used >= n else \
                f"estimated from {used} sampled sources, seed {seed}" + \
                (f" (network of {n:,} nodes, above {PATH_MEASURES_MAX_NODES:,})" if auto else "")
        elif name in paths:
            frame[name] = path_values[name]
        elif graph.vcount():
            values = compute[name]()
            frame[name] = values if vertices is None else np.asarray(values)[rows]
        else:
            frame[name] = []
    frame.attrs["methods"] = {m: methods[m] for m in MEASURES if m in methods}
    return frame


def path_measures(graph: ig.Graph, lengths: list[float] | None, k: int | None = None, seed: int = 0,
                  vertices: list[int] | None = None, which: tuple[str, ...] = ("closeness", "harmonic")):
    """Closeness (1 / mean distance to the nodes a node reaches; 0 for isolates) and harmonic centrality
    (mean of 1 / distance over all other nodes), exact or estimated; returns ({measure: values}, method).

    Exact (igraph, a search from every node) when ``k`` is None and the graph has at most
    ``PATH_MEASURES_MAX_NODES`` nodes, or when ``k >= n``. Otherwise ``k`` (default :func:`sample_sources`)
    sources are drawn with ``seed`` in every connected component larger than ``k`` nodes, and each node's
    distances to them stand in for its distances to the whole component (Eppstein & Wang 2004): closeness ≈
    sampled sources reached / sum of distances to them; harmonic ≈ (|C| − 1) / (sources other than the node)
    × their summed inverse distances, over n − 1. Components of at most ``k`` nodes are computed exactly (each
    search stays inside its component, so the cost stays near ``k`` searches of the whole graph).
    ``vertices``: only these (indices, in that order).
    """
    n = graph.vcount()
    if (k is None and n <= PATH_MEASURES_MAX_NODES) or (k is not None and k >= n):
        out = {}
        if "closeness" in which:
            out["closeness"] = np.nan_to_num(np.asarray(graph.closeness(vertices=vertices, weights=lengths),
                                                        dtype=float), nan=0.0) if n else np.array([])
        if "harmonic" in which:
            out["harmonic"] = np.asarray(graph.harmonic_centrality(vertices=vertices, weights=lengths),
                                         dtype=float) if n else np.array([])
        return out, "exact"
    auto = k is None
    k = sample_sources(n, graph.ecount()) if auto else k
    if k < 1:
        raise ValueError(f"path_k must be at least 1, not {k}")
    membership = np.asarray(graph.connected_components(mode="weak").membership)
    sizes = np.bincount(membership)
    targets = np.arange(n) if vertices is None else np.asarray(vertices, dtype=np.int64)
    closeness = np.zeros(len(targets))
    harmonic = np.zeros(len(targets))
    small = sizes[membership[targets]] <= k
    if small.any():  # exact: each search stays inside a component of at most k nodes
        few = targets[small].tolist()
        closeness[small] = np.nan_to_num(np.asarray(graph.closeness(vertices=few, weights=lengths), dtype=float),
                                          nan=0.0)
        harmonic[small] = graph.harmonic_centrality(vertices=few, weights=lengths)
    rng = random.Random(seed)
    for component in np.flatnonzero(sizes > k):  # draw for every component, so a subset gets the same sources
        sources = sorted(rng.sample(np.flatnonzero(membership == component).tolist(), k))
        at = np.flatnonzero(membership[targets] == component)
        if not len(at):
            continue
        inside = targets[at]
        total, inverse, reached = np.zeros(len(at)), np.zeros(len(at)), np.zeros(len(at))
        chunk = max(1, 1_000_000 // int(sizes[component]))  # bounds memory; the same for any subset
        for start in range(0, k, chunk):
            block = sources[start:start + chunk]
            d = np.asarray(graph.distances(source=block, target=inside.tolist(), weights=lengths, mode="all"),
                           dtype=float)
            other = np.asarray(block)[:, None] != inside[None, :]
            total += np.where(other, d, 0.0).sum(axis=0)
            with np.errstate(divide="ignore"):
                inverse += np.where(other, 1.0 / d, 0.0).sum(axis=0)
            reached += other.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            closeness[at] = np.where(total > 0, reached / total, 0.0)
            harmonic[at] = np.where(reached > 0, (sizes[component] - 1) / reached * inverse, 0.0) / (n - 1)
    out = {"closeness": closeness, "harmonic": harmonic}
    method = f"estimated from {k} sampled sources per component of more than {k} nodes, seed {seed}"
    if auto:
        method += f" (network of {n:,} nodes, above {PATH_MEASURES_MAX_NODES:,})"
    return {m: out[m] for m in which}, method


def betweenness(graph: ig.Graph, lengths: list[float] | None, k: int | None, seed: int) -> tuple[list, int]:
    """Normalised betweenness, exact or from ``k`` sampled sources; returns (values, sources used)."""
    n = graph.vcount()
    if n < 3:
        return [0.0] * n, n
    pairs = (n - 1) * (n - 2) / 2
    if k is None or k >= n:
        return [b / pairs for b in graph.betweenness(directed=False, weights=lengths)], n
    sources = sorted(random.Random(seed).sample(range(n), k))
    raw = graph.betweenness(directed=False, weights=lengths, sources=sources)
    return [b * n / k / pairs for b in raw], k


def _eigenvector(graph: ig.Graph, weights) -> list[float]:
    """igraph's eigenvector centrality of the whole graph, scaled to max 1. On a disconnected graph the
    components outside the dominant one score about 0 (igraph's warning says so; it is silenced here)."""
    if graph.ecount() == 0:
        return [0.0] * graph.vcount()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Some eigenvector centralities are nearly zero")
        return graph.eigenvector_centrality(scale=True, weights=weights)


def constraint_and_effective_size(graph: ig.Graph, weighted: bool = True) -> pd.DataFrame:
    """Burt's constraint (igraph) and Burt's effective size (weighted formula; NaN for isolates).
    Raises :class:`NetworkTooLargeError` above ``MAX_TWO_PATHS`` two-paths."""
    check_two_paths(graph, "Burt's constraint and effective size")
    weights = graph.es["weight"] if weighted and graph.ecount() else None
    constraint = graph.constraint(weights=weights) if graph.vcount() else []
    return pd.DataFrame({"id": graph.vs["name"], "constraint": constraint,
                         "effective_size": effective_size(graph, weighted)})


def effective_size(graph: ig.Graph, weighted: bool = True) -> np.ndarray:
    """Burt (1992): esize_i = Σ_j (1 − Σ_q p_iq m_jq) over i's contacts j, q ≠ j.

    p_iq is i's share of tie strength spent on q; m_jq is j's tie to q over j's strongest tie.
    """
    n = graph.vcount()
    if n == 0:
        return np.array([])
    edges = np.array(graph.get_edgelist()).reshape(-1, 2)
    w = np.array(graph.es["weight"], dtype=float) if weighted and graph.ecount() else np.ones(len(edges))
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    a = sp.csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n))
    a.sum_duplicates()
    a.setdiag(0)
    a.eliminate_zeros()
    strength = np.asarray(a.sum(axis=1)).ravel()
    strongest = a.max(axis=1).toarray().ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        p = sp.diags(np.where(strength > 0, 1 / strength, 0)) @ a
        m = sp.diags(np.where(strongest > 0, 1 / strongest, 0)) @ a
    redundancy = (p @ m.T).multiply(a > 0)  # Σ_q p_iq m_jq for each tie (i, j)
    degree = np.diff(a.indptr)
    out = degree - np.asarray(redundancy.sum(axis=1)).ravel()
    return np.where(degree > 0, out, np.nan)


def gould_fernandez(graph: ig.Graph, groups: list) -> pd.DataFrame:
    """Gould & Fernandez (1989) brokerage roles on the open two-paths a – b – c (a, c not tied).

    Counted over ordered pairs (a, c), as UCINET does for symmetric data, so in an undirected network
    every coordinator, itinerant and liaison path counts twice and representative = gatekeeper.
    Nodes whose group is unknown (None) broker nothing and count as no endpoint. Raises
    :class:`NetworkTooLargeError` above ``MAX_TWO_PATHS`` two-paths.
    """
    check_two_paths(graph, "Gould-Fernandez brokerage")
    n = graph.vcount()
    codes, _ = pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=True)
    counts = {role: np.zeros(n, dtype=np.int64) for role in GF_ROLES}
    neighbours = graph.get_adjlist()
    for b in range(n):
        if codes[b] < 0 or len(neighbours[b]) < 2:
            continue
        per_group = pd.Series(codes[neighbours[b]]).value_counts()
        known = per_group[per_group.index >= 0]
        d = int(known.sum())
        same = int(known.get(codes[b], 0))
        other_groups = known.drop(codes[b], errors="ignore")
        counts["coordinator"][b] = same * (same - 1)
        counts["representative"][b] = same * (d - same)
        counts["gatekeeper"][b] = (d - same) * same
        itinerant = int((other_groups * (other_groups - 1)).sum())
        counts["itinerant"][b] = itinerant
        counts["liaison"][b] = (d - same) * (d - same - 1) - itinerant
    triangles = np.asarray(graph.list_triangles(), dtype=np.int64).reshape(-1, 3)
    for b, a, c in ((0, 1, 2), (1, 0, 2), (2, 0, 1)):  # closed two-paths are not brokerage: remove them
        for first, last in ((a, c), (c, a)):
            middle = triangles[:, b]
            roles = _roles(codes[triangles[:, first]], codes[middle], codes[triangles[:, last]])
            for code, role in enumerate(GF_ROLES):
                np.subtract.at(counts[role], middle[roles == code], 1)
    frame = pd.DataFrame({"id": graph.vs["name"], **counts})
    frame["brokerage"] = frame[list(GF_ROLES)].sum(axis=1)
    return frame


def _roles(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """The role (index in ``GF_ROLES``) of b on each path a – b – c from the groups' codes; −1 if a group is
    unknown."""
    roles = np.select([ga == gc, ga == gb, gb == gc], [GF_ROLES.index("itinerant"), GF_ROLES.index("representative"),
                                                       GF_ROLES.index("gatekeeper")], GF_ROLES.index("liaison"))
    roles[(ga == gb) & (gb == gc)] = GF_ROLES.index("coordinator")
    roles[(ga < 0) | (gb < 0) | (gc < 0)] = -1
    return roles


def cut_points(graph: ig.Graph) -> pd.DataFrame:
    """Articulation points (removing the node splits a component) and the number of bridges at each node."""
    frame = pd.DataFrame({"id": graph.vs["name"], "articulation_point": False, "bridges": 0})
    frame.loc[graph.articulation_points(), "articulation_point"] = True
    for e in graph.bridges():
        for v in graph.es[e].tuple:
            frame.loc[v, "bridges"] += 1
    return frame


def bridges(graph: ig.Graph) -> pd.DataFrame:
    """The bridges: ties whose removal splits a component."""
    pairs = [graph.es[e].tuple for e in graph.bridges()]
    return pd.DataFrame([(graph.vs[a]["name"], graph.vs[b]["name"]) for a, b in pairs], columns=["source", "target"])
