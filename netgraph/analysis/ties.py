"""One-mode networks projected from the multi-mode graph: who is tied to whom, and on what evidence.

* person–person: co-offending (shared seizure, or a shared event of another kind that a mapping declared:
  meeting, call, …) and shared phone, account, organisation or conveyance;
* organisation–organisation: shared people or shared seizures;
* location flow: consecutive legs of the seizures' routes (directed).

Every projected edge keeps the records that support it (``sources``), what joins the pair (``via``: the
kinds of link, ``hubs``: the seizures, phones, companies … they share), and a ``weight``: the number of
supporting records, or their sum with weights halving every ``half_life_days`` before the newest record.

A projected network keeps ``via``, ``hubs`` and ``sources`` as integer codes (:class:`Evidence`; the union
of a pair's records is taken only when they are read) and its ties' ends as positions, and makes lists and
text only for what is read: at 100,000 generated records a person network has 4.75M ties, whose lists
alone took 7 s to make.

>>> links = memberships(store, via=("seizure", "phone"))           # doctest: +SKIP
>>> edges = co_membership_edges(links)                              # doctest: +SKIP
"""
from __future__ import annotations

import gc
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd

from ..schema import OTHER_LINKS, SEIZURE_EVENT
from ..store.base import GraphStore
from . import reads
from .grouping import gather, positions, split, unique
from .projection import Filters
from .reads import relationships

PERSON_LINKS = (SEIZURE_EVENT, *OTHER_LINKS)  # and the kind of every other event the store holds
EDGE_FIELDS = ["source", "target", "weight", "records", "via", "hubs", "sources"]
BIT_KINDS = 12  # up to this many kinds of link, a pair's kinds are found as bits (see _pair_kinds)


@dataclass(frozen=True)
class Scope:
    """Which records a network rests on: the projection filters plus countries and commodities of seizure."""
    filters: Filters = Filters()
    countries: tuple[str, ...] = ()  # ISO codes of the seizure country
    commodities: tuple[str, ...] = ()  # commodity keys, names, taxa or products (case-insensitive)

    def records(self, store: GraphStore) -> set[str] | None:
        """Keys of the eligible records (None when nothing is filtered)."""
        if not (self.filters.active or self.countries or self.commodities):
            return None
        records = reads.records(store)
        eligible = self.filters.eligible(records) if self.filters.active else set(records["id"])
        if self.countries or self.commodities:
            seizures = reads.node_frame(store, "Seizure")
            keep = pd.Series(True, index=seizures.index)
            if self.countries:
                keep &= seizures["country"].isin([c.upper() for c in self.countries])
            if self.commodities:
                keep &= seizures["id"].isin(_seizures_with(store, self.commodities))
            eligible &= {r for sources in seizures.loc[keep, "sources"] for r in sources}
        return eligible


def _seizures_with(store: GraphStore, commodities: tuple[str, ...]) -> set[str]:
    wanted = {c.casefold() for c in commodities}
    goods = store.node_frame("Commodity")
    match = goods[[any(str(v).casefold() in wanted for v in row) for row in
                   goods[["id", "name", "taxon", "product"]].itertuples(index=False)]]
    seized = store.edge_frame("SEIZED")
    return set(seized.loc[seized["target"].isin(match["id"]), "source"])


def event_kinds(store: GraphStore, events: pd.DataFrame | None = None) -> pd.Series:
    """The kind of every event (``Seizure`` node; ``events``: those nodes, if read already), by id: ``seizure``
    unless its mapping declared another."""
    events = store.node_properties("Seizure") if events is None else events
    return pd.Series(events["event"].fillna(SEIZURE_EVENT).to_numpy(dtype=object),
                     index=events["id"].to_numpy(dtype=object), dtype=object)


def link_kinds(store: GraphStore, via: tuple[str, ...] | None = None, events: pd.Series | None = None) -> tuple:
    """``via`` checked against the kinds of link the store can give, or (``None``) all of them: a shared
    seizure, phone, account, organisation or conveyance, and a shared event of each other kind it holds.

    >>> link_kinds(store)                                           # doctest: +SKIP
    ('seizure', 'phone', 'account', 'organization', 'conveyance', 'meeting')
    """
    if via is not None and set(via) <= set(PERSON_LINKS):
        return tuple(via)  # known without reading the events
    kinds = events if events is not None else event_kinds(store)
    choices = (*PERSON_LINKS, *sorted(set(kinds) - {SEIZURE_EVENT}))
    if via is None:
        return choices
    unknown = sorted(set(via) - set(choices))
    if unknown:
        raise ValueError(f"unknown link kinds {unknown}; choose from {', '.join(choices)}")
    return tuple(via)


