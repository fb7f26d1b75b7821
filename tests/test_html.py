"""The interactive HTML graph: self-contained, drawn by a real browser offline, and safe with hostile names."""
import json
import re

import numpy as np
import pandas as pd
from PIL import Image

import netgraph as ng
from netgraph.analysis.synthetic import trafficking_network

from .browser import dump_dom, screenshot
from .conftest import DATA

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"
LINK = "<a href=\"javascript:alert(1)\">click</a>"


def embedded(page: str, name: str) -> list:
    return json.loads(re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))


def test_sample_graph_is_self_contained_and_drawn_offline(sample_store, tmp_path):
    net = ng.person_network(sample_store)
    page = net.to_html(tmp_path / "net.html")
    text = page.read_text(encoding="utf-8")
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"https?:", text)
    assert "vis.Network" in text and "TomSelect" in text
    dom = dump_dom(page)
    status = re.search(r'id="ng-status" data-nodes="(\d+)" data-edges="(\d+)" data-stabilized="(\d)"', dom)
    assert status, "the page script did not run"
    assert (int(status.group(1)), int(status.group(2))) == (len(net.nodes), len(net.edges))
    assert status.group(3) == "1"  # physics settled, then stopped
    image = np.asarray(Image.open(screenshot(page, tmp_path / "shot.png")).convert("RGB"))
    canvas = image[400:, :, :]  # below the header: the drawing
    assert canvas.std() > 20 and len(np.unique(canvas.reshape(-1, 3), axis=0)) > 200


def test_hostile_names_show_as_text(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "Offenders"] = f"{HOSTILE}; {LINK}"
    frame.to_csv(tmp_path / "hostile.csv", index=False)
    assert ng.load_file(tmp_path / "hostile.csv", "cen_customs", store, progress=False).rejected == 1  # T-4
    net = ng.person_network(store)
    page = net.to_html(tmp_path / "hostile.html", title=HOSTILE)
    text = page.read_text(encoding="utf-8")
    assert HOSTILE not in text and LINK not in text  # nowhere raw: escaped in markup, \u003c in the data
    assert "popup.innerHTML" not in text  # pyvis's HTML tooltips stay off even though a name holds "href"
    labels = [n["label"] for n in embedded(text, "nodes")]
    assert HOSTILE in labels and LINK in labels  # the data still holds the names as written
    dom = dump_dom(page)
    assert "<title>pwned</title>" not in dom and '<img src="x"' not in dom
    assert "&lt;img src=x onerror=" in dom  # the page title heading shows the name as text


def test_big_network_is_reduced_and_says_so(tmp_path):
    net = trafficking_network(edges=20_000, seed=2)
    text = net.to_html(tmp_path / "big.html", max_nodes=500).read_text(encoding="utf-8")
    nodes = embedded(text, "nodes")
    assert 0 < len(nodes) <= 500
    assert "Reduced for display" in text and f"of {len(net.nodes):,} nodes" in text


def test_suspected_links_are_dashed_and_labelled(sample_store, tmp_path):
    net = ng.person_network(sample_store)
    a, b = net.nodes["id"].iloc[0], net.nodes["id"].iloc[-1]
    leads = pd.DataFrame({"source": [a], "target": [b], "score": [0.42], "method": ["adamic_adar"]})
    text = net.to_html(tmp_path / "leads.html", leads=leads).read_text(encoding="utf-8")
    dashed = [e for e in embedded(text, "edges") if e.get("dashes")]
    assert len(dashed) == 1 and dashed[0]["from"] == a and "SUSPECTED" in dashed[0]["title"]
    assert "suspected link (dashed)" in text
