"""Court-ready case charts: the entities around named suspects, and the records behind every line.

The case is the network around named suspects (``radius`` steps), within a date window, built only from
records a chosen **release level** allows (records whose 5x5x5 handling code is above it are withheld:
no tie, entity, name or record id from them reaches the export). Entities no releasable record supports are
left out; ``anonymise=True`` also replaces every name but the suspects' with "Person N" (phones, accounts,
companies and vehicles become "Phone 1" …). Suspected links (leads) are never drawn on a court chart.

The chart reads like an i2 chart: people are circles (suspects red), phones squares, accounts pentagons,
companies hexagons and vehicles diamonds, so a person–phone–person chain is visible. One line joins each pair
of entities: two people who were in the same seizure(s), or a person and the phone, account, company or
vehicle the records tie them to. Each line carries the number of records behind it and one evidence
reference (``12 · E7``): rows E7.1, E7.2 … of the evidence table. A dense group (at least six people, more
than half of all possible pairs tied) is drawn as a box with its members listed in it; the links among them
are one evidence reference. Nodes sit on a grid of label-sized cells, so no two labels overlap; the legend,
notes and method stamp sit outside the drawing.

The PDF: a cover page (case, suspects, date window, release level, what was withheld, groups, method), the
chart, one line per link (records, dates, agencies, its evidence rows), one line per record cited (date,
agency, seizure, documents when any record names one, the evidence rows it supports) and the case's
timeline, one line per seizure with what followed it. SVG and PNG of the chart; every evidence row
(E7.1 …) in the CSV beside it (cells that look like formulas made inert). Fixed texts in English,
Vietnamese or Chinese (``lang``); Chinese names need a CJK font (found at run time, see
:mod:`netgraph.views.fonts`).

>>> result = case_chart(store, ["Nguyễn Văn Hùng"], "case.pdf", release_level=3)   # doctest: +SKIP
>>> result.evidence[["row", "link", "between", "record"]].head(2)                     # doctest: +SKIP
    row link                      between        record
0  E1.1   E1  Nguyễn Văn Hùng — Wang Wei           T-1
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import igraph as ig
import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..analysis.brokers import input_hash
from ..analysis.communities import _seeded, detect
from ..analysis.network import person_network
from ..analysis.projection import Filters
from ..analysis.ties import PERSON_LINKS, memberships
from ..ingest.cells import write_csv
from ..resources import NetgraphError, netgraph_version
from ..schema import CONVEYANCE_LABELS
from ..space_time.timeline import case_timeline
from ..store.base import GraphStore
from .fonts import chart_fonts
from .release import ReleaseView

A4 = (11.69, 8.27)  # landscape, inches
CELL = (1.45, 0.62)  # a node and its label, inches, at full size
DRAWING = (0.02, 0.13, 0.72, 0.78)  # the chart's area of the page (left, bottom, width, height): legend right, notes below
LINES_PER_PAGE = 62
GROUP_MIN_SIZE, GROUP_MIN_DENSITY = 6, 0.5
GROUP_LINE_MIN = 3  # an entity (not a suspect) tied to this many members of a group: one line to the box
HUB_LABELS = {"phone": ("Phone",), "account": ("Account",), "organization": ("Organization",),
              "conveyance": CONVEYANCE_LABELS}
ANONYMOUS = {"phone": "Phone", "account": "Account", "organization": "Company", "conveyance": "Vehicle"}
MARKERS = {"person": "o", "phone": "s", "account": "p", "organization": "h", "conveyance": "D"}
# Okabe–Ito colours: told apart with every common colour-vision deficiency
NODE_COLOURS = {"suspect": "#D55E00", "person": "#56B4E9", "phone": "#E69F00", "account": "#CC79A7",
                "organization": "#009E73", "conveyance": "#0072B2"}
LINE_COLOURS = {"seizure": "#555555", "phone": "#E69F00", "account": "#CC79A7", "organization": "#009E73",
                "conveyance": "#0072B2"}

TEXTS = {
    "en": {"title": "Case chart", "dates": "Records dated", "any": "any date", "suspect": "Named suspect",
           "kinds": {"person": "Person", "phone": "Phone", "account": "Account", "organization": "Company",
                     "conveyance": "Vehicle, vessel or flight"},
           "ties": {"seizure": "in the same seizure(s)", "phone": "uses the phone", "account": "holds the account",
                    "organization": "works for or directs", "conveyance": "in a seizure it carried",
                    "group": "links among the group"},
           "label": "12 · E7 = 12 records behind the line;\nevidence rows E7.1, E7.2 …",
           "group": "Group {name}: {n} people · links among them: {records} records, {ref}",
           "group_legend": "Dense group: one reference for\nthe links among its members",
           "redacted": "REDACTED at release level {level}: {records} record(s) withheld; {entities} person(s) and "
                       "{ties} link(s) left out.", "anonymised": "Names other than the suspects are anonymised.",
           "not_redacted": "Release level {level}: no record withheld.",
           "no_leads": "Suspected links (leads) are not shown: only links asserted by records.",
           "cover": "Case file", "case": "Case", "suspects": "Suspects", "release": "Release level",
           "withheld": "Withheld", "drawn": "On the chart",
           "drawn_text": "{people} people, {entities} other entities, {links} links, {records} records, {rows} "
                         "evidence rows",
           "group_word": "Group", "method": "Method", "contents": "Contents",
           "contents_text": "chart · links · records cited · timeline; every evidence row is in {csv}",
           "links": "Links and the records behind them",
           "links_cols": ["Ref", "Between", "Tie", "Records", "Dates", "Agencies", "Evidence rows"],
           "records": "Records cited", "records_cols": ["Record", "Date", "Agency", "Seizure", "Documents",
                                                        "Evidence rows"],
           "timeline": "Timeline", "timeline_cols": ["Date", "Seizure", "Place", "Commodities", "Followed by",
                                                     "People"]},
    "vi": {"title": "Sơ đồ vụ án", "dates": "Hồ sơ ngày", "any": "mọi ngày", "suspect": "Đối tượng được nêu tên",
           "kinds": {"person": "Người", "phone": "Điện thoại", "account": "Tài khoản", "organization": "Công ty",
                     "conveyance": "Phương tiện"},
           "ties": {"seizure": "cùng vụ bắt giữ", "phone": "dùng điện thoại", "account": "có tài khoản",
                    "organization": "làm việc cho / điều hành", "conveyance": "trong vụ do phương tiện chở",
                    "group": "liên hệ trong nhóm"},
           "label": "12 · E7 = 12 hồ sơ;\ndòng chứng cứ E7.1, E7.2 …",
           "group": "Nhóm {name}: {n} người · liên hệ trong nhóm: {records} hồ sơ, {ref}",
           "group_legend": "Nhóm dày đặc: một tham chiếu\ncho các liên hệ trong nhóm",
           "redacted": "ĐÃ BIÊN TẬP ở cấp phát hành {level}: giữ lại {records} hồ sơ; bỏ {entities} người và "
                       "{ties} mối liên hệ.", "anonymised": "Tên người khác ngoài đối tượng đã được ẩn danh.",
           "not_redacted": "Cấp phát hành {level}: không giữ lại hồ sơ nào.",
           "no_leads": "Không hiển thị liên hệ nghi vấn: chỉ các liên hệ do hồ sơ xác nhận.",
           "cover": "Hồ sơ vụ án", "case": "Vụ án", "suspects": "Đối tượng", "release": "Cấp phát hành",
           "withheld": "Giữ lại", "drawn": "Trên sơ đồ",
           "drawn_text": "{people} người, {entities} thực thể khác, {links} liên hệ, {records} hồ sơ, {rows} dòng "
                         "chứng cứ",
           "group_word": "Nhóm", "method": "Phương pháp", "contents": "Nội dung",
           "contents_text": "sơ đồ · liên hệ · hồ sơ được dẫn · diễn biến; mọi dòng chứng cứ có trong {csv}",
           "links": "Các liên hệ và hồ sơ chứng minh",
           "links_cols": ["Mã", "Giữa", "Liên hệ", "Hồ sơ", "Ngày", "Cơ quan", "Dòng chứng cứ"],
           "records": "Hồ sơ được dẫn", "records_cols": ["Hồ sơ", "Ngày", "Cơ quan", "Vụ bắt giữ", "Tài liệu",
                                                         "Dòng chứng cứ"],
           "timeline": "Diễn biến", "timeline_cols": ["Ngày", "Vụ bắt giữ", "Nơi", "Hàng hóa", "Tiếp theo",
                                                      "Đối tượng"]},
    "zh": {"title": "案件关系图", "dates": "记录日期", "any": "所有日期", "suspect": "指名嫌疑人",
           "kinds": {"person": "人员", "phone": "电话", "account": "账户", "organization": "公司",
                     "conveyance": "交通工具"},
           "ties": {"seizure": "同一查获", "phone": "使用电话", "account": "持有账户", "organization": "任职或管理",
                    "conveyance": "其运载的查获", "group": "组内关系"},
           "label": "12 · E7 = 12 条记录；证据行 E7.1 …",
           "group": "{name} 组：{n} 人 · 组内关系：{records} 条记录，{ref}",
           "group_legend": "密集组（组内关系：一个编号）",
           "redacted": "已按发布级别 {level} 编辑：扣留 {records} 条记录；略去 {entities} 人和 {ties} 条关系。",
           "anonymised": "嫌疑人以外的姓名已匿名化。", "not_redacted": "发布级别 {level}：未扣留任何记录。",
           "no_leads": "不显示可疑关系（线索）：仅显示由记录证实的关系。",
           "cover": "案件材料", "case": "案件", "suspects": "嫌疑人", "release": "发布级别", "withheld": "扣留",
           "drawn": "图中", "drawn_text": "{people} 人，{entities} 个其他实体，{links} 条关系，{records} 条记录，"
                                          "{rows} 行证据",
           "group_word": "组", "method": "方法", "contents": "内容",
           "contents_text": "关系图 · 关系 · 引用记录 · 时间线；全部证据行见 {csv}",
           "links": "关系及其记录", "links_cols": ["编号", "双方", "关系", "记录", "日期", "机关", "证据行"],
           "records": "引用的记录", "records_cols": ["记录", "日期", "机关", "查获", "文件", "证据行"],
           "timeline": "时间线", "timeline_cols": ["日期", "查获", "地点", "物品", "后续", "人员"]},
}


@dataclass
class CaseChart:
    """What :func:`case_chart` wrote: files, the evidence rows, the method stamp, what was withheld, the
    timeline, the number of PDF pages and the chart's figure (its artists carry ``ng-…`` ids)."""
    paths: list[Path]
    evidence: pd.DataFrame
    stamp: dict
    redaction: dict = field(default_factory=dict)
    timeline: pd.DataFrame | None = None
    pages: int = 0
    figure: Figure | None = None
    links: pd.DataFrame | None = None  # ref, a, b (entity ids or a group's name), kind, records, members
    groups: dict = field(default_factory=dict)  # dense groups drawn as boxes: name → member ids


