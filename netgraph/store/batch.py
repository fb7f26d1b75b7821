"""A batch of graph facts (nodes and relationships with provenance) on its way into a store.

Facts arrive one at a time (:meth:`GraphBatch.node`, :meth:`GraphBatch.rel`) or as whole tables from the
column-wise transform (:meth:`GraphBatch.add_nodes`, :meth:`GraphBatch.add_rels`), in order; the batch
merges them when it is turned into tables, in one vectorised pass: a fact named twice is one fact, its
records are united, and each property keeps the first value given (a later one only fills a gap). So a
store never receives duplicates, and a hub that every record names costs no more than a node named once.

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
        # per label / relationship key: chunks in arrival order, each a DataFrame or a list of single facts
        self._nodes: dict[str, list] = defaultdict(list)
        self._rels: dict[RelKey, list] = defaultdict(list)
        self._merged: dict = {}  # tables already merged, until a fact is added to them

    def node(self, label: str, key: str, props: dict, source: str | None) -> str:
        """Add node ``key`` of ``label``, asserted by record ``source``; return the key."""
        check_label(label)
        unknown = props.keys() - NODE_TYPES[label].all_properties.keys()
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        _pending(self._nodes[label]).append({**props, "id": key, "record": source})
        self._merged.pop(label, None)
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
        facts = _pending(self._rels[(rel_type, src[0], dst[0])])
        self._merged.pop((rel_type, src[0], dst[0]), None)
        for record in [source] if isinstance(source, str) else list(source):
            facts.append({**props, "from": src[1], "to": dst[1], "record": record})

    def add_nodes(self, label: str, frame: pd.DataFrame) -> None:
        """Add nodes as a table: ``id``, schema properties, ``record`` (the record that asserts each)."""
        self._nodes[check_label(label)].append(frame)
        self._merged.pop(label, None)

    def add_rels(self, key: RelKey, frame: pd.DataFrame) -> None:
        """Add relationships as a table: ``from``, ``to``, properties, ``record``."""
        check_rel_type(key[0])
        self._rels[key].append(frame)
        self._merged.pop(key, None)

    def update(self, other: "GraphBatch") -> None:
        """Add every fact of ``other`` to this batch."""
        self._merged.clear()
        for label, chunks in other._nodes.items():
            self._nodes[label] += [chunk if isinstance(chunk, pd.DataFrame) else list(chunk) for chunk in chunks]
        for rkey, chunks in other._rels.items():
            self._rels[rkey] += [chunk if isinstance(chunk, pd.DataFrame) else list(chunk) for chunk in chunks]

    # --- tables ---------------------------------------------------------------------------------------
    def labels(self) -> list[str]:
        return [label for label, chunks in self._nodes.items() if any(len(c) for c in chunks)]

    def rel_keys(self) -> list[RelKey]:
        return [rkey for rkey, chunks in self._rels.items() if any(len(c) for c in chunks)]

    def _facts(self, chunks: list, columns: list[str]) -> pd.DataFrame:
        frames = [pd.DataFrame(c) if isinstance(c, list) else c for c in chunks if len(c)]
        frames = [f.reindex(columns=columns) for f in frames]
        return pd.concat(frames, ignore_index=True).astype(object) if frames else pd.DataFrame(columns=columns,
                                                                                             dtype=object)

    def node_frame(self, label: str) -> pd.DataFrame:
        """The nodes of ``label``, merged: every schema column (missing values None), in order of arrival."""
        if label not in self._merged:
            self._merged[label] = self._merge_nodes(label)
        return self._merged[label]

    def _merge_nodes(self, label: str) -> pd.DataFrame:
        columns = list(NODE_TYPES[label].all_properties)
        facts = self._facts(self._nodes.get(label, []), columns)
        codes, ids = pd.factorize(facts["id"].to_numpy(dtype=object))
        merged = {"id": ids.astype(object)}
        rules = NODE_TYPES[label].merge
        merged.update(_first_values(codes, len(ids), facts, [c for c in columns[1:] if c not in rules]))
        for column, rule in rules.items():
            merged[column] = (_max_values if rule == "max" else _last_values)(codes, len(ids), facts[column])
        return pd.DataFrame(merged, columns=columns, dtype=object)

    def asserts_frame(self, label: str) -> pd.DataFrame:
        """Which records assert which nodes of ``label``: record, id (distinct, sorted by id and record)."""
        if NODE_TYPES[label].sources_from != ASSERTED:
            return pd.DataFrame(columns=["record", "id"], dtype=object)
        pairs = self._facts(self._nodes.get(label, []), ["record", "id"]).dropna()
        return pairs.drop_duplicates().sort_values(["id", "record"], ignore_index=True).astype(object)

    def rel_frame(self, rkey: RelKey) -> pd.DataFrame:
        """The relationships of one (type, from label, to label), merged, with ``from``/``to`` columns and
        their sorted ``sources``, in order of arrival."""
        if rkey not in self._merged:
            self._merged[rkey] = self._merge_rels(rkey)
        return self._merged[rkey]

    def _merge_rels(self, rkey: RelKey) -> pd.DataFrame:
        spec = REL_TYPES[rkey[0]]
        facts = self._facts(self._rels.get(rkey, []), ["from", "to", *spec.properties, "record"])
        codes, first = _group_codes([facts[c] for c in ("from", "to", *spec.identity)])
        merged = {c: _none_for_nan(facts[c].to_numpy(dtype=object)[first]) for c in ("from", "to", *spec.identity)}
        merged.update(_first_values(codes, len(first), facts, [p for p in spec.properties if p not in spec.identity]))
        if spec.sources:
            merged["sources"] = _sorted_lists(codes, len(first), facts["record"].to_numpy(dtype=object))
        return pd.DataFrame(merged, columns=["from", "to", *spec.all_properties], dtype=object)

    def counts(self) -> dict[str, int]:
        """Distinct nodes per label and relationships per type."""
        out = {label: len(self.node_frame(label)) for label in self.labels()}
        for rkey in self.rel_keys():
            out[rkey[0]] = out.get(rkey[0], 0) + len(self.rel_frame(rkey))
        return out


def _pending(chunks: list) -> list:
    """The list of single facts at the end of ``chunks`` (a new one after a table)."""
    if not chunks or not isinstance(chunks[-1], list):
        chunks.append([])
    return chunks[-1]


def _group_codes(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Group number of every row by the values of ``columns`` (numbered in order of first appearance), and
    the position of each group's first row."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        values, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(uniques) + values)
    groups, first = np.unique(codes, return_index=True)
    return codes, first


def _none_for_nan(values: np.ndarray) -> np.ndarray:
    return np.where(pd.isna(values), None, values)


def _first_values(codes: np.ndarray, groups: int, facts: pd.DataFrame, columns: list[str]) -> dict:
    """Each group's first non-null value of every column (None where it has none)."""
    out = {}
    for column in columns:
        values = facts[column].to_numpy(dtype=object)
        valid = pd.notna(values)
        found, first = np.unique(codes[valid], return_index=True)
        merged = np.full(groups, None, dtype=object)
        merged[found] = values[valid][first]
        out[column] = merged
    return out


