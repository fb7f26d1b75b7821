"""Court charts: every evidence row in the PDF, nothing restricted in a redacted export."""
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import netgraph as ng
from netgraph.views.chart import GROUP_MIN_SIZE, case_chart
from netgraph.views.fonts import cjk_family

from .browser import dump_dom
from .conftest import DATA
from .pdf_fonts import missing_glyphs


@pytest.fixture
def tiny(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    return store


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_every_evidence_row_is_in_the_pdf(tiny, tmp_path):
    result = case_chart(tiny, ["Nguyễn Văn Hùng"], tmp_path / "case.pdf", release_level=5)
    assert [p.exists() for p in result.paths] == [True] * 4
    text = pdf_text(tmp_path / "case.pdf")
    evidence, links = result.evidence, result.links
    net = ng.person_network(tiny)
    hung = net.graph.vs.find(name="person:nguyễn văn hùng")
    ego = net.subnetwork([hung["name"], *net.graph.vs[net.graph.neighbors(hung.index)]["name"]])
    drawn = {frozenset((a, b)) for a, b in zip(links["a"], links["b"])}
    hubs_of = {}
    for a, b in zip(links["a"], links["b"]):
        hubs_of.setdefault(a, set()).add(b)
    for a, b in zip(ego.edges["source"], ego.edges["target"]):  # every tie is a line, or a chain through a hub
        assert frozenset((a, b)) in drawn or hubs_of.get(a, set()) & hubs_of.get(b, set()), (a, b)
    assert list(evidence["link"].unique()) == list(links["ref"])  # one reference per line
    assert len(evidence) == links["records"].map(len).sum()  # one row per record behind each line
    assert all(evidence["row"] == evidence["link"] + "." + (evidence.groupby("link").cumcount() + 1).astype(str))
    for row in evidence.itertuples(index=False):
        assert row.record in text and row.link in text and row.date in text
    assert "LS-02" not in text  # Lê Văn Tám and LS-02 are not within one step of Hùng
    assert "Release level 5: no record withheld." in text
    csv = pd.read_csv(tmp_path / "case-evidence.csv", encoding="utf-8-sig", dtype=str).fillna("")
    assert len(csv) == len(evidence) and list(csv["row"]) == list(evidence["row"])


def test_demo_chart_is_proportionate_and_readable(sample_store, tmp_path):
    """The bundled samples' densest suspect: a dense group becomes a box, the PDF stays short."""
    started = time.process_time()
    result = case_chart(sample_store, ["Lê Thanh Sơn"], tmp_path / "son.pdf")
    assert time.process_time() - started <= 10
    assert result.pages == len(PdfReader(tmp_path / "son.pdf").pages) <= 10
    assert result.groups and max(map(len, result.groups.values())) >= GROUP_MIN_SIZE
    kinds = set(result.links["kind"])
    assert {"seizure", "phone", "group"} <= kinds  # person–phone–person chains, not only the person projection
    assert result.evidence["documents"].ne("").any()  # the column is filled where the records name documents
    geometry = svg_geometry(tmp_path / "son.svg")
    assert_readable(geometry)


def test_anonymised_legend_and_notes_stay_off_the_drawing(tiny, tmp_path):
    case_chart(tiny, ["Wang Wei"], tmp_path / "anon.pdf", radius=2, release_level=3, anonymise=True)
    assert_readable(svg_geometry(tmp_path / "anon.svg"))


SVG_PAGE = """<!DOCTYPE html><html><body style="margin:0">{svg}<pre id="ng-out"></pre><script>
const boxes = [...document.querySelectorAll('[id^="ng-"]')].filter(e => e.id !== 'ng-out').map(e => {{
  const r = e.getBoundingClientRect(); return [e.id, r.left, r.top, r.right, r.bottom]; }});
document.getElementById('ng-out').textContent = JSON.stringify(boxes);
</script></body></html>"""


def svg_geometry(svg_path) -> dict[str, tuple]:
    """Bounding boxes (left, top, right, bottom, px) of the chart's ng-… elements as Chromium draws the SVG."""
    svg = svg_path.read_text(encoding="utf-8")
    page = svg_path.with_suffix(".html")
    page.write_text(SVG_PAGE.format(svg=svg[svg.index("<svg"):]), encoding="utf-8")
    dom = dump_dom(page)
    found = re.search(r'<pre id="ng-out">(.*?)</pre>', dom, re.S)
    assert found, "the page script did not run"
    return {name: tuple(box) for name, *box in json.loads(html.unescape(found.group(1)))}


def assert_readable(boxes: dict[str, tuple]) -> None:
    def overlap(a, b):
        return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    labels = {k: v for k, v in boxes.items() if k.startswith("ng-label-")}
    nodes = {k: v for k, v in boxes.items() if k.startswith("ng-node-")}
    assert labels and len(labels) == len(nodes)
    names = sorted(labels)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not overlap(labels[a], labels[b]), (a, b)
    for outside in ("ng-legend", "ng-notes", "ng-stamp"):
        for node, box in {**nodes, **labels}.items():
            assert not overlap(boxes[outside], box), (outside, node)


def test_redacted_export_never_shows_restricted_records(tiny, tmp_path):
    # T-3 has handling code 5 and LS-02 handling code 4: withheld at release level 3
    result = case_chart(tiny, ["Wang Wei"], tmp_path / "redacted.pdf", radius=2, release_level=3)
    exported = pdf_text(tmp_path / "redacted.pdf") + (tmp_path / "redacted.svg").read_text(encoding="utf-8") + \
        (tmp_path / "redacted-evidence.csv").read_text(encoding="utf-8-sig")
    for restricted in ("T-3", "LS-02", "Lê Văn Tám", "Guangxi", "12C-456.78"):
        assert restricted not in exported, restricted
    assert "REDACTED at release level 3" in exported
    assert result.redaction["records"] >= 1
    assert set(result.evidence["record"]) <= {"T-1", "T-2", "T-5", "QN-01"}


def test_anonymised_chart_names_only_the_suspects(tiny, tmp_path):
    case_chart(tiny, ["Nguyễn Văn Hùng"], tmp_path / "anon.pdf", release_level=5, anonymise=True)
    exported = pdf_text(tmp_path / "anon.pdf") + (tmp_path / "anon.svg").read_text(encoding="utf-8")
    assert "Nguyễn Văn Hùng" in exported and "Person 1" in exported
    for other in ("Wang Wei", "Emeka Okafor", "Trần Thị Lan", "14C-123.45", "Biển Bắc"):  # people, plate, company
        assert other not in exported
    assert "Vehicle 1" in exported and "Company 1" in exported  # drawn, but not named


def test_suspect_known_only_from_restricted_records_is_refused(tiny, tmp_path):
    with pytest.raises(PermissionError, match="release"):
        case_chart(tiny, ["Lê Văn Tám"], tmp_path / "no.pdf", release_level=3)
    with pytest.raises(KeyError):
        case_chart(tiny, ["Nobody At All"], tmp_path / "no.pdf")


@pytest.mark.parametrize("lang,heading", [("vi", "Các liên hệ và hồ sơ chứng minh"), ("zh", "关系及其记录"),
                                          ("en", "Links and the records behind them")])
def test_fixed_texts_in_the_chosen_language(tiny, tmp_path, lang, heading):
    if lang == "zh":
        need_cjk_font()
    case_chart(tiny, ["Wang Wei"], tmp_path / f"{lang}.pdf", release_level=5, lang=lang)
    assert heading in pdf_text(tmp_path / f"{lang}.pdf")
    assert not missing_glyphs(tmp_path / f"{lang}.pdf")  # every character drawn, no boxes


def need_cjk_font() -> str:
    family = cjk_family()
    if family is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font: .ci/run installs Debian's fonts-wqy-microhei")
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    return family


DRAW_ZH = """
import sys
import netgraph as ng
from netgraph.views.chart import GROUP_MIN_SIZE, case_chart
with ng.open_store(sys.argv[1]) as store:
    ng.load_file(sys.argv[2], "cen_customs", store, progress=False)
    case_chart(store, ["Wang Wei"], sys.argv[3], release_level=5, lang="zh")
"""


def test_chinese_draws_when_the_font_came_after_matplotlibs_font_list(tmp_path):
    """`make demo`, then the CJK font installed, then a chart: matplotlib's cached font list lacks the font."""
    family = need_cjk_font()
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    cache = next((tmp_path / "mpl").glob("fontlist-*.json"))
    fonts = json.loads(cache.read_text())
    cjk_files = {f["fname"] for f in fonts["ttflist"] if f["name"] == family}
    fonts["ttflist"] = [f for f in fonts["ttflist"] if f["fname"] not in cjk_files]
    cache.write_text(json.dumps(fonts))  # the list as it was before the font was installed
    pdf = tmp_path / "zh.pdf"
    subprocess.run([sys.executable, "-c", DRAW_ZH, str(tmp_path / "zh.lbdb"), str(DATA / "tiny_cen.csv"), str(pdf)],
                   env=env, check=True, capture_output=True)
    assert "关系及其记录" in pdf_text(pdf)
    assert not missing_glyphs(pdf)
    assert family in cache.read_text()  # the list was rebuilt: the next run finds the font at once


def test_nothing_is_cut_in_the_pdf_tables(sample_store, tmp_path):
    """Every evidence row's date, names, agency and record id, and every timeline date, are whole in the PDF's
    text; no table cell ends in '…' (timeline dates printed as '2019-01-…' and names were cut)."""
    import unicodedata
    result = case_chart(sample_store, ["Lê Thanh Sơn"], tmp_path / "case.pdf", release_level=5)
    pages = [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(tmp_path / "case.pdf").pages]
    tables = "".join("".join(pages[2:]).split())  # after the cover and the chart; no spaces (pypdf puts some
    assert "…" not in tables                      # inside words, "Liu T ao"), so a wrapped cell reads whole
    for row in result.evidence.itertuples(index=False):
        for value in (row.date, row.record, row.agency, row.between):
            assert "".join(unicodedata.normalize("NFC", value).split()) in tables, value
    dates = {str(d) for d in result.timeline["date"]}
    assert dates and all(d in tables for d in dates)


# --- geometry: what the drawn chart guarantees (issue 30), read from the artists matplotlib renders --------

def chart_page(store, suspect, level=3, radius=1):
    """The chart page alone (no PDF, no tables) of ``suspect`` at ``level``: (figure, links)."""
    from netgraph.views.chart import TEXTS, _draw, case_model, case_scope, method_stamp
    scope = case_scope(store, [suspect], radius, release_level=level)
    entities, links, groups, *_ = case_model(scope)
    stamp = method_stamp(scope, radius, level, False, 0)
    return _draw(entities, links, groups, scope.suspects, TEXTS["en"], stamp, scope.redaction, "any", 0), links


def test_the_demo_charts_keep_the_geometry_guarantees(sample_store, tmp_path):
    """The two charts the issue looked at: no line over a node or a label it does not join, no labels
    overlapping, no line label on a node, lines into a box end at a member or on its edge."""
    from .chart_checks import problems
    for suspect, level in (("Lê Thanh Sơn", 3), ("Bounmy Vongsa", 1)):
        result = case_chart(sample_store, [suspect], tmp_path / "c.pdf", release_level=level)
        assert result.groups
        assert problems(result.figure, result.links.itertuples(index=False)) == []


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory):
    """3,000 generated cen_customs records (benchmarks/generate_records.py): groups of 20 who co-offend, hubs."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate_records import generate, write_csv
    folder = tmp_path_factory.mktemp("generated")
    write_csv(generate(3000, seed=1), folder / "generated.csv")
    with ng.open_store(folder / "generated.lbdb") as store:
        ng.load_file(folder / "generated.csv", "cen_customs", store, progress=False)
        yield store


@pytest.mark.parametrize("people", [40, 80, 150])
def test_generated_cases_of_40_80_150_people_keep_the_geometry_guarantees(generated_store, people):
    """The suspect whose network (radius 1 or 2) has the size nearest ``people``: the chart may grow to A3 … A0,
    never break a guarantee."""
    from .chart_checks import problems
    graph = ng.person_network(generated_store).graph
    sizes = {(v["name"], radius): len(graph.neighborhood(v, order=radius)) for v in graph.vs for radius in (1, 2)}
    (suspect, radius), size = min(sizes.items(), key=lambda kv: (abs(kv[1] - people), kv[0]))
    assert abs(size - people) <= people * 0.1
    figure, links = chart_page(generated_store, suspect, level=5, radius=radius)
    assert len(figure.geometry.nodes) >= people
    assert problems(figure, links) == []


def test_the_geometry_check_sees_a_node_on_a_line_and_labels_on_each_other(sample_store):
    """The check can fail: a node moved onto another line, a label moved onto another label."""
    from .chart_checks import problems
    figure, links = chart_page(sample_store, "Lê Thanh Sơn")
    assert problems(figure, links) == []
    ax = figure.axes[0]
    line = next(x for x in ax.lines if x.get_gid().startswith("ng-line-"))
    (x0, y0), (x1, y1) = line.get_xydata()[2:4]  # a run in a channel, away from its ends
    ref = line.get_gid().removeprefix("ng-line-")
    ends = {a for link in links if link.ref == ref for a in (link.a, link.b)}
    stranger = sorted(figure.geometry.nodes).index(next(k for k in sorted(figure.geometry.nodes) if k not in ends))
    marker = next(c for c in ax.collections if c.get_gid() == f"ng-node-{stranger}")
    marker.set_offsets([((x0 + x1) / 2, (y0 + y1) / 2)])
    assert any(f"line {ref} passes" in p for p in problems(figure, links))
    figure, links = chart_page(sample_store, "Lê Thanh Sơn")
    first, second = (t for t in figure.axes[0].texts if t.get_gid() in ("ng-label-0", "ng-label-1"))
    second.set_position(first.get_position())
    assert any("overlaps" in p for p in problems(figure, links))
