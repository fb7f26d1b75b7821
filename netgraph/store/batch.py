"""A batch of graph facts (nodes and relationships with provenance) on its way into a store.

Adding the same fact twice merges it: its records are united, and a property already set keeps its first
value unless the new one fills a gap. So a batch never holds duplicates, which the stores' writes need.
Records are kept in sets and sorted once, when a frame is made, so merging costs the same for a hub that
every record names as for a node named once.

>>> b = GraphBatch()
>>> b.node("Person", "person:an", {"name": "An"}, "record:2")
'person:an'
>>> b.node("Person", "person:an", {"nationality": "VN"}, "record:1")
'person:an'
>>> b.nodes["Person"]["person:an"]
{'name': 'An', 'nationality': 'VN'}
>>> b.asserts_frame("Person")[["record", "id"]].values.tolist()
[['record:1', 'person:an'], ['record:2', 'person:an']]
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..schema import ASSERTED, NODE_TYPES, REL_TYPES, check_label, check_rel_type

RelKey = tuple[str, str, str]  # (type, from label, to label)


class GraphBatch:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, dict]] = defaultdict(dict)
        self.node_sources: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.rels: dict[RelKey, dict[tuple, dict]] = defaultdict(dict)
        self.rel_sources: dict[RelKey, dict[tuple, set[str]]] = defaultdict(lambda: defaultdict(set))

    def node(self, label: str, key: str, props: dict, source: str | None) -> str:
        """Add (or merge into) node ``key`` of ``label``, asserted by record ``source``; return the key."""
        check_label(label)
        unknown = set(props) - set(NODE_TYPES[label].all_properties)
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        _fill(self.nodes[label], key, props)
        if source is not None and NODE_TYPES[label].sources_from == ASSERTED:
            self.node_sources[label][key].add(source)
        return key

    def rel(self, rel_type: str, src: tuple[str, str], dst: tuple[str, str], props: dict,
            source: str | list[str]) -> None:
        """Add (or merge into) a relationship from ``src`` = (label, key) to ``dst`` = (label, key);
        ``source``: the record key (or keys) behind it."""
        spec = REL_TYPES[check_rel_type(rel_type)]
        if (src[0], dst[0]) not in spec.pairs:
            raise ValueError(f"{rel_type} does not go from {src[0]} to {dst[0]}")
        unknown = set(props) - set(spec.properties)
        if unknown:
            raise ValueError(f"{rel_type} has no properties {sorted(unknown)}")
        rkey, key = (rel_type, src[0], dst[0]), (src[1], dst[1], *(props.get(p) for p in spec.identity))
        _fill(self.rels[rkey], key, props)
        self.rel_sources[rkey][key].update([source] if isinstance(source, str) else source)

    def update(self, other: "GraphBatch") -> None:
        """Merge every fact of ``other`` into this batch."""
        for label, table in other.nodes.items():
            for key, props in table.items():
                _fill(self.nodes[label], key, props)
        for label, table in other.node_sources.items():
            for key, sources in table.items():
                self.node_sources[label][key] |= sources
        for rkey, table in other.rels.items():
            for key, props in table.items():
                _fill(self.rels[rkey], key, props)
        for rkey, table in other.rel_sources.items():
            for key, sources in table.items():
                self.rel_sources[rkey][key] |= sources

    def node_frame(self, label: str) -> pd.DataFrame:
        """The nodes of ``label`` as a DataFrame with every schema column (missing values None), sorted by id."""
        columns = list(NODE_TYPES[label].all_properties)
        rows = [{**{c: None for c in columns}, **props, "id": key} for key, props in self.nodes[label].items()]
        return pd.DataFrame(rows, columns=columns).sort_values("id", ignore_index=True)

    def asserts_frame(self, label: str) -> pd.DataFrame:
        """Which records assert which nodes of ``label``: record, id (sorted)."""
        pairs = [(r, key) for key, sources in self.node_sources[label].items() for r in sources]
        return pd.DataFrame(pairs, columns=["record", "id"]).sort_values(["id", "record"], ignore_index=True)

    def rel_frame(self, rkey: RelKey) -> pd.DataFrame:
        """The relationships of one (type, from label, to label) as a DataFrame with ``from``/``to`` columns
        and their sorted ``sources``."""
        columns = ["from", "to", *REL_TYPES[rkey[0]].all_properties]
        sources = self.rel_sources[rkey]
        rows = [{**{c: None for c in columns}, **props, "from": key[0], "to": key[1],
                 "sources": sorted(sources[key])} for key, props in self.rels[rkey].items()]
        return pd.DataFrame(rows, columns=columns).sort_values(["from", "to"], ignore_index=True)

    def counts(self) -> dict[str, int]:
        out = {label: len(t) for label, t in self.nodes.items() if t}
        for (rtype, _, _), t in self.rels.items():
            out[rtype] = out.get(rtype, 0) + len(t)
        return out

    def __len__(self) -> int:
        return sum(len(t) for t in self.nodes.values()) + sum(len(t) for t in self.rels.values())


def _fill(table: dict, key, props: dict) -> None:
    """Add ``key`` with ``props``, or fill the gaps of the one already there."""
    current = table.get(key)
    if current is None:
        table[key] = {k: v for k, v in props.items() if v is not None}
        return
    for name, value in props.items():
        if value is not None and current.get(name) is None:
            current[name] = value
