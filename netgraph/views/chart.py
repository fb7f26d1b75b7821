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
agency, seizure; case number, judgement date, fines, declared value and documents when any record gives them;
the evidence rows it supports) and the case's
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
import os
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..analysis.brokers import input_hash
from ..analysis.communities import detect
from ..analysis.network import person_network
from ..analysis.projection import Filters
from ..analysis.ties import PERSON_LINKS, memberships
from ..ingest.cells import write_csv
from ..resources import NetgraphError, netgraph_version
from ..schema import CONVEYANCE_LABELS
from ..space_time.timeline import case_timeline
from ..store.base import GraphStore
from .chart_layout import LINK_FONT, MARKER_AREA, NODE_FONT, chart_geometry, wrap
from .fonts import chart_fonts
from .release import ReleaseView

A4 = (11.69, 8.27)  # landscape, inches
PAGES = {"A4": A4, "A3": (16.54, 11.69), "A2": (23.39, 16.54), "A1": (33.11, 23.39), "A0": (46.81, 33.11)}
MIN_SCALE = 0.65  # the chart page grows (A3 … A0) until the chart is drawn at least this size
MAX_SCALE = 1.5  # a small case is drawn larger, to fill its page, up to this
PNG_PIXELS = 3600  # the chart's PNG at most this wide (150 dpi on A4 and A3)
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
           "to_box": "A line ending on a box's edge: ties to\n{n} or more of its members (links table)",
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
           "court_cols": {"case_number": "Case number", "judgement_date": "Judgement", "fine": "Fines",
                          "value": "Declared value"},
           "timeline": "Timeline", "timeline_cols": ["Date", "Seizure", "Place", "Commodities", "Followed by",
                                                     "People"]},
    "vi": {"title": "Sơ đồ vụ án", "dates": "Hồ sơ ngày", "any": "mọi ngày", "suspect": "Đối tượng được nêu tên",
           "kinds": {"person": "Người", "phone": "Điện thoại", "account": "Tài khoản", "organization": "Công ty",
                     "conveyance": "Phương tiện"},
           "ties": {"seizure": "cùng vụ bắt giữ", "phone": "dùng điện thoại", "account": "có tài khoản",
                    "organization": "làm việc cho / điều hành", "conveyance": "trong vụ do phương tiện chở",
                    "group": "liên hệ trong nhóm"},
           "label": "12 · E7 = 12 hồ sơ;\ndòng chứng cứ E7.1, E7.2 …",
           "to_box": "Đường dừng ở cạnh khung: liên hệ với\n{n} thành viên trở lên (bảng liên hệ)",
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
           "court_cols": {"case_number": "Số bản án", "judgement_date": "Ngày tuyên án", "fine": "Tiền phạt",
                          "value": "Giá trị khai báo"},
           "timeline": "Diễn biến", "timeline_cols": ["Ngày", "Vụ bắt giữ", "Nơi", "Hàng hóa", "Tiếp theo",
                                                      "Đối tượng"]},
    "zh": {"title": "案件关系图", "dates": "记录日期", "any": "所有日期", "suspect": "指名嫌疑人",
           "kinds": {"person": "人员", "phone": "电话", "account": "账户", "organization": "公司",
                     "conveyance": "交通工具"},
           "ties": {"seizure": "同一查获", "phone": "使用电话", "account": "持有账户", "organization": "任职或管理",
                    "conveyance": "其运载的查获", "group": "组内关系"},
           "label": "12 · E7 = 12 条记录；证据行 E7.1 …",
           "to_box": "止于方框边缘的线：与其中 {n} 名以上成员\n有关系（见关系表）",
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
           "court_cols": {"case_number": "案号", "judgement_date": "判决日期", "fine": "罚金", "value": "申报价值"},
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
    ids, redaction = scope.suspects, scope.redaction
    entities, links, groups, evidence, timeline = case_model(scope, anonymise, via, seed)
    labels = {key: entity["label"] for key, entity in entities.items()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.stem + "-evidence.csv")
    stamp = method_stamp(scope, radius, release_level, anonymise, seed)
    window = f"{date_from or '…'} – {date_to or '…'}" if (date_from or date_to) else text["any"]
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold CJK face: not worth a warning
    with matplotlib.rc_context({"font.family": chart_fonts(), "pdf.fonttype": 42, "svg.fonttype": "none",
                                "svg.hashsalt": "netgraph"}):
        figure = _draw(entities, links, groups, ids, text, stamp, redaction, window, seed)
        figure.savefig(out.with_suffix(".svg"), metadata={"Date": None})
        figure.savefig(out.with_suffix(".png"), dpi=min(150, PNG_PIXELS / figure.get_figwidth()))
        pages = [_cover(entities, links, groups, ids, text, stamp, redaction, window, evidence, csv_path.name),
                 figure, *_table_pages([_links_table(links, entities, groups, evidence, text),
                                        _records_table(evidence, text), *_timeline_table(timeline, text)])]
        title = f"{text['title']}: {', '.join(labels[i] for i in ids)}"
        with PdfPages(out.with_suffix(".pdf"), metadata={"Title": title,
                                                          "Creator": f"netgraph {netgraph_version()}"}) as pdf:
            for page in pages:
                pdf.savefig(page)
    evidence_csv = write_csv(evidence, csv_path)  # formula-like cells made inert
    paths = [out.with_suffix(s) for s in (".pdf", ".svg", ".png")] + [evidence_csv]
    drawn = pd.DataFrame([vars(x) for x in links], columns=["a", "b", "kind", "records", "ref", "members"])
    return CaseChart(paths, evidence, stamp, redaction, timeline, len(pages), figure, drawn, groups)


def method_stamp(scope, radius: int, release_level: int, anonymise: bool, seed: int) -> dict:
    """What a chart records of how it was made (``made_at`` is SOURCE_DATE_EPOCH when that is set, so a
    chart can be rebuilt byte for byte)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    made = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return {"netgraph_version": netgraph_version(), "projection": "person network", **scope.case.description,
            "suspects": scope.suspects, "radius": radius, "release_level": release_level, "anonymised": anonymise,
            "layout": "Kamada-Kawai (igraph) snapped to a grid of cells; lines routed orthogonally between them",
            "seed": seed, "leads_shown": False, "input_sha256": input_hash(scope.case),
            "made_at": made.isoformat(timespec="seconds")}


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
    agency, seizure, the documents the seizure names, the case number and judgement date of its prosecution,
    the fines of the link's people and the seizure's declared value (from releasable records)."""
    records = store.records().set_index("id")
    seizures = store.node_frame("Seizure")
    by_record: dict[str, list] = {}
    for sid, sources in zip(seizures["id"], seizures["sources"]):
        for r in sources:
            by_record.setdefault(r, []).append(sid)
    docs = store.edge_frame("DOCUMENTED_BY")
    doc_names = store.node_frame("Document").set_index("id")["name"]
    documents = docs.assign(doc=docs["target"].map(doc_names)).groupby("source")["doc"].agg(lambda d: sorted(set(d)))
    values = {s: _money_text(v, c) for s, v, c in zip(seizures["id"], seizures["value"], seizures["value_currency"])
              if pd.notna(v)}
    cases = _court_cases(store)
    fines = _fines(store)
    rows = []
    for link in links:
        between = _between(link, entities, groups)
        people = {p: n for n, p in enumerate(dict.fromkeys([link.a, link.b, *link.members, *groups.get(link.a, [])]))}
        for n, record in enumerate(link.records, start=1):
            info = records.loc[record]
            seized = by_record.get(record, [])
            court = [cases[s] for s in seized if s in cases]
            rows.append({"row": f"{link.ref}.{n}", "link": link.ref, "between": between, "tie": link.kind,
                         "record": info["record_id"] or record.removeprefix("record:"), "source": info["source"],
                         "date": record_day(info),
                         "agency": info["agency"] if isinstance(info["agency"], str) else "",  # a missing one is NaN
                         "seizure": "; ".join(s.split(":", 2)[-1] for s in seized),
                         "documents": "; ".join(str(d) for s in seized for d in documents.get(s, [])),
                         "case_number": "; ".join(c[0] for c in court if c[0]),
                         "judgement_date": "; ".join(c[1] for c in court if c[1]),
                         "fine": "; ".join(f"{entities[p]['label']}: {fine}" for s in seized for p, fine in sorted(
                             (f for f in fines.get((s, record), []) if f[0] in people), key=lambda f: people[f[0]])),
                         "value": "; ".join(values[s] for s in seized if s in values)})
    return pd.DataFrame(rows, columns=["row", "link", "between", "tie", "record", "source", "date", "agency",
                                       "seizure", "documents", *COURT_COLUMNS])


def _money_text(amount: float, currency) -> str:
    """50000.0, 'CNY' → '50,000 CNY' (cents where there are some)."""
    return f"{amount:,.0f} {currency}" if float(amount).is_integer() else f"{amount:,.2f} {currency}"


def _court_cases(store) -> dict[str, tuple[str, str]]:
    """Seizure → (case number, judgement date to its precision) of the prosecution that followed it."""
    prosecutions = store.node_frame("Prosecution").set_index("id")
    followed = store.edge_frame("FOLLOWED_BY")
    out = {}
    for seizure, prosecution in zip(followed["source"], followed["target"]):
        if prosecution in prosecutions.index:
            case = prosecutions.loc[prosecution]
            number = case["case_number"] if isinstance(case["case_number"], str) else ""
            judged = pd.Timestamp(case["judgement_date"]).date().isoformat()[:PRECISION_CHARS.get(
                case["judgement_date_precision"], 10)] if pd.notna(case["judgement_date"]) else ""
            if number or judged:
                out[seizure] = (number, judged)
    return out


def _fines(store) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(seizure, record) → (person's entity id, fine) of each fined person the record names in the seizure."""
    persons = store.node_frame("Person")
    entity = dict(zip(persons["id"], persons["resolved_id"].where(persons["resolved_id"].notna(), persons["id"])))
    involved = store.edge_frame("INVOLVED_IN")
    involved = involved[involved["fine"].notna() & (involved["source_label"] == "Person")]
    out: dict[tuple[str, str], list] = {}
    for person, seizure, sources, fine, currency in involved[["source", "target", "sources", "fine",
                                                              "fine_currency"]].itertuples(index=False):
        for record in sources:
            out.setdefault((seizure, record), []).append((entity.get(person, person), _money_text(fine, currency)))
    return out


def record_day(record) -> str:
    """A record's date as precisely as it is known: ``2013``, ``2013-05``, ``2013-03-10``, or a range
    ``2013-03-10 – 2013-03-12``; empty when undated.

    >>> record_day({"record_date": dt.date(2013, 1, 1), "record_date_end": dt.date(2013, 12, 31),
    ...             "record_date_precision": "year"})
    '2013'
    """
    first, last = record.get("record_date"), record.get("record_date_end")
    if first is None or pd.isna(first):
        return ""
    first = pd.Timestamp(first).date().isoformat()
    precision = record.get("record_date_precision")
    if precision in ("year", "month") and (last is None or pd.isna(last) or
                                           pd.Timestamp(last).date().isoformat()[:len(_SHOWN[precision])] ==
                                           first[:len(_SHOWN[precision])]):
        return first[:len(_SHOWN[precision])]
    if last is None or pd.isna(last):
        return first
    return f"{first} – {pd.Timestamp(last).date().isoformat()}"


_SHOWN = {"year": "YYYY", "month": "YYYY-MM"}


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


def _draw(entities, links, groups, suspects, text, stamp, redaction, window, seed) -> Figure:
    """The chart page: nodes in grid cells, lines routed in the channels between them (see
    :mod:`netgraph.views.chart_layout`), shrunk to the page; the legend right of it, the notes below."""
    drawn = [x for x in links if x.kind != "group"]
    titles = {}
    for g in groups:
        inner = next((x for x in links if x.kind == "group" and x.a == g), None)
        titles[g] = text["group"].format(name=g, n=len(groups[g]), records=len(inner.records) if inner else 0,
                                         ref=inner.ref if inner else "–")
    geometry = chart_geometry(entities, [(x.ref, x.a, x.b, f"{len(x.records)} · {x.ref}") for x in drawn], groups,
                              suspects, seed, titles)
    left, bottom, width, height = DRAWING
    (full_w, full_h) = geometry.size
    for page, size in PAGES.items():  # the smallest page that shows the chart at MIN_SCALE or more
        scale = min(MAX_SCALE, size[0] * width / full_w, size[1] * height / full_h)
        if scale >= MIN_SCALE:
            break
    geometry.scale, geometry.page = scale, page
    figure = Figure(figsize=size)
    figure.suptitle(f"{text['title']}: {', '.join(entities[s]['label'] for s in suspects)}", fontsize=14,
                    fontweight="bold", y=1 - 0.3 / size[1])
    figure.text(0.5, 1 - 0.62 / size[1], f"{text['dates']}: {window}", ha="center", fontsize=10)
    w, h = full_w * scale / size[0], full_h * scale / size[1]
    ax = figure.add_axes((left + (width - w) / 2, bottom + (height - h) / 2, w, h))
    ax.set_xlim(0, full_w)
    ax.set_ylim(0, full_h)
    ax.set_axis_off()
    for g, (x0, y0, x1, y1) in geometry.boxes.items():
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fc="#f4f4f4", ec="#888888", lw=0.8 * scale, zorder=0,
                               gid=f"ng-group-{g}"))
        lines, tx, ty = geometry.titles[g]
        ax.text(tx, ty, "\n".join(lines), fontsize=NODE_FONT * scale, fontweight="bold", va="top", ha="left",
                zorder=4, gid=f"ng-group-title-{g}")
    top = max((len(x.records) for x in drawn), default=1)
    for link in drawn:
        xs, ys = zip(*geometry.paths[link.ref])
        ax.plot(xs, ys, color=LINE_COLOURS[link.kind], lw=(0.7 + 1.5 * math.log1p(len(link.records)) /
                math.log1p(top)) * scale, zorder=1, solid_joinstyle="miter", solid_capstyle="butt",
                gid=f"ng-line-{link.ref}")
        x0, y0, x1, y1 = geometry.link_labels[link.ref]
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"{len(link.records)} · {link.ref}", fontsize=LINK_FONT * scale,
                ha="center", va="center_baseline", color="#222222", zorder=2, gid=f"ng-link-{link.ref}",
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": LINE_COLOURS[link.kind],
                      "lw": 0.5 * scale})
    for i, (key, entity) in enumerate(sorted(entities.items())):
        (x, y), (lines, lx, ly) = geometry.nodes[key], geometry.labels[key]
        colour = NODE_COLOURS["suspect" if entity["suspect"] else entity["kind"]]
        ax.scatter([x], [y], s=MARKER_AREA[entity["suspect"]] * scale ** 2, color=colour,
                   marker=MARKERS[entity["kind"]], edgecolors="black", linewidths=0.6 * scale, zorder=3,
                   gid=f"ng-node-{i}")
        ax.text(lx, ly, "\n".join(lines), fontsize=NODE_FONT * scale, ha="center", va="top", zorder=4,
                fontweight="bold" if entity["suspect"] else "normal", gid=f"ng-label-{i}")
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
    if any(x.members for x in links):
        handles.append(Line2D([], [], ls="", label=text["to_box"].format(n=GROUP_LINE_MIN)))
    handles.append(Line2D([], [], ls="", label=text["label"]))
    legend = side.legend(handles=handles, loc="upper left", fontsize=7, frameon=True, borderaxespad=0)
    legend.set_gid("ng-legend")
    notes = [text["redacted"].format(**redaction) if redaction["records"] or redaction["entities"]
             or redaction["ties"] else text["not_redacted"].format(level=redaction["level"])]
    if stamp["anonymised"]:
        notes.append(text["anonymised"])
    notes.append(text["no_leads"])
    figure.text(0.02, 0.37 / size[1], "\n".join(notes), fontsize=8, color="#a93226", va="bottom", gid="ng-notes")
    figure.text(0.02, 0.1 / size[1], _stamp_line(stamp) + f" · page {page}", fontsize=6, color="#555555",
                va="bottom", gid="ng-stamp")
    figure.geometry = geometry  # what the drawing's coordinates were computed from (tests read the artists)
    return figure


