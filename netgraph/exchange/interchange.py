"""The case of a package in the formats other tools read: GraphML and GEXF (Gephi, Cytoscape, yEd) and the
entity and link CSVs an i2 Analyst's Notebook import specification maps (one row per entity, one per link).

Every node and link carries its provenance: ``sources`` (the record keys), ``record_ids`` (the sender's own
record ids), ``agencies``, ``records`` (how many), ``first_date`` and ``last_date`` of those records, and the
package it belongs to (``package``: the manifest's SHA-256; ``release_level``). Text cells of the CSVs that a
spreadsheet would run as formulas are written inert (:func:`netgraph.ingest.cells.write_csv`).

>>> done = export_package(store, ["Wang Wei"], "case.ngpkg", "keys/vn.key", "CN-GX-ASB")   # doctest: +SKIP
>>> write_interchange(done, "case", ("graphml", "gexf", "i2"))                            # doctest: +SKIP
[PosixPath('case.graphml'), PosixPath('case.gexf'), PosixPath('case-i2-entities.csv'), ...]
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from ..ingest.cells import write_csv
from ..views.export import flat
from .package import CasePackage

FORMATS = ("graphml", "gexf", "i2")
BOOKKEEPING = ("Record", "Mention")  # provenance, not entities: their content is in every row's columns
PROVENANCE = ["records", "sources", "record_ids", "agencies", "first_date", "last_date", "package", "release_level"]


def case_frames(package: CasePackage) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per entity (id, type, label, its properties, provenance) and one per link (id, from, to, type,
    its properties, provenance)."""
    records = package.nodes["Record"].set_index("id")
    stamp = {"package": package.manifest_sha256, "release_level": package.manifest["release_level"]}
    asserted = package.asserts.groupby("id")["record"].agg(list)
    rows = []
    for label, frame in sorted(package.nodes.items()):
        if label in BOOKKEEPING:
            continue
        for node in frame.to_dict("records"):
            props = {k: v for k, v in node.items() if k not in ("id", "name") and _given(v)}
            rows.append({"id": node["id"], "type": label, "label": node["name"], **props,
                         **_provenance(asserted.get(node["id"], []), records), **stamp})
    entities = pd.DataFrame(rows)
    links = []
    for rel_type, frame in sorted(package.relationships.items()):
        if rel_type == "REFERS_TO":
            continue
        for n, rel in enumerate(frame.to_dict("records"), start=1):
            props = {k: v for k, v in rel.items() if k not in ("from", "to", "from_label", "to_label", "sources")
                     and _given(v)}
            links.append({"id": f"{rel_type}-{n}", "from": rel["from"], "from_type": rel["from_label"], "to": rel["to"],
                          "to_type": rel["to_label"], "type": rel_type, **props,
                          **_provenance(list(rel["sources"]), records), **stamp})
    return entities, pd.DataFrame(links)


def _given(value) -> bool:
    return value is not None and not (not isinstance(value, (list, tuple)) and pd.isna(value))


def _provenance(keys: list[str], records: pd.DataFrame) -> dict:
    known = [k for k in sorted(set(keys)) if k in records.index]
    part = records.loc[known]
    dates = sorted(str(d) for d in part["record_date"] if _given(d))
    return {"records": len(known), "sources": known,
            "record_ids": sorted({str(r) for r in part["record_id"] if _given(r)}),
            "agencies": sorted({str(a) for a in part["agency"] if _given(a)}),
            "first_date": dates[0] if dates else "", "last_date": dates[-1] if dates else ""}


def to_networkx(package: CasePackage) -> nx.MultiDiGraph:
    """The case as a directed multigraph; lists joined with '; ', dates as ISO text, missing values left out."""
    entities, links = case_frames(package)
    graph = nx.MultiDiGraph(package=package.manifest_sha256, recipient=package.manifest["recipient"],
                            release_level=package.manifest["release_level"])
    for row in flat(entities).to_dict("records"):
        graph.add_node(row.pop("id"), **_attributes(row))
    for row in flat(links).to_dict("records"):
        graph.add_edge(row.pop("from"), row.pop("to"), key=row["id"], **_attributes(row))
    return graph


def _attributes(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if not _given(value) or value == "":
            continue
        out[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    return out


def write_interchange(package: CasePackage, stem: str | Path, formats=FORMATS) -> list[Path]:
    """Write the package's case as ``STEM.graphml``, ``STEM.gexf`` and ``STEM-i2-entities.csv`` /
    ``STEM-i2-links.csv`` (those of ``formats``); return the paths."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"formats must be among {FORMATS}, not {unknown}")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if "graphml" in formats or "gexf" in formats:
        graph = to_networkx(package)
        if "graphml" in formats:
            nx.write_graphml(graph, stem.with_name(stem.name + ".graphml"))
            written.append(stem.with_name(stem.name + ".graphml"))
        if "gexf" in formats:
            nx.write_gexf(graph, stem.with_name(stem.name + ".gexf"))
            written.append(stem.with_name(stem.name + ".gexf"))
    if "i2" in formats:
        entities, links = case_frames(package)
        written.append(write_csv(flat(entities), stem.with_name(stem.name + "-i2-entities.csv")))
        written.append(write_csv(flat(links), stem.with_name(stem.name + "-i2-links.csv")))
    return written
