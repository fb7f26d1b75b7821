"""Court charts: every evidence row in the PDF, nothing restricted in a redacted export."""
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from pypdf import PdfReader

import netgraph as ng
from netgraph.views.chart import case_chart

from netgraph.views.fonts import cjk_family

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
    evidence = result.evidence
    net = ng.person_network(tiny)
    hung = net.graph.vs.find(name="person:nguyễn văn hùng")
    ego = net.subnetwork([hung["name"], *net.graph.vs[net.graph.neighbors(hung.index)]["name"]])
    assert evidence["link"].nunique() == len(ego.edges) > 0  # one label per link on the chart
    assert len(evidence) == sum(len(s) for s in ego.edges["sources"])  # one row per record behind each link
    for row in evidence.itertuples(index=False):
        assert row.record in text and row.link in text and row.date in text
    assert "LS-02" not in text  # Lê Văn Tám and LS-02 are not within one step of Hùng
    assert "Release level 5: no record withheld." in text
    csv = pd.read_csv(tmp_path / "case-evidence.csv", encoding="utf-8-sig", dtype=str).fillna("")
    assert len(csv) == len(evidence)


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
    for other in ("Wang Wei", "Emeka Okafor", "Trần Thị Lan"):
        assert other not in exported


def test_suspect_known_only_from_restricted_records_is_refused(tiny, tmp_path):
    with pytest.raises(PermissionError, match="release"):
        case_chart(tiny, ["Lê Văn Tám"], tmp_path / "no.pdf", release_level=3)
    with pytest.raises(KeyError):
        case_chart(tiny, ["Nobody At All"], tmp_path / "no.pdf")


@pytest.mark.parametrize("lang,heading", [("vi", "Bảng chứng cứ"), ("zh", "证据表"), ("en", "Evidence table")])
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
from netgraph.views.chart import case_chart
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
    assert "证据表" in pdf_text(pdf)
    assert not missing_glyphs(pdf)
    assert family in cache.read_text()  # the list was rebuilt: the next run finds the font at once
