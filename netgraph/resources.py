"""Where the shipped mappings, vocabularies, samples and named queries live; the base of netgraph's errors."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


class NetgraphError(Exception):
    """Base of the errors netgraph explains in plain words: a file it cannot read, a mapping it cannot use, a
    limit a file exceeds, a store it cannot write. The message names the file, and the row and column where
    known, and says what to do; it never quotes a file's contents. The command line prints it without a
    traceback (``netgraph --debug`` shows one). Every stage may raise one: this module is below them all."""


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"none of {[str(c) for c in candidates]} exists; reinstall netgraph")


def loaders_dir() -> Path:
    """``loaders/`` of the source tree, or its copy inside an installed wheel."""
    return _first_existing(_PACKAGE.parent / "loaders", _PACKAGE / "_loaders")


def queries_dir() -> Path:
    """``queries/`` (named Cypher queries) of the source tree, or its copy inside an installed wheel."""
    return _first_existing(_PACKAGE.parent / "queries", _PACKAGE / "_queries")


def netgraph_version() -> str:
    try:
        return version("netgraph")
    except PackageNotFoundError:
        return "0+unknown"
