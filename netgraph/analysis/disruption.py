"""Key players and disruption: what happens to a network if these people are arrested.

>>> import igraph as ig
>>> fragmentation(ig.Graph(n=4, edges=[(0, 1), (2, 3)]))   # two pairs: 1 − (2·1 + 2·1) / (4·3)
0.6666666666666667
"""
from __future__ import annotations

import igraph as ig
import pandas as pd


def fragmentation(graph: ig.Graph) -> float:
    """Borgatti's fragmentation: the share of node pairs that cannot reach each other (0 = one component)."""
    n = graph.vcount()
    if n < 2:
        return 0.0
    sizes = graph.connected_components().sizes()
    return 1.0 - sum(s * (s - 1) for s in sizes) / (n * (n - 1))


def structure(graph: ig.Graph) -> dict:
    """Components, largest component, average distance (hops, over connected pairs), fragmentation."""
    components = graph.connected_components()
    return {"nodes": graph.vcount(), "edges": graph.ecount(), "components": len(components),
            "largest_component": max(components.sizes(), default=0),
            "average_distance": graph.average_path_length(directed=False, unconn=True) if graph.ecount() else 0.0,
            "fragmentation": fragmentation(graph)}


def remove_and_measure(graph: ig.Graph, removal_order: list[str]) -> pd.DataFrame:
    """Remove the named vertices one after another; one row per step (step 0 = the intact network)."""
    missing = [v for v in removal_order if v not in set(graph.vs["name"])]
    if missing:
        raise KeyError(f"not in the network: {missing}")
    rows = [{"step": 0, "removed": None, **structure(graph)}]
    current = graph.copy()
    for step, name in enumerate(removal_order, start=1):
        current.delete_vertices(current.vs.find(name=name).index)
        rows.append({"step": step, "removed": name, **structure(current)})
    return pd.DataFrame(rows)
