"""The broker report and group profiles: the tables analysts read first.

The broker report ranks every node by a composite of betweenness, PageRank, effective size, outside
brokerage (Gould–Fernandez roles other than coordinator), the number of other communities it touches, and
low constraint — each turned into a percentile rank and averaged, so no single scale dominates. Its
``reasons`` column says in plain words why a node ranks where it does.

Closeness and harmonic centrality are reported but not ranked; above ``measures.PATH_MEASURES_MAX_NODES``
nodes they, and betweenness unless ``betweenness_k`` is given, are estimated from sampled sources, and
``report.attrs["methods"]`` says how each path measure (betweenness, closeness, harmonic) was computed.
"""
from __future__ import annotations

import hashlib
import json
import random
import re

import igraph as ig
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import SEIZURE_EVENT
from .measures import GF_ROLES, sample_sources

PATH_SHARE_SOURCES = 200  # at most this many sources per group when measuring a broker's share of paths
REASONED_ROWS = 50  # rows of the report that get the path-share phrase (it costs BFS runs)


def path_share(graph: ig.Graph, vertex: int, group_a: list[int], group_b: list[int], seed: int = 0) -> float:
    """Share of shortest paths (hops) between members of two groups that pass through ``vertex``.

    Averaged over connected pairs (s in A, t in B); with more than ``PATH_SHARE_SOURCES`` members (fewer on
    networks of more than 50,000 ties: :func:`~netgraph.analysis.measures.sample_sources`), A is a seeded
    sample. igraph's subset betweenness counts each undirected pair once and halves it, hence × 2.
    """
    a = [s for s in group_a if s != vertex]
    b = [t for t in group_b if t != vertex]
    most = min(PATH_SHARE_SOURCES, sample_sources(len(a), graph.ecount()))
    if len(a) > most:
        a = sorted(random.Random(seed).sample(a, most))
    if not a or not b:
        return 0.0
    distances = np.array(graph.distances(source=a, target=b), dtype=float)
    connected = np.isfinite(distances) & (distances > 0)
    pairs = int(connected.sum())
    if pairs == 0:
        return 0.0
    through = graph.betweenness(vertices=[vertex], directed=False, sources=a, targets=b)[0] * 2
    return through / pairs


