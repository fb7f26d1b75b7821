"""Network risk: how close people, companies, phones and accounts sit to known offenders.

The *party graph* joins people, organisations, phones and accounts (undirected): two parties of one event
(of any kind: a seizure, a consignment, a meeting …), a person or company and the phone or account they use,
a person and the company they work for or direct. Every tie keeps the records behind it, and its weight is
the sum of those records' reliability (5x5x5 source grade: A 1.0, B 0.8, C 0.6, D 0.4, E 0.2; an ungraded
record counts as E, untested).

*Known offenders* are the people and organisations involved in an event of kind ``seizure``; those whose
seizure led to a conviction restart ``convicted_weight`` times as often. A party's ``risk`` is its
personalised PageRank (Page et al. 1999; Haveliwala 2002) with the walk restarting at the offenders
(damping 0.85), computed by igraph; ``steps`` and ``path`` give the shortest chain of ties to the nearest
offender, with the records behind each tie (:func:`path_to_offender`).

>>> risk = network_risk(store)                                          # doctest: +SKIP
>>> risk.sort_values("risk", ascending=False).head()                    # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import igraph as ig
import numpy as np
import pandas as pd

from ..analysis.reads import relationships
from ..analysis.ties import co_membership_edges, event_kinds, tie_graph
from ..schema import SEIZURE_EVENT
from ..store.base import GraphStore

PARTY_LABELS = ("Person", "Organization", "Phone", "Account")
GRADE_WEIGHTS = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2}
UNGRADED_WEIGHT = GRADE_WEIGHTS["E"]
DAMPING = 0.85
CONVICTED_WEIGHT = 2.0
TIE_COLUMNS = ["source", "target", "via", "hubs", "sources", "weight"]


@dataclass
class PartyGraph:
    """Parties (``nodes``: id, label, name, offender, convicted) and their ties (``ties``: source, target, via,
    hubs, sources, weight), with the igraph Graph of both (vertex ``name`` = id, edge ``weight``)."""
    nodes: pd.DataFrame
    ties: pd.DataFrame
    involvement: pd.DataFrame | None = None  # party, event, kind, role: who took part in which event

    @cached_property
    def graph(self) -> ig.Graph:
        return tie_graph(self.nodes["id"], self.ties, directed=False)

    def reset(self, convicted_weight: float = CONVICTED_WEIGHT) -> np.ndarray:
        """The restart weights: 1 per offender, ``convicted_weight`` per convicted one, 0 elsewhere."""
        return np.where(self.nodes["convicted"], convicted_weight, np.where(self.nodes["offender"], 1.0, 0.0))


def party_graph(store: GraphStore, grade_weights: dict[str, float] | None = None) -> PartyGraph:
    """The party graph of a store (see the module's description)."""
    grades = GRADE_WEIGHTS if grade_weights is None else grade_weights
    records = store.records()
    reliability = pd.Series(records["reliability"].to_numpy(dtype=object), index=records["id"].to_numpy(dtype=object))
    record_weight = reliability.map(grades).fillna(UNGRADED_WEIGHT)
    persons = store.node_properties("Person")
    entity = dict(zip(persons["id"], persons["resolved_id"].where(persons["resolved_id"].notna(), persons["id"])))
    involved = relationships(store, "INVOLVED_IN", ordered=False)
    kinds = event_kinds(store)
    involved = involved.assign(source=involved["source"].map(lambda i: entity.get(i, i)),
                               kind=involved["target"].map(kinds).fillna(SEIZURE_EVENT))
    members = involved.rename(columns={"source": "person", "target": "hub"})[["person", "hub", "kind", "sources"]]
    shared = co_membership_edges(members) if len(members) else pd.DataFrame(columns=TIE_COLUMNS)
    parts = [shared[["source", "target", "via", "hubs", "sources"]]] if len(shared) else []
    for rel, via in (("USES", None), ("WORKS_FOR", "organization"), ("DIRECTS", "organization")):
        frame = relationships(store, rel, properties=False, ordered=False)
        if not len(frame):
            continue
        kind = frame["target_label"].str.lower() if via is None else pd.Series(via, index=frame.index)
        ends = pd.DataFrame({"a": frame["source"].map(lambda i: entity.get(i, i)), "b": frame["target"]})
        parts.append(pd.DataFrame({"source": ends.min(axis=1), "target": ends.max(axis=1),
                                   "via": kind.map(lambda k: [k]), "hubs": [[] for _ in range(len(frame))],
                                   "sources": frame["sources"].map(list)}))
    labels = {}
    for label in PARTY_LABELS:
        frame = store.node_properties(label)
        if label == "Person":
            frame = frame[frame["id"].map(lambda i: entity.get(i, i)) == frame["id"]]  # one node per resolved person
        labels.update({i: (label, n) for i, n in zip(frame["id"], frame["name"])})
    ties = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=TIE_COLUMNS[:-1])
    ties = ties[ties["source"] != ties["target"]]
    if len(ties):
        keys = ["source", "target"]
        merged = pd.concat([_lists(ties[[*keys, column]], column) for column in ("via", "hubs", "sources")], axis=1)
        ties = merged.reset_index()
        long = ties[[*keys, "sources"]].explode("sources").dropna(subset=["sources"])
        weight = long["sources"].map(record_weight).fillna(UNGRADED_WEIGHT).groupby(
            [long["source"], long["target"]]).sum()
        ties["weight"] = weight.reindex(pd.MultiIndex.from_frame(ties[keys])).fillna(0.0).to_numpy()
    else:
        ties = pd.DataFrame(columns=TIE_COLUMNS)
    ids = sorted(set(labels) | set(ties["source"]) | set(ties["target"]))
    nodes = pd.DataFrame({"id": ids, "label": [labels.get(i, ("", i))[0] for i in ids],
                          "name": [labels.get(i, ("", i))[1] for i in ids]})
    seized = involved[involved["kind"] == SEIZURE_EVENT]
    nodes["offender"] = nodes["id"].isin(seized["source"])
    convicted_events = _convicted_events(store)
    nodes["convicted"] = nodes["id"].isin(seized.loc[seized["target"].isin(convicted_events), "source"])
    involvement = involved.rename(columns={"source": "party", "target": "event"})[["party", "event", "kind", "role"]]
    return PartyGraph(nodes, ties[TIE_COLUMNS].reset_index(drop=True), involvement.reset_index(drop=True))


