"""Court-ready case charts: a stable picture of a case subgraph and the evidence behind every link.

The case is the network around named suspects (``radius`` steps), within a date window, built only from
records a chosen **release level** allows (records whose 5x5x5 handling code is above it are withheld:
no tie, entity or record id from them reaches the export). Entities no releasable record supports are
left out; ``anonymise=True`` also replaces every name but the suspects' with "Person N". A timeline of
the case's events (seizures, arrests, prosecutions, convictions) from releasable records follows the
evidence table. Every link on
the chart carries a label (E1, E2 …) that points into the evidence table: the records (id, date, agency,
seizure, documents) that assert it. Suspected links (leads) are never drawn on a court chart.

Outputs: PDF (chart, then the evidence table), SVG and PNG of the chart, and the evidence table as CSV.
Fixed texts come in English, Vietnamese or Chinese (``lang``); Chinese names need a CJK font
(Debian: ``fonts-wqy-microhei``).

>>> result = case_chart(store, ["person:nguyễn văn hùng"], "case.pdf", release_level=3)   # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.brokers import input_hash
from ..analysis.communities import _seeded
from ..analysis.network import person_network
from ..analysis.projection import Filters
from ..analysis.ties import PERSON_LINKS
from ..ingest.cells import write_csv
from ..resources import netgraph_version
from ..space_time.timeline import case_timeline
from ..store.base import GraphStore
from .fonts import chart_fonts

ROWS_PER_PAGE = 32

TEXTS = {
    "en": {"title": "Case chart", "dates": "Records dated", "any": "any date", "suspect": "Named suspect",
           "other": "Other person", "link": "Link asserted by records (label = evidence row)",
           "redacted": "REDACTED at release level {level}: {records} record(s) withheld; {entities} person(s) and "
                       "{ties} link(s) left out.", "anonymised": "Names other than the suspects are anonymised.",
           "not_redacted": "Release level {level}: no record withheld.",
           "evidence": "Evidence table", "cols": ["Link", "Between", "Record", "Date", "Agency", "Seizure",
                                                  "Documents"],
           "no_leads": "Suspected links (leads) are not shown: only links asserted by records.",
           "timeline": "Timeline", "timeline_cols": ["Date", "Event", "Seizure", "Place", "Commodities", "People"]},
    "vi": {"title": "Sơ đồ vụ án", "dates": "Hồ sơ ngày", "any": "mọi ngày", "suspect": "Đối tượng được nêu tên",
           "other": "Người khác", "link": "Mối liên hệ do hồ sơ xác nhận (nhãn = dòng chứng cứ)",
           "redacted": "ĐÃ BIÊN TẬP ở cấp phát hành {level}: giữ lại {records} hồ sơ; bỏ {entities} người và "
                       "{ties} mối liên hệ.", "anonymised": "Tên người khác ngoài đối tượng đã được ẩn danh.",
           "not_redacted": "Cấp phát hành {level}: không giữ lại hồ sơ nào.",
           "evidence": "Bảng chứng cứ", "cols": ["Liên hệ", "Giữa", "Hồ sơ", "Ngày", "Cơ quan", "Vụ bắt giữ",
                                                "Tài liệu"],
           "no_leads": "Không hiển thị liên hệ nghi vấn: chỉ các liên hệ do hồ sơ xác nhận.",
           "timeline": "Diễn biến", "timeline_cols": ["Ngày", "Sự kiện", "Vụ bắt giữ", "Nơi", "Hàng hóa", "Đối tượng"]},
    "zh": {"title": "案件关系图", "dates": "记录日期", "any": "所有日期", "suspect": "指名嫌疑人", "other": "其他人员",
           "link": "由记录证实的关系（标签 = 证据行）",
           "redacted": "已按发布级别 {level} 编辑：扣留 {records} 条记录；略去 {entities} 人和 {ties} 条关系。",
           "anonymised": "嫌疑人以外的姓名已匿名化。", "not_redacted": "发布级别 {level}：未扣留任何记录。",
           "evidence": "证据表", "cols": ["关系", "双方", "记录", "日期", "机关", "查获", "文件"],
           "no_leads": "不显示可疑关系（线索）：仅显示由记录证实的关系。",
           "timeline": "时间线", "timeline_cols": ["日期", "事件", "查获", "地点", "物品", "人员"]},
}


@dataclass
class CaseChart:
    paths: list[Path]
    evidence: pd.DataFrame
    stamp: dict
    redaction: dict = field(default_factory=dict)
    timeline: pd.DataFrame | None = None


def case_chart(store: GraphStore, suspects: list[str], out: str | Path, radius: int = 1, date_from=None,
               date_to=None, release_level: int = 3, anonymise: bool = False, lang: str = "en",
               via: tuple[str, ...] = PERSON_LINKS, seed: int = 0) -> CaseChart:
    """Draw the case around ``suspects`` (entity ids or exact names) into ``out`` (.pdf; .svg, .png and
    -evidence.csv beside it). See the module doc for what the release level withholds."""
    if lang not in TEXTS:
        raise ValueError(f"lang must be one of {sorted(TEXTS)}")
    text = TEXTS[lang]
    released = person_network(store, via=via, date_from=date_from, date_to=date_to, max_handling=release_level)
    everything = person_network(store, via=via, date_from=date_from, date_to=date_to)
    ids = _resolve(suspects, everything)
    withheld = [s for s in ids if s not in set(released.nodes["id"])]
    if withheld:
        raise PermissionError(f"no record releasable at level {release_level} names {withheld}; "
                              f"raise the release level or leave them out")
    case = released.subnetwork(_around(released, ids, radius))
    full_case = everything.subnetwork(_around(everything, ids, radius))
    redaction = _redaction(store, full_case, case, release_level, date_from, date_to)
    labels = _labels(case, ids, anonymise)
    evidence = _evidence(store, case, labels)
    timeline = _timeline(store, case, labels, release_level, anonymise)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = {"netgraph_version": netgraph_version(), "projection": "person network", **case.description,
             "suspects": ids, "radius": radius, "release_level": release_level, "anonymised": anonymise,
             "layout": "Kamada-Kawai (igraph)", "seed": seed, "leads_shown": False,
             "input_sha256": input_hash(case), "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold CJK face: not worth a warning
    with matplotlib.rc_context({"font.family": chart_fonts(), "pdf.fonttype": 42, "svg.fonttype": "none"}):
        figure = _draw(case, ids, labels, text, stamp, redaction, seed, date_from, date_to)
        figure.savefig(out.with_suffix(".svg"))
        figure.savefig(out.with_suffix(".png"), dpi=150)
        with PdfPages(out.with_suffix(".pdf"), metadata={"Title": f"{text['title']}: {', '.join(labels[i] for i in ids)}",
                                                          "Creator": f"netgraph {netgraph_version()}"}) as pdf:
            pdf.savefig(figure)
            for page in _table_pages(evidence, text):
                pdf.savefig(page)
            for page in _timeline_pages(timeline, text):
                pdf.savefig(page)
    evidence_csv = write_csv(evidence, out.with_name(out.stem + "-evidence.csv"))  # formula-like cells made inert
    paths = [out.with_suffix(s) for s in (".pdf", ".svg", ".png")] + [evidence_csv]
    return CaseChart(paths, evidence, stamp, redaction, timeline)


def _resolve(suspects: list[str], net) -> list[str]:
    by_name = {str(n).casefold(): i for i, n in zip(net.nodes["id"], net.nodes["name"])}
    known = set(net.nodes["id"])
    out = []
    for s in suspects:
        key = s if s in known else by_name.get(s.casefold())
        if key is None:
            raise KeyError(f"no person {s!r} in the records in scope")
        out.append(key)
    return list(dict.fromkeys(out))


def _around(net, ids: list[str], radius: int) -> list[str]:
    graph = net.graph
    found = set()
    for node in ids:
        found.update(graph.vs[graph.neighborhood(graph.vs.find(name=node).index, order=radius)]["name"])
    return sorted(found)


def _redaction(store, full_case, case, level, date_from, date_to) -> dict:
    records = store.records()
    in_window = Filters(date_from, date_to).eligible(records) if (date_from or date_to) else set(records["id"])
    used = {r for rs in full_case.edges["sources"] for r in rs} | (
        {r for rs in full_case.involvement["sources"] for r in rs} if full_case.involvement is not None else set())
    restricted = set(records.loc[records["handling"].notna() & (records["handling"] > level), "id"])
    return {"level": level, "records": len(used & restricted & in_window),
            "entities": len(set(full_case.nodes["id"]) - set(case.nodes["id"])),
            "ties": len(full_case.edges) - len(case.edges)}


def _labels(case, suspects: list[str], anonymise: bool) -> dict[str, str]:
    names = dict(zip(case.nodes["id"], case.nodes["name"].astype(str)))
    if not anonymise:
        return names
    others = [i for i in sorted(names) if i not in suspects]
    return {**{i: f"Person {n}" for n, i in enumerate(others, start=1)}, **{i: names[i] for i in suspects}}


def _evidence(store, case, labels) -> pd.DataFrame:
    records = store.records().set_index("id")
    seizures = store.node_frame("Seizure")
    by_record = {}
    for sid, sources in zip(seizures["id"], seizures["sources"]):
        for r in sources:
            by_record.setdefault(r, []).append(sid)
    docs = store.edge_frame("DOCUMENTED_BY")
    doc_names = store.node_frame("Document").set_index("id")["name"]
    documents = docs.assign(doc=docs["target"].map(doc_names)).groupby("source")["doc"].agg(lambda d: sorted(set(d)))
    rows = []
    ordered = case.edges.assign(a=case.edges["source"].map(labels), b=case.edges["target"].map(labels))
    ordered = ordered.sort_values(["a", "b"], ignore_index=True)
    for number, edge in enumerate(ordered.itertuples(index=False), start=1):
        for record in edge.sources:
            info = records.loc[record]
            seized = by_record.get(record, [])
            rows.append({"link": f"E{number}", "between": f"{edge.a} — {edge.b}", "via": " + ".join(edge.via),
                         "record": info["record_id"] or record.removeprefix("record:"), "source": info["source"],
                         "date": pd.Timestamp(info["record_date"]).date().isoformat()
                         if pd.notna(info["record_date"]) else "",
                         "agency": info["agency"] if isinstance(info["agency"], str) else "",  # a missing one is NaN
                         "seizure": "; ".join(s.split(":", 2)[-1] for s in seized),
                         "documents": "; ".join(d for s in seized for d in documents.get(s, []))})
    return pd.DataFrame(rows, columns=["link", "between", "via", "record", "source", "date", "agency", "seizure",
                                       "documents"])


def _timeline(store, case, labels, level, anonymise) -> pd.DataFrame:
    """The case's events by date, from releasable records only, with the chart's names."""
    records = store.records()
    releasable = set(records.loc[records["handling"].isna() | (records["handling"] <= level), "id"])
    seizures = store.node_frame("Seizure").set_index("id")["sources"]
    events = case_timeline(store, list(case.nodes["id"]))
    keep = events["seizure"].map(lambda s: any(r in releasable for r in seizures.get(s, [])))
    events = events[keep].copy()
    by_name = {n: labels[i] for i, n in zip(case.nodes["id"], case.nodes["name"].astype(str))}
    events["people"] = events["people"].map(
        lambda names: sorted({by_name.get(n, "another person" if anonymise else n) for n in names}))
    events["seizure"] = events["seizure"].str.split(":", n=2).str[-1]
    return events.reset_index(drop=True)


def _timeline_pages(timeline: pd.DataFrame, text: dict):
    if timeline.empty:
        return
    columns = ["date", "event", "seizure", "place", "commodities", "people"]
    for start in range(0, len(timeline), ROWS_PER_PAGE):
        chunk = timeline.iloc[start:start + ROWS_PER_PAGE]
        figure = Figure(figsize=(11.69, 8.27))
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.set_title(f"{text['timeline']} ({start + 1}–{start + len(chunk)} / {len(timeline)})", fontsize=12)
        cells = [[_fit("; ".join(v) if isinstance(v, list) else ("" if v is None or v != v else str(v)), 70)
                  for v in row] for row in chunk[columns].itertuples(index=False)]
        table = ax.table(cellText=cells, colLabels=text["timeline_cols"], colWidths=[0.08, 0.16, 0.12, 0.12, 0.2, 0.32],
                         loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(6.5)
        table.scale(1, 1.25)
        yield figure


def _frame_layout(ax, points: list) -> None:
    """Axis limits around the layout, never flat (a chain of three people lies on one line: a zero height
    made matplotlib place the labels at astronomically large pixel positions, and FreeType fail)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) / 2 + 0.6  # room for the labels under the nodes
    middle = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    ax.set_xlim(middle[0] - span, middle[0] + span)
    ax.set_ylim(middle[1] - span, middle[1] + span)


