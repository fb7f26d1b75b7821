"""Interactive, self-contained HTML graphs (pyvis / vis-network) that work with no network.

One file: vis-network and the search menu are inlined, CDN links are stripped. Node colour follows the
community (or a node column), size a measure; tooltips give name, measures and the records behind a node;
edges are coloured by what ties the pair, suspected links (leads) are dashed and say so. Names are data,
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
RANKING_MIN_SOURCES = 10
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"]
LINK_COLOURS = {"seizure": "#555555", "phone": "#1f77b4", "account": "#9467bd", "organization": "#2ca02c",
                "conveyance": "#ff7f0e", "route": "#8c564b", "matrix": "#555555", "synthetic": "#999999"}
SHAPES = {"person": "dot", "organization": "box", "location": "diamond"}
SUSPECTED_COLOUR = "#d62728"
CDN_TAG = re.compile(r"<(?:link|script)[^>]+(?:href|src)=\"https?://[^\"]+\"[^>]*>(?:\s*</script>)?", re.I)


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
    """Sources sampled for the betweenness that ranks brokers when a network is reduced: ``PATH_SAMPLE_SOURCES``
    (or every node, if fewer) up to ``RANKING_WORK`` source-ties of work, fewer above (at least
    ``RANKING_MIN_SOURCES``). A weighted search from one source costs about one pass over the ties: 200
    sources over 500,000 ties took 44 s, 98% of the page."""
    return min(nodes, measures.PATH_SAMPLE_SOURCES, max(RANKING_MIN_SOURCES, RANKING_WORK // max(ties, 1)))


def _ranking(net, seed: int) -> pd.DataFrame:
    """Betweenness from ``ranking_sources`` sampled sources: what :func:`reduce` ranks by."""
    return net.centrality(which=("betweenness",), betweenness_k=ranking_sources(len(net.nodes), len(net.ties)),
                          seed=seed)


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
    pv = PyvisNetwork(height="780px", width="100%", directed=net.graph.is_directed(), select_menu=True,
                      filter_menu=True, cdn_resources="in_line")
    # pyvis renders its template without autoescaping, and writes node ids raw into the search menu's
    # <option>s: render it with autoescape on (tojson output and options are marked safe already).
    pv.templateEnv = Environment(loader=pv.templateEnv.loader, autoescape=True)
    pv.nodes, pv.node_ids, pv.node_map = [], [], {}
    name_of = dict(zip(keep, nodes["name"].tolist()))  # plain dicts: pandas lookups cost 0.5 ms a node
    group_of = colour_values.to_dict()
    score_of = {m: dict(zip(scores.index, scores[m].tolist())) for m in ("degree", "betweenness", "pagerank")}
    size_of, smallest = dict(zip(size.index, size.tolist())), size.min()
    for node_id in keep:
        group = group_of.get(node_id)
        tooltip = [str(name_of[node_id]), f"{net.kind} · {color_by}: {group}",
                   *(f"{m}: {score_of[m][node_id]:.4g}" for m in ("degree", "betweenness", "pagerank")),
                   *describe(evidence.get(node_id, []))]
        entry = {"id": node_id, "label": str(name_of[node_id]), "title": _text(tooltip),
                 "color": PALETTE[categories[group] % len(PALETTE)] if group in categories else "#cccccc",
                 "shape": SHAPES.get(net.kind, "dot"), "size": 10 + 30 * float((size_of[node_id] - smallest) / span),
                 color_by: str(group)}
        pv.nodes.append(entry)
        pv.node_ids.append(node_id)
        pv.node_map[node_id] = entry
    pv.edges = [{"from": r.source, "to": r.target, "value": float(r.weight),
                 "color": LINK_COLOURS.get(r.via[0], "#999"),
                 "title": _text([f"{' + '.join(r.via)} · {r.records} record(s)", *describe(r.sources)])}
                for r in edges.itertuples(index=False)]
    if leads is not None:
        for r in leads[leads["source"].isin(kept) & leads["target"].isin(kept)].itertuples(index=False):
            pv.edges.append({"from": r.source, "to": r.target, "dashes": True, "color": SUSPECTED_COLOUR,
                             "value": 0.5, "title": _text(["SUSPECTED link (not asserted by any record)",
                                                           f"method: {r.method} · score {r.score:.3g}"])})
    pv.set_options(json.dumps({
        "layout": {"randomSeed": seed, "improvedLayout": len(keep) <= 300},
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"enabled": True, "iterations": 400}},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 8}},
        "interaction": {"hover": True, "tooltipDelay": 120}}))
    page = CDN_TAG.sub("", pv.generate_html())
    header = _header(net, title, note, categories, color_by, size_by, leads is not None, seed,
                     {m: methods[m] for m in measures.MEASURES if m in methods})
    page = page.replace("<body>", "<body>\n" + header, 1)
    return page.replace("</body>", _SETTLE_SCRIPT + "\n</body>", 1)


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


def _header(net, title, note, categories, color_by, size_by, has_leads, seed, methods) -> str:
    esc = html.escape
    legend = "".join(f'<span class="ng-key"><i style="background:{PALETTE[i % len(PALETTE)]}"></i>{esc(str(v))}</span>'
                     for v, i in list(categories.items())[:24])
    kinds = net.link_kinds()
    links = "".join(f'<span class="ng-key"><i style="background:{c}"></i>{esc(k)}</span>'
                    for k, c in LINK_COLOURS.items() if k in kinds)
    stamp = {"netgraph_version": netgraph_version(), "network": net.kind, **net.description,
             "color_by": color_by, "size_by": size_by, "seed": seed, "measures": methods,
             "input_sha256": input_hash(net)}
    return f"""<style>
#ng-header{{font:13px/1.4 system-ui,sans-serif;padding:6px 10px;border-bottom:1px solid #ddd}}
#ng-header h2{{font-size:16px;margin:0 0 4px}} .ng-key{{margin-right:10px;white-space:nowrap}}
.ng-key i{{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}}
.ng-note{{color:#a33}} #ng-stamp{{color:#777;font-size:11px}}
</style>
<div id="ng-header">
<h2>{esc(title or f"netgraph — {net.kind} network")}</h2>
<div>{len(net.nodes):,} nodes, {len(net.ties):,} ties. Colour: {esc(color_by)} {legend}</div>
<div>Ties: {links}{' <span class="ng-key"><i style="background:' + SUSPECTED_COLOUR + '"></i>suspected link (dashed): a lead, not a fact</span>' if has_leads else ''}. Size: {esc(size_by)}.</div>
{f'<div class="ng-note">{esc(note)}</div>' if note else ''}
<div id="ng-stamp">{esc(json.dumps(stamp, ensure_ascii=False, default=str))}</div>
<div id="ng-status" data-nodes="" data-edges="" data-stabilized="0"></div>
</div>"""


# After the layout settles, physics stops (the picture holds still); the status element lets tests and
# scripts read how many nodes and ties vis-network holds.
_SETTLE_SCRIPT = """<script>
(function () {
  var status = document.getElementById("ng-status");
  function mark() {
    status.dataset.nodes = network.body.data.nodes.length;
    status.dataset.edges = network.body.data.edges.length;
  }
  mark();
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    status.dataset.stabilized = "1";
    mark();
  });
})();
</script>"""