def _stamp_line(stamp: dict) -> str:
    return (f"netgraph {stamp['netgraph_version']} · {stamp['projection']} via {', '.join(stamp['via'])} · "
            f"radius {stamp['radius']} · release level {stamp['release_level']} · seed {stamp['seed']} · "
            f"input {stamp['input_sha256'][:16]} · made {stamp['made_at']}")


# --- pages of text: one text object per column, rows cut to the column's width ------------------------------

def _text_page(title: str) -> Figure:
    figure = Figure(figsize=A4)
    figure.text(0.04, 0.955, title, fontsize=13, fontweight="bold", va="top")
    return figure


TABLE_FONT, TABLE_LINE = 6.3, 0.01355  # points; a table line's height as a fraction of the A4 page
TABLE_HEAD = 4  # lines a table's title and rule take, besides its header's own lines
TABLE_CHARS = 200  # character columns across A4 landscape at the tables' size
COURT_COLUMNS = ("case_number", "judgement_date", "fine", "value")  # what a court record adds to the evidence
# widths of the records table's columns when a record gives court facts (the evidence rows take the rest)
COURT_WIDTHS = {"record": 20, "date": 11, "agency": 22, "seizure": 22, "case_number": 18, "judgement_date": 11,
                "fine": 26, "value": 18, "documents": 26}
