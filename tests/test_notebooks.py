"""The notebooks run from top to bottom on a fresh kernel."""
import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT, shared_file

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NEEDS_SHARED = {"06-disruption.ipynb": ("covert", "luciaetal_montagna.csv")}  # skipped where ../shared is absent


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    if path.name in NEEDS_SHARED:
        shared_file(*NEEDS_SHARED[path.name])
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    if path.name == "01-quickstart.ipynb":
        printed = "".join(o.get("text", "") for o in outputs)
        assert printed.count(" = loaded ") == 2  # both samples accounted for
        tables = [o for o in outputs if o.output_type == "execute_result" and "text/html" in o.data]
        assert len(tables) == 6 and any("reasons" in t.data["text/html"] for t in tables)
        assert "118 spellings → 92 people" in printed
    if path.name == "06-disruption.ipynb":
        assert any("image/png" in o.get("data", {}) for o in outputs)  # the attack curves
        assert any("lcc_fraction" in o.get("data", {}).get("text/html", "") for o in outputs)
        assert (tmp_path / "montagna.html").stat().st_size > 0