def memberships(store: GraphStore, via: tuple[str, ...] | None = None, events: pd.Series | None = None) -> pd.DataFrame:
    """Person → hub links (person, hub, kind, sources) for the chosen kinds of link (``None``: all, see
    :func:`link_kinds`), one row per (person, hub, kind) in that order, ``sources`` the sorted distinct
    records behind it. A shared event's kind is the event's (``seizure``, ``meeting``, …; ``events``: the
    kind of every event, if known already)."""
    via = link_kinds(store, via, events)
    parts = []  # (person, hub, kind, [lists of records per link])
    involved = relationships(store, "INVOLVED_IN", from_label="Person", properties=False, ordered=False)
    shared_events = [k for k in via if k not in OTHER_LINKS]
    if shared_events:  # the events' kinds are read only when a kind of event is asked for
        events = event_kinds(store) if events is None else events
        kind_of = events.reindex(involved["target"].to_numpy(dtype=object)).to_numpy(dtype=object)
        for kind in shared_events:
            chosen = kind_of == kind
            if chosen.any():
                mine = involved[chosen]
                parts.append((mine["source"], mine["target"], kind, [mine["sources"]]))
    for kind, label in (("phone", "Phone"), ("account", "Account")):
        if kind in via:
            uses = relationships(store, "USES", from_label="Person", to_label=label, properties=False, ordered=False)
            parts.append((uses["source"], uses["target"], kind, [uses["sources"]]))
    if "organization" in via:
        for rel in ("WORKS_FOR", "DIRECTS"):
            frame = relationships(store, rel, properties=False, ordered=False)
            parts.append((frame["source"], frame["target"], "organization", [frame["sources"]]))
    if "conveyance" in via:  # person in a seizure that a vehicle, vessel or flight carried: both links' records
        conveyed = relationships(store, "CONVEYED_BY", properties=False, ordered=False)[["source", "target", "sources"]]
        joined = involved[["source", "target", "sources"]].merge(conveyed, left_on="target", right_on="source",
                                                                  suffixes=("", "_c"))
        parts.append((joined["source"], joined["target_c"], "conveyance", [joined["sources"], joined["sources_c"]]))
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return pd.DataFrame(columns=["person", "hub", "kind", "sources"])
    person = pd.concat([p[0] for p in parts], ignore_index=True)
    hub = pd.concat([p[1] for p in parts], ignore_index=True)
    kind = pd.Series(np.repeat([p[2] for p in parts], [len(p[0]) for p in parts]))
    at, rows, records = 0, [], []
    for part in parts:
        for lists in part[3]:
            row, flat = _flatten(lists)
            rows.append(row + at)
            records.append(flat)
        at += len(part[0])
    return _link_table(person, hub, kind, np.concatenate(rows), np.concatenate(records))