@dataclass
class _Link:
    a: str  # entity or group key
    b: str
    kind: str  # seizure, phone, …, group
    records: list[str]
    ref: str = ""
    members: list[str] = field(default_factory=list)  # a line to a group box: the members it stands for


def case_chart(store: GraphStore, suspects: list[str], out: str | Path, radius: int = 1, date_from=None,
               date_to=None, release_level: int = 3, anonymise: bool = False, lang: str = "en",
               via: tuple[str, ...] = PERSON_LINKS, seed: int = 0) -> CaseChart:
    """Draw the case around ``suspects`` (entity ids or exact names) into ``out`` (.pdf; .svg, .png and
    -evidence.csv beside it). See the module doc for what the release level withholds."""
    if lang not in TEXTS:
        raise ValueError(f"lang must be one of {sorted(TEXTS)}")
    text = TEXTS[lang]
    scope = case_scope(store, suspects, radius, date_from, date_to, release_level, via)
    ids, case, redaction = scope.suspects, scope.case, scope.redaction
    entities, links, groups, evidence, timeline = case_model(scope, anonymise, via, seed)
    labels = {key: entity["label"] for key, entity in entities.items()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.stem + "-evidence.csv")
    stamp = {"netgraph_version": netgraph_version(), "projection": "person network", **case.description,
             "suspects": ids, "radius": radius, "release_level": release_level, "anonymised": anonymise,
             "layout": "Kamada-Kawai (igraph), snapped to a grid of label cells", "seed": seed, "leads_shown": False,
             "input_sha256": input_hash(case), "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    window = f"{date_from or '…'} – {date_to or '…'}" if (date_from or date_to) else text["any"]
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold CJK face: not worth a warning
    with matplotlib.rc_context({"font.family": chart_fonts(), "pdf.fonttype": 42, "svg.fonttype": "none",
                                "svg.hashsalt": "netgraph"}):
        figure = _draw(entities, links, groups, ids, text, stamp, redaction, window, seed)
        figure.savefig(out.with_suffix(".svg"), metadata={"Date": None})
        figure.savefig(out.with_suffix(".png"), dpi=150)
        pages = [_cover(entities, links, groups, ids, text, stamp, redaction, window, evidence, csv_path.name),
                 figure, *_link_pages(links, entities, groups, evidence, text),
                 *_record_pages(evidence, text), *_timeline_pages(timeline, text)]
        title = f"{text['title']}: {', '.join(labels[i] for i in ids)}"
        with PdfPages(out.with_suffix(".pdf"), metadata={"Title": title,
                                                          "Creator": f"netgraph {netgraph_version()}"}) as pdf:
            for page in pages:
                pdf.savefig(page)
    evidence_csv = write_csv(evidence, csv_path)  # formula-like cells made inert
    paths = [out.with_suffix(s) for s in (".pdf", ".svg", ".png")] + [evidence_csv]
    drawn = pd.DataFrame([vars(x) for x in links], columns=["a", "b", "kind", "records", "ref", "members"])
    return CaseChart(paths, evidence, stamp, redaction, timeline, len(pages), figure, drawn, groups)


@dataclass
class CaseScope:
    """The case around named suspects at a release level, as court charts and case packages take it."""
    suspects: list[str]  # the suspects' ids in the release view (resolved people)
    case: object  # the person Network of the case, from the release view
    full_case: object  # the same case from every record (what the redaction summary compares with)
    redaction: dict  # level, records withheld, entities (people) and ties left out
    view: ReleaseView  # what the records the level and window allow assert: every output is rendered from it


class UnknownSuspect(NetgraphError, KeyError):
    """A suspect that no record in scope names."""

    def __str__(self) -> str:
        return str(self.args[0])


class WithheldSuspect(NetgraphError, PermissionError):
    """A suspect that only withheld records name."""


class CaseScopes:
    """Cases at one release level and date window: the release view and the person networks (released and
    from every record) built once, for any number of cases (:meth:`around`)."""

    def __init__(self, store: GraphStore, release_level: int = 3, date_from=None, date_to=None,
                 via: tuple[str, ...] = PERSON_LINKS):
        self.store, self.window = store, (date_from, date_to)
        self.view = ReleaseView(store, release_level, date_from, date_to)
        self.released = person_network(self.view, via=via, date_from=date_from, date_to=date_to,
                                       max_handling=release_level)
        self.everything = person_network(store, via=via, date_from=date_from, date_to=date_to)

    def around(self, suspects: list[str], radius: int = 1) -> CaseScope:
        """The case within ``radius`` steps of ``suspects`` (ids or any spelling)."""
        view, released, everything = self.view, self.released, self.everything
        ids = _resolve(suspects, everything, self.store)
        in_view = {i: view.entity(i) for i in ids}
        withheld = [s for s, i in zip(suspects, ids) if in_view[i] not in set(released.nodes["id"])]
        if withheld:
            raise WithheldSuspect(f"no record releasable at level {view.level} names {withheld}; "
                                  f"raise the release level or leave them out")
        shown = list(dict.fromkeys(in_view[i] for i in ids))
        case = released.subnetwork(_around(released, shown, radius))
        full_case = everything.subnetwork(_around(everything, ids, radius))
        redaction = _redaction(self.store, view, full_case, case, *self.window)
        return CaseScope(shown, case, full_case, redaction, view)


def case_scope(store: GraphStore, suspects: list[str], radius: int = 1, date_from=None, date_to=None,
               release_level: int = 3, via: tuple[str, ...] = PERSON_LINKS) -> CaseScope:
    """The people within ``radius`` steps of ``suspects`` (ids or exact spellings) in the
    :class:`~netgraph.views.release.ReleaseView` of the date window and ``release_level`` (records with a
    handling code at most the level, or none), and what was withheld. Raises :class:`UnknownSuspect` for an
    unknown suspect, :class:`WithheldSuspect` for one only withheld records name.

    >>> scope = case_scope(store, ["Wang Wei"], radius=2, release_level=2)   # doctest: +SKIP
    >>> scope.redaction                                                       # doctest: +SKIP
    {'level': 2, 'records': 2, 'entities': 1, 'ties': 1}
    """
    return CaseScopes(store, release_level, date_from, date_to, via).around(suspects, radius)


def _resolve(suspects: list[str], net, store: GraphStore) -> list[str]:
    """The person ids of ``suspects`` (ids, or any spelling of a person, case aside)."""
    persons = store.node_properties("Person")
    entity = persons["resolved_id"].where(persons["resolved_id"].notna(), persons["id"])
    by_name = {str(n).casefold(): e for n, e in zip(net.nodes["name"], net.nodes["id"])}
    by_name.update({str(n).casefold(): e for n, e in zip(persons["name"], entity) if str(n).casefold() not in by_name})
    known = set(net.nodes["id"])
    out = []
    for s in suspects:
        key = s if s in known else by_name.get(s.casefold())
        if key is None or key not in known:
            raise UnknownSuspect(f"no person {s!r} in the records in scope")
        out.append(key)
    return list(dict.fromkeys(out))


def _around(net, ids: list[str], radius: int) -> list[str]:
    graph = net.graph
    found = set()
    for node in ids:
        found.update(graph.vs[graph.neighborhood(graph.vs.find(name=node).index, order=radius)]["name"])
    return sorted(found)


def _redaction(store, view, full_case, case, date_from, date_to) -> dict:
    records = store.records()
    in_window = Filters(date_from, date_to).eligible(records) if (date_from or date_to) else set(records["id"])
    used = {r for rs in full_case.edges["sources"] for r in rs} | (
        {r for rs in full_case.involvement["sources"] for r in rs} if full_case.involvement is not None else set())
    shown = set(case.nodes["id"])
    return {"level": view.level, "records": len(used & view.withheld & in_window),
            "entities": sum(view.entity(p) not in shown for p in full_case.nodes["id"]),
            "ties": len(full_case.edges) - len(case.edges)}


def case_model(scope: CaseScope, anonymise: bool = False, via: tuple[str, ...] = PERSON_LINKS, seed: int = 0):
    """What a case chart shows, from the release view only: entities (id → kind, label, suspect), links,
    dense groups, evidence rows and timeline."""
    view, case, ids = scope.view, scope.case, scope.suspects
    labels = _labels(case, ids, anonymise)
    entities, links, groups = _chart_model(view, case, ids, labels, via, anonymise, seed)
    evidence = _evidence(view, links, entities, groups)
    return entities, links, groups, evidence, _timeline(view, case, labels, anonymise)


def _labels(case, suspects: list[str], anonymise: bool) -> dict[str, str]:
    names = dict(zip(case.nodes["id"], case.nodes["name"].astype(str)))
    if not anonymise:
        return names
    others = [i for i in sorted(names) if i not in suspects]
    return {**{i: f"Person {n}" for n, i in enumerate(others, start=1)}, **{i: names[i] for i in suspects}}


def _chart_model(store, case, suspects, labels, via, anonymise, seed):
    """Entities (id → kind, label, suspect), links (one per pair of entities, the records behind it) and
    dense groups (name → sorted member ids); the links among a group's members become one group link."""
    people = list(case.nodes["id"])
    entities = {p: {"kind": "person", "label": labels[p], "suspect": p in suspects} for p in people}
    links = []
    if "seizure" in via and case.involvement is not None:
        seizures_of: dict[str, dict[str, set]] = {}
        for person, seizure, sources in case.involvement[["id", "seizure", "sources"]].itertuples(index=False):
            if sources:
                seizures_of.setdefault(person, {}).setdefault(seizure, set()).update(sources)
        for a, b in case.edges[["source", "target"]].itertuples(index=False):
            mine, theirs = seizures_of.get(a, {}), seizures_of.get(b, {})
            shared = set(mine) & set(theirs)
            if shared:
                links.append(_Link(a, b, "seizure", sorted(set().union(*(mine[s] | theirs[s] for s in shared)))))
    hub_kinds = tuple(k for k in via if k in HUB_LABELS)
    if hub_kinds and len(case.edges):
        case_hubs = {h for hubs in case.edges["hubs"] for h in hubs}
        member = memberships(store, hub_kinds)
        member = member[member["person"].isin(people) & member["hub"].isin(case_hubs)]
        hub_links = [_Link(p, h, k, sorted(s))
                     for p, h, k, s in member[["person", "hub", "kind", "sources"]].itertuples(index=False)]
        hub_links = [link for link in hub_links if link.records]
        shared = {h for h, n in Counter(link.b for link in hub_links).items() if n >= 2}  # a hub joins people
        names = _hub_names(store)
        numbers: Counter = Counter()
        for link in sorted(hub_links, key=lambda x: x.b):
            if link.b not in shared:
                continue
            if link.b not in entities:
                numbers[link.kind] += 1
                label = f"{ANONYMOUS[link.kind]} {numbers[link.kind]}" if anonymise else \
                    names.get(link.b, link.b.split(":", 1)[-1])
                entities[link.b] = {"kind": link.kind, "label": label, "suspect": False}
            links.append(link)
    groups = _dense_groups(case, suspects, seed)
    member_of = {m: g for g, members in groups.items() for m in members}
    inside: dict[str, set] = {}
    to_group: dict[tuple, list] = {}  # (entity, group, kind) → its links to members
    drawn = []
    for link in links:
        a, b = sorted((link.a, link.b), key=lambda x: x in member_of)  # a member, if any, second
        group = member_of.get(b)
        if group and member_of.get(a) == group:
            inside.setdefault(group, set()).update(link.records)
        elif group and a not in suspects:
            to_group.setdefault((a, group, link.kind), []).append(link)
        else:
            drawn.append(link)
    for (entity, group, kind), parts in to_group.items():  # an entity tied to several members: one line to the box
        if len(parts) >= GROUP_LINE_MIN:
            drawn.append(_Link(entity, group, kind, sorted({r for p in parts for r in p.records}),
                               members=sorted({p.a if p.a != entity else p.b for p in parts})))
        else:
            drawn += parts
    drawn += [_Link(g, g, "group", sorted(records)) for g, records in inside.items()]
    order = {"group": 0, "seizure": 1}
    drawn.sort(key=lambda x: (order.get(x.kind, 2), _name(x.a, entities, groups).casefold(),
                              _name(x.b, entities, groups).casefold(), x.kind))
    for number, link in enumerate(drawn, start=1):
        link.ref = f"E{number}"
    return entities, drawn, groups


def _hub_names(store) -> dict[str, str]:
    names = {}
    for labels in HUB_LABELS.values():
        for label in labels:
            frame = store.node_frame(label)
            if len(frame):
                names.update(zip(frame["id"], frame["name"].astype(str)))
    return names


def _name(key: str, entities: dict, groups: dict) -> str:
    return entities[key]["label"] if key in entities else f"{key} ({len(groups[key])})"


def _dense_groups(case, suspects, seed) -> dict[str, list[str]]:
    """Communities of at least GROUP_MIN_SIZE people (suspects stay out) with more than half of their pairs
    tied: name (A, B …) → member ids."""
    graph = case.graph.copy()
    graph.delete_vertices([v.index for v in graph.vs if v["name"] in set(suspects)])
    if graph.vcount() < GROUP_MIN_SIZE:
        return {}
    found = []
    membership = detect(graph, "leiden", seed=seed)
    for label in sorted(set(membership)):
        members = [v for v, m in zip(graph.vs["name"], membership) if m == label]
        n = len(members)
        if n < GROUP_MIN_SIZE:
            continue
        inner = graph.induced_subgraph([graph.vs.find(name=m).index for m in members]).ecount()
        if inner >= GROUP_MIN_DENSITY * n * (n - 1) / 2:
            found.append(sorted(members))
    found.sort(key=lambda g: (-len(g), g[0]))
    return {f"{string.ascii_uppercase[i % 26]}{i // 26 or ''}": g for i, g in enumerate(found)}


def _evidence(store, links, entities, groups) -> pd.DataFrame:
    """One row per record behind each link: row E7.1 …, the link, who, the tie, the record's id, date,
    agency, seizure and the documents the seizure names (from releasable records)."""
    records = store.records().set_index("id")
    seizures = store.node_frame("Seizure")
    by_record: dict[str, list] = {}
    for sid, sources in zip(seizures["id"], seizures["sources"]):
        for r in sources:
            by_record.setdefault(r, []).append(sid)
    docs = store.edge_frame("DOCUMENTED_BY")
    doc_names = store.node_frame("Document").set_index("id")["name"]
    documents = docs.assign(doc=docs["target"].map(doc_names)).groupby("source")["doc"].agg(lambda d: sorted(set(d)))
    rows = []
    for link in links:
        between = _between(link, entities, groups)
        for n, record in enumerate(link.records, start=1):
            info = records.loc[record]
            seized = by_record.get(record, [])
            rows.append({"row": f"{link.ref}.{n}", "link": link.ref, "between": between, "tie": link.kind,
                         "record": info["record_id"] or record.removeprefix("record:"), "source": info["source"],
                         "date": pd.Timestamp(info["record_date"]).date().isoformat()
                         if pd.notna(info["record_date"]) else "",
                         "agency": info["agency"] if isinstance(info["agency"], str) else "",  # a missing one is NaN
                         "seizure": "; ".join(s.split(":", 2)[-1] for s in seized),
                         "documents": "; ".join(str(d) for s in seized for d in documents.get(s, []))})
    return pd.DataFrame(rows, columns=["row", "link", "between", "tie", "record", "source", "date", "agency",
                                       "seizure", "documents"])


def _between(link, entities, groups) -> str:
    if link.kind == "group":
        return f"Group {link.a}: " + ", ".join(entities[m]["label"] for m in groups[link.a])
    if link.members:
        return f"{_name(link.a, entities, groups)} — Group {link.b}: " + \
            ", ".join(entities[m]["label"] for m in link.members)
    return f"{_name(link.a, entities, groups)} — {_name(link.b, entities, groups)}"


def _timeline(view, case, labels, anonymise) -> pd.DataFrame:
    """The case's events by date, from the release view, with the chart's names."""
    events = case_timeline(view, list(case.nodes["id"]))
    by_name = {n: labels[i] for i, n in zip(case.nodes["id"], case.nodes["name"].astype(str))}
    events["people"] = events["people"].map(
        lambda names: sorted({by_name.get(n, "another person" if anonymise else n) for n in names}))
    events["seizure"] = events["seizure"].str.split(":", n=2).str[-1]
    return events.reset_index(drop=True)


# --- layout: Kamada–Kawai, then each node (or group block) to the nearest free cell of a grid ---------------

def _layout(entities, links, groups, suspects, seed, area):
    """Cell of every entity, block of every group, grid size and scale: (cells, blocks, (cols, rows), scale)."""
    member_of = {m: g for g, members in groups.items() for m in members}
    units = [e for e in entities if e not in member_of] + list(groups)
    index = {u: i for i, u in enumerate(units)}
    pairs = {tuple(sorted((index[member_of.get(x.a, x.a)], index[member_of.get(x.b, x.b)]))) for x in links}
    graph = ig.Graph(n=len(units), edges=sorted(p for p in pairs if p[0] != p[1]))
    with _seeded(seed):
        coords = graph.layout_kamada_kawai().coords if len(units) > 1 else [(0.0, 0.0)] * len(units)
    shapes = {g: (max(1, math.ceil(math.sqrt(len(m) * CELL[1] / CELL[0] * 1.6))),) for g, m in groups.items()}
    shapes = {g: (c[0], math.ceil(len(groups[g]) / c[0]) + 1) for g, c in shapes.items()}  # + a title row
    needed = len(units) - len(groups) + sum(c * r for c, r in shapes.values())
    scale = 1.0
    while True:
        cols, rows = int(area[0] // (CELL[0] * scale)), int(area[1] // (CELL[1] * scale))
        fits = all(c <= cols and r <= rows for c, r in shapes.values())
        if (cols * rows >= 1.8 * needed and fits) or scale < 0.3:
            break
        scale *= 0.92
    cols, rows = max(cols, max((c for c, _ in shapes.values()), default=1)), max(rows, max(
        (r for _, r in shapes.values()), default=1))
    xs, ys = [c[0] for c in coords] or [0.0], [c[1] for c in coords] or [0.0]
    degree = Counter(u for x in links for u in (x.a, x.b))
    order = sorted((u for u in units if u not in groups), key=lambda u: (u not in suspects, -degree[u], u))
    while True:  # a grid too small for the groups' blocks and the rest grows, and the chart shrinks to fit
        spread = min(1.0, math.sqrt(2.5 * needed / (cols * rows)))  # a small case stays in the middle
        targets = [(((fx - 0.5) * spread + 0.5) * (cols - 1), ((fy - 0.5) * spread + 0.5) * (rows - 1))
                   for fx, fy in zip(_unit(xs), _unit(ys))]  # KK positions in grid units (column, row from the top)
        placed = _place(entities, groups, shapes, order, [targets[index[u]] for u in units], units, cols, rows)
        if placed is not None:
            return (*placed, (cols, rows), scale)
        cols, rows = cols + 1, rows + 1
        scale = min(scale, area[0] / (cols * CELL[0]), area[1] / (rows * CELL[1]))


def _unit(values: list[float]) -> list[float]:
    """``values`` scaled to 0–1 (all 0.5 when they are equal)."""
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 0.5 for v in values]


def _place(entities, groups, shapes, order, targets, units, cols, rows):
    """Each group's block (with a free ring around it), then each other unit, in the free cell nearest its
    target: (cells, blocks), or None if the grid has no room."""
    target = dict(zip(units, targets))
    taken: set = set()
    blocks = {}
    for g in sorted(groups, key=lambda g: -len(groups[g])):
        c, r = shapes[g]
        tx, ty = target[g]
        options = [(x, y) for x in range(cols - c + 1) for y in range(rows - r + 1)
                   if not any((x + i, y + j) in taken for i in range(c) for j in range(r))]
        if not options:
            return None
        x, y = min(options, key=lambda o: (((o[0] + (c - 1) / 2 - tx) * CELL[0]) ** 2 +
                                           ((o[1] + (r - 1) / 2 - ty) * CELL[1]) ** 2, o))
        blocks[g] = (x, y, c, r)
        taken |= {(x + i, y + j) for i in range(-1, c + 1) for j in range(-1, r + 1)}  # and a free ring around
    cells = {}
    for g, (x, y, c, r) in blocks.items():
        for k, m in enumerate(sorted(groups[g], key=lambda m: entities[m]["label"].casefold())):
            cells[m] = (x + k % c, y + 1 + k // c)
    free = [(x, y) for x in range(cols) for y in range(rows) if (x, y) not in taken]
    if len(free) < len(order):
        return None
    for u in order:
        tx, ty = target[u]
        best = min(free, key=lambda o: (((o[0] - tx) * CELL[0]) ** 2 + ((o[1] - ty) * CELL[1]) ** 2, o))
        free.remove(best)
        cells[u] = best
    return cells, blocks


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _width(value: str) -> int:
    """Columns ``value`` takes: a wide East Asian character counts two."""
    return sum(map(_columns, value))


def _fit(value: str, width: float) -> str:
    """``value`` cut to ``width`` columns, with … if cut.

    >>> _fit("Nguyễn Văn Hùng", 8), _fit("阮文雄", 5)
    ('Nguyễn …', '阮文…')
    """
    if _width(value) <= width:
        return value
    out, used = [], 0
    for ch in value:
        if used + _columns(ch) > width - 1:
            break
        out.append(ch)
        used += _columns(ch)
    return "".join(out) + "…"


def _draw(entities, links, groups, suspects, text, stamp, redaction, window, seed) -> Figure:
    figure = Figure(figsize=A4)
    figure.suptitle(f"{text['title']}: {', '.join(entities[s]['label'] for s in suspects)}", fontsize=14,
                    fontweight="bold", y=0.975)
    figure.text(0.5, 0.925, f"{text['dates']}: {window}", ha="center", fontsize=10)
    left, bottom, width, height = DRAWING
    cells, blocks, (cols, rows), scale = _layout(entities, links, groups, suspects, seed,
                                                 (A4[0] * width, A4[1] * height))
    w, h = cols * CELL[0] * scale / A4[0], rows * CELL[1] * scale / A4[1]
    ax = figure.add_axes((left + (width - w) / 2, bottom + (height - h) / 2, w, h))
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    ax.set_axis_off()
    font = 7.2 * max(scale, 0.55)
    chars = CELL[0] * scale * 72 / (font * 0.6) - 1  # label width in character columns
    def centre(key):  # noqa: E306 — a group's lines end at its box's nearest side
        if key in blocks:
            x, y, c, r = blocks[key]
            return x + c / 2, rows - y - r / 2
        x, y = cells[key]
        return x + 0.5, rows - y - 0.36
    for g, (x, y, c, r) in blocks.items():
        ax.add_patch(Rectangle((x + 0.04, rows - y - r + 0.04), c - 0.08, r - 0.08, fc="#f4f4f4", ec="#888888",
                               lw=0.8, zorder=0, gid=f"ng-group-{g}"))
        inner = next((x for x in links if x.kind == "group" and x.a == g), None)
        title = text["group"].format(name=g, n=len(groups[g]), records=len(inner.records) if inner else 0,
                                     ref=inner.ref if inner else "–")
        ax.text(x + 0.1, rows - y - 0.45, _fit(title, chars * c * 1.15), fontsize=font, fontweight="bold",
                va="center", ha="left", zorder=4, gid=f"ng-group-title-{g}",
                bbox={"boxstyle": "square,pad=0.1", "fc": "#f4f4f4", "ec": "none", "alpha": 0.9})
    top = max((len(x.records) for x in links), default=1)
    unit_w, unit_h = CELL[0] * scale * 72, CELL[1] * scale * 72  # points per grid unit
    obstacles = []  # node markers, node labels and group titles: (x0, y0, x1, y1) in grid units
    for key, entity in entities.items():
        x, y = centre(key)
        label_w = _width(_fit(entity["label"], chars)) * font * 0.62 / unit_w
        obstacles += [(x - 0.12, y - 0.1, x + 0.12, y + 0.3),
                      (x - label_w / 2, y - 0.12 - font * 1.4 / unit_h, x + label_w / 2, y - 0.12)]
    obstacles += [(x, rows - y - 0.75, x + c, rows - y - 0.15) for x, y, c, r in blocks.values()]
    link_font = max(4.5, 5.8 * scale)
    for link in links:
        if link.kind == "group":
            continue
        (x1, y1), (x2, y2) = centre(link.a), centre(link.b)
        if link.b in blocks:
            x2, y2 = _to_edge((x1, y1), (x2, y2), blocks[link.b], rows)
        ax.plot([x1, x2], [y1, y2], color=LINE_COLOURS[link.kind], lw=0.6 + 2.2 * math.log1p(len(link.records))
                / math.log1p(top), alpha=0.75, zorder=1, solid_capstyle="round")
        label = f"{len(link.records)} · {link.ref}"
        half_w, half_h = (len(label) * 0.62 + 0.4) * link_font / unit_w / 2, link_font * 1.5 / unit_h / 2
        best = None
        along = [(t, 0.0) for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)]
        beside = [(t, side * half_w) for t in (0.5, 0.4, 0.6) for side in (1, -1)]  # touching the line
        for t, shift in along + beside:
            px, py = x1 + (x2 - x1) * t + shift, y1 + (y2 - y1) * t
            box = (px - half_w, py - half_h, px + half_w, py + half_h)
            clash = sum(1 for b in obstacles if _overlap(box, b))
            if best is None or clash < best[0]:
                best = (clash, px, py, box)
            if clash == 0:
                break
        obstacles.append(best[3])
        ax.text(best[1], best[2], label, fontsize=link_font, ha="center", va="center", color="#222222", zorder=2,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": LINE_COLOURS[link.kind], "lw": 0.4,
                      "alpha": 0.9}, gid=f"ng-link-{link.ref}")
    for i, (key, entity) in enumerate(sorted(entities.items())):
        x, y = centre(key)
        colour = NODE_COLOURS["suspect" if entity["suspect"] else entity["kind"]]
        ax.scatter([x], [y + 0.1], s=(150 if entity["suspect"] else 80) * max(scale, 0.5), color=colour,
                   marker=MARKERS[entity["kind"]], edgecolors="black", linewidths=0.6, zorder=3, gid=f"ng-node-{i}")
        bold = entity["suspect"]
        ax.text(x, y - 0.12, _fit(entity["label"], chars * (0.88 if bold else 1)), fontsize=font, ha="center",
                va="top", zorder=4, fontweight="bold" if bold else "normal", gid=f"ng-label-{i}",
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.85})
    side = figure.add_axes((0.76, bottom, 0.23, height))
    side.set_axis_off()
    kinds = sorted({e["kind"] for e in entities.values()}, key=list(MARKERS).index)
    handles = [Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=NODE_COLOURS["suspect"],
                      markeredgecolor="black", label=text["suspect"])]
    handles += [Line2D([], [], marker=MARKERS[k], ls="", markersize=7, markerfacecolor=NODE_COLOURS[k],
                       markeredgecolor="black", label=text["kinds"][k]) for k in kinds]
    handles += [Line2D([], [], color=LINE_COLOURS[k], lw=2, label=text["ties"][k])
                for k in LINE_COLOURS if any(x.kind == k for x in links)]
    if groups:
        handles.append(Patch(fc="#f4f4f4", ec="#888888", label=text["group_legend"]))
    handles.append(Line2D([], [], ls="", label=text["label"]))
    legend = side.legend(handles=handles, loc="upper left", fontsize=7, frameon=True, borderaxespad=0)
    legend.set_gid("ng-legend")
    notes = [text["redacted"].format(**redaction) if redaction["records"] or redaction["entities"]
             or redaction["ties"] else text["not_redacted"].format(level=redaction["level"])]
    if stamp["anonymised"]:
        notes.append(text["anonymised"])
    notes.append(text["no_leads"])
    figure.text(0.02, 0.045, "\n".join(notes), fontsize=8, color="#a93226", va="bottom", gid="ng-notes")
    figure.text(0.02, 0.012, _stamp_line(stamp), fontsize=6, color="#555555", va="bottom", gid="ng-stamp")
    return figure


