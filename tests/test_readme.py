"""The README's Python examples run as written, one test per code block, so an example that breaks fails CI.

Each block runs in a folder holding a link to ``loaders/`` (the README's paths are relative to the project)
and an analyst's ``decisions.csv``, with what the README's set-up leaves behind: ``ng`` imported, ``store``
holding the bundled samples resolved as ``make demo`` does, and ``net = ng.person_network(store)``. Every
expression a block shows must give something: a table with rows, a collection with items — an example naming
a person or phone the samples do not hold fails here. The block of "Analysing any network" runs in
``test_edgelist.py`` on its own ``calls.csv``. Shell blocks whose every line is a ``netgraph`` command without
placeholders (PATH, FILE, [options]) run too, on ``demo-out/sample.lbdb``; the others are ``make`` and set-up
commands, or a synopsis of options, which ``test_cli.py`` tests command by command.
"""
import ast
import re
import shlex

import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.resolution import resolve
from netgraph.resolution.linkage import DecisionsNotFoundError

from .conftest import ROOT, SAMPLES
from .test_edgelist import readme_example

README = (ROOT / "README.md").read_text(encoding="utf-8")
RUN_ELSEWHERE = {readme_example()}
BLOCKS = [(README[:m.start()].count("\n") + 1, m.group(1))
          for m in re.finditer(r"^```python\n(.*?)^```", README, re.S | re.M)
          if m.group(1) not in RUN_ELSEWHERE]
COMMANDS = [(README[:m.start()].count("\n") + 1, lines)
            for m in re.finditer(r"^```bash\n(.*?)^```", README, re.S | re.M)
            for lines in [[line for line in m.group(1).splitlines() if line and not line.startswith("#")]]
            if all(line.startswith("netgraph ") and not re.search(r"\b[A-Z]{2,}\b|\[|…", line) for line in lines)]
DECISIONS = "a,b,decision,note\nperson:bùi văn lan,person:bùi thị hương,cannot_link,two people (the border guard)\n"


@pytest.fixture(scope="module")
def readme_dir(tmp_path_factory):
    """A working folder as a reader of the README has one, and the namespace its examples continue from."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "loaders").symlink_to(ROOT / "loaders")
    (folder / "decisions.csv").write_text(DECISIONS, encoding="utf-8")
    with ng.open_store(folder / "demo-out" / "sample.lbdb") as store:  # where make demo writes it
        for name, mapping in (("cen_customs_sample.csv", "cen_customs"), ("vn_agency_sample.xlsx", "vn_agency")):
            ng.load_file(SAMPLES / name, mapping, store, progress=False)
        resolve(store)
        yield folder, {"ng": ng, "store": store, "net": ng.person_network(store)}


def shown(value) -> bool:
    """Whether an expression's value shows something (an empty table or collection shows nothing)."""
    if isinstance(value, tuple):
        return all(shown(v) for v in value)
    if isinstance(value, (pd.DataFrame, pd.Series, dict, list, set)):
        return len(value) > 0
    return True


@pytest.mark.parametrize("line, code", BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_readme_block_runs(line, code, readme_dir, monkeypatch):
    folder, setup = readme_dir
    monkeypatch.chdir(folder)
    namespace = dict(setup)
    for statement in ast.parse(code).body:
        where = f"README.md:{line + statement.lineno}"
        if isinstance(statement, ast.Expr):
            value = eval(compile(ast.Expression(statement.value), where, "eval"), namespace)
            assert shown(value), f"{where}: {ast.get_source_segment(code, statement)} shows nothing"
        else:
            exec(compile(ast.Module([statement], []), where, "exec"), namespace)


@pytest.mark.parametrize("line, commands", COMMANDS, ids=[f"README.md:{line}" for line, _ in COMMANDS])
def test_readme_commands_run(line, commands, readme_dir, monkeypatch):
    monkeypatch.chdir(readme_dir[0])
    for command in commands:
        result = CliRunner().invoke(main, shlex.split(command, comments=True)[1:])
        assert result.exit_code == 0 and result.output.strip(), f"{command}\n{result.output}"


def test_the_readme_blocks_are_found():
    """The blocks this file runs are those a reader sees: the set-up, resolution, analysis, leads, pictures,
    routes and named queries (a change to the README's fences would otherwise drop them silently)."""
    code = "\n".join(c for _, c in BLOCKS)
    for call in ("ng.open_store(", "explain(store", "net.broker_report()", "net.leads(persons=", "case_chart(",
                 "routes.flows(", "ng.query(store"):
        assert call in code, call
    assert [c for _, lines in COMMANDS for c in lines if "co_offenders" in c]  # the named queries' commands


def test_a_decisions_file_that_is_not_there_is_an_error(readme_dir, tmp_path):
    store = readme_dir[1]["store"]
    before = store.node_frame("Person")[["id", "resolved_id"]]
    missing = tmp_path / "decisons.csv"
    with pytest.raises(DecisionsNotFoundError, match=re.escape(str(missing))):
        resolve(store, decisions=missing)
    assert store.node_frame("Person")[["id", "resolved_id"]].equals(before)  # the last resolution stands
    result = CliRunner().invoke(main, ["resolve", "--db", str(tmp_path / "new.lbdb"), "--decisions", str(missing)])
    assert result.exit_code != 0 and f"{missing}: no such decisions file" in result.output
