"""Graph stores behind one interface: the embedded LadybugDB default and Neo4j 5."""
from __future__ import annotations

from pathlib import Path

from .base import GraphStore
from .ladybug import LadybugStore

__all__ = ["GraphStore", "LadybugStore", "open_store"]


NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(target: str | Path, read_only: bool = False, database: str | None = None) -> GraphStore:
    """Open the store at ``target``: a Neo4j URI (``neo4j://host:7687``; credentials from the environment or
    the config file, see :mod:`netgraph.store.neo4j`), or else a file path for the embedded store.

    >>> store = open_store("cases.lbdb")   # doctest: +SKIP
    """
    if str(target).startswith(NEO4J_SCHEMES):
        from .neo4j import Neo4jStore
        return Neo4jStore(str(target), database=database)
    return LadybugStore(target, read_only=read_only)
