"""A batch of graph facts (nodes and relationships with provenance) on its way into a store.

Facts are appended as they are read, in order; a batch merges them when it is turned into tables, in one
vectorised pass: a fact named twice is one fact, its records are united, and each property keeps the first
value given (a later one only fills a gap). So adding a fact costs the same for a hub that every record
names as for a node named once, and a store never receives duplicates.

>>> b = GraphBatch()
>>> b.node("Person", "person:an", {"name": "An"}, "record:2")
'person:an'
>>> b.node("Person", "person:an", {"name": "Ân", "nationality": "VN"}, "record:1")
'person:an'
>>> b.node_frame("Person")[["id", "name", "nationality"]].values.tolist()
[['person:an', 'An', 'VN']]
>>> b.asserts_frame("Person").values.tolist()
[['record:1', 'person:an'], ['record:2', 'person:an']]
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ..schema import ASSERTED, NODE_TYPES, REL_TYPES, check_label, check_rel_type

RelKey = tuple[str, str, str]  # (type, from label, to label)


class GraphBatch:
    def __init__(self) -> None:
        self._nodes: dict[str, list[tuple[str, dict, str | None]]] = defaultdict(list)
        self._rels: dict[RelKey, list[tuple[str, str, dict, list[str]]]] = defaultdict(list)

    def node(self, label: str, key: str, props: dict, source: str | None) -> str:
        """Add node ``key`` of ``label``, asserted by record ``source``; return the key."""
        check_label(label)
        unknown = props.keys() - NODE_TYPES[label].all_properties.keys()
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        self._nodes[label].append((key, props, source if NODE_TYPES[label].sources_from == ASSERTED else None))
        return key

    def rel(self, rel_type: str, src: tuple[str, str], dst: tuple[str, str], props: dict,
            source: str | list[str]) -> None:
        """Add a relationship from ``src`` = (label, key) to ``dst`` = (label, key); ``source``: the record
        key (or keys) behind it."""
        spec = REL_TYPES[check_rel_type(rel_type)]
        if (src[0], dst[0]) not in spec.pairs:
            raise ValueError(f"{rel_type} does not go from {src[0]} to {dst[0]}")
        unknown = props.keys() - spec.properties.keys()
        if unknown:
            raise ValueError(f"{rel_type} has no properties {sorted(unknown)}")
        sources = [source] if isinstance(source, str) else list(source)
        self._rels[(rel_type, src[0], dst[0])].append((src[1], dst[1], props, sources))

    # --- rolling back a rejected row, merging batches -----------------------------------------------
    def mark(self) -> dict:
        """Where the batch stands now, for :meth:`rollback`."""
        return {"nodes": {k: len(v) for k, v in self._nodes.items()}, "rels": {k: len(v) for k, v in self._rels.items()}}

    def rollback(self, mark: dict) -> None:
        """Forget every fact added since ``mark`` (a row that turned out to be bad)."""
        for kind, tables in (("nodes", self._nodes), ("rels", self._rels)):
            for key, facts in tables.items():
                del facts[mark[kind].get(key, 0):]

    def update(self, other: "GraphBatch") -> None:
        """Add every fact of ``other`` to this batch."""
        for label, facts in other._nodes.items():
            self._nodes[label] += facts
        for rkey, facts in other._rels.items():
            self._rels[rkey] += facts

    # --- tables ---------------------------------------------------------------------------------------
    def labels(self) -> list[str]:
        return [label for label, facts in self._nodes.items() if facts]

    def rel_keys(self) -> list[RelKey]:
        return [rkey for rkey, facts in self._rels.items() if facts]

    def node_frame(self, label: str) -> pd.DataFrame:
        """The nodes of ``label``, merged: every schema column (missing values None), sorted by id."""
        columns = list(NODE_TYPES[label].all_properties)
        facts = self._nodes.get(label, [])
        frame = pd.DataFrame([props for _, props, _ in facts], columns=columns[1:], dtype=object)
        frame.insert(0, "id", pd.Series([key for key, _, _ in facts], dtype=object))
        merged = frame.groupby("id", sort=True).first()  # first non-null value of every column
        return merged.reset_index().reindex(columns=columns).astype(object).where(lambda f: f.notna(), None)

    def asserts_frame(self, label: str) -> pd.DataFrame:
        """Which records assert which nodes of ``label``: record, id (distinct, sorted by id and record)."""
        pairs = pd.DataFrame([(source, key) for key, _, source in self._nodes.get(label, []) if source is not None],
                             columns=["record", "id"], dtype=object)
        return pairs.drop_duplicates().sort_values(["id", "record"], ignore_index=True)

    def rel_frame(self, rkey: RelKey) -> pd.DataFrame:
        """The relationships of one (type, from label, to label), merged, with ``from``/``to`` columns and
        their sorted ``sources``; sorted by from, to and identity."""
        spec = REL_TYPES[rkey[0]]
        facts = self._rels.get(rkey, [])
        keys = ["from", "to", *spec.identity]
        frame = pd.DataFrame([props for _, _, props, _ in facts], columns=list(spec.properties), dtype=object)
        frame.insert(0, "from", pd.Series([f for f, _, _, _ in facts], dtype=object))
        frame.insert(1, "to", pd.Series([t for _, t, _, _ in facts], dtype=object))
        frame["_fact"] = frame.groupby(keys, sort=True, dropna=False).ngroup()
        merged = frame.groupby("_fact", sort=True).first()  # identity columns are one value per group
        if spec.sources:
            pairs = pd.DataFrame({"_fact": frame["_fact"].repeat([len(s) for _, _, _, s in facts]).to_numpy(),
                                  "record": [r for _, _, _, s in facts for r in s]})
            lists = grouped_lists(pairs, "_fact", "record")
            merged["sources"] = [s if isinstance(s, list) else [] for s in lists.reindex(merged.index)]
        columns = ["from", "to", *spec.all_properties]
        merged = merged.reset_index(drop=True).reindex(columns=columns)
        return merged.astype(object).where(merged.notna(), None)

    def counts(self) -> dict[str, int]:
        out = {label: len({key for key, _, _ in self._nodes[label]}) for label in self.labels()}
        for rkey in self.rel_keys():
            identity = REL_TYPES[rkey[0]].identity
            distinct = {(f, t, *(props.get(p) for p in identity)) for f, t, props, _ in self._rels[rkey]}
            out[rkey[0]] = out.get(rkey[0], 0) + len(distinct)
        return out

    def __len__(self) -> int:
        """Facts added (before merging)."""
        return sum(len(f) for f in self._nodes.values()) + sum(len(f) for f in self._rels.values())


def grouped_lists(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """The sorted distinct ``value``s of each ``key``, as lists, indexed by key (one sort, no per-group
    Python aggregation)."""
    pairs = frame[[key, value]].drop_duplicates().sort_values([key, value])
    keys, values = pairs[key].to_numpy(dtype=object), pairs[value].to_numpy(dtype=object)
    if not len(keys):
        return pd.Series(dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return pd.Series([chunk.tolist() for chunk in np.split(values, starts[1:])], index=keys[starts], dtype=object)