def _to_edge(start, middle, block, rows):
    """Where the segment from ``start`` to a box's ``middle`` meets the box's border."""
    x, y, c, r = block
    (x1, y1), (x2, y2) = start, middle
    half_w, half_h = c / 2 - 0.04, r / 2 - 0.04
    dx, dy = x1 - x2, y1 - y2
    t = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf, 1)
    return x2 + dx * t, y2 + dy * t


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _stamp_line(stamp: dict) -> str:
    return (f"netgraph {stamp['netgraph_version']} · {stamp['projection']} via {', '.join(stamp['via'])} · "
            f"radius {stamp['radius']} · release level {stamp['release_level']} · seed {stamp['seed']} · "
            f"input {stamp['input_sha256'][:16]} · made {stamp['made_at']}")


# --- pages of text: one text object per column, rows cut to the column's width ------------------------------

def _text_page(title: str) -> Figure:
    figure = Figure(figsize=A4)
    figure.text(0.04, 0.955, title, fontsize=13, fontweight="bold", va="top")
    return figure


def _table_pages(title: str, headers: list[str], widths: list[int], rows: list[list[str]]):
    """Pages of a table whose cells wrap, never cut: ``widths`` in character columns (≈ 200 fit across A4
    landscape at 6.3 pt); a row stays whole on one page."""
    font, total = 6.3, sum(widths)
    head = [_wrap(h, w - 1) for h, w in zip(headers, widths)]
    cells = [[_wrap(value, w - 1) for value, w in zip(row, widths)] for row in rows]
    pages, page, used = [], [], 0
    for number, row in enumerate(cells):
        height = max(map(len, row))
        if page and used + height > LINES_PER_PAGE:
            pages.append(page)
            page, used = [], 0
        page.append((number, row, height))
        used += height
    if page or not pages:
        pages.append(page)
    for page in pages:
        first, last = (page[0][0] + 1, page[-1][0] + 1) if page else (0, 0)
        figure = _text_page(f"{title} ({first}–{last} / {len(rows)})" if rows else title)
        x = 0.04
        for column, width in enumerate(widths):
            figure.text(x, 0.905, "\n".join(head[column]), fontsize=font + 0.5, fontweight="bold", va="bottom")
            text = [line for _, row, height in page for line in row[column] + [""] * (height - len(row[column]))]
            figure.text(x, 0.88, "\n".join(text), fontsize=font, va="top", linespacing=1.28)
            x += 0.92 * width / total
        figure.add_artist(Line2D([0.04, 0.96], [0.885, 0.885], color="#999999", lw=0.5))
        yield figure


