"""The notebooks run from top to bottom on a fresh kernel, and what Jupyter shows of netgraph's objects."""
import re
import warnings

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

import netgraph as ng

from .conftest import ROOT, shared_file

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COURSE = [p for p in NOTEBOOKS if p.name[:2].isdigit() and p.name[:2] != "00"]  # 00 is the quick start
NEEDS_SHARED = {"04-routes-and-hubs.ipynb": ("seizures", "c4ads_air_seizures.csv"),  # skipped where ../shared
                "06-disruption.ipynb": ("covert", "luciaetal_montagna.csv")}           # is absent


def printed(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def drawn(outputs) -> int:
    """Pictures a notebook showed: matplotlib figures and images, and inline graphs."""
    data = [o.get("data", {}) for o in outputs]
    return sum("image/png" in d or "<iframe srcdoc=" in d.get("text/html", "") for d in data)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    if path.name in NEEDS_SHARED:
        shared_file(*NEEDS_SHARED[path.name])
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    warned = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "Warning" not in warned, warned  # no IProgress (tqdm without widgets) or IFrame warnings
    tables = [o for o in outputs if o.output_type == "execute_result" and "text/html" in o.data]
    if path in COURSE:
        assert drawn(outputs) >= 2, "each lesson draws what it finds"
    if path.name == "00-quickstart.ipynb":
        assert printed(outputs).count(" = loaded ") == 2  # both samples accounted for
        assert len(tables) == 7 and any("reasons" in t.data["text/html"] for t in tables)
        assert any("<b>person network</b>: 92 nodes" in t.data["text/html"] for t in tables)
        assert "118 spellings → 92 people" in printed(outputs)
    if path.name == "01-load-your-spreadsheet.ipynb":  # two rows wrong on purpose, then corrected
        assert "read 8 = loaded 6 + rejected 2" in printed(outputs)
        assert "read 8 = loaded 8 + rejected 0" in printed(outputs) and "seizures in the store: 8" in printed(outputs)
        assert any("negative quantity" in t.data["text/html"] for t in tables)
    if path.name == "02-one-person-many-spellings.ipynb":  # a cannot-link splits one person, and only one
        assert "118 spellings → 92 people" in printed(outputs) and "118 spellings → 93 people" in printed(outputs)
        assert "DecisionsNotFoundError" in printed(outputs) and "analyst: must_link" in printed(outputs)
    if path.name == "07-chart-for-the-prosecutor.ipynb":
        answer = [o for o in outputs if o.output_type == "execute_result"][-1]
        assert answer.data["text/plain"] == "[]"  # no non-suspect named in the anonymised evidence
    if path.name == "06-disruption.ipynb":
        assert any("image/png" in o.get("data", {}) for o in outputs)  # the attack curves
        assert any("lcc_fraction" in o.get("data", {}).get("text/html", "") for o in outputs)
        assert (tmp_path / "montagna.html").stat().st_size > 0


def test_the_course_is_in_order_and_each_lesson_teaches_and_asks():
    assert [p.name[:2] for p in COURSE] == ["01", "02", "03", "04", "05", "06", "07"]
    for path in COURSE:
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert "**What you will learn**" in text and "## Exercises" in text and "### Answers" in text, path.name


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS:
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in cells), path.name


def test_a_network_shows_a_summary_in_jupyter():
    edges = pd.DataFrame({"source": ["a", "a", "a", "b", "d"], "target": ["b", "c", "<x>", "c", "e"]})
    net = ng.Network.from_edges(edges, nodes=pd.DataFrame({"id": ["a", "b", "c", "<x>", "d", "e", "f"]}))
    shown = net._repr_html_()
    assert "7 nodes, 5 ties, 3 components, 1 isolated" in shown
    ranked = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td></tr>", shown)
    assert ranked[0] == ("a", "3") and ("&lt;x&gt;", "1") in ranked and len(ranked) == 5  # escaped, top five
    assert "f" not in dict(ranked)  # an isolate is not among the most connected


def test_show_displays_the_graph_inline_without_a_warning():
    net = ng.Network.from_edges(pd.DataFrame({"source": ["a"], "target": ["b"]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown = net.show(height=300)
    assert "<iframe srcdoc=" in shown.data and "height:300px" in shown.data
