"""Interactive, self-contained HTML graphs (pyvis / vis-network) that work with no network.

One file: vis-network is inlined, CDN links are stripped. The graph fills the window; a collapsible side
panel holds search, filters (communities, kinds of tie), the legend, a PNG export (the canvas, offline) and
the method in words. Node colour follows the community (or a node column), size a measure; the top brokers
of the broker report (by betweenness on a network drawn reduced) wear a black ring and a large label; other labels show brokers first, then by degree, where
they overlap no label or node already drawn (more as one zooms in). Colours are colour-blind-safe
(Okabe–Ito and Paul Tol's schemes), communities and kinds of tie never share one. Tooltips give name,
measures and the records behind a node; suspected links (leads) are dashed and say so. Names are data,
never markup: vis-network shows string tooltips as text, labels are drawn on a canvas, the data is embedded
with Jinja's ``tojson`` (which escapes ``<``), pyvis's template is rendered with autoescaping (it writes
node ids raw into its search menu otherwise), and everything netgraph writes into the page itself goes
through :func:`html.escape`. Big networks are reduced to the ego networks of the top brokers, and the page
says what was hidden.

>>> page = network_html(net, color_by="community", size_by="pagerank")   # doctest: +SKIP
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment
from pyvis.network import Network as PyvisNetwork

from ..analysis import measures
from ..analysis.brokers import input_hash
from ..analysis.grouping import isin
from ..resources import netgraph_version

MAX_NODES = 1_500
RANKING_WORK = 10_000_000  # sampled sources × ties for the ranking that reduces a big network (see ranking_sources)
# Colour-blind-safe: Okabe–Ito, then Paul Tol's light scheme, for communities (light and bright); Tol's dark
# muted colours and greys for tie kinds, so no community shares a colour with a kind of tie.
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#77AADD", "#EE8866",
           "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00", "#DDDDDD"]
LINK_COLOURS = {"seizure": "#555555", "phone": "#332288", "account": "#882255", "organization": "#117733",
                "conveyance": "#661100", "route": "#004488", "matrix": "#555555", "synthetic": "#999999"}
SHAPES = {"person": "dot", "organization": "box", "location": "diamond"}
SUSPECTED_COLOUR = "#EE3377"
TOP_BROKERS = 5  # ringed and always labelled
LEGEND_GROUPS = 24  # communities listed one by one in the panel; the rest share one checkbox
CDN_TAG = re.compile(r"<(?:link|script)[^>]+(?:href|src)=\"https?://[^\"]+\"[^>]*>(?:\s*</script>)?", re.I)


def _tie_heading(tie) -> str:
    """What a tie's tooltip says first: its kinds (layers), each with its weight where the network keeps one
    per layer, then its records, or its weight when no record stands behind it (a tie from an edge list)."""
    weights = getattr(tie, "layer_weights", None)
    kinds = " + ".join(f"{kind} ({weight:g})" for kind, weight in zip(tie.via, weights)) \
        if isinstance(weights, list) and len(tie.via) > 1 else " + ".join(tie.via)
    return f"{kinds} · {tie.records} record(s)" if tie.records else f"{kinds} · weight {tie.weight:g}"


def reduce(net, max_nodes: int = MAX_NODES, seed: int = 0,
           betweenness: pd.DataFrame | None = None) -> tuple[list[str], str | None]:
    """Node ids to draw and, when the network was cut down, a sentence saying what was hidden.

    Keeps the ego networks (the node and its direct contacts) of the top brokers by betweenness, best
    first, until ``max_nodes`` are kept. Betweenness is estimated from ``ranking_sources(n, m)`` sources
    drawn with ``seed`` (or pass that frame, ``id`` and ``betweenness``, as ``betweenness``).
    """
    if len(net.nodes) <= max_nodes:
        return net.nodes["id"].tolist(), None
    ranked = (_ranking(net, seed) if betweenness is None else betweenness).sort_values(
        ["betweenness", "id"], ascending=[False, True])
    graph, keep, brokers = net.graph, [], 0
    chosen = set()
    for node in ranked["id"]:
        ego = [node, *sorted(graph.vs[graph.neighbors(graph.vs.find(name=node).index)]["name"])]
        new = [v for v in ego if v not in chosen]
        if len(chosen) + len(new) > max_nodes:
            if brokers:
                break
            new = new[:max_nodes]
        chosen.update(new)
        keep += new
        brokers += 1
    hidden_nodes = len(net.nodes) - len(keep)
    ties = net.ties
    hidden_edges = len(ties) - int(_between(ties, keep).sum())
    note = (f"Reduced for display: the ego networks of the top {brokers} brokers by betweenness are shown; "
            f"{hidden_nodes:,} of {len(net.nodes):,} nodes and {hidden_edges:,} of {len(ties):,} ties are "
            f"hidden.")
    return keep, note


def ranking_sources(nodes: int, ties: int) -> int:
    """Sources sampled for the betweenness that ranks brokers when a network is reduced:
    :func:`~netgraph.analysis.measures.sample_sources` with ``RANKING_WORK`` source-ties of work (the
    ranking was 98% of the page before it was bounded)."""
    return measures.sample_sources(nodes, ties, RANKING_WORK)


def _ranking(net, seed: int) -> pd.DataFrame:
    """Betweenness from ``ranking_sources`` sampled sources: what :func:`reduce` ranks by."""
    return net.centrality(which=("betweenness",), betweenness_k=ranking_sources(len(net.nodes), len(net.ties)),
                          seed=seed)


def _top_brokers(net, keep: list[str], betweenness: dict, seed: int) -> tuple[list[str], str]:
    """The ringed nodes and what ranks them: the broker report's top ``TOP_BROKERS`` (its score: the mean
    percentile of betweenness, PageRank, effective size, outside brokerage, groups bridged and low
    constraint), as ``netgraph analyse`` writes it with the same seed; on a network drawn reduced, the drawn
    nodes by betweenness (the broker report of the whole would cost more than the page)."""
    if len(keep) == len(net.nodes):
        ranked = net.broker_report(seed=seed)["id"].tolist()
        return ranked[:TOP_BROKERS], "the broker report's ranking"
    return sorted(keep, key=lambda i: (-betweenness[i], i))[:TOP_BROKERS], "by betweenness"


def _between(ties: pd.DataFrame, kept) -> np.ndarray:
    """Which ties have both ends in ``kept``."""
    return isin(ties["source"], kept) & isin(ties["target"], kept)


def network_html(net, color_by: str = "community", size_by: str = "pagerank", leads: pd.DataFrame | None = None,
                 max_nodes: int = MAX_NODES, seed: int = 0, title: str | None = None,
                 records: pd.DataFrame | None = None) -> str:
    """The page as a string. ``leads``: suspected links (source, target, score, method) drawn dashed.
    ``records``: the store's records, to name agency and date beside each record in tooltips.

    Reduces first, then measures only what it draws, for the drawn nodes: the tooltips' degree, betweenness
    and PageRank, and the ``size_by`` measure; the ties' evidence and the records' descriptions only for
    the drawn nodes and ties. Betweenness is exact up to ``PATH_MEASURES_MAX_NODES`` nodes and estimated from
    ``ranking_sources(nodes, ties)`` sampled sources above (the sample that chose the drawn nodes: 200, or
    fewer on networks of more than ``RANKING_WORK / 200`` ties); closeness or harmonic as ``size_by`` are
    computed for the drawn nodes alone (estimated above the same size). The stamp in the page says how each
    path measure was computed. PageRank and the communities that colour the nodes are of the whole network.
    """
    if size_by not in measures.MEASURES:
        raise KeyError(f"size_by must be a measure: {list(measures.MEASURES)}")
    large = len(net.nodes) > measures.PATH_MEASURES_MAX_NODES
    ranking = _ranking(net, seed) if len(net.nodes) > max_nodes else None
    keep, note = reduce(net, max_nodes, seed, ranking)
    kept = set(keep)
    reuse = large and ranking is not None  # the same sample the tooltips would draw: measured once
    wanted = {"degree", "betweenness", "pagerank", size_by} - ({"betweenness"} if reuse else set())
    sources = ranking_sources(len(net.nodes), len(net.ties)) if large else None
    scores = net.centrality(betweenness_k=sources, seed=seed, which=tuple(m for m in measures.MEASURES if m in wanted),
                            ids=keep)
    methods = dict(scores.attrs.get("methods", {}))
    scores = scores.set_index("id")
    if reuse:
        scores["betweenness"] = ranking.set_index("id").loc[keep, "betweenness"]
        methods["betweenness"] = ranking.attrs["methods"]["betweenness"]
    communities = net.communities(seed=seed).set_index("id")["community"]
    nodes = net.nodes.set_index("id").loc[keep]
    colour_values = communities if color_by == "community" else nodes[color_by] if color_by in nodes else None
    if colour_values is None:
        raise KeyError(f"color_by must be 'community' or a node column: {list(nodes.columns)}")
    categories = {v: i for i, v in enumerate(sorted(pd.unique(colour_values.loc[keep].dropna()), key=str))}
    size = scores[size_by].loc[keep]
    span = (size.max() - size.min()) or 1.0
    evidence = _node_records(net, kept)
    edges = net.edge_rows(_between(net.ties, kept))
    describe = _record_describer(records, {r for rs in evidence.values() for r in rs}
                                 | {r for rs in edges["sources"] for r in rs})
    pv = PyvisNetwork(height="100vh", width="100%", directed=net.graph.is_directed(), cdn_resources="in_line")
    # pyvis renders its template without autoescaping: render it with autoescape on (tojson output is marked
    # safe already); netgraph's side panel replaces pyvis's two select and filter forms.
    pv.templateEnv = Environment(loader=pv.templateEnv.loader, autoescape=True)
    pv.nodes, pv.node_ids, pv.node_map = [], [], {}
    name_of = dict(zip(keep, nodes["name"].tolist()))  # plain dicts: pandas lookups cost 0.5 ms a node
    group_of = colour_values.to_dict()
    score_of = {m: dict(zip(scores.index, scores[m].tolist())) for m in ("degree", "betweenness", "pagerank")}
    size_of, smallest = dict(zip(size.index, size.tolist())), size.min()
    brokers, ranked_by = _top_brokers(net, keep, score_of["betweenness"], seed)
    rank_of = {i: n for n, i in enumerate([*brokers, *sorted(set(keep) - set(brokers),
                                                              key=lambda i: (-score_of["degree"][i], i))])}
    for node_id in keep:
        group = group_of.get(node_id)
        broker = rank_of[node_id] < len(brokers)
        tooltip = [str(name_of[node_id]), f"{net.kind} · {color_by}: {group}",
                   *([f"top broker {rank_of[node_id] + 1} of {len(brokers)} ({ranked_by})"] if broker else []),
                   *(f"{m}: {score_of[m][node_id]:.4g}" for m in ("degree", "betweenness", "pagerank")),
                   *describe(evidence.get(node_id, []))]
        colour = PALETTE[categories[group] % len(PALETTE)] if group in categories else "#cccccc"
        entry = {"id": node_id, "label": str(name_of[node_id]), "title": _text(tooltip),
                 "color": {"background": colour, "border": "#000000" if broker else "#555555"} if broker else colour,
                 "shape": SHAPES.get(net.kind, "dot"), "size": 10 + 30 * float((size_of[node_id] - smallest) / span),
                 color_by: str(group), "ng_group": _legend_index(categories.get(group)), "ng_rank": rank_of[node_id]}
        if broker:
            entry.update(ng_broker=True, borderWidth=5, font={"size": 18, "background": "#FFFFFF", "strokeWidth": 0})
        pv.nodes.append(entry)
        pv.node_ids.append(node_id)
        pv.node_map[node_id] = entry
    pv.edges = [{"from": r.source, "to": r.target, "value": float(r.weight),
                 "color": LINK_COLOURS.get(r.via[0], "#999"), "ng_kind": r.via[0],
                 "title": _text([_tie_heading(r), *describe(r.sources)])}
                for r in edges.itertuples(index=False)]
    if leads is not None:
        for r in leads[leads["source"].isin(kept) & leads["target"].isin(kept)].itertuples(index=False):
            pv.edges.append({"from": r.source, "to": r.target, "dashes": True, "color": SUSPECTED_COLOUR,
                             "value": 0.5, "ng_kind": "suspected",
                             "title": _text(["SUSPECTED link (not asserted by any record)",
                                             f"method: {r.method} · score {r.score:.3g}"])})
    pv.set_options(json.dumps({
        "layout": {"randomSeed": seed, "improvedLayout": len(keep) <= 300},
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"enabled": True, "iterations": 400}},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 8}},
        "nodes": {"font": {"background": "rgba(255,255,255,0.8)"}},  # labels stay legible over ties
        "interaction": {"hover": True, "tooltipDelay": 120}}))
    page = CDN_TAG.sub("", pv.generate_html())
    kinds = sorted({e["ng_kind"] for e in pv.edges}, key=lambda k: (k == "suspected", k))
    panel = _panel(net, title, note, categories, color_by, size_by, kinds, [name_of[b] for b in brokers], ranked_by,
                   seed,
                   {m: methods[m] for m in measures.MEASURES if m in methods})
    page = page.replace("<body>", "<body>\n" + panel, 1)
    return page.replace("</body>", _PAGE_SCRIPT + "\n</body>", 1)


def write_html(net, path: str | Path, **options) -> Path:
    """Write :func:`network_html` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(network_html(net, **options), encoding="utf-8")
    return path


