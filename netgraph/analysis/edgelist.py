"""Networks from edge lists, NetworkX and igraph graphs: ties that no seizure record supports.

An edge list has columns ``source`` and ``target``, optionally a weight column and a layer column (``layer``
or ``kind``: what ties the pair, e.g. communication, kinship). Rows for the same pair and layer add up their
weights (undirected: a–b and b–a are one pair); a pair tied in several layers is one tie whose ``via`` lists
the layers and ``layer_weights`` their weights (same order), and whose ``weight`` is their sum. Without a
layer column every tie is in the one layer ``tie``. Such ties have no records: ``records`` is 0 and
``sources`` and ``hubs`` are empty. Node ids become text; self-ties are dropped and counted in the network's
description. Nodes listed in ``nodes`` without a tie stay, as isolates.

>>> edges = pd.DataFrame({"source": ["a", "b", "b"], "target": ["b", "a", "c"], "weight": [1, 2, 1]})
>>> table = edge_table(edges)
>>> table.edges[["source", "target", "weight", "via"]].values.tolist()
[['a', 'b', 3.0, ['tie']], ['b', 'c', 1.0, ['tie']]]
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from ..ingest.tables import ROW, read_table
from ..resources import NetgraphError

DEFAULT_LAYER = "tie"
LAYER_COLUMNS = ("layer", "kind")  # the first of these an edge list has names each tie's layer


class NetworkInputError(NetgraphError, ValueError):
    """An edge list, node list or graph netgraph cannot make a network of; the message names the file (or
    ``edges`` / ``nodes`` for a DataFrame), the row and the column."""

    def __init__(self, message: str, where: str, row=None, column: str | None = None):
        parts = [where, f"row {row}" if row is not None else None, f"column {column!r}" if column else None]
        super().__init__(f"{', '.join(p for p in parts if p)}: {message}")


@dataclass
class EdgeTable:
    nodes: pd.DataFrame  # id, name and any attributes, one row per node
    edges: pd.DataFrame  # source, target, weight, records, via, hubs, sources, layer_weights: one row per pair
    description: dict


def _frame(data, what: str) -> tuple[pd.DataFrame, list, str]:
    """(the table, each row's number as the user knows it, its name for messages) of a DataFrame or a file."""
    if isinstance(data, (str, Path)):
        table = read_table(data).frame
        return table.drop(columns=ROW).reset_index(drop=True), table[ROW].tolist(), Path(data).name
    if not isinstance(data, pd.DataFrame):
        raise NetworkInputError(f"expected a DataFrame or the path of a CSV/XLSX/JSON file, not "
                                f"{type(data).__name__}", what)
    return data.reset_index(drop=True), data.index.tolist(), what


def _ids(values: pd.Series, rows: list, where: str, column: str) -> np.ndarray:
    """The column as text ids; an empty or missing id is an error naming its row."""
    missing = values.isna().to_numpy()
    text = values.astype(object).where(~missing, "").map(str).str.strip()
    bad = np.flatnonzero(missing | (text == "").to_numpy())
    if len(bad):
        raise NetworkInputError(f"empty id ({len(bad)} row(s) in all)", where, rows[bad[0]], column)
    return text.to_numpy(dtype=object)


def edge_table(edges, nodes=None, directed: bool = False, weight: str | None = None,
               layer: str | None = None) -> EdgeTable:
    """Nodes and aggregated ties of an edge list (see the module doc). ``weight``: the weight column (default
    ``weight`` if there is one, else every row weighs 1); ``layer``: the layer column (default ``layer`` or
    ``kind`` if there is one)."""
    frame, rows, where = _frame(edges, "edges")
    missing = [c for c in ("source", "target") if c not in frame]
    if missing:
        raise NetworkInputError(f"missing column(s) {missing}; the columns are {sorted(map(str, frame.columns))}",
                                where)
    if weight is not None and weight not in frame:
        raise NetworkInputError(f"no weight column {weight!r}; the columns are {sorted(map(str, frame.columns))}",
                                where)
    if layer is not None and layer not in frame:
        raise NetworkInputError(f"no layer column {layer!r}; the columns are {sorted(map(str, frame.columns))}",
                                where)
    weight = weight or ("weight" if "weight" in frame else None)
    layer = layer or next((c for c in LAYER_COLUMNS if c in frame), None)
    source, target = _ids(frame["source"], rows, where, "source"), _ids(frame["target"], rows, where, "target")
    if weight is None:
        weights = np.ones(len(frame))
    else:
        weights = pd.to_numeric(frame[weight].replace("", np.nan), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~(weights > 0) | ~np.isfinite(weights))
        if len(bad):
            raise NetworkInputError(f"a weight must be a positive number ({len(bad)} row(s) are not)", where,
                                    rows[bad[0]], weight)
    layers = np.full(len(frame), DEFAULT_LAYER, dtype=object) if layer is None else \
        _ids(frame[layer], rows, where, layer)
    loops = source == target
    long = pd.DataFrame({"source": source[~loops], "target": target[~loops], "layer": layers[~loops],
                         "weight": weights[~loops]})
    if not directed:  # one pair whichever way round it was written
        swap = (long["source"] > long["target"]).to_numpy()
        long.loc[swap, ["source", "target"]] = long.loc[swap, ["target", "source"]].to_numpy()
    long = long.groupby(["source", "target", "layer"], sort=True, as_index=False)["weight"].sum()
    pairs = long.groupby(["source", "target"], sort=True)
    ties = pairs["weight"].sum().reset_index()
    ties["records"] = 0
    ties["via"] = pairs["layer"].agg(list).reset_index(drop=True)
    ties["hubs"] = [[] for _ in range(len(ties))]
    ties["sources"] = [[] for _ in range(len(ties))]
    ties["layer_weights"] = pairs["weight"].agg(list).reset_index(drop=True)
    node_frame = _nodes(nodes, ties)
    description = {"edge_list": where, "directed": directed, "weight": weight, "layer": layer,
                   "self_ties_dropped": int(loops.sum())}
    return EdgeTable(node_frame, ties, description)


def _nodes(nodes, ties: pd.DataFrame) -> pd.DataFrame:
    """The node table: ``nodes`` (an ``id`` column, optional ``name``, other columns kept as attributes) or
    the ids the ties name; every id a tie names must be a node."""
    named = pd.unique(np.concatenate([ties["source"].to_numpy(dtype=object), ties["target"].to_numpy(dtype=object)]))
    if nodes is None:
        ids = np.sort(named.astype(str))
        return pd.DataFrame({"id": ids, "name": ids})
    frame, rows, where = _frame(nodes, "nodes")
    if "id" not in frame:
        raise NetworkInputError(f"missing column 'id'; the columns are {sorted(map(str, frame.columns))}", where)
    frame = frame.copy()
    frame["id"] = _ids(frame["id"], rows, where, "id")
    twice = frame["id"].duplicated().to_numpy()
    if twice.any():
        raise NetworkInputError("an id listed twice", where, rows[np.flatnonzero(twice)[0]], "id")
    unknown = sorted(set(named) - set(frame["id"]))
    if unknown:
        raise NetworkInputError(f"{len(unknown)} id(s) that ties name are not in the node list", where)
    if "name" not in frame:
        frame.insert(1, "name", frame["id"])
    else:
        frame["name"] = frame["name"].where(frame["name"].notna() & (frame["name"].astype(str) != ""), frame["id"])
    return frame[["id", "name", *[c for c in frame.columns if c not in ("id", "name")]]]


def networkx_tables(graph: nx.Graph, weight: str = "weight", layer: str = "layer"):
    """(edges, nodes) frames of a NetworkX graph: a (multi)graph's edges with their ``weight`` and ``layer``
    attributes (1 and none where missing), its nodes with their attributes."""
    nodes = pd.DataFrame([{**{k: v for k, v in data.items() if k != "id"}, "id": str(n)}
                          for n, data in graph.nodes(data=True)])
    if nodes.empty:
        nodes = pd.DataFrame({"id": pd.Series([], dtype=object)})
    edges = pd.DataFrame([(str(a), str(b), data.get(weight, 1.0), data.get(layer, DEFAULT_LAYER))
                          for a, b, data in graph.edges(data=True)], columns=["source", "target", "weight", "layer"])
    return edges, nodes


def igraph_tables(graph: ig.Graph, weight: str = "weight", layer: str = "layer"):
    """(edges, nodes) frames of an igraph Graph: vertex ``name`` (else the index) as id, other vertex
    attributes as node columns; edge ``weight`` and ``layer`` attributes where present."""
    attributes = graph.vs.attributes()
    ids = [str(v) for v in (graph.vs["name"] if "name" in attributes else range(graph.vcount()))]
    nodes = pd.DataFrame({"id": ids, **{a: graph.vs[a] for a in attributes if a not in ("name", "id")}})
    ends = np.array(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    ids_array = np.asarray(ids, dtype=object)
    edges = pd.DataFrame({"source": ids_array[ends[:, 0]], "target": ids_array[ends[:, 1]],
                          "weight": graph.es[weight] if weight in graph.es.attributes() else 1.0,
                          "layer": graph.es[layer] if layer in graph.es.attributes() else DEFAULT_LAYER})
    return edges, nodes