def _last_values(codes: np.ndarray, groups: int, values: pd.Series) -> np.ndarray:
    """Each group's last non-null value (None where it has none)."""
    reverse = slice(None, None, -1)
    return _first_values(codes[reverse], groups, pd.DataFrame({"v": values.to_numpy(dtype=object)[reverse]}),
                         ["v"])["v"]


def _max_values(codes: np.ndarray, groups: int, values: pd.Series) -> np.ndarray:
    """Each group's highest non-null value (None where it has none)."""
    highest = pd.Series(values.to_numpy(dtype=object)).groupby(codes).max()
    merged = np.full(groups, None, dtype=object)
    merged[highest.index.to_numpy()] = highest.to_numpy(dtype=object)
    return _none_for_nan(merged)


def _sorted_lists(codes: np.ndarray, groups: int, values: np.ndarray) -> list[list]:
    """The sorted distinct non-null ``values`` of each group, as lists."""
    valid = pd.notna(values)
    codes, values = codes[valid], values[valid]
    ranks, uniques = pd.factorize(values, sort=True)
    order = np.lexsort((ranks, codes))
    codes, ranks = codes[order], ranks[order]
    keep = np.r_[True, (codes[1:] != codes[:-1]) | (ranks[1:] != ranks[:-1])]
    codes, ranks = codes[keep], ranks[keep]
    starts = np.searchsorted(codes, np.arange(groups + 1))
    names = uniques.astype(object)
    return [names[ranks[a:b]].tolist() for a, b in zip(starts[:-1], starts[1:])]


def grouped_lists(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """The sorted distinct ``value``s of each ``key``, as lists, indexed by key."""
    codes, keys = pd.factorize(frame[key].to_numpy(dtype=object), sort=True)
    return pd.Series(_sorted_lists(codes, len(keys), frame[value].to_numpy(dtype=object)), index=keys.astype(object),
                     dtype=object)
