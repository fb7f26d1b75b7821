"""The package tree reads as the data flows: each stage imports only the stages below it."""
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("ingest", "store", "resolution", "analysis", "space_time", "views")


def test_stages_import_downwards_only():
    # the contracts live in pyproject.toml ([tool.importlinter]); 0 = every contract kept
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_every_module_lives_in_a_stage():
    top_level = sorted(p.stem for p in (ROOT / "netgraph").glob("*.py"))
    assert top_level == ["__init__", "cli", "resources", "schema"]
    assert all((ROOT / "netgraph" / stage / "__init__.py").is_file() for stage in STAGES)
