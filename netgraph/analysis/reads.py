"""Lean reads for projections: the rows of ``GraphStore.node_frame`` / ``edge_frame``, or only the columns a
projection needs, through ``GraphStore.query``, grouped with numpy instead of per-row Python.

The store's own frames read every property and make every list one row at a time; at 100,000 records the
person network spent 7 of its 13 s there, ``subgraph`` 25 of 35 s. These functions send plain Cypher that
reads the same on LadybugDB and Neo4j, one statement per (type, from label, to label) so that labels are
known without a dialect's label function, and answer as the store's own read would: the same rows, order,
columns and types (the tests compare them on every label and type). A relationship that lists no records of
its own gets its from-node's, as the store gives them; an empty result is the store's own (it decides the
column types of an empty frame). :func:`statements` lists every statement sent, for the Neo4j parser test.

>>> ties = relationships(store, "USES", from_label="Person", properties=False, ordered=False)  # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ASSERTED, NODE_TYPES, REL_TYPES, check_label, check_rel_type
from ..store.base import EDGE_COLUMNS, GraphStore
from .grouping import positions, split, unique


def relationships(store: GraphStore, rel_type: str, from_label: str | None = None, to_label: str | None = None,
                  properties: bool = True, sources: bool = True, ordered: bool = True) -> pd.DataFrame:
    """``store.edge_frame(rel_type)`` restricted to the ends' labels, optionally without the type's
    properties, without ``sources``, or unordered (the store orders by source, then target)."""
    spec = REL_TYPES[check_rel_type(rel_type)]
    props = [p for p in spec.all_properties if p != "sources"] if properties else []
    own = spec.sources  # else its records are its from-node's
    columns = [c for c in EDGE_COLUMNS if sources or c != "sources"] + props
    parts = []
    for a, b in spec.pairs if store.cypher_reads else ():  # labels come from the schema, never from users
        if from_label not in (None, a) or to_label not in (None, b):
            continue
        part = _query(store, _rel_read(rel_type, a, b, sources and own, props))
        if len(part):
            if sources and not own:
                part["sources"] = _sources(store, a, pd.DataFrame({"id": part["source"]}))
            parts.append(part.assign(source_label=a, target_label=b))
    if not parts:  # the store's own answer decides the column types of an empty frame
        frame = store.edge_frame(rel_type)
        keep = np.ones(len(frame), dtype=bool)
        if from_label:
            keep &= (frame["source_label"] == from_label).to_numpy()
        if to_label:
            keep &= (frame["target_label"] == to_label).to_numpy()
        return frame.loc[keep, columns].reset_index(drop=True) if not keep.all() else frame[columns]
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if sources and own:
        frame["sources"] = _lists(frame["sources"], sort=getattr(store, "dialect", None) != "ladybug")
    frame.insert(2, "type", rel_type)
    if ordered:
        frame = frame.iloc[_order(frame["source"], frame["target"])].reset_index(drop=True)
    return frame[columns]


def _lists(values: pd.Series, sort: bool) -> pd.Series | list:
    """A relationship's ``sources`` as the store's edge_frame gives them: lists ([] for none), sorted
    where the store sorts them (Neo4j keeps a list's order of arrival; LadybugDB keeps lists sorted)."""
    if sort:
        return [sorted(s) if s is not None else [] for s in values.tolist()]
    first = values.iloc[0]
    if values.isna().any() or not isinstance(first, list):
        return [[] if s is None else s if isinstance(s, list) else list(s) for s in values.tolist()]
    return values  # the driver's lists already


def _order(*columns: pd.Series) -> np.ndarray:
    """Positions that sort the rows by ``columns`` (first column first), stably, in Arrow (text by code
    point, as the stores order it)."""
    table = pa.table({str(i): pa.array(c, from_pandas=True) for i, c in enumerate(columns)})
    return pc.sort_indices(table, sort_keys=[(str(i), "ascending") for i in range(len(columns))]).to_numpy()


def node_frame(store: GraphStore, label: str) -> pd.DataFrame:
    """``store.node_frame(label)``: every property and ``sources``, sorted by id."""
    frame = store.node_properties(label)
    frame["sources"] = _sources(store, label, frame)
    return frame


def records(store: GraphStore) -> pd.DataFrame:
    """``store.records()``: the source records, one row each."""
    return node_frame(store, "Record")


def _sources(store: GraphStore, label: str, frame: pd.DataFrame) -> list[list[str]]:
    """The records behind each node of ``frame`` (nodes of ``label``, with ``id`` and the property their
    records come from, if any), as ``store.node_sources`` gives them."""
    origin = NODE_TYPES[check_label(label)].sources_from
    if origin is None:
        return [[] for _ in range(len(frame))]
    if origin != ASSERTED:  # .tolist() first: iterating a pandas text column makes a pyarrow scalar per item
        return [[v] if isinstance(v, str) else [] for v in frame[origin].tolist()]
    return node_records(store, label, frame["id"])


def nodes(store: GraphStore, labels: list[str]) -> pd.DataFrame:
    """``store.nodes(labels)``: id, name, sources, label, each label's nodes sorted by id."""
    if not store.cypher_reads:
        return store.nodes(labels)
    frames = []
    for label in labels:
        frame = _query(store, _node_read(label))
        if frame.empty:
            continue
        frame = frame.iloc[_order(frame["id"])].reset_index(drop=True)
        frame["sources"] = _sources(store, label, frame)
        frames.append(frame[["id", "name", "sources"]].assign(label=label))
    if not frames:
        return pd.DataFrame(columns=["id", "name", "sources", "label"])
    return pd.concat(frames, ignore_index=True)


def node_records(store: GraphStore, label: str, ids: pd.Series) -> list[list[str]]:
    """The sorted records that assert each node of ``ids`` (nodes of ``label``), in that order."""
    if not store.cypher_reads:
        return store.node_frame(label).set_index("id")["sources"].reindex(ids.to_numpy()).map(
            lambda s: s if isinstance(s, list) else []).tolist()
    pairs = _query(store, _asserts_read(label))
    if pairs.empty:
        return [[] for _ in range(len(ids))]
    owner = positions(pairs["id"], ids)
    record, names = pd.factorize(pairs["record"], sort=True)
    keep = (owner >= 0) & (record >= 0)
    width = max(len(names), 1)
    entries = unique(owner[keep] * width + record[keep])
    return split(np.asarray(names, dtype=object)[entries % width].tolist(),
                 np.bincount(entries // width, minlength=len(ids)))


def _query(store: GraphStore, cypher: str) -> pd.DataFrame:
    """The rows of ``cypher``: by ``store.query_arrow`` (an Arrow table) where the store offers it, else by
    ``store.query``. (LadybugDB's pandas conversion makes a Python object of every value, then pandas turns
    text back into Arrow: at 100,000 records that was 4.4 of the 9 s CPU ``subgraph`` takes.)"""
    arrow = getattr(store, "query_arrow", None)
    if arrow is None:
        return store.query(cypher)
    table = arrow(cypher)
    lists = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    frame = table.drop_columns(lists).to_pandas(types_mapper=None)
    for name in lists:
        frame[name] = table[name].to_pylist()
    return frame[table.column_names]


def _rel_read(rel_type: str, a: str, b: str, sources: bool, props: list[str]) -> str:
    return (f"MATCH (a:{a})-[e:{rel_type}]->(b:{b}) RETURN a.id AS source, b.id AS target"
            + (", e.sources AS sources" if sources else "") + "".join(f", e.{p} AS {p}" for p in props))


def _node_read(label: str) -> str:
    origin = NODE_TYPES[check_label(label)].sources_from
    extra = f", n.{origin} AS {origin}" if origin not in (None, ASSERTED, "id", "name") else ""
    return f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name{extra}"


def _asserts_read(label: str) -> str:
    return f"MATCH (rec:Record)-[:ASSERTS]->(n:{check_label(label)}) RETURN n.id AS id, rec.id AS record"


def statements() -> list[str]:
    """Every statement these reads send, over the whole schema."""
    out = [_node_read(label) for label in NODE_TYPES] + [_asserts_read(label) for label in NODE_TYPES]
    for rel_type, spec in REL_TYPES.items():
        props = [p for p in spec.all_properties if p != "sources"]
        for a, b in spec.pairs:
            out += [_rel_read(rel_type, a, b, listed and spec.sources, chosen) for listed in (True, False)
                    for chosen in (props, [])]
    return sorted(set(out))