PRECISION_CHARS = {"day": 10, "month": 7, "year": 4}  # an ISO date cut to its precision


def _table_pages(tables):
    """Pages of tables, one after another on the same page while they fit (a case of three people takes one
    page, not three): ``tables`` are (title, headers, widths in character columns — ≈ 200 fit across A4
    landscape at 6.3 pt — rows). Cells wrap, never cut; a row stays whole on one page."""
    pages, page, used = [], [], 0
    for title, headers, widths, rows in tables:
        head = [wrap(h, w - 1) for h, w in zip(headers, widths)]
        cells = [[wrap(value, w - 1) for value, w in zip(row, widths)] for row in rows]
        start = TABLE_HEAD + max(map(len, head))
        part: list = []
        for number, row in enumerate(cells or [[]]):
            height = max(map(len, row), default=0)
            if used + (0 if part else start) + height > LINES_PER_PAGE and (page or part):
                if part:
                    page.append((title, head, widths, part, len(rows)))
                pages.append(page)
                page, part, used = [], [], 0
            if not part:
                used += start
            if row:
                part.append((number, row, height))
                used += height
        page.append((title, head, widths, part, len(rows)))
        used += 1  # a blank line between tables
    if page:
        pages.append(page)
    for page in pages:
        figure = Figure(figsize=A4)
        y = 0.955
        for title, head, widths, part, total in page:
            first, last = (part[0][0] + 1, part[-1][0] + 1) if part else (0, 0)
            figure.text(0.04, y, f"{title} ({first}–{last} / {total})" if part else title, fontsize=11,
                        fontweight="bold", va="top")
            y -= 2.2 * TABLE_LINE
            depth = max(map(len, head))
            x = 0.04
            for column, width in enumerate(widths):
                figure.text(x, y, "\n".join(head[column]), fontsize=TABLE_FONT + 0.5, fontweight="bold", va="top",
                            linespacing=1.28)
                text = [line for _, row, height in part for line in row[column] + [""] * (height - len(row[column]))]
                figure.text(x, y - (depth + 0.6) * TABLE_LINE, "\n".join(text), fontsize=TABLE_FONT, va="top",
                            linespacing=1.28)
                x += 0.92 * width / sum(widths)
            rule = y - (depth + 0.3) * TABLE_LINE
            figure.add_artist(Line2D([0.04, 0.96], [rule, rule], color="#999999", lw=0.5))
            y -= (depth + 0.6 + sum(h for _, _, h in part) + 1.8) * TABLE_LINE
        yield figure


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