def _flatten(lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each item of every list with the position of its list: (positions, items as an object array)."""
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    items = np.empty(int(lengths.sum()), dtype=object)
    items[:] = [item for items_ in lists for item in items_]
    return np.repeat(np.arange(len(lists)), lengths), items


def _link_table(person: pd.Series, hub: pd.Series, kind: pd.Series, rows: np.ndarray,
                records: np.ndarray) -> pd.DataFrame:
    """Links grouped by (person, hub, kind), sorted, each with the sorted distinct records of its rows
    (``records[i]`` belongs to row ``rows[i]``); rows with a missing person, hub or kind are dropped."""
    p, people = pd.factorize(person, sort=True)
    h, hubs = pd.factorize(hub, sort=True)
    k, kinds = pd.factorize(kind, sort=True)
    key = (p.astype(np.int64) * max(len(hubs), 1) + h) * max(len(kinds), 1) + k
    key[(p < 0) | (h < 0) | (k < 0)] = -1
    groups, group = unique(key, inverse=True)
    first = int(groups[0] < 0) if len(groups) else 0  # the dropped rows' group, if any
    n = len(groups) - first
    r, names = pd.factorize(pd.Series(records, dtype=object), sort=True)
    entry_group = group[rows] - first
    keep = (entry_group >= 0) & (r >= 0)
    width = max(len(names), 1)
    entries = unique(entry_group[keep] * width + r[keep])
    lists = split(np.asarray(names, dtype=object)[entries % width].tolist(),
                   np.bincount(entries // width, minlength=n))
    groups = groups[first:]
    per_hub, k_of = np.divmod(groups, max(len(kinds), 1))
    p_of, h_of = np.divmod(per_hub, max(len(hubs), 1))
    return pd.DataFrame({"person": people.take(p_of), "hub": hubs.take(h_of), "kind": kinds.take(k_of),
                         "sources": lists})


@dataclass
class SharedRecords:
    """The records of each pair before their union: pair ``i``'s shared hubs are rows
    ``offsets[i]:offsets[i + 1]`` of ``left`` and ``right`` (its two people's slots on that hub), and a slot's
    records are ``slot_records[slot_offsets[s]:slot_offsets[s + 1]]`` (sorted codes below ``width``)."""
    offsets: np.ndarray
    left: np.ndarray
    right: np.ndarray
    slot_offsets: np.ndarray
    slot_records: np.ndarray
    width: int

    def union(self, pairs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and sorted distinct record codes of every pair (or of ``pairs``, in that order)."""
        if pairs is None:
            rows, n = np.arange(len(self.left)), len(self.offsets) - 1
            owner = np.repeat(np.arange(n), np.diff(self.offsets))
        else:
            rows, counts = gather(self.offsets, pairs)
            n, owner = len(pairs), np.repeat(np.arange(len(pairs)), counts)
        at_left, count_left = gather(self.slot_offsets, self.left[rows])
        at_right, count_right = gather(self.slot_offsets, self.right[rows])
        entries = unique(np.concatenate([np.repeat(owner, count_left) * self.width + self.slot_records[at_left],
                                         np.repeat(owner, count_right) * self.width + self.slot_records[at_right]]))
        owner, records = np.divmod(entries, self.width)
        return np.r_[0, np.cumsum(np.bincount(owner, minlength=n))], records

    def counts(self) -> np.ndarray:
        """The number of distinct records of every pair. Most pairs share one hub, each side on it through
        one record: those count 2, or 1 when it is the same record; the others are counted by :meth:`union`."""
        n = len(self.offsets) - 1
        held = np.diff(self.slot_offsets)
        first = np.full(len(held), -1, dtype=np.int64)
        first[held > 0] = self.slot_records[self.slot_offsets[:-1][held > 0]]
        one = np.flatnonzero(np.diff(self.offsets) == 1)
        left, right = self.left[self.offsets[one]], self.right[self.offsets[one]]
        simple = (held[left] == 1) & (held[right] == 1)
        out = np.zeros(n, dtype=np.int64)
        out[one[simple]] = 2 - (first[left[simple]] == first[right[simple]])
        rest = np.ones(n, dtype=bool)
        rest[one[simple]] = False
        rest = np.flatnonzero(rest)
        out[rest] = np.diff(self.union(rest)[0])
        return out

    def take(self, pairs: np.ndarray) -> "SharedRecords":
        rows, counts = gather(self.offsets, pairs)
        return SharedRecords(np.r_[0, np.cumsum(counts)], self.left[rows], self.right[rows], self.slot_offsets,
                             self.slot_records, self.width)


class Evidence:
    """What ties each pair, kept as integer codes until asked for: per field (``via``, ``hubs``,
    ``sources``), the sorted distinct values of row ``i`` are ``names[codes[offsets[i]:offsets[i + 1]]]``.
    The records (``sources``) may wait as :class:`SharedRecords`, their union not yet taken.

    Millions of ties make millions of Python lists (about 2 s per column per 5M ties); a network keeps
    this instead and makes lists only for the rows something reads (see ``Network.edges``)."""

    FIELDS = ("via", "hubs", "sources")

    def __init__(self, offsets: dict[str, np.ndarray], codes: dict[str, np.ndarray], names: dict[str, np.ndarray],
                 ends: tuple[np.ndarray, np.ndarray, pd.Index] | None = None, shared: SharedRecords | None = None):
        self.offsets, self.codes, self.names = offsets, codes, names
        self.ends = ends  # each row's source and target as positions in ends[2], the sorted people (or None)
        self.shared = shared  # the records before their union, while offsets/codes have no "sources"

    def __len__(self) -> int:
        return len(self.offsets["via"]) - 1

    def csr(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and codes of ``field`` for every row (the records' union taken once, then kept)."""
        if field == "sources" and self.shared is not None:
            self.offsets["sources"], self.codes["sources"] = self.shared.union()
            self.shared = None
        return self.offsets[field], self.codes[field]

    def lists(self, field: str, rows: np.ndarray | None = None) -> list[list]:
        """The lists of ``field`` for every row (or for ``rows``, positions, in that order)."""
        if rows is None:
            offsets, codes = self.csr(field)
            return split(self.names[field][codes].tolist(), np.diff(offsets))
        rows = np.asarray(rows, dtype=np.int64)
        if field == "sources" and self.shared is not None:
            offsets, codes = self.shared.union(rows)
            return split(self.names[field][codes].tolist(), np.diff(offsets))
        at, counts = gather(self.offsets[field], rows)
        return split(self.names[field][self.codes[field][at]].tolist(), counts)

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        return pd.DataFrame({f: self.lists(f, rows) for f in self.FIELDS})

    def take(self, rows: np.ndarray) -> "Evidence":
        """The evidence of ``rows`` (positions), in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        offsets, codes = {}, {}
        for f in self.offsets:
            at, counts = gather(self.offsets[f], rows)
            offsets[f] = np.concatenate([[0], np.cumsum(counts)])
            codes[f] = self.codes[f][at]
        ends = None if self.ends is None else (self.ends[0][rows], self.ends[1][rows], self.ends[2])
        return Evidence(offsets, codes, self.names, ends, None if self.shared is None else self.shared.take(rows))

    def present(self, field: str) -> set:
        """The distinct values of ``field`` over all rows."""
        return set(self.names[field][np.unique(self.csr(field)[1])].tolist())


def crowded_hubs(members: pd.DataFrame, max_people: int | None) -> pd.DataFrame:
    """The hubs of ``members`` that more than ``max_people`` distinct people share (hub, kind, people),
    most shared first (``None``: none is crowded).

    A vessel, a flight number or a truck used for years can carry hundreds of seized people: tying each to
    each (m(m − 1)/2 ties) says nothing about who works with whom, and at a national scale it is most of the
    ties (5,000 vessels of 1,000,000 generated records gave 54 million pairs; a hub of the samples has 22
    people at most).

    >>> m = pd.DataFrame({"person": ["a", "b", "c", "a"], "hub": ["ship", "ship", "ship", "s1"],
    ...                   "kind": ["conveyance"] * 3 + ["seizure"]})
    >>> crowded_hubs(m, 2).to_dict("records")
    [{'hub': 'ship', 'kind': 'conveyance', 'people': 3}]
    """
    if max_people is None or members.empty:
        return pd.DataFrame({"hub": pd.Series([], dtype=object), "kind": pd.Series([], dtype=object),
                             "people": pd.Series([], dtype=np.int64)})
    people = members.groupby("hub", sort=False)["person"].nunique()
    crowded = people[people > max_people]
    kinds = members[members["hub"].isin(crowded.index)].groupby("hub")["kind"].agg(lambda k: ", ".join(sorted(set(k))))
    out = pd.DataFrame({"hub": crowded.index.to_numpy(dtype=object), "kind": kinds.reindex(crowded.index).to_numpy(),
                        "people": crowded.to_numpy(dtype=np.int64)})
    return out.sort_values(["people", "hub"], ascending=[False, True], ignore_index=True)


def co_membership_edges(members: pd.DataFrame, record_dates: pd.Series | None = None,
                        half_life_days: float | None = None) -> pd.DataFrame:
    """Pairs of members sharing a hub, one row per pair, with evidence merged over all shared hubs.

    ``members`` has one row per link (``person``, ``hub``, ``kind``, ``sources``: a list of record keys).
    Every pair of distinct people on a hub is tied (``source`` < ``target``); a pair's ``via`` and ``hubs``
    are the sorted kinds and hubs it shares, ``sources`` the sorted union of both sides' records over those
    hubs, ``records`` their number and ``weight`` their (recency-weighted) count.

    Notes
    -----
    Vectorised on integer codes (see :func:`co_membership`), then the evidence made into lists.
    """
    return with_evidence(*co_membership(members, record_dates, half_life_days))


def with_ends(edges: pd.DataFrame, evidence: Evidence | None, rows: np.ndarray | None = None) -> pd.DataFrame:
    """``edges`` with ``source`` and ``target`` in front, made from ``evidence.ends`` (of its ``rows``) if the
    frame has none yet (text for millions of ties costs about a second: made when first read)."""
    if "source" in edges or evidence is None or evidence.ends is None:
        return edges
    first, second, people = evidence.ends
    if rows is not None:
        first, second = first[rows], second[rows]
    out = edges.copy()
    out.insert(0, "source", people.take(first))
    out.insert(1, "target", people.take(second))
    return out


def with_evidence(edges: pd.DataFrame, evidence: Evidence | None, rows: np.ndarray | None = None) -> pd.DataFrame:
    """``edges`` (weight, records …) with source, target and the lists of ``evidence`` (its ``rows``) as
    columns, in ``EDGE_FIELDS`` order first."""
    if evidence is None:
        return edges
    out = with_ends(edges, evidence, rows)
    out = out.copy() if out is edges else out
    for field in evidence.FIELDS:
        out[field] = evidence.lists(field, rows)  # a list: placed by position, whatever the frame's index
    return out[[*EDGE_FIELDS, *[c for c in out.columns if c not in EDGE_FIELDS]]]


def co_membership(members: pd.DataFrame, record_dates: pd.Series | None = None,
                  half_life_days: float | None = None) -> tuple[pd.DataFrame, Evidence | None]:
    """:func:`co_membership_edges` as (source, target, weight, records) and the :class:`Evidence` (via,
    hubs, sources) of each row, not yet made into lists.

    People, hubs, kinds and records are factorised in sorted order. A person's rows on one hub become one
    slot (the union of their kinds, as bits, and of their records); the pairs within each hub come from one
    numpy expansion of the hub-sorted slots; one stable sort by pair puts each pair's shared hubs in hub
    order; a pair's kinds are the OR of its slots' bits; its records, the sorted distinct (pair, record)
    keys of both sides' slot records. So sorted codes give sorted lists. Cost: sorts over the (pair, shared
    hub) rows and the records they carry; a hub with m members still gives m(m − 1)/2 pairs.
    """
    empty = pd.DataFrame(columns=EDGE_FIELDS)
    if members.empty:
        return empty, None
    person, persons = pd.factorize(members["person"], sort=True)
    hub, hub_names = pd.factorize(members["hub"], sort=True)
    kind, kinds = pd.factorize(members["kind"], sort=True, use_na_sentinel=False)
    valid = np.flatnonzero((person >= 0) & (hub >= 0))
    n_people, n_kinds = len(persons), len(kinds)
    slots, slot = unique(hub[valid].astype(np.int64) * n_people + person[valid], inverse=True)
    slot_hub, slot_person = np.divmod(slots, n_people)
    n_slots = len(slots)
    left, right = _pairs_within(slot_hub)  # slots are by hub, then person: distinct people, source < target
    if len(left) == 0:
        return empty, None
    keys = slot_person[left] * n_people + slot_person[right]
    order = np.argsort(keys, kind="stable")  # a pair's rows stay in hub order
    keys, left, right = keys[order], left[order], right[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    n_pairs = len(starts)
    pair = np.repeat(np.arange(n_pairs), np.diff(np.r_[starts, len(keys)]))
    offsets, codes = {}, {}
    offsets["hubs"], codes["hubs"] = np.r_[starts, len(keys)].astype(np.int64), slot_hub[left]
    offsets["via"], codes["via"] = _pair_kinds(kind[valid], slot, n_slots, n_kinds, left, right, starts, pair)
    lengths = np.fromiter(map(len, members["sources"]), dtype=np.int64, count=len(members))
    flat = pd.Series([r for rs in members["sources"] for r in rs], dtype=object)
    record, record_names = pd.factorize(flat, sort=True)
    row_slot = np.full(len(members), -1, dtype=np.int64)
    row_slot[valid] = slot
    width = max(len(record_names), 1)
    slot_of_entry = np.repeat(row_slot, lengths)
    known = slot_of_entry >= 0
    slot_records = unique(slot_of_entry[known] * width + record[known])
    slot_offsets = np.r_[0, np.cumsum(np.bincount(slot_records // width, minlength=n_slots))]
    shared = SharedRecords(np.r_[starts, len(keys)].astype(np.int64), left, right, slot_offsets,
                           slot_records % width, width)
    names = {"via": np.asarray(kinds, dtype=object), "hubs": np.asarray(hub_names, dtype=object),
             "sources": np.asarray(record_names, dtype=object)}
    if half_life_days:  # each record's age counts: take the union now
        offsets["sources"], codes["sources"] = shared.union()
        source_pair = np.repeat(np.arange(n_pairs), np.diff(offsets["sources"]))
        weights = _weights(source_pair, codes["sources"], names["sources"], n_pairs, record_dates, half_life_days)
        counts, shared = np.diff(offsets["sources"]), None
    else:
        counts = shared.counts()
        weights = counts.astype(float)
    first, second = np.divmod(keys[starts], n_people)
    edges = pd.DataFrame({"weight": weights, "records": counts})  # source, target: see Evidence.ends
    return edges, Evidence(offsets, codes, names, (first, second, persons), shared)


def _pair_kinds(kind: np.ndarray, slot: np.ndarray, n_slots: int, n_kinds: int, left: np.ndarray,
                right: np.ndarray, starts: np.ndarray, pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and codes of each pair's sorted distinct kinds (over both sides' slots, all shared hubs).

    Up to ``BIT_KINDS`` kinds, a slot's kinds are bits of an integer, a pair's the OR over its rows, and
    each possible set of bits is spelled out once in a table; with more kinds, by sorting (pair, kind)."""
    if n_kinds <= BIT_KINDS:
        bits = np.zeros(n_slots, dtype=np.int64)
        for code in range(n_kinds):
            bits[slot[kind == code]] |= np.int64(1) << code
        mask = np.bitwise_or.reduceat(bits[left] | bits[right], starts)
        table = [[code for code in range(n_kinds) if value >> code & 1] for value in range(1 << n_kinds)]
        table_offsets = np.r_[0, np.cumsum([len(t) for t in table])]
        at, counts = gather(table_offsets, mask)
        return np.r_[0, np.cumsum(counts)], np.asarray([c for t in table for c in t], dtype=np.int64)[at]
    width = n_kinds
    slot_kinds = unique(slot.astype(np.int64) * width + kind)
    offsets = np.r_[0, np.cumsum(np.bincount(slot_kinds // width, minlength=n_slots))]
    slot_kinds = slot_kinds % width
    at_left, count_left = gather(offsets, left)
    at_right, count_right = gather(offsets, right)
    found = unique(np.concatenate([np.repeat(pair, count_left) * width + slot_kinds[at_left],
                                   np.repeat(pair, count_right) * width + slot_kinds[at_right]]))
    at_pair, codes = np.divmod(found, width)
    return np.r_[0, np.cumsum(np.bincount(at_pair, minlength=len(starts)))], codes


def _pairs_within(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every two elements in the same run of the sorted ``groups``."""
    n = len(groups)
    if n == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], n]
    run_end = np.repeat(ends, ends - starts)
    after = run_end - 1 - np.arange(n)  # later elements of the same run
    first = np.repeat(np.arange(n), after)
    step = np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after)
    return first, first + 1 + step


def _weights(pair: np.ndarray, record: np.ndarray, names: np.ndarray, n_pairs: int, record_dates: pd.Series | None,
             half_life_days: float | None) -> np.ndarray:
    """Per pair, the number of its records, or with ``half_life_days`` the sum of 0.5 ** (age / half-life),
    the age in days before the newest record (undated or unknown records count 0).

    ``pair`` and ``record`` list each (pair, record) once, sorted, so ``np.bincount`` adds a pair's records
    in the same order as a Python ``sum`` over its sorted ``sources`` list.
    """
    if record_dates is None:
        raise ValueError("recency weighting needs record dates")
    newest = record_dates.max()
    decay = {k: 0.5 ** ((newest - d).days / half_life_days) if pd.notna(d) else 0.0
             for k, d in record_dates.items()}
    per_record = np.array([decay.get(r, 0.0) for r in names], dtype=float)
    return np.bincount(pair, weights=per_record[record], minlength=n_pairs)


def restrict(frame: pd.DataFrame, eligible: set[str] | None, column: str = "sources") -> pd.DataFrame:
    """Keep rows with at least one eligible record, and only those records."""
    if eligible is None:
        return frame
    frame = frame.assign(**{column: [[r for r in rs if r in eligible] for rs in frame[column]]})
    return frame[frame[column].map(len) > 0].reset_index(drop=True)


def record_dates(store: GraphStore) -> pd.Series:
    records = reads.records(store)
    return pd.Series(pd.to_datetime(records["record_date"]).dt.date.to_numpy(), index=records["id"])


def organization_edges(store: GraphStore, scope: Scope = Scope(), half_life_days: float | None = None):
    """Organisation–organisation edges: shared people (works for / directs) or shared seizures."""
    return with_evidence(*organization_ties(store, scope, half_life_days))


def organization_ties(store: GraphStore, scope: Scope = Scope(), half_life_days: float | None = None):
    """:func:`organization_edges` as (edges, :class:`Evidence`), the evidence not yet made into lists."""
    frames = [store.edge_frame(rel)[["source", "target", "sources"]] for rel in ("WORKS_FOR", "DIRECTS")]
    links = pd.concat(frames, ignore_index=True).rename(columns={"target": "person", "source": "hub"})
    links = links.assign(kind="person")
    involved = store.edge_frame("INVOLVED_IN")
    involved = involved[involved["source_label"] == "Organization"][["source", "target", "sources"]]
    links = pd.concat([links, involved.rename(columns={"source": "person", "target": "hub"}).assign(kind="seizure")],
                      ignore_index=True)
    links = restrict(links, scope.records(store))
    return co_membership(links, record_dates(store) if half_life_days else None, half_life_days)


def location_flow_edges(store: GraphStore, level: str = "place", scope: Scope = Scope()) -> pd.DataFrame:
    """Directed place → place edges between consecutive stops of each seizure's route.

    ``level="country"`` lifts every place to its country. Weight = number of seizures on the leg.
    """
    if level not in ("place", "country"):
        raise ValueError("level must be 'place' or 'country'")
    legs = store.edges(["ORIGIN", "TRANSIT", "DESTINATION"])
    legs = restrict(legs, scope.records(store))
    if level == "country":
        locations = store.node_properties("Location").set_index("id")
        country = locations["country"].map(lambda c: f"country:{c}" if isinstance(c, str) else None)
        legs = legs.assign(target=legs["target"].map(country).fillna(legs["target"]))
    legs = legs.sort_values(["source", "position"])
    hops = []
    for seizure, stops in legs.groupby("source", sort=True):
        places = stops["target"].tolist()
        sources = sorted({r for rs in stops["sources"] for r in rs})
        for a, b in zip(places, places[1:]):
            if a != b:
                hops.append((a, b, seizure, sources))
    if not hops:
        return pd.DataFrame(columns=EDGE_FIELDS)
    hops = pd.DataFrame(hops, columns=["source", "target", "hub", "sources"])
    out = hops.groupby(["source", "target"], sort=True).agg(
        hubs=("hub", lambda h: sorted(set(h))), sources=("sources", lambda s: sorted(set().union(*s)))).reset_index()
    out["via"] = [["route"]] * len(out)
    out["records"] = out["sources"].map(len)
    out["weight"] = out["hubs"].map(len).astype(float)
    return out[EDGE_FIELDS]



def tie_graph(ids: pd.Series, edges: pd.DataFrame, directed: bool = False,
              ends: tuple[np.ndarray, np.ndarray] | None = None) -> ig.Graph:
    """An igraph Graph of nodes ``ids`` (vertex ``name``, in that order) and weighted ``edges`` (source, target,
    weight), built from index arrays in one call (``ends``: the source and target positions in ``ids``,
    when known).

    The edge list goes to igraph as a list of tuples (5M ties: 2–3 s, against 5–8 s as a numpy array or a
    list of lists, which igraph reads element by element)."""
    index = pd.Index(ids)
    source, target = ends if ends is not None else (positions(edges["source"], index),
                                                    positions(edges["target"], index))
    was_enabled = gc.isenabled()
    gc.disable()  # millions of new tuples would set off full collections
    try:
        graph = ig.Graph(n=len(index), edges=list(zip(source.tolist(), target.tolist())), directed=directed)
    finally:
        if was_enabled:
            gc.enable()
    graph.vs["name"] = index.tolist()
    graph.es["weight"] = edges["weight"].to_numpy(dtype=float).tolist()
    return graph
