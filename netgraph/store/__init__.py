"""Graph stores behind one interface: the embedded LadybugDB default and Neo4j 5."""
from __future__ import annotations

from pathlib import Path

from .base import GraphStore
from .ladybug import LadybugStore

__all__ = ["GraphStore", "LadybugStore", "open_store"]


def open_store(target: str | Path, read_only: bool = False) -> GraphStore:
    """Open the store at ``target``: a file path for the embedded store.

    >>> store = open_store("cases.lbdb")   # doctest: +SKIP
    """
    return LadybugStore(target, read_only=read_only)