def _draw(case, suspects, labels, text, stamp, redaction, seed, date_from, date_to):
    graph = case.graph
    with _seeded(seed):
        layout = graph.layout_kamada_kawai() if graph.vcount() > 1 else graph.layout_circle()
    coords = dict(zip(graph.vs["name"], layout.coords))
    figure = Figure(figsize=(11.69, 8.27))  # A4 landscape
    ax = figure.add_subplot()
    ax.set_axis_off()
    _frame_layout(ax, list(coords.values()))
    ordered = case.edges.assign(a=case.edges["source"].map(labels), b=case.edges["target"].map(labels))
    ordered = ordered.sort_values(["a", "b"], ignore_index=True)
    top = max(ordered["weight"].max(), 1) if len(ordered) else 1
    for number, edge in enumerate(ordered.itertuples(index=False), start=1):
        (x1, y1), (x2, y2) = coords[edge.source], coords[edge.target]
        ax.plot([x1, x2], [y1, y2], color="#777777", linewidth=0.8 + 3 * edge.weight / top, zorder=1)
        ax.text((x1 + x2) / 2, (y1 + y2) / 2, f"E{number}", fontsize=6, color="#333366", ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}, zorder=2)
    for node, (x, y) in coords.items():
        is_suspect = node in suspects
        ax.scatter([x], [y], s=260 if is_suspect else 140, color="#c0392b" if is_suspect else "#2e86c1",
                   edgecolors="black", linewidths=0.6, zorder=3)
        ax.text(x, y - 0.18, labels[node], fontsize=8, ha="center", va="top", zorder=4,
                fontweight="bold" if is_suspect else "normal")
    window = f"{date_from or '…'} – {date_to or '…'}" if (date_from or date_to) else text["any"]
    figure.suptitle(f"{text['title']}: {', '.join(labels[s] for s in suspects)}", fontsize=14, fontweight="bold")
    ax.set_title(f"{text['dates']}: {window}", fontsize=10)
    handles = [Line2D([], [], marker="o", ls="", color="#c0392b", label=text["suspect"]),
               Line2D([], [], marker="o", ls="", color="#2e86c1", label=text["other"]),
               Line2D([], [], color="#777777", label=text["link"])]
    ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=True)
    notes = [text["redacted"].format(**redaction) if redaction["records"] or redaction["entities"]
             or redaction["ties"] else text["not_redacted"].format(level=redaction["level"])]
    if stamp["anonymised"]:
        notes.append(text["anonymised"])
    notes.append(text["no_leads"])
    figure.text(0.01, 0.055, "\n".join(notes), fontsize=8, color="#a93226", va="bottom")
    short = {k: stamp[k] for k in ("netgraph_version", "projection", "via", "radius", "release_level", "layout",
                                   "seed", "input_sha256", "made_at")}
    figure.text(0.01, 0.01, json.dumps(short, ensure_ascii=False), fontsize=5.5, color="#555555", va="bottom",
                wrap=True)
    return figure


def _table_pages(evidence: pd.DataFrame, text: dict):
    columns = ["link", "between", "record", "date", "agency", "seizure", "documents"]
    widths = [0.05, 0.25, 0.14, 0.08, 0.2, 0.13, 0.15]
    for start in range(0, max(len(evidence), 1), ROWS_PER_PAGE):
        chunk = evidence.iloc[start:start + ROWS_PER_PAGE][columns]
        figure = Figure(figsize=(11.69, 8.27))
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.set_title(f"{text['evidence']} ({start + 1}–{start + len(chunk)} / {len(evidence)})", fontsize=12)
        cells = [[_fit(str(v), 60) for v in row] for row in chunk.itertuples(index=False)] or [[""] * len(columns)]
        table = ax.table(cellText=cells, colLabels=text["cols"], colWidths=widths, loc="upper center",
                         cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(6.5)
        table.scale(1, 1.25)
        yield figure


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
