"""The one small interface every graph store offers (embedded LadybugDB, Neo4j 5).

Loaders write :class:`~netgraph.store.batch.GraphBatch` objects through it; projections and analytics read
nodes, edges and records through it as DataFrames. Nothing outside ``netgraph.store`` speaks Cypher to
a store except through :meth:`GraphStore.query`, which always takes parameters.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..schema import ASSERTED, ASSERTED_REL_TYPES, NODE_TYPES, REL_TYPES, check_label
from . import cypher
from .batch import GraphBatch, grouped_lists

DELETE_LEADS = "MATCH ()-[e:SUSPECTED_LINK]->() WHERE e.method = $method DELETE e"
DELETE_SAME_AS = "MATCH ()-[e:SAME_AS]->() DELETE e"
SET_RESOLVED = "UNWIND $rows AS r MATCH (n:Person {id: r.id}) SET n.resolved_id = r.resolved_id"
RECORDS_IN = "UNWIND $keys AS k MATCH (r:Record {id: k}) RETURN r.id AS id"  # IN $keys scans per key
RECORDS_STORED = ("UNWIND $keys AS k MATCH (r:Record {id: k}) RETURN " + ", ".join(
    f"r.{p} AS {p}" for p in NODE_TYPES["Record"].all_properties))
LOOKUP_KEYS = 10_000  # keys per lookup statement
SEIZURE_DATES = "MATCH (s:Seizure) RETURN min(s.date) AS first, max(s.date) AS last"
SEIZURES_WITH_TAXON = ("MATCH (s:Seizure)-[:SEIZED]->(c:Commodity) WHERE c.taxon IS NOT NULL "
                       "RETURN count(DISTINCT s.id) AS n")
UNMATCHED_COMMODITIES = ("MATCH (s:Seizure)-[:SEIZED]->(c:Commodity) WHERE c.taxon IS NULL "
                         "RETURN c.name AS text, count(DISTINCT s.id) AS seizures ORDER BY seizures DESC, text")
PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
EDGE_COLUMNS = ["source", "target", "type", "source_label", "target_label", "sources"]


class GraphStore(ABC):
    """A property-graph store holding netgraph's schema."""

    #: where loads write their rejects files
    rejects_dir: Path = Path("netgraph-rejects")
    #: whether analyses may read it with Cypher (False: only through node_frame and edge_frame)
    cypher_reads: bool = True

    @abstractmethod
    def write(self, batch: GraphBatch, progress: bool = False) -> None:
        """Upsert every fact of ``batch``; writing the same batch twice changes nothing."""

    @contextmanager
    def bulk_load(self, progress: bool = False):
        """A sink for the batches of one load into this empty store (call it with each). By default each batch
        is written as it comes; the embedded store writes each table once, when the sink closes."""
        yield self.write

    @abstractmethod
    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        """Run a parameterised Cypher statement; return its rows."""

    @abstractmethod
    def node_properties(self, label: str) -> pd.DataFrame:
        """All nodes of ``label`` with every schema property, sorted by id."""

    def node_frame(self, label: str) -> pd.DataFrame:
        """All nodes of ``label`` with every schema property and ``sources``, the sorted keys of the
        records that assert each node, sorted by id."""
        frame = self.node_properties(label)
        frame["sources"] = self.node_sources(label, frame)
        return frame

    def node_sources(self, label: str, frame: pd.DataFrame) -> list[list[str]]:
        """The records behind each node of ``frame`` (nodes of ``label``), in its order."""
        origin = NODE_TYPES[check_label(label)].sources_from
        if origin is None:
            return [[] for _ in range(len(frame))]
        if origin != ASSERTED:
            return [[value] if isinstance(value, str) else [] for value in frame[origin]]
        pairs = self.query(cypher.asserts_read(label))
        if pairs.empty:
            return [[] for _ in range(len(frame))]
        grouped = grouped_lists(pairs, "id", "record")
        return [s if isinstance(s, list) else [] for s in grouped.reindex(frame["id"].to_numpy())]

    @abstractmethod
    def edge_frame(self, rel_type: str) -> pd.DataFrame:
        """All relationships of ``rel_type``: ``EDGE_COLUMNS`` plus the type's properties, sorted."""

    def from_node_sources(self, edges: pd.DataFrame) -> list[list[str]]:
        """The records behind each relationship of ``edges`` that lists none of its own: its from-node's."""
        out = pd.Series([[]] * len(edges), index=edges.index, dtype=object)
        for label, part in edges.groupby("source_label", sort=False):
            ends = pd.DataFrame({"id": part["source"].to_numpy(dtype=object)})
            if NODE_TYPES[label].sources_from not in (None, ASSERTED, "id"):
                raise ValueError(f"{label} nodes cannot start a relationship without sources")
            out[part.index] = pd.Series(self.node_sources(label, ends), index=part.index, dtype=object)
        return out.tolist()

    @abstractmethod
    def write_properties(self, label: str, frame: pd.DataFrame) -> None:
        """Set numeric properties (columns of ``frame`` other than ``id``) on existing nodes of ``label``."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def check_records(self, nodes: dict[str, pd.DataFrame], asserts: dict[str, pd.DataFrame]) -> None:
        """Refuse a batch (its ``nodes`` and ``asserts`` tables by label) whose nodes cite records that are
        neither in it nor in the store."""
        cited = {r for pairs in asserts.values() for r in pairs["record"]}
        unknown = sorted(cited - set(nodes["Record"]["id"] if "Record" in nodes else ()))
        if unknown:
            found = set(self.query(RECORDS_IN, {"keys": unknown})["id"])
            missing = [r for r in unknown if r not in found]
            if missing:
                raise ValueError(f"{len(missing)} record(s) cited as sources are in neither the batch nor the "
                                 f"store, e.g. {missing[:3]}")

    def stored_records(self, keys) -> pd.DataFrame:
        """The stored ``Record`` nodes among ``keys``, with every property."""
        keys = list(dict.fromkeys(keys))
        frames = [self.query(RECORDS_STORED, {"keys": keys[i:i + LOOKUP_KEYS]}) for i in range(0, len(keys), LOOKUP_KEYS)]
        frames = [f for f in frames if len(f)]
        columns = list(NODE_TYPES["Record"].all_properties)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns, dtype=object)

    def write_leads(self, leads: pd.DataFrame, method: str) -> int:
        """Replace the stored ``SUSPECTED_LINK``s of ``method`` with ``leads`` (source, target, score,
        records); return how many were written. Leads are never asserted links: no projection reads them."""
        from datetime import date

        from ..resources import netgraph_version
        self.query(DELETE_LEADS, {"method": method})
        batch = GraphBatch()
        for row in leads.itertuples(index=False):
            batch.rel("SUSPECTED_LINK", ("Person", row.source), ("Person", row.target),
                      {"method": method, "score": float(row.score), "created": date.today(),
                       "netgraph_version": netgraph_version()}, list(row.records))
        self.write(batch)
        return len(leads)

    def write_resolution(self, clusters: pd.DataFrame, links: pd.DataFrame) -> None:
        """Replace the stored entity resolution: ``Person.resolved_id`` and the ``SAME_AS`` links."""
        self.query(DELETE_SAME_AS)
        rows = records_of(clusters[["id", "resolved_id"]])
        for start in range(0, len(rows), 2_000):
            self.query(SET_RESOLVED, {"rows": rows[start:start + 2_000]})
        sources = self.node_frame("Person").set_index("id")["sources"]
        batch = GraphBatch()
        for link in links.itertuples(index=False):
            batch.rel("SAME_AS", ("Person", link.a), ("Person", link.b),
                      {"score": float(link.score), "threshold": float(link.threshold), "agreed": list(link.agreed),
                       "decided_by": link.decided_by}, sorted(set(sources[link.a]) | set(sources[link.b])))
        self.write(batch)

    # --- derived reads, the same for every store ---------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Number of nodes per label and relationships per type (zeros left out)."""
        out = {}
        for label in NODE_TYPES:  # labels and types come from the schema, never from users
            out[label] = int(self.query(_count_nodes(label)).iloc[0, 0])
        for rel_type in REL_TYPES:
            out[rel_type] = int(self.query(_count_rels(rel_type)).iloc[0, 0])
        return {k: v for k, v in out.items() if v}

    @staticmethod
    def shared_statements() -> list[str]:
        """The statements this base class sends, the same for every store."""
        return ([_count_nodes(label) for label in NODE_TYPES] + [_count_rels(t) for t in REL_TYPES]
                + [cypher.asserts_read(a) for _, a in REL_TYPES["ASSERTS"].pairs]
                + [DELETE_LEADS, SEIZURE_DATES, DELETE_SAME_AS, SET_RESOLVED, RECORDS_IN, RECORDS_STORED,
                   SEIZURES_WITH_TAXON, UNMATCHED_COMMODITIES])

    def nodes(self, labels: list[str] | None = None) -> pd.DataFrame:
        """Nodes of the given labels (all by default): id, label, name, sources."""
        frames = [self.node_frame(label)[["id", "name", "sources"]].assign(label=label)
                  for label in (labels or NODE_TYPES)]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=["id", "name", "sources", "label"])
        return pd.concat(frames, ignore_index=True)

    def edges(self, rel_types: list[str] | None = None) -> pd.DataFrame:
        """Relationships of the given types (by default the asserted ones: not REFERS_TO, not
        SUSPECTED_LINK), with their properties."""
        types = rel_types or list(ASSERTED_REL_TYPES)
        frames = [f for f in (self.edge_frame(t) for t in types) if len(f)]
        if not frames:
            return pd.DataFrame(columns=EDGE_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def records(self) -> pd.DataFrame:
        """The source records (provenance and grading), one row each."""
        return self.node_frame("Record")

    def provenance(self, source: str, target: str, rel_type: str | None = None) -> pd.DataFrame:
        """The source records that assert the relationship(s) from ``source`` to ``target``.

        >>> store.provenance("person:lê văn tám", "seizure:VN-FPD:KL-2021-001", "INVOLVED_IN")  # doctest: +SKIP
        """
        edges = self.edges([rel_type] if rel_type else None)
        hit = edges[(edges["source"] == source) & (edges["target"] == target)]
        keys = sorted({k for ks in hit["sources"] for k in ks})
        records = self.records()
        return records[records["id"].isin(keys)].reset_index(drop=True)


def check_property_names(names) -> list[str]:
    """Property names written back by analyses must be plain identifiers and not clash with the schema."""
    from ..schema import COMMON_NODE_PROPERTIES
    bad = [n for n in names if not PROPERTY_NAME.match(n) or n in COMMON_NODE_PROPERTIES]
    if bad:
        raise ValueError(f"invalid property names {bad}: use lower-case letters, digits and '_'")
    return list(names)


def _count_nodes(label: str) -> str:
    return f"MATCH (n:{label}) RETURN count(n) AS n"


def _count_rels(rel_type: str) -> str:
    return f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n"


def records_of(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, every dict with the same keys and None for missing values (NaN included)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