def _links_table(links, entities, groups, evidence, text):
    by_link = evidence.groupby("link", sort=False)
    rows = []
    for link in links:
        part = by_link.get_group(link.ref) if link.ref in by_link.groups else evidence.iloc[:0]
        rows.append([link.ref, _between(link, entities, groups), text["ties"][link.kind], str(len(link.records)),
                     _span(part["date"]), "; ".join(sorted(set(a for a in part["agency"] if a))),
                     _rows_of(list(part["row"]))])
    return text["links"], text["links_cols"], [7, 58, 24, 10, 24, 38, 40], rows


def _records_table(evidence, text):
    cited = evidence.groupby(["record", "source"], sort=False).agg(
        date=("date", "first"), agency=("agency", "first"), seizure=("seizure", "first"),
        documents=("documents", "first"), **{c: (c, _joined) for c in COURT_COLUMNS},
        rows=("row", list)).reset_index().sort_values(["date", "record"])
    court = [c for c in COURT_COLUMNS if (cited[c] != "").any()]
    if court:  # a column for each court fact a cited record gives, and for documents if one names any
        return _court_records_table(cited, court, text)
    with_docs = bool((cited["documents"] != "").any())
    headers = text["records_cols"] if with_docs else [c for i, c in enumerate(text["records_cols"]) if i != 4]
    widths = [22, 12, 40, 30, 40, 56] if with_docs else [26, 12, 48, 36, 78]
    rows = [[r.record, r.date, r.agency, r.seizure, *([r.documents] if with_docs else []), _rows_of(r.rows)]
            for r in cited.itertuples(index=False)]
    return text["records"], headers, widths, rows


