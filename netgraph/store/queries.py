"""The named investigative queries in ``queries/``: the same names on every store.

A query is ``queries/NAME.cypher``; where LadybugDB's and Neo4j's Cypher differ, ``NAME.ladybug.cypher``
and ``NAME.neo4j.cypher`` hold the dialects. The first comment line describes it, ``// params: a, b``
names its parameters. Values only ever travel as parameters: the text sent is the file's text.

>>> run_query(store, "co_offenders", person="person:wang wei")                 # doctest: +SKIP
>>> sorted(list_queries())[:2]
['co_offenders', 'commodities_by_route']
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..resources import queries_dir

DIALECTS = ("ladybug", "neo4j")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[str, ...]
    texts: dict[str, str]  # dialect -> Cypher

    def text(self, dialect: str) -> str:
        return self.texts[dialect]


def _parse(path: Path) -> tuple[str, tuple[str, ...], str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    description = lines[0].removeprefix("//").strip()
    params_line = next((ln for ln in lines if ln.startswith("// params:")), "// params:")
    params = tuple(p.strip() for p in params_line.removeprefix("// params:").split(",") if p.strip())
    body = "\n".join(ln for ln in lines if not ln.startswith("//")).strip()
    return description, params, body


def list_queries() -> dict[str, NamedQuery]:
    """Every named query, keyed by name."""
    found: dict[str, dict] = {}
    for path in sorted(queries_dir().glob("*.cypher")):
        parts = path.name.removesuffix(".cypher").split(".")
        name, dialect = parts[0], (parts[1] if len(parts) > 1 else None)
        if dialect not in (None, *DIALECTS):
            raise ValueError(f"{path.name}: unknown dialect {dialect!r}")
        description, params, body = _parse(path)
        entry = found.setdefault(name, {"description": description, "params": params, "texts": {}})
        if dialect:
            entry["texts"][dialect] = body  # a dialect file wins over the shared one
        else:
            for each in DIALECTS:
                entry["texts"].setdefault(each, body)
    return {name: NamedQuery(name, e["description"], e["params"], e["texts"]) for name, e in found.items()}


def run_query(store, name: str, **params) -> pd.DataFrame:
    """Run a named query on ``store``; ISO date strings for ``date_*`` parameters become dates."""
    queries = list_queries()
    if name not in queries:
        raise KeyError(f"no query {name!r}; known: {', '.join(sorted(queries))}")
    query = queries[name]
    missing = [p for p in query.params if p not in params]
    unknown = [p for p in params if p not in query.params]
    if missing or unknown:
        raise ValueError(f"query {name!r} takes {list(query.params)}; missing {missing}, unknown {unknown}")
    values = {k: dt.date.fromisoformat(v) if k.startswith("date") and isinstance(v, str) else v
              for k, v in params.items()}
    return store.query(query.text(store.dialect), values)
