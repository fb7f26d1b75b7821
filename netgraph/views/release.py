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
  country) only where no record outside the view also asserts the node: a nationality is taken again from
  the released NATIONAL_OF links when they name one country.

A renderer given the view cannot reach a withheld record: its spellings, phones, document numbers and record
ids are not in it. Bookkeeping (loads, exchanges) and suspected links (leads) are not in it either.

>>> view = ReleaseView(store, level=2)                         # doctest: +SKIP
>>> person_network(view).nodes["name"].head(2)                 # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.projection import Filters
from ..schema import ASSERTED, NODE_TYPES, REL_TYPES
from ..store.base import EDGE_COLUMNS, GraphStore

#: properties of a node that only records give (a withheld record may have given them)
RECORD_ONLY = {"Person": ("passport", "birth_date", "nationality"), "Organization": ("kind", "country")}
#: node labels named by what records wrote (their mentions)
NAMED_BY_MENTIONS = ("Person", "Organization", "Phone", "Account", "Vehicle", "Vessel", "Flight", "Document")
LEFT_OUT_LABELS = ("Load", "Exchange")  # bookkeeping, asserted by no record
LEFT_OUT_TYPES = ("SUSPECTED_LINK",)  # leads are not asserted by records


class ReleaseView(GraphStore):
    """A read-only store of what the records at or below ``level`` in the date window assert (see the module
    doc). ``withheld``: keys of the records above the level; ``left_out``: per label, the ids of the nodes
    that lost their record-only properties because a withheld record also asserts them."""

    cypher_reads = False  # frames only: analyses read it through node_frame and edge_frame

    def __init__(self, store: GraphStore, level: int, date_from=None, date_to=None):
        records = store.records()
        self.level = level
        self.allowed = Filters(date_from, date_to, max_handling=level).eligible(records)
        handling = pd.to_numeric(records["handling"], errors="coerce")
        self.withheld = set(records.loc[handling > level, "id"])
        persons = store.node_properties("Person")
        self._cluster = dict(zip(persons["id"], persons["resolved_id"].where(persons["resolved_id"].notna(),
                                                                              persons["id"])))
        self._outside: dict[str, set] = {}  # per label, ids of nodes a record outside the view also asserts
        self._nodes = {label: self._released_nodes(store, label, records) for label in NODE_TYPES}
        kept = {(label, i) for label, frame in self._nodes.items() for i in frame["id"]}
        self._edges = {t: self._released_edges(store, t, kept) for t in REL_TYPES}
        self.left_out = self._blank_record_only()
        self._entity_of_cluster: dict[str, str] = {}
        self._name_from_mentions()

    # --- building ------------------------------------------------------------------------------------------
    def _released_nodes(self, store: GraphStore, label: str, records: pd.DataFrame) -> pd.DataFrame:
        frame = records if label == "Record" else store.node_frame(label)
        if frame.empty:  # a store may give an empty label no columns
            frame = pd.DataFrame(columns=[*NODE_TYPES[label].all_properties, "sources"])
        if label in LEFT_OUT_LABELS:
            return frame.iloc[:0].reset_index(drop=True)
        origin = NODE_TYPES[label].sources_from
        if origin != ASSERTED:  # a record is its own source, a mention its record's
            keep = [bool(ss) and ss[0] in self.allowed for ss in frame["sources"]]
            return frame.loc[np.array(keep, dtype=bool)].reset_index(drop=True)
        self._outside[label] = {i for i, ss in zip(frame["id"], frame["sources"]) if not self.allowed.issuperset(ss)}
        return _only(frame, self.allowed)

    def _released_edges(self, store: GraphStore, rel_type: str, kept: set) -> pd.DataFrame:
        frame = store.edge_frame(rel_type)
        if frame.empty:
            frame = pd.DataFrame(columns=[*EDGE_COLUMNS, *(p for p in REL_TYPES[rel_type].all_properties
                                                          if p != "sources")])
        if rel_type in LEFT_OUT_TYPES:
            return frame.iloc[:0].reset_index(drop=True)
        frame = _only(frame, self.allowed)
        ends = [(a in kept and b in kept) for a, b in zip(zip(frame["source_label"], frame["source"]),
                                                           zip(frame["target_label"], frame["target"]))]
        return frame.loc[np.array(ends, dtype=bool)].reset_index(drop=True)

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
                told = national.assign(c=national["target"].map(places)).groupby("source")["c"].agg(
                    lambda c: sorted(set(c.dropna())))
                frame.loc[mixed, "nationality"] = [
                    told[p][0] if len(told.get(p, [])) == 1 else None for p in frame.loc[mixed, "id"]]
        return left_out

    def _name_from_mentions(self) -> None:
        """Each entity's name: its most frequent releasable spelling; a resolved person's: the most frequent
        spelling of any of its spellings, whose node stands for it."""
        refers = self._edges["REFERS_TO"]
        text = self._nodes["Mention"].set_index("id")["text"]
        said = pd.DataFrame({"node": refers["target"], "label": refers["target_label"],
                             "text": refers["source"].map(text)}).dropna()
        counts = said.groupby(["label", "node", "text"]).size().rename("n").reset_index() \
            .sort_values(["n", "text"], ascending=[False, True], kind="stable")
        for label in NAMED_BY_MENTIONS:
            frame = self._nodes[label]
            if frame.empty:
                continue
            mine = counts[counts["label"] == label]
            best = mine.drop_duplicates("node").set_index("node")["text"]
            kind, unnamed = "person" if label == "Person" else label.lower(), iter(range(1, len(frame) + 1))
            own = frame["name"].where(~frame["id"].isin(self._outside[label]), None)  # no other record wrote it
            frame["name"] = [best[i] if i in best.index else n if isinstance(n, str) else
                             f"Unnamed {kind} {next(unnamed)}" for i, n in zip(frame["id"], own)]
            if label == "Person":
                self._resolve_people(frame, mine)

    def _resolve_people(self, persons: pd.DataFrame, spellings: pd.DataFrame) -> None:
        """``resolved_id`` of every released spelling: the released spelling its person is named after."""
        cluster = persons["resolved_id"].where(persons["resolved_id"].notna(), persons["id"])
        of_node = dict(zip(persons["id"], cluster))
        ranked = spellings.assign(cluster=spellings["node"].map(of_node))
        totals = ranked.groupby(["cluster", "text"])["n"].sum().rename("total").reset_index()
        ranked = ranked.merge(totals, on=["cluster", "text"]).sort_values(
            ["total", "text", "n", "node"], ascending=[False, True, False, True], kind="stable")
        stands_for = ranked.drop_duplicates("cluster").set_index("cluster")["node"]
        persons["resolved_id"] = [stands_for.get(c, i) if isinstance(r, str) else None
                                  for i, c, r in zip(persons["id"], cluster, persons["resolved_id"])]
        self._entity_of_cluster = {c: r if isinstance(r, str) else i
                                   for i, c, r in zip(persons["id"], cluster, persons["resolved_id"])}

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


def _only(frame: pd.DataFrame, allowed: set) -> pd.DataFrame:
    """Rows of ``frame`` that some allowed record asserts, each listing only those records."""
    frame = frame.assign(sources=[[s for s in ss if s in allowed] for ss in frame["sources"]])
    return frame.loc[np.array([len(ss) > 0 for ss in frame["sources"]], dtype=bool)].reset_index(drop=True)
