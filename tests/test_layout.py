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


def test_import_netgraph_loads_no_heavy_library_and_the_api_on_first_use():
    """``import netgraph`` loads the public API lazily (issue 32): none of Splink, DuckDB, matplotlib,
    scikit-learn, PySpark, igraph or pandas until a name that needs them is used."""
    import subprocess
    import sys
    heavy = ("splink", "duckdb", "matplotlib", "sklearn", "pyspark", "igraph", "pandas")
    check = (f"import sys, netgraph as ng; print([m for m in {heavy!r} if m in sys.modules]); ng.person_network; "
             "print('igraph' in sys.modules, set(ng.__all__) <= set(dir(ng)))")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["[]", "True", "True"], out.stdout