def broker_report(net, group: str = "nationality", method: str = "leiden", seed: int = 0,
                  betweenness_k: int | None = None, top: int | None = None) -> pd.DataFrame:
    """One ranked row per node: measures, community, seizures and reasons (see the module doc)."""
    graph = net.graph
    frame = net.centrality(betweenness_k=betweenness_k, seed=seed)
    methods = dict(frame.attrs.get("methods", {}))  # closeness, harmonic: estimated on big networks (not ranked)
    frame = frame.merge(net.brokerage(group).drop(columns="name"), on="id")
    communities = net.communities(method, seed)
    frame = frame.merge(communities[["id", "community"]], on="id")
    frame = frame.merge(net.nodes.drop(columns="name"), on="id", how="left")
    membership = communities.set_index("id").loc[graph.vs["name"], "community"].to_numpy()
    adjacency = graph.get_adjlist()
    bridged = {graph.vs[i]["name"]: sorted({int(membership[j]) for j in adjacency[i]} - {int(membership[i])})
               for i in range(graph.vcount())}
    frame["groups_bridged"] = frame["id"].map(lambda v: len(bridged[v]))
    frame["outside_brokerage"] = frame[[r for r in GF_ROLES if r != "coordinator"]].sum(axis=1)
    frame = frame.merge(_activity(net), on="id", how="left")
    ranks = [frame[c].fillna(0).rank(pct=True) for c in ("betweenness", "pagerank", "effective_size",
                                                          "outside_brokerage", "groups_bridged")]
    ranks.append((-frame["constraint"].fillna(1.0)).rank(pct=True))
    frame["score"] = np.mean(ranks, axis=0).round(12)
    frame = frame.sort_values(["score", "id"], ascending=[False, True], ignore_index=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    if top is not None:
        frame = frame.head(top).copy()
    frame["reasons"] = _reasons(net, frame, bridged, membership, group, seed)
    first = [c for c in ("rank", "id", "name", "nationality", "community", "score", "reasons") if c in frame]
    report = frame[first + [c for c in frame.columns if c not in first]]
    report.attrs = {"methods": methods}
    return report


def _activity(net) -> pd.DataFrame:
    """Per person: seizures, every event by kind in words (``events``: "3 seizures, 2 meetings"), first and
    last seen, countries and commodities."""
    if net.involvement is None or net.seizures is None:
        return pd.DataFrame(columns=["id", "seizures", "events", "first_seen", "last_seen", "countries",
                                     "commodities"])
    joined = net.involvement.merge(net.seizures.rename(columns={"id": "seizure"}), on="seizure")
    joined["event"] = joined["event"].fillna(SEIZURE_EVENT) if "event" in joined else SEIZURE_EVENT
    grouped = joined.groupby("id")
    distinct = joined.drop_duplicates(["id", "seizure"])
    per_kind = distinct.groupby(["id", "event"]).size()
    return pd.DataFrame({
        "seizures": distinct[distinct["event"] == SEIZURE_EVENT].groupby("id").size().reindex(
            grouped.size().index, fill_value=0),
        "events": per_kind.groupby(level="id").agg(lambda counts: _in_words(counts.droplevel("id"))),
        "first_seen": grouped["date"].min(), "last_seen": grouped["date"].max(),
        "countries": grouped["country"].agg(lambda c: sorted({x for x in c if isinstance(x, str)})),
        "commodities": grouped["commodities"].agg(lambda c: sorted({x for xs in c for x in xs})),
    }).reset_index()


def _reasons(net, frame: pd.DataFrame, bridged: dict, membership: np.ndarray, group: str, seed: int) -> list[str]:
    graph = net.graph
    index = {name: i for i, name in enumerate(graph.vs["name"])}
    members: dict[int, list[int]] = {}
    for i, c in enumerate(membership):
        members.setdefault(int(c), []).append(i)
    attribute = dict(zip(net.nodes["id"], net.nodes[group])) if group in net.nodes else {}
    out = []
    for position, row in enumerate(frame.itertuples(index=False)):
        parts = []
        v = index[row.id]
        others = bridged[row.id]
        if others:
            groups = [int(row.community), *others]
            labels = sorted({a for j in [v, *graph.neighbors(v)]
                             if (a := attribute.get(graph.vs[j]["name"])) is not None and pd.notna(a)})
            across = f" across {'/'.join(labels)}" if labels and group in net.nodes else ""
            parts.append(f"connects {len(groups)} groups ({', '.join(map(str, groups))}){across}")
            if position < REASONED_ROWS:
                busiest = max(others, key=lambda c: (sum(membership[j] == c for j in graph.neighbors(v)), -c))
                share = path_share(graph, v, members[int(row.community)], members[busiest], seed)
                if share > 0:
                    parts.append(f"on {share:.0%} of shortest paths between groups {int(row.community)} and "
                                 f"{busiest}")
        if row.articulation_point:
            parts.append("a cut point: removing them splits the network")
        if row.outside_brokerage:
            roles = {r: getattr(row, r) for r in GF_ROLES if r != "coordinator" and getattr(row, r)}
            main = max(roles, key=lambda r: (roles[r], r))
            parts.append(f"brokers {row.outside_brokerage} open paths between {group} groups (mostly as {main})")
        events = getattr(row, "events", None)
        if isinstance(events, str) and events:
            span = f"{row.first_seen.year}–{row.last_seen.year}" if row.first_seen.year != row.last_seen.year \
                else f"{row.first_seen.year}"
            parts.append(f"{events} {span}")
        out.append("; ".join(parts) if parts else "no ties in scope")
    return out


def _in_words(counts: pd.Series) -> str:
    """Events counted by kind, seizures first: "3 seizures, 1 meeting"."""
    order = sorted(counts.index, key=lambda kind: (kind != SEIZURE_EVENT, kind))
    return ", ".join(f"{counts[k]} {k.replace('_', ' ')}{'' if counts[k] == 1 else 's'}" for k in order)


def group_profiles(net, communities: pd.DataFrame) -> pd.DataFrame:
    """One row per community: members, nationalities, seizure countries, commodities, dates, quantities, brokers."""
    scores = net.centrality(which=("betweenness",))[["id", "betweenness"]]
    table = communities.merge(scores, on="id").merge(net.nodes.drop(columns="name"), on="id", how="left")
    activity = None
    if net.involvement is not None and net.seizures is not None:
        activity = net.involvement.merge(communities[["id", "community"]], on="id").merge(
            net.seizures.rename(columns={"id": "seizure"}), on="seizure")
    rows = []
    for community, part in table.groupby("community", sort=True):
        part = part.sort_values(["betweenness", "id"], ascending=[False, True])
        row = {"community": community, "size": len(part), "members": "; ".join(sorted(part["name"])),
               "brokers": "; ".join(part["name"].head(3))}
        if "nationality" in part:
            row["nationalities"] = "/".join(sorted(part["nationality"].dropna().unique()))
        if activity is not None:
            seized = activity[activity["community"] == community].drop_duplicates("seizure")
            row.update({"seizures": len(seized),
                        "countries": "/".join(sorted(seized["country"].dropna().unique())),
                        "commodities": "; ".join(sorted({c for cs in seized["commodities"] for c in cs})),
                        "first_seen": seized["date"].min() if len(seized) else None,
                        "last_seen": seized["date"].max() if len(seized) else None,
                        "weight_kg": round(float(seized["weight_kg"].fillna(0).sum()), 3),
                        "pieces": float(seized["pieces"].fillna(0).sum())})
        rows.append(row)
    return pd.DataFrame(rows)


def input_hash(net) -> str:
    """SHA-256 over the network's nodes and edges with their supporting records.

    The digest of each node's ``json.dumps([id, name], ensure_ascii=False)`` and each edge's
    ``json.dumps([source, target, sorted(sources)], ensure_ascii=False)``, in order. Each distinct value is
    written as JSON once (plain strings quoted directly, identical to ``json.dumps``; anything else through
    it), and the rows are put together by Arrow's string kernels: 500k ties took 3.4 s row by row, 0.3 s so.
    A network that keeps its evidence as codes (``net.source_codes()``) is hashed without making lists.
    """
    digest = hashlib.sha256()
    nodes = net.nodes
    _update(digest, _join(["[", _json_column(nodes["id"]), ", ", _json_column(nodes["name"]), "]"]))
    codes = net.source_codes() if hasattr(net, "source_codes") else source_codes(net.edges["sources"])
    offsets, records, names = codes
    quoted = pa.array(_json_values(names.tolist()), pa.large_string()).take(pa.array(records))
    cells = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), quoted),
                           pa.scalar(", ", pa.large_string()))
    edges = net.ties if hasattr(net, "ties") else net.edges
    _update(digest, _join(["[", _json_column(edges["source"]), ", ", _json_column(edges["target"]), ", [", cells,
                           "]]"]))
    return digest.hexdigest()