def _text(lines: list[str]) -> str:
    """A tooltip as plain text. pyvis switches to an innerHTML popup when a tooltip contains "href", so
    that substring is broken with an invisible word joiner."""
    return "\n".join(lines).replace("href", "hr\u2060ef")


def _node_records(net, kept: set) -> dict[str, list[str]]:
    """The records behind each drawn node's ties (all its ties, drawn or not)."""
    return net.records_of(list(kept))


def _record_describer(records: pd.DataFrame | None, needed: set | None = None, limit: int = 8):
    """A function from record keys to tooltip lines (``needed``: the only keys it will be asked about)."""
    info = {}
    if records is not None and len(records):
        if needed is not None:
            records = records[isin(records["id"], needed)]
        for r in records.itertuples(index=False):
            date = pd.Timestamp(r.record_date).date() if pd.notna(r.record_date) else "?"
            info[r.id] = f"{r.id.removeprefix('record:')} · {r.agency or '?'} · {date}"

    def describe(keys: list[str]) -> list[str]:
        if not keys:
            return []
        lines = ["records:"] + [f"  {info.get(k, k.removeprefix('record:'))}" for k in keys[:limit]]
        if len(keys) > limit:
            lines.append(f"  … and {len(keys) - limit} more")
        return lines
    return describe