def _joined(values) -> str:
    """The distinct non-empty texts of a record's evidence rows, '; '-joined in order."""
    return "; ".join(dict.fromkeys(part for v in values for part in v.split("; ") if part))


def _court_records_table(cited, court: list[str], text):
    """The records cited, with the court facts they give (case number, judgement date, fine, value)."""
    columns = ["record", "date", "agency", "seizure", *court, *(["documents"] if (cited["documents"] != "").any()
                                                                else [])]
    headers = [*text["records_cols"][:4], *(text["court_cols"][c] for c in court),
               *([text["records_cols"][4]] if "documents" in columns else []), text["records_cols"][5]]
    widths = [COURT_WIDTHS[c] for c in columns]
    widths.append(TABLE_CHARS - sum(widths))
    rows = [[*(getattr(r, c) for c in columns), _rows_of(r.rows)] for r in cited.itertuples(index=False)]
    return text["records"], headers, widths, rows


def _timeline_table(timeline: pd.DataFrame, text: dict) -> list:
    """One line per seizure: its date, place and commodities, what followed it, and who was in it (no table
    when the case has no seizure)."""
    if timeline.empty:
        return []
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
    return [(text["timeline"], text["timeline_cols"], [12, 24, 20, 30, 60, 54], [r for _, r in rows])]
