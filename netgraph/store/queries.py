"""The named investigative queries in ``queries/``: the same names on every store.

A query is ``queries/NAME.cypher``; where LadybugDB's and Neo4j's Cypher differ, ``NAME.ladybug.cypher``
and ``NAME.neo4j.cypher`` hold the dialects. The first comment line describes it, ``// params: a, b``
names its parameters. Values only ever travel as parameters: the text sent is the file's text.

A query means the same on both stores only if it avoids where their Cypher differs; :func:`portability_problems`
finds those places (the tests run it over every query text):

- Neo4j never binds one relationship twice within one MATCH (relationship isomorphism); LadybugDB does. So a
  MATCH whose relationship patterns could bind the same relationship (the same type, or an untyped one) gives
  fewer rows on Neo4j: write one MATCH per independent path. A variable-length pattern is allowed only in a
  shortest-path search (Neo4j walks trails, LadybugDB walks).
- ``sum()`` over only nulls is 0 on Neo4j and NULL on LadybugDB: every ``sum``, ``avg``, ``min`` and ``max``
  states its result over no values, ``coalesce(sum(x), 0.0)`` (``coalesce(max(x), null)`` where null is meant).

>>> run_query(store, "co_offenders", person="person:wang wei")                 # doctest: +SKIP
>>> sorted(list_queries())[:2]
['co_offenders', 'commodities_by_route']
"""
from __future__ import annotations

import datetime as dt
import re
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


# --- portability lint ------------------------------------------------------------------------------
_CLAUSE = re.compile(r"\b(OPTIONAL\s+MATCH|MATCH|WHERE|WITH|RETURN|UNWIND|ORDER\s+BY|SKIP|LIMIT|CALL|MERGE|CREATE|"
                     r"SET|DELETE|DETACH|REMOVE|UNION|FOREACH|YIELD)\b", re.IGNORECASE)
_REL = re.compile(r"<?-\s*\[([^\]]*)\]\s*->?|<--|-->|(?<=\))\s*--\s*(?=\()")
_SHORTEST = re.compile(r"\b(shortestPath|allShortestPaths)\s*\(|\bSHORTEST\b", re.IGNORECASE)
_AGGREGATE = re.compile(r"(?<![.\w])(sum|avg|min|max)\s*\(", re.IGNORECASE)
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")


def portability_problems(text: str) -> list[str]:
    """Where a Cypher text may answer differently on Neo4j and LadybugDB (see the module's doc); [] if nowhere.

    >>> for problem in portability_problems("MATCH (a)-[:R]->(b)<-[:R]-(c) RETURN sum(a.x) AS s"):
    ...     print(problem.split(" (")[0])
    MATCH repeats a relationship pattern, -[:R]-> and <-[:R]-
    sum(a.x) does not state its result over no values: write coalesce(sum(a.x), 0.0)
    >>> portability_problems("MATCH (a)-[:R]->(b) MATCH (b)<-[:R]-(c) RETURN coalesce(sum(a.x), 0.0) AS s")
    []
    """
    text = _STRING.sub("''", re.sub(r"//[^\n]*", "", text))
    return _repeated_relationships(text) + _unstated_aggregates(text)


def _repeated_relationships(text: str) -> list[str]:
    problems = []
    starts = [m for m in _CLAUSE.finditer(text)]
    for i, clause in enumerate(starts):
        if not clause.group(1).upper().endswith("MATCH"):
            continue
        pattern = text[clause.end():starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        rels = []  # (text, types or None for any type, variable length)
        for found in _REL.finditer(pattern):
            inside = found.group(1) or ""
            label = inside.split("{", 1)[0]
            typed = re.search(r":\s*([^*{]*)", label)
            types = frozenset(t.strip() for t in re.split(r"[|:]", typed.group(1)) if t.strip()) if typed else None
            rels.append((found.group(0).strip(), types or None, "*" in label))
        for j, (shown, types, variable) in enumerate(rels):
            if variable and not _SHORTEST.search(pattern):
                problems.append(f"{clause.group(1).upper()} has a variable-length pattern {shown} outside a "
                                "shortest-path search (Neo4j walks trails, LadybugDB walks)")
            for other, other_types, _ in rels[j + 1:]:
                if types is None or other_types is None or types & other_types:
                    problems.append(f"{clause.group(1).upper()} repeats a relationship pattern, {shown} and {other} "
                                    "(Neo4j never binds one relationship twice in a MATCH, LadybugDB does): write "
                                    "one MATCH per independent path")
    return problems


def _unstated_aggregates(text: str) -> list[str]:
    problems = []
    for found in _AGGREGATE.finditer(text):
        name = found.group(1).lower()
        call = text[found.start():_closing(text, found.end() - 1) + 1]
        before = text[:found.start()]
        opened = re.search(r"coalesce\s*\(\s*$", before, re.IGNORECASE)
        rest = text[found.start() + len(call):]
        default = re.match(r"\s*,\s*([^),]+)\)", rest)
        if not opened or not default:
            why = "Neo4j's sum() of only nulls is 0, LadybugDB's NULL" if name == "sum" else "say what no values give"
            problems.append(f"{call} does not state its result over no values: write coalesce({call}, "
                            f"{'0.0' if name == 'sum' else 'null'}) ({why})")
        elif name == "sum" and default.group(1).strip().lower() == "null":
            problems.append(f"coalesce({call}, null) still differs: Neo4j's sum() of only nulls is 0, LadybugDB's "
                            "NULL; state a value")
    return problems


def _closing(text: str, opening: int) -> int:
    """The position of the parenthesis that closes the one at ``opening``."""
    depth = 0
    for position in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            return position
    raise ValueError(f"unbalanced parentheses in {text[opening:opening + 60]!r}")
