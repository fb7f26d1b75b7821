"""The interactive HTML graph: self-contained, drawn by a real browser offline, and safe with hostile names."""
import html
import json
import re

import numpy as np
import pandas as pd
from PIL import Image

import netgraph as ng
from netgraph.analysis.synthetic import trafficking_network
from netgraph.views.html import TOP_BROKERS

from .browser import dump_dom, screenshot
from .conftest import DATA

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"
LINK = "<a href=\"javascript:alert(1)\">click</a>"


def embedded(page: str, name: str) -> list:
    return json.loads(re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", page, re.S).group(1))


VIEWPORT = (1600, 1000)
PNG_PROBE = """<pre id="ng-png-probe"></pre><script>
network.once("stabilizationIterationsDone", function () { setTimeout(function () {
  var png = window.ngPng(); document.getElementById("ng-png-probe").textContent = png.slice(0, 22) + " " + png.length;
}, 10); });
</script></body>"""


def status_of(dom: str) -> dict:
    found = re.search(r'<div id="ng-status"([^>]*)>', dom)
    assert found, "the page script did not run"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', found.group(1)))


def test_sample_graph_is_self_contained_and_drawn_offline(sample_store, tmp_path):
    net = ng.person_network(sample_store)
    page = net.to_html(tmp_path / "net.html")
    text = page.read_text(encoding="utf-8")
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"https?:", text)
    assert "vis.Network" in text
    assert "Reset Selection" not in text and "select-menu" not in text  # pyvis's forms gave way to the panel
    assert "<dt>input SHA-256</dt>" in text and "<summary>Method</summary>" in text  # the method in words
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", PNG_PROBE, 1), encoding="utf-8")
    dom = dump_dom(probe, size=VIEWPORT)
    status = status_of(dom)
    assert (int(status["nodes"]), int(status["edges"])) == (len(net.nodes), len(net.edges))
    assert status["stabilized"] == "1"  # physics settled, then stopped
    width, height = map(int, status["canvas"].split("x"))
    assert width * height >= 0.7 * VIEWPORT[0] * VIEWPORT[1]  # the drawing fills the window
    assert 5 <= int(status["labels"]) < len(net.nodes)  # labels where they have room, not all of a dense group
    png = re.search(r'<pre id="ng-png-probe">(\S+) (\d+)</pre>', dom)
    assert png and png.group(1) == "data:image/png;base64," and int(png.group(2)) > 10_000  # export, offline
    image = np.asarray(Image.open(screenshot(page, tmp_path / "shot.png", size=VIEWPORT)).convert("RGB"))
    drawing = image[:, : VIEWPORT[0] - 330, :]  # left of the side panel
    assert drawing.std() > 20 and len(np.unique(drawing.reshape(-1, 3), axis=0)) > 200


def test_brokers_are_ringed_and_colours_tell_communities_from_ties(sample_store, tmp_path):
    net = ng.person_network(sample_store)
    text = net.to_html(tmp_path / "net.html").read_text(encoding="utf-8")
    nodes, edges = embedded(text, "nodes"), embedded(text, "edges")
    ringed = {n["id"] for n in nodes if n.get("borderWidth")}
    report = net.broker_report()  # one ranking: the ring is the broker report's top (betweenness's differs)
    assert ringed == set(report["id"].head(TOP_BROKERS))
    assert "broker report" in html.unescape(text)
    node_colours = {n["color"]["background"] if isinstance(n["color"], dict) else n["color"] for n in nodes}
    assert len(node_colours) == net.communities()["community"].nunique()
    assert not node_colours & {e["color"] for e in edges}  # no community shares a colour with a kind of tie


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


def test_a_tie_in_several_layers_shows_each_layer_with_its_weight(tmp_path):
    ties = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "b", "c"], "weight": [2, 1, 5],
                         "layer": ["call", "meeting", "call"]})
    page = ng.Network.from_edges(ties, layer="layer").to_html(tmp_path / "layers.html").read_text(encoding="utf-8")
    titles = {(e["from"], e["to"]): e["title"] for e in embedded(page, "edges")}
    assert titles[("a", "b")].startswith("call (2) + meeting (1) · weight 3")
    assert titles[("b", "c")].startswith("call · weight 5")  # one layer: no per-layer figure, no "0 record(s)"