def _lists(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per (source, target), the sorted distinct items of ``column``'s lists over its rows."""
    long = frame.explode(column)
    every = frame[["source", "target"]].drop_duplicates()
    long = long.dropna(subset=[column]).drop_duplicates().sort_values(["source", "target", column])
    lists = long.groupby(["source", "target"], sort=True)[column].agg(list)
    index = pd.MultiIndex.from_frame(every).sort_values()
    return lists.reindex(index).map(lambda v: v if isinstance(v, list) else []).rename(column)


def _convicted_events(store: GraphStore) -> set[str]:
    followed = store.edge_frame("FOLLOWED_BY")
    if not len(followed):
        return set()
    convicted = followed.loc[followed["target_label"] == "Conviction", "source"]
    return set(followed.loc[(followed["target_label"] == "Prosecution") & followed["target"].isin(convicted), "source"])


def personalized_pagerank(graph: ig.Graph, reset: np.ndarray, damping: float = DAMPING,
                          weights: str | None = "weight") -> np.ndarray:
    """Personalised PageRank of every vertex, the walk restarting in proportion to ``reset`` (igraph's
    PRPACK). With no restart weight at all, every score is 0.

    >>> g = ig.Graph([(0, 1), (1, 2), (2, 3)]); g.es["weight"] = [1.0, 1.0, 1.0]
    >>> personalized_pagerank(g, np.array([1.0, 0, 0, 0])).round(3).tolist()
    [0.302, 0.358, 0.238, 0.101]
    """
    if not len(reset) or not reset.sum():
        return np.zeros(graph.vcount())
    return np.asarray(graph.personalized_pagerank(directed=False, damping=damping, reset=reset.tolist(),
                                                  weights=weights if graph.ecount() else None))


def network_risk(store: GraphStore | None = None, parties: PartyGraph | None = None, damping: float = DAMPING,
                 convicted_weight: float = CONVICTED_WEIGHT) -> pd.DataFrame:
    """Every party's network risk: id, label, name, offender, convicted, risk (personalised PageRank from
    the offenders, reliability-weighted), percentile (among parties that are not offenders; 1 = highest),
    steps (ties to the nearest offender; NaN if none is reachable), path (names along that chain)."""
    parties = party_graph(store) if parties is None else parties
    nodes = parties.nodes.copy()
    if not len(nodes):
        return nodes.assign(risk=[], percentile=[], steps=[], path=[])
    graph = parties.graph
    nodes["risk"] = personalized_pagerank(graph, parties.reset(convicted_weight), damping)
    others = ~nodes["offender"]
    nodes["percentile"] = np.nan
    nodes.loc[others, "percentile"] = nodes.loc[others, "risk"].rank(pct=True, method="max")
    steps, parent = _nearest_offender(graph, nodes["offender"].to_numpy())
    nodes["steps"] = np.where(steps >= 0, steps, np.nan)
    names = nodes["name"].to_numpy(dtype=object)
    nodes["path"] = [[names[v] for v in _chain(parent, i)] if steps[i] >= 0 else [] for i in range(len(nodes))]
    return nodes.sort_values(["risk", "id"], ascending=[False, True], ignore_index=True)


def _nearest_offender(graph: ig.Graph, offender: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first search from all offenders at once (a virtual source tied to each): steps to the nearest
    offender (-1 if none) and each vertex's parent toward it (-1 for offenders and the unreached)."""
    n = graph.vcount()
    steps, parent = np.full(n, -1), np.full(n, -1)
    if not offender.any():
        return steps, parent
    extended = graph.copy()
    extended.add_vertices(1)
    extended.add_edges([(n, int(v)) for v in np.flatnonzero(offender)])
    order, layers, parents = extended.bfs(n)
    order, parents = np.asarray(order), np.asarray(parents)
    depth = np.repeat(np.arange(len(layers) - 1), np.diff(layers))  # the virtual source is depth 0
    steps[order[1:]] = depth[1:] - 1
    reached = order[1:]
    parent[reached] = np.where(parents[reached] == n, -1, parents[reached])
    return steps, parent


def _chain(parent: np.ndarray, v: int) -> list[int]:
    out = [v]
    while parent[out[-1]] >= 0:
        out.append(int(parent[out[-1]]))
    return out


def path_to_offender(parties: PartyGraph, node: str) -> pd.DataFrame:
    """The shortest chain of ties from ``node`` to its nearest offender, one row per tie: step, source,
    source_name, target, target_name, via, hubs, sources (the records behind that tie). Empty if ``node`` is
    an offender or reaches none.

    >>> path_to_offender(party_graph(store), "phone:+84 912 000 111")   # doctest: +SKIP
    """
    nodes = parties.nodes.reset_index(drop=True)
    index = pd.Index(nodes["id"])
    if node not in index:
        raise KeyError(f"{node!r} is not a person, organisation, phone or account of this store")
    steps, parent = _nearest_offender(parties.graph, nodes["offender"].to_numpy())
    chain = _chain(parent, index.get_loc(node)) if steps[index.get_loc(node)] >= 0 else []
    ties = parties.ties.set_index(["source", "target"])
    rows = []
    for step, (a, b) in enumerate(zip(chain, chain[1:]), start=1):
        ida, idb = nodes.at[a, "id"], nodes.at[b, "id"]
        tie = ties.loc[(min(ida, idb), max(ida, idb))]
        rows.append({"step": step, "source": ida, "source_name": nodes.at[a, "name"], "target": idb,
                     "target_name": nodes.at[b, "name"], "via": tie["via"], "hubs": tie["hubs"],
                     "sources": tie["sources"]})
    return pd.DataFrame(rows, columns=["step", "source", "source_name", "target", "target_name", "via", "hubs",
                                       "sources"])