def source_codes(lists) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lists of record keys as (offsets, codes, names): row i's keys, sorted, are
    ``names[codes[offsets[i]:offsets[i + 1]]]`` (duplicates kept, as ``sorted`` keeps them)."""
    lists = list(lists)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = [r for rs in lists for r in rs]
    try:
        codes, names = pd.factorize(flat, sort=True)
        order = np.lexsort((codes, np.repeat(np.arange(len(lists)), lengths)))
    except TypeError:  # keys that do not sort together: each list sorted on its own, as sorted() would
        flat[:] = [r for rs in lists for r in sorted(rs)]
        codes, names = pd.factorize(flat)
        order = np.arange(len(flat))
    return np.r_[0, np.cumsum(lengths)], codes[order], np.asarray(names, dtype=object)


def _json_column(values: pd.Series) -> pa.Array:
    """``json.dumps(v, ensure_ascii=False)`` of each value, as Arrow text; each distinct value once."""
    missing = values.isna().to_numpy()
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable values: one by one
        return pa.array(_json_values(values.tolist()), pa.large_string())
    out = pa.array(_json_values(uniques.tolist()), pa.large_string()).take(pa.array(np.where(missing, 0, codes)))
    if missing.any():  # None is null, NaN is NaN: written one by one, as the rows hold them
        at = np.flatnonzero(missing)
        out = pc.replace_with_mask(out, pa.array(missing), pa.array(
            _json_values(values.to_numpy(dtype=object)[at].tolist()), pa.large_string()))
    return out


def _join(parts: list) -> pa.Array:
    """The pieces (Arrow text columns or constant strings) joined row by row."""
    text = pa.large_string()
    return pc.binary_join_element_wise(*[pa.scalar(p, text) if isinstance(p, str) else p.cast(text) for p in parts],
                                       pa.scalar("", text))


def _update(digest, text: pa.Array) -> None:
    """Feed the concatenation of the rows of ``text`` (no nulls) to ``digest``, straight from Arrow's buffer."""
    if len(text) == 0:
        return
    text = text.cast(pa.large_string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    digest.update(memoryview(text.buffers()[2])[int(offsets[0]):int(offsets[-1])])


_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what json.dumps(ensure_ascii=False) escapes in a string


def _json_values(values) -> list[str]:
    """``json.dumps(v, ensure_ascii=False)`` of each value."""
    return [f'"{v}"' if isinstance(v, str) and not _ESCAPED.search(v) else json.dumps(v, ensure_ascii=False)
            for v in values]