def _wrap(value: str, width: float) -> list[str]:
    """``value`` in lines of at most ``width`` columns (a wide East Asian character counts two), broken at
    spaces where it can be, inside a word only where the word is longer than a line.

    >>> _wrap("Công ty TNHH Xuất nhập khẩu Hải Hà", 16), _wrap("2019-01-05", 10)
    (['Công ty TNHH', 'Xuất nhập khẩu', 'Hải Hà'], ['2019-01-05'])
    """
    lines, line = [], ""
    for word in str(value).split(" "):
        while _width(word) > width:  # a word longer than a line: cut it where the line is full
            room = width - _width(line) - (1 if line else 0)
            head = ""
            for ch in word:
                if _width(head + ch) > room:
                    break
                head += ch
            if not head:
                lines.append(line)
                line = ""
                continue
            lines.append(f"{line} {head}" if line else head)
            line, word = "", word[len(head):]
        if line and _width(line) + 1 + _width(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line or not lines else lines


def _span(values) -> str:
    dates = sorted(d for d in values if d)
    return "" if not dates else dates[0] if dates[0] == dates[-1] else f"{dates[0]} – {dates[-1]}"


def _rows_of(refs: list[str]) -> str:
    """E7.1, E7.2, E7.3, E9.1 → 'E7.1–3, E9.1'."""
    runs: list[list] = []
    for ref in refs:
        link, n = ref.rsplit(".", 1)
        if runs and runs[-1][0] == link and runs[-1][2] == int(n) - 1:
            runs[-1][2] = int(n)
        else:
            runs.append([link, int(n), int(n)])
    return ", ".join(f"{a}.{b}" if b == c else f"{a}.{b}–{c}" for a, b, c in runs)


def _cover(entities, links, groups, suspects, text, stamp, redaction, window, evidence, csv_name) -> Figure:
    figure = _text_page(f"{text['cover']}: {text['title']}")
    withheld = text["redacted"].format(**redaction) if redaction["records"] or redaction["entities"] or \
        redaction["ties"] else text["not_redacted"].format(level=redaction["level"])
    if stamp["anonymised"]:
        withheld += " " + text["anonymised"]
    people = sum(e["kind"] == "person" for e in entities.values())
    lines = [(text["case"], f"{text['title']}: {', '.join(entities[s]['label'] for s in suspects)}"),
             (text["suspects"], "; ".join(entities[s]["label"] for s in suspects)),
             (text["dates"], window), (text["release"], str(redaction["level"])), (text["withheld"], withheld),
             (text["drawn"], text["drawn_text"].format(people=people, entities=len(entities) - people,
                                                       links=len(links), records=evidence["record"].nunique(),
                                                       rows=len(evidence))),
             (text["contents"], text["contents_text"].format(csv=csv_name))]
    for g, members in groups.items():
        names = ", ".join(entities[m]["label"] for m in members)
        lines.append((f"{text['group_word']} {g}", names))
    method = [("netgraph", stamp["netgraph_version"]), ("projection", stamp["projection"]),
              ("via", ", ".join(stamp["via"])), ("radius", str(stamp["radius"])), ("layout", stamp["layout"]),
              ("seed", str(stamp["seed"])), ("leads shown", "no"), ("input SHA-256", stamp["input_sha256"]),
              ("made at (UTC)", stamp["made_at"])]
    y = 0.87
    for key, value in lines + [(text["method"], "")] + [("   " + k, v) for k, v in method]:
        wrapped = [value[i:i + 110] for i in range(0, len(value), 110)] or [""]
        figure.text(0.05, y, key, fontsize=9, fontweight="bold", va="top")
        figure.text(0.24, y, "\n".join(wrapped[:6]), fontsize=9, va="top", linespacing=1.3)
        y -= 0.032 * min(len(wrapped), 6) + 0.01
    return figure


def _link_pages(links, entities, groups, evidence, text):
    by_link = evidence.groupby("link", sort=False)
    rows = []
    for link in links:
        part = by_link.get_group(link.ref) if link.ref in by_link.groups else evidence.iloc[:0]
        rows.append([link.ref, _between(link, entities, groups), text["ties"][link.kind], str(len(link.records)),
                     _span(part["date"]), "; ".join(sorted(set(a for a in part["agency"] if a))),
                     _rows_of(list(part["row"]))])
    yield from _table_pages(text["links"], text["links_cols"], [7, 58, 24, 10, 24, 38, 40], rows)


def _record_pages(evidence, text):
    cited = evidence.groupby(["record", "source"], sort=False).agg(
        date=("date", "first"), agency=("agency", "first"), seizure=("seizure", "first"),
        documents=("documents", "first"), rows=("row", list)).reset_index().sort_values(["date", "record"])
    with_docs = bool((cited["documents"] != "").any())
    headers = text["records_cols"] if with_docs else [c for i, c in enumerate(text["records_cols"]) if i != 4]
    widths = [22, 12, 40, 30, 40, 56] if with_docs else [26, 12, 48, 36, 78]
    rows = [[r.record, r.date, r.agency, r.seizure, *([r.documents] if with_docs else []), _rows_of(r.rows)]
            for r in cited.itertuples(index=False)]
    yield from _table_pages(text["records"], headers, widths, rows)


def _timeline_pages(timeline: pd.DataFrame, text: dict):
    """One line per seizure: its date, place and commodities, what followed it, and who was in it."""
    if timeline.empty:
        return
    rows = []
    for seizure, events in timeline.groupby("seizure", sort=False):
        first = events[events["event"] == "seizure"]
        head = first.iloc[0] if len(first) else events.iloc[0]
        after = "; ".join(f"{e.event} {e.date}" for e in events.itertuples(index=False) if e.event != "seizure")
        rows.append((str(head["date"]), [str(head["date"]), str(seizure),
                                         "" if head["place"] is None or head["place"] != head["place"] else
                                         str(head["place"]), "; ".join(head["commodities"]), after,
                                         "; ".join(head["people"])]))
    rows.sort(key=lambda r: (r[0], r[1][1]))
    yield from _table_pages(text["timeline"], text["timeline_cols"], [12, 24, 20, 30, 60, 54], [r for _, r in rows])
