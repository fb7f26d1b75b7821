"""The upsert statements both stores send, built from the schema; each store gives its dialect's pieces.

``value(prop, kind)`` renders a row value (LadybugDB casts, since a column of only nulls has no type of its
own; Neo4j takes it as is); ``union(current)`` renders the union of a relationship's stored ``sources``
with ``r.sources`` (LadybugDB sorts it; Neo4j 5 has no list sort without APOC). Statements that read the
same on both stores are here too.
"""
from __future__ import annotations

from collections.abc import Callable

from ..schema import NODE_TYPES, REL_TYPES, check_label, check_rel_type
from .batch import RelKey

Value = Callable[[str, str], str]
Union = Callable[[str], str]


def node_merge(label: str, value: Value) -> str:
    """Upsert nodes: set every property on creation; on a match, fill only the gaps, except where the
    schema's ``merge`` rule says otherwise (the highest value, or the latest)."""
    spec = NODE_TYPES[check_label(label)]
    types = spec.all_properties
    props = [p for p in types if p != "id"]
    on_create = ", ".join(f"n.{p} = {value(p, types[p])}" for p in props)
    matched = {"max": "CASE WHEN n.{p} IS NULL OR {v} > n.{p} THEN {v} ELSE n.{p} END", "last": "coalesce({v}, n.{p})"}
    on_match = ", ".join(f"n.{p} = " + matched.get(spec.merge.get(p), "coalesce(n.{p}, {v})").format(
        p=p, v=value(p, types[p])) for p in props)
    return f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) ON CREATE SET {on_create} ON MATCH SET {on_match}"


def asserts_merge(label: str) -> str:
    """Link records to the nodes they assert (rows: record, id); linking twice changes nothing."""
    return (f"UNWIND $rows AS r MATCH (rec:Record {{id: r.record}}) MATCH (n:{check_label(label)} {{id: r.id}}) "
            "MERGE (rec)-[:ASSERTS]->(n)")


def asserts_read(label: str) -> str:
    """The records behind every node of ``label``: id, record."""
    return f"MATCH (rec:Record)-[:ASSERTS]->(n:{check_label(label)}) RETURN n.id AS id, rec.id AS record"


def rel_merge(key: RelKey, value: Value, union: Union) -> str:
    rel_type, a, b = key
    spec = REL_TYPES[check_rel_type(rel_type)]
    identity = ", ".join(f"{p}: {value(p, spec.properties[p])}" for p in spec.identity)
    others = [p for p in spec.properties if p not in spec.identity]
    on_create = "".join(f"e.{p} = {value(p, spec.properties[p])}, " for p in others)
    on_match = "".join(f"e.{p} = coalesce(e.{p}, {value(p, spec.properties[p])}), " for p in others)
    if spec.sources:
        on_create += "e.sources = r.sources"
        on_match += f"e.sources = {union('e.sources')}"
    sets = "".join(f" ON {when} SET {text.rstrip(', ')}" for when, text in (("CREATE", on_create), ("MATCH", on_match))
                   if text)
    return (f"UNWIND $rows AS r MATCH (a:{check_label(a)} {{id: r.from}}) MATCH (b:{check_label(b)} {{id: r.to}}) "
            f"MERGE (a)-[e:{rel_type}{' {' + identity + '}' if identity else ''}]->(b){sets}")
