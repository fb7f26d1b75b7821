"""The release view: what the records a release level allows assert, and nothing else.

Every output for an audience (court charts and their evidence CSV, case packages and their GraphML, GEXF and
i2 files) is rendered from a :class:`ReleaseView` of the store, built once: a read-only, in-memory store
holding only

- the records whose 5x5x5 handling code is at most the release level (or unset) and that fall in the date
  window;
- the nodes, relationships and mentions those records assert, each listing only those records as sources;
- names chosen among what those records wrote: an entity's display name is **its most frequent releasable
  spelling** (the mention texts of the allowed records; a tie goes to the alphabetically first), and a
  resolved person is named after the most frequent releasable spelling of any of its spellings (that
  spelling's node stands for the person, ``resolved_id``). An entity no releasable mention names keeps its
  stored name only if no record outside the view asserts it, else it is "Unnamed person 1" … (kind, number);
- properties only records give (a person's passport, birth date and nationality, a company's kind and
  country, a seizure's declared value and purpose, a prosecution's case number and judgement date, a
  person's fine on their tie to a seizure) only where no record outside the view also asserts the node or
  tie: a nationality is taken again from the released NATIONAL_OF links when they name one country.

A renderer given the view cannot reach a withheld record: its spellings, phones, document numbers and record
ids are not in it. Bookkeeping (loads, exchanges) and suspected links (leads) are not in it either.

>>> view = ReleaseView(store, level=2)                         # doctest: +SKIP
>>> person_network(view).nodes["name"].head(2)                 # doctest: +SKIP
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..analysis.projection import Filters
from ..schema import ASSERTED, NODE_TYPES, REL_TYPES
from ..store.base import EDGE_COLUMNS, GraphStore

#: properties of a node that only records give (a withheld record may have given them)
RECORD_ONLY = {"Person": ("passport", "birth_date", "nationality"), "Organization": ("kind", "country"),
               "Seizure": ("value", "value_currency", "purpose"),
               "Prosecution": ("case_number", "judgement_date", "judgement_date_precision")}
#: properties of a relationship that only records give: dropped where a record outside the view also asserts it
RECORD_ONLY_TIES = {"INVOLVED_IN": ("fine", "fine_currency")}
#: node labels named by what records wrote (their mentions)
NAMED_BY_MENTIONS = ("Person", "Organization", "Phone", "Account", "Vehicle", "Vessel", "Flight", "Document")
LEFT_OUT_LABELS = ("Load", "Exchange")  # bookkeeping, asserted by no record
LEFT_OUT_TYPES = ("SUSPECTED_LINK",)  # leads are not asserted by records


class ReleaseView(GraphStore):
    """A read-only store of what the records at or below ``level`` in the date window assert (see the module
    doc); ``handling`` (record key → code) overrides stored handling codes, e.g. to see what a release would
    hold once the originator downgrades some records. A view of a view narrows it further. ``withheld``: keys
    of the records above the level; ``left_out``: per label, the ids of the nodes that lost their record-only
    properties because a record outside the view also asserts them."""

    cypher_reads = False  # frames only: analyses read it through node_frame and edge_frame

    def __init__(self, store: GraphStore, level: int, date_from=None, date_to=None, handling: dict | None = None):
        records = store.records()
        if handling:  # what the release would hold were these records graded so (record key → code)
            records = records.assign(handling=records["id"].map(handling).fillna(records["handling"]))
        self.level = level
        self.allowed = Filters(date_from, date_to, max_handling=level).eligible(records)
        handling = pd.to_numeric(records["handling"], errors="coerce")
        self.withheld = set(records.loc[handling > level, "id"])
        self._outside: dict[str, set] = {}  # per label, ids of nodes a record outside the view also asserts
        self._nodes = {label: self._released_nodes(store, label, records) for label in NODE_TYPES}
        kept = {label: set(frame["id"].tolist()) for label, frame in self._nodes.items()}
        self._edges = {t: self._released_edges(store, t, kept) for t in REL_TYPES}
        self.left_out = self._blank_record_only()
        self._entity_of_cluster: dict[str, str] = {}
        self._name_from_mentions()

    # --- building ------------------------------------------------------------------------------------------
    def _released_nodes(self, store: GraphStore, label: str, records: pd.DataFrame) -> pd.DataFrame:
        frame = records if label == "Record" else store.node_frame(label)
        if frame.empty:  # a store may give an empty label no columns
            frame = pd.DataFrame(columns=[*NODE_TYPES[label].all_properties, "sources"])
        if label == "Person":  # each spelling's person in the store, whatever the view keeps of it
            self._cluster = dict(zip(frame["id"], frame["resolved_id"].where(frame["resolved_id"].notna(),
                                                                             frame["id"])))
        if label in LEFT_OUT_LABELS or frame.empty:
            self._outside[label] = set()
            return frame.iloc[:0]
        origin = NODE_TYPES[label].sources_from
        if origin != ASSERTED:  # a record is its own source, a mention its record's
            keep = [bool(ss) and ss[0] in self.allowed for ss in frame["sources"].tolist()]
            return frame.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        self._outside[label] = {i for i, ss in zip(frame["id"].tolist(), frame["sources"].tolist())
                                if not self.allowed.issuperset(ss)}
        return _only(frame, self.allowed)

    def _released_edges(self, store: GraphStore, rel_type: str, kept: set) -> pd.DataFrame:
        frame = store.edge_frame(rel_type)
        if frame.empty:
            frame = pd.DataFrame(columns=[*EDGE_COLUMNS, *(p for p in REL_TYPES[rel_type].all_properties
                                                          if p != "sources")])
        if rel_type in LEFT_OUT_TYPES or frame.empty:
            return frame.iloc[:0]
        record_only = list(RECORD_ONLY_TIES.get(rel_type, ()))
        if record_only:  # ties a record outside the view also asserts lose what only records give
            frame = frame.assign(_mixed=[not self.allowed.issuperset(ss) for ss in frame["sources"].tolist()])
        frame = _only(frame, self.allowed)
        if record_only:
            frame.loc[frame.pop("_mixed").to_numpy(dtype=bool), record_only] = None
        ends = zip(frame["source_label"].tolist(), frame["source"].tolist(), frame["target_label"].tolist(),
                   frame["target"].tolist())
        both = [a in kept[la] and b in kept[lb] for la, a, lb, b in ends]
        return frame if all(both) else frame.iloc[np.flatnonzero(both)].reset_index(drop=True)

    def _blank_record_only(self) -> dict[str, set]:
        """Record-only properties of nodes a record outside the view also asserts are dropped: their ids."""
        left_out = {}
        for label, props in RECORD_ONLY.items():
            frame = self._nodes[label]
            mixed = frame["id"].isin(self._outside[label]).to_numpy(dtype=bool)
            frame.loc[mixed, list(props)] = None
            left_out[label] = set(frame.loc[mixed, "id"])
            if label == "Person" and mixed.any():  # a nationality the released links give
                places = self._nodes["Location"].set_index("id")["country"]
                national = self._edges["NATIONAL_OF"]
                told = national.assign(c=national["target"].map(places)).dropna(subset=["c"]) \
                    .drop_duplicates(["source", "c"])
                one = told[~told["source"].duplicated(keep=False)].set_index("source")["c"]
                frame.loc[mixed, "nationality"] = frame.loc[mixed, "id"].map(one).to_numpy(dtype=object)
        return left_out

    def _name_from_mentions(self) -> None:
        """Each entity's name: its most frequent releasable spelling; a resolved person's: the most frequent
        spelling of any of its spellings, whose node stands for it."""
        refers = self._edges["REFERS_TO"]
        mentions = self._nodes["Mention"]
        text_of = dict(zip(mentions["id"].tolist(), mentions["text"].tolist()))
        spellings: dict[str, dict[str, Counter]] = {label: {} for label in NAMED_BY_MENTIONS}
        for mention, node, label in zip(refers["source"].tolist(), refers["target"].tolist(),
                                        refers["target_label"].tolist()):
            text = text_of.get(mention)
            if isinstance(text, str) and label in spellings:
                spellings[label].setdefault(node, Counter())[text] += 1
        for label in NAMED_BY_MENTIONS:
            frame = self._nodes[label]
            if frame.empty:
                continue
            said = spellings[label]
            kind, unnamed = "person" if label == "Person" else label.lower(), iter(range(1, len(frame) + 1))
            outside = self._outside[label]
            frame["name"] = [_most_frequent(said[i]) if i in said else n if isinstance(n, str) and i not in outside
                             else f"Unnamed {kind} {next(unnamed)}"
                             for i, n in zip(frame["id"].tolist(), frame["name"].tolist())]
            if label == "Person":
                self._resolve_people(frame, said)

    def _resolve_people(self, persons: pd.DataFrame, said: dict[str, Counter]) -> None:
        """``resolved_id`` of every released spelling: the released spelling its person is named after (the
        one that wrote the cluster's most frequent spelling most often; ties to the first id)."""
        ids, resolved = persons["id"].tolist(), persons["resolved_id"].tolist()
        cluster = [r if isinstance(r, str) else i for i, r in zip(ids, resolved)]
        totals: dict[str, Counter] = {}
        for i, c in zip(ids, cluster):
            totals.setdefault(c, Counter()).update(said.get(i, {}))
        stands_for = {}
        for i, c in sorted(zip(ids, cluster)):
            if totals[c]:
                top = _most_frequent(totals[c])
                n = said.get(i, {}).get(top, 0)
                if n and (c not in stands_for or n > stands_for[c][1]):
                    stands_for[c] = (i, n)
        persons["resolved_id"] = [stands_for.get(c, (i,))[0] if isinstance(r, str) else None
                                  for i, c, r in zip(ids, cluster, resolved)]
        self._entity_of_cluster = {c: stands_for.get(c, (i,))[0] if isinstance(r, str) else i
                                   for i, c, r in zip(ids, cluster, resolved)}

    # --- reads ---------------------------------------------------------------------------------------------
    def entity(self, person_id: str) -> str | None:
        """The view's id for a person of the store (a spelling or a resolved person): None if no released
        spelling of it is left."""
        wanted = self._cluster.get(person_id, person_id)
        return self._entity_of_cluster.get(wanted)

    def node_properties(self, label: str) -> pd.DataFrame:
        return self._nodes[label].drop(columns="sources").copy()

    def node_frame(self, label: str) -> pd.DataFrame:
        return self._nodes[label].copy()

    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        return self._edges[rel_type].copy()

    def counts(self) -> dict[str, int]:
        out = {**{label: len(f) for label, f in self._nodes.items()}, **{t: len(f) for t, f in self._edges.items()}}
        return {k: v for k, v in out.items() if v}

    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        raise NotImplementedError("a release view holds frames, not Cypher: read it with node_frame and edge_frame")

    def write(self, batch, progress: bool = False) -> None:
        raise PermissionError("a release view is read-only")

    def write_properties(self, label: str, frame: pd.DataFrame) -> None:
        raise PermissionError("a release view is read-only")

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"ReleaseView(level {self.level}: {len(self.allowed)} records released, {len(self.withheld)} withheld)"


def _most_frequent(counts: Counter) -> str:
    """The most frequent text; a tie goes to the alphabetically first."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _only(frame: pd.DataFrame, allowed: set) -> pd.DataFrame:
    """Rows of ``frame`` that some allowed record asserts, each listing only those records."""
    kept = [ss if allowed.issuperset(ss) else [] if allowed.isdisjoint(ss) else [s for s in ss if s in allowed]
            for ss in frame["sources"].tolist()]
    rows = np.flatnonzero([len(ss) > 0 for ss in kept])
    out = frame.iloc[rows].reset_index(drop=True)
    out["sources"] = [kept[i] for i in rows]
    return out