def _legend_index(index: int | None) -> int:
    """The panel checkbox a category belongs to: its own for the first LEGEND_GROUPS, else "others" (-1)."""
    return index if index is not None and index < LEGEND_GROUPS else -1


def _panel(net, title, note, categories, color_by, size_by, kinds, brokers, ranked_by, seed, methods) -> str:
    """The side panel: search, filters, legend, export and the method in words; every data string escaped."""
    esc = html.escape
    listed = list(categories.items())[:LEGEND_GROUPS]
    groups = "".join(f'<label class="ng-key"><input type="checkbox" checked data-ng-group="{i}">'
                     f'<i style="background:{PALETTE[i % len(PALETTE)]}"></i>{esc(str(v))}</label>' for v, i in listed)
    if len(categories) > LEGEND_GROUPS:
        groups += (f'<label class="ng-key"><input type="checkbox" checked data-ng-group="-1"><i style="background:'
                   f'#999"></i>{len(categories) - LEGEND_GROUPS} more</label>')
    names = {"suspected": "suspected link (dashed): a lead, not a fact"}
    colours = {**LINK_COLOURS, "suspected": SUSPECTED_COLOUR}
    ties = "".join(f'<label class="ng-key"><input type="checkbox" checked data-ng-kind="{esc(k)}"><i class="ng-line" '
                   f'style="background:{colours.get(k, "#999")}"></i>{esc(names.get(k, k))}</label>' for k in kinds)
    stamp = {"netgraph_version": netgraph_version(), "network": net.kind, **net.description,
             "color_by": color_by, "size_by": size_by, "seed": seed, "measures": methods,
             "input_sha256": input_hash(net)}
    scope = {k: v for k, v in net.description.items() if v not in (None, [], ())}
    method = [("netgraph", stamp["netgraph_version"]), ("network", f"{net.kind}: {len(net.nodes):,} nodes, "
                                                                   f"{len(net.ties):,} ties"),
              *((k.replace("_", " "), ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v))
                for k, v in scope.items()),
              ("colour", f"{color_by} (communities: Leiden, seed {seed})" if color_by == "community" else color_by),
              ("size", size_by), *((f"{m}", how) for m, how in methods.items()), ("input SHA-256", stamp["input_sha256"])]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in method)
    return f"""<style>
html,body{{margin:0;height:100%;overflow:hidden}} body>center{{display:none}}
#mynetwork{{position:fixed!important;inset:0;width:100vw!important;height:100vh!important;border:0!important;
  float:none!important}}
.card{{border:0!important}}
#ng-panel{{position:fixed;top:0;right:0;z-index:10;width:320px;max-height:100vh;overflow:auto;box-sizing:border-box;
  font:13px/1.4 system-ui,sans-serif;background:rgba(255,255,255,.94);border-left:1px solid #ccc;
  border-bottom:1px solid #ccc;padding:8px 10px}}
#ng-panel.closed{{width:auto;overflow:hidden}} #ng-panel.closed #ng-body{{display:none}}
#ng-toggle{{float:right;font-size:13px}} #ng-panel h2{{font-size:15px;margin:0 0 4px}}
#ng-panel h3{{font-size:12px;margin:10px 0 3px;text-transform:uppercase;color:#555}}
.ng-key{{display:inline-block;margin:0 8px 2px 0;white-space:nowrap;cursor:pointer}}
.ng-key i{{display:inline-block;width:11px;height:11px;border-radius:6px;margin:0 4px 0 2px;vertical-align:-1px;
  border:1px solid #0003}} .ng-key i.ng-line{{height:4px;border-radius:0;width:16px;vertical-align:2px}}
.ng-ring{{display:inline-block;border:3px solid #000;width:8px;height:8px;border-radius:50%;vertical-align:-2px}}
.ng-note{{color:#a33}} #ng-stamp{{display:none}} #ng-method dt{{font-weight:600;float:left;clear:left;width:96px}}
#ng-method dd{{margin:0 0 2px 100px;word-break:break-all}} #ng-search{{width:100%;box-sizing:border-box}}
</style>
<div id="ng-panel">
<button id="ng-toggle" type="button" aria-expanded="true" aria-controls="ng-body">hide panel</button>
<div id="ng-body">
<h2>{esc(title or f"netgraph — {net.kind} network")}</h2>
<div>{len(net.nodes):,} nodes, {len(net.ties):,} ties.</div>
{f'<div class="ng-note">{esc(note)}</div>' if note else ''}
<h3>Search</h3><input id="ng-search" type="search" list="ng-names" placeholder="a name, then Enter">
<datalist id="ng-names"></datalist><div id="ng-found"></div>
<h3>Colour: {esc(color_by)}</h3><div>{groups}</div>
<h3>Ties</h3><div>{ties}</div>
<h3>Legend</h3>
<div><i class="ng-ring ng-key-ring"></i> black ring, large label: the top {len(brokers)} brokers
({esc(ranked_by)}: {esc("; ".join(map(str, brokers)))})</div>
<div>Size: {esc(size_by)}. Labels: the brokers, then the best-connected nodes whose label has room; zoom in
for more.</div>
<h3>Export</h3><button id="ng-png" type="button">Save as PNG</button>
<details id="ng-method"><summary>Method</summary><dl>{rows}</dl></details>
</div></div>
<div id="ng-stamp">{esc(json.dumps(stamp, ensure_ascii=False, default=str))}</div>
<div id="ng-status" data-nodes="" data-edges="" data-stabilized="0" data-canvas=""></div>"""


