"""Read the graph (or a filtered part of it) out of a store as python-igraph and NetworkX graphs.

Filters work on provenance: a fact is kept when at least one of the records that assert it falls in
the date window and meets the minimum grading, and it keeps only those records as its ``sources``
(its ``weight`` is their number). So a filtered picture never rests on records the analyst excluded.

>>> sub = subgraph(store, labels=["Person", "Seizure"], date_from="2021-01-01")   # doctest: +SKIP
>>> g = sub.to_igraph(); g.vs[0]["label"]                                        # doctest: +SKIP
'Person'
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from ..schema import ASSERTED_REL_TYPES, NODE_TYPES, RELIABILITY_GRADES
from ..store.base import EDGE_COLUMNS, GraphStore
from . import reads
from .grouping import isin, positions


@dataclass(frozen=True)
class Filters:
    """Which records count: a date window (inclusive) and minimum grading (A best, 1 best)."""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    min_reliability: str | None = None  # e.g. "B" keeps A and B
    min_validity: int | None = None  # e.g. 2 keeps 1 and 2
    max_handling: int | None = None  # release level: keeps records whose handling code is at most this (or unset)

    def __post_init__(self):
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, dt.date.fromisoformat(value))
        if self.min_reliability is not None and self.min_reliability not in RELIABILITY_GRADES:
            raise ValueError(f"min_reliability must be one of {RELIABILITY_GRADES}, not {self.min_reliability!r}")
        if self.min_validity is not None and self.min_validity not in range(1, 6):
            raise ValueError(f"min_validity must be 1–5, not {self.min_validity!r}")
        if self.max_handling is not None and self.max_handling not in range(1, 6):
            raise ValueError(f"max_handling (release level) must be 1–5, not {self.max_handling!r}")

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.date_from, self.date_to, self.min_reliability, self.min_validity,
                                           self.max_handling))

    def eligible(self, records: pd.DataFrame) -> set[str]:
        """Keys of the records that pass. A date is an interval: a record passes the window when any day it
        may be is in it (a record dated to the year 2013 passes ``date_from="2013-06-01"``)."""
        keep = pd.Series(True, index=records.index)
        first = pd.to_datetime(records["record_date"])
        last = pd.to_datetime(records["record_date_end"]).fillna(first) if "record_date_end" in records else first
        first, last = first.dt.date, last.dt.date
        if self.date_from:
            keep &= last.notna() & (last >= self.date_from)
        if self.date_to:
            keep &= first.notna() & (first <= self.date_to)
        if self.min_reliability:
            allowed = RELIABILITY_GRADES[:RELIABILITY_GRADES.index(self.min_reliability) + 1]
            keep &= records["reliability"].isin(allowed)
        if self.min_validity:
            keep &= records["validity"].notna() & (records["validity"] <= self.min_validity)
        if self.max_handling is not None:
            keep &= records["handling"].isna() | (records["handling"] <= self.max_handling)
        return set(records.loc[keep, "id"])


@dataclass
class Subgraph:
    """Nodes (id, label, name, sources) and edges (source, target, type, sources, weight, properties)."""
    nodes: pd.DataFrame
    edges: pd.DataFrame
    description: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Subgraph({len(self.nodes)} nodes, {len(self.edges)} edges, {self.description})"

    def to_igraph(self, directed: bool = True) -> ig.Graph:
        """An igraph Graph: vertex ``name`` = entity id, ``display_name``, ``label``; edge ``type``,
        ``weight``, ``sources`` and the relationship's properties."""
        index = pd.Index(self.nodes["id"])
        src = positions(self.edges["source"], index).tolist()
        dst = positions(self.edges["target"], index).tolist()
        was_enabled = gc.isenabled()
        gc.disable()  # a million new tuples would set off full collections
        try:  # tuples: igraph reads a numpy array or lists element by element (2-3x slower)
            graph = ig.Graph(n=len(index), edges=list(zip(src, dst)), directed=directed)
        finally:
            if was_enabled:
                gc.enable()
        graph.vs["name"] = self.nodes["id"].tolist()
        graph.vs["display_name"] = self.nodes["name"].tolist()
        graph.vs["label"] = self.nodes["label"].tolist()
        for column in self.edges.columns.drop(["source", "target"]):
            graph.es[column] = self.edges[column].tolist()
        graph["description"] = self.description
        return graph

    def to_networkx(self) -> nx.MultiDiGraph:
        """A NetworkX MultiDiGraph keyed by entity id, with the same attributes as :meth:`to_igraph`."""
        graph = nx.MultiDiGraph(description=self.description)
        graph.add_nodes_from((row.id, {"display_name": row.name, "label": row.label})
                             for row in self.nodes.itertuples(index=False))
        attrs = [c for c in self.edges.columns if c not in ("source", "target")]
        graph.add_edges_from((s, t, dict(zip(attrs, rest)))
                             for s, t, *rest in self.edges[["source", "target", *attrs]].itertuples(index=False))
        return graph

    def input_hash(self) -> str:
        """SHA-256 of the facts and their sources: the same data gives the same hash."""
        digest = hashlib.sha256()
        for frame, columns in ((self.nodes, ["id", "label"]), (self.edges, ["source", "target", "type"])):
            ordered = frame.sort_values(columns)
            for row in ordered[[*columns, "sources"]].itertuples(index=False):
                digest.update(json.dumps([*row[:-1], sorted(row[-1])], ensure_ascii=False).encode())
        return digest.hexdigest()


def subgraph(store: GraphStore, labels: list[str] | None = None, rel_types: list[str] | None = None,
             date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
             min_reliability: str | None = None, min_validity: int | None = None) -> Subgraph:
    """The part of the stored graph with the given node labels and relationship types whose supporting
    records pass the filters (labels default to all but Record/Mention/Load/Exchange; types to the asserted
    ones: leads, SUSPECTED_LINK, only when asked for)."""
    filters = Filters(date_from, date_to, min_reliability, min_validity)
    labels = labels or [label for label in NODE_TYPES if label not in ("Record", "Mention", "Load", "Exchange")]
    rel_types = rel_types or list(ASSERTED_REL_TYPES)
    nodes = reads.nodes(store, labels)  # what store.nodes / store.edges give, read leanly
    frames = [f for f in (reads.relationships(store, t) for t in rel_types) if len(f)]
    edges = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=EDGE_COLUMNS)
    if filters.active:
        eligible = filters.eligible(reads.records(store))
        nodes = _restrict(nodes, eligible)
        edges = _restrict(edges, eligible)
    keep = nodes["id"].to_numpy()
    inside = isin(edges["source"], keep) & isin(edges["target"], keep)
    edges = edges[inside].reset_index(drop=True)
    edges.insert(4, "weight", np.fromiter(map(len, edges["sources"]), dtype=float, count=len(edges)))
    description = {"labels": labels, "rel_types": rel_types,
                   **{k: (str(v) if v is not None else None) for k, v in filters.__dict__.items()}}
    return Subgraph(nodes.reset_index(drop=True), edges, description)


def _restrict(frame: pd.DataFrame, eligible: set[str]) -> pd.DataFrame:
    frame = frame.copy()
    frame["sources"] = [[s for s in sources if s in eligible] for sources in frame["sources"]]
    return frame[frame["sources"].map(len) > 0]