# After the layout settles, physics stops (the picture holds still); the status element lets tests and
# scripts read how many nodes and ties vis-network holds and how big the canvas is. The panel's search,
# filters, labels by zoom and PNG export work on vis-network's data sets; names reach the page as text only.
_PAGE_SCRIPT = """<script>
(function () {
  var status = document.getElementById("ng-status"), panel = document.getElementById("ng-panel");
  var nodes = network.body.data.nodes, edges = network.body.data.edges, all = nodes.get();
  var labelOf = {}; all.forEach(function (n) { labelOf[n.id] = n.label; });
  function mark() {
    status.dataset.nodes = nodes.length;
    status.dataset.edges = edges.length;
    var box = document.querySelector("#mynetwork canvas").getBoundingClientRect();
    status.dataset.canvas = Math.round(box.width) + "x" + Math.round(box.height);
  }
  var toggle = document.getElementById("ng-toggle");
  toggle.onclick = function () {
    var closed = panel.classList.toggle("closed");
    toggle.textContent = closed ? "show panel" : "hide panel";
    toggle.setAttribute("aria-expanded", String(!closed));
  };
  var list = document.getElementById("ng-names");
  all.slice().sort(function (a, b) { return a.ng_rank - b.ng_rank; }).forEach(function (n) {
    var option = document.createElement("option"); option.value = labelOf[n.id]; list.appendChild(option);
  });
  var search = document.getElementById("ng-search"), found = document.getElementById("ng-found");
  function find() {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); found.textContent = ""; return; }
    var hits = all.filter(function (n) { return labelOf[n.id].toLowerCase().indexOf(q) >= 0; });
    found.textContent = hits.length + " found";
    network.selectNodes(hits.map(function (n) { return n.id; }));
    if (hits.length) network.focus(hits[0].id, {scale: 1.3});
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") find(); });
  function filter() {
    var groups = {}, kinds = {};
    panel.querySelectorAll("input[data-ng-group]").forEach(function (b) { groups[b.dataset.ngGroup] = b.checked; });
    panel.querySelectorAll("input[data-ng-kind]").forEach(function (b) { kinds[b.dataset.ngKind] = b.checked; });
    nodes.update(all.map(function (n) { return {id: n.id, hidden: !groups[String(n.ng_group)]}; }));
    edges.update(edges.get().map(function (e) { return {id: e.id, hidden: !kinds[e.ng_kind]}; }));
  }
  panel.querySelectorAll("input[type=checkbox]").forEach(function (b) { b.addEventListener("change", filter); });
  var pending = null, measure = document.createElement("canvas").getContext("2d");
  var brokers = all.filter(function (n) { return n.ng_broker; }).length;
  function labels() {  // brokers first, then by degree: a label shows where it overlaps no label shown already
    var scale = network.getScale(), at = network.getPositions(), update = [];
    var discs = {}, taken = [];  // labels keep off the other nodes too
    all.forEach(function (n) {
      var p = network.canvasToDOM(at[n.id]), r = (n.size || 10) * scale;
      discs[n.id] = [p.x - r, p.y - r, p.x + r, p.y + r];
    });
    all.slice().sort(function (a, b) { return a.ng_rank - b.ng_rank; }).forEach(function (n) {
      var p = network.canvasToDOM(at[n.id]), font = ((n.font && n.font.size) || 14) * scale;
      measure.font = font + "px arial";
      var text = labelOf[n.id], w = measure.measureText(text).width + 6, top = p.y + (n.size || 10) * scale;
      var box = [p.x - w / 2, top, p.x + w / 2, top + font * 1.4 + 2];
      var clear = function (b) {
        return box[2] + 2 < b[0] || b[2] + 2 < box[0] || box[3] + 2 < b[1] || b[3] + 2 < box[1]; };
      var free = n.ng_rank < brokers || (font >= 5 && taken.every(clear) && all.every(function (m) {
        return m.id === n.id || clear(discs[m.id]); }));
      if (free) taken.push(box);
      update.push({id: n.id, label: free ? text : " "});
    });
    nodes.update(update);
    status.dataset.labels = taken.length;
  }
  network.on("zoom", function () { clearTimeout(pending); pending = setTimeout(labels, 120); });
  network.on("dragEnd", function () { clearTimeout(pending); pending = setTimeout(labels, 120); });
  network.on("resize", function () { clearTimeout(pending); pending = setTimeout(labels, 120); });
  window.ngPng = function () {  // the drawing on white, as a PNG data URL: no network needed
    var canvas = document.querySelector("#mynetwork canvas"), out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var g = out.getContext("2d"); g.fillStyle = "#ffffff"; g.fillRect(0, 0, out.width, out.height);
    g.drawImage(canvas, 0, 0);
    return out.toDataURL("image/png");
  };
  document.getElementById("ng-png").onclick = function () {
    var a = document.createElement("a"); a.href = window.ngPng(); a.download = "network.png";
    document.body.appendChild(a); a.click(); a.remove();
  };
  mark();
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    setTimeout(function () {  // the settled drawing fitted to the window, then its labels
      network.fit({animation: false});
      labels();
      status.dataset.stabilized = "1";
      mark();
    }, 0);
  });
})();
</script>"""
