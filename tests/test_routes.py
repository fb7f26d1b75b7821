"""Routes, hubs, route shifts, route maps and enforcement outcomes, checked against the records."""
import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

import netgraph as ng
from netgraph.cli import main
from netgraph.space_time import routes
from netgraph.space_time.outcomes import outcomes
from netgraph.views.route_map import route_map

from .browser import dump_dom
from .conftest import DATA, SAMPLES


@pytest.fixture
def tiny(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    return store


def test_country_legs_merge_stops_in_one_country(tiny):
    legs = routes.legs(tiny, "country")
    t3 = legs[legs["seizure"] == "seizure:CEN:T-3"]  # Maputo → Doha → Hà Nội → Dongxing
    assert t3[["source", "target"]].values.tolist() == [["country:MZ", "country:QA"], ["country:QA", "country:VN"],
                                                        ["country:VN", "country:CN"]]
    t2 = legs[legs["seizure"] == "seizure:CEN:T-2"]  # Hà Nội → Móng Cái → Dongxing: VN → CN once
    assert t2[["source", "target"]].values.tolist() == [["country:VN", "country:CN"]]
    flows = routes.flows(tiny, "country").set_index(["source", "target"])
    assert flows.loc[("country:VN", "country:CN"), "seizures"] == 4  # T-2, T-3, QN-01, LS-02
    assert flows.loc[("country:VN", "country:CN"), "weight_kg"] == pytest.approx(230 + 12 + 350 + 7.5)
    assert flows.loc[("country:MZ", "country:QA"), "weight_kg"] == 12  # two transits, counted once per leg


def test_flow_quantities_add_up_to_what_was_loaded(sample_store):
    legs = routes.legs(sample_store, "place")
    seizures = sample_store.node_frame("Seizure").set_index("id")
    travelled = legs["seizure"].unique()
    first = legs[legs["leg"] == 1]
    assert first["seizure"].is_unique
    assert first["weight_kg"].sum() == pytest.approx(seizures.loc[travelled, "weight_kg"].sum())
    per_leg = legs.groupby("seizure").size()
    expected = (seizures.loc[per_leg.index, "weight_kg"].fillna(0) * per_leg).sum()
    assert routes.flows(sample_store, "place")["weight_kg"].sum() == pytest.approx(expected)
    by_commodity = routes.flows(sample_store, "country", by_commodity=True)
    seized = sample_store.edge_frame("SEIZED")
    country_legs = routes.legs(sample_store, "country").groupby("seizure").size()
    attributed = seized.assign(legs=seized["source"].map(country_legs)).dropna(subset=["legs"])
    assert by_commodity["weight_kg"].sum() == pytest.approx((attributed["weight_kg"].fillna(0) * attributed["legs"]).sum())


def test_hubs_count_seizures_passing_through(tiny):
    hubs = routes.hubs(tiny, "place").set_index("place")
    assert hubs.loc["place:VN:móng cái", "seizures_transit"] == 2  # T-2 and QN-01
    assert hubs.loc["place:VN:móng cái", "seizures"] == 2
    assert hubs.loc["place:CN:dongxing", "seizures_transit"] == 0 and hubs.loc["place:CN:dongxing", "seizures_in"] == 3


def test_commodity_routes_and_route_shift(tiny):
    matrix = routes.commodity_routes(tiny).set_index(["commodity", "route"])
    assert matrix.loc[("rhino horn", "MZ → CN"), "seizures"] == 1
    assert matrix.loc[("rhino horn", "VN → CN"), "weight_kg"] == 7.5
    shift = routes.route_shift(tiny, ("2021-01-01", "2021-12-31"), ("2022-01-01", "2022-12-31"))
    new = set(zip(shift["new_legs"]["source"], shift["new_legs"]["target"]))
    assert ("country:MZ", "country:QA") in new  # T-3 (2022) opened it
    gone = set(zip(shift["vanished_legs"]["source"], shift["vanished_legs"]["target"]))
    assert ("country:NG", "country:SG") in gone  # T-1 (2021) only
    assert shift["hubs"].set_index("place").loc["country:QA", "change"] == 1


def test_route_map_is_offline_and_escaped(tiny, tmp_path):
    drawn = route_map(tiny, tmp_path / "map.html", tmp_path / "map.png", level="place")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.findall(r"(?:src|href)=\"https?:", page)
    every = re.search(r'<g class="ng-legs" data-key="all">(.*?)</g>', page, re.S).group(1)
    assert every.count('class="ng-leg"') == len(drawn["legs"]) == len(routes.flows(tiny, "place")) > 0
    assert page.count('class="ng-country"') > 10  # a base map
    assert (tmp_path / "map.png").stat().st_size > 10_000
    assert "Móng Cái" in page
    dates = pd.to_datetime(tiny.node_properties("Seizure")["date"])  # the footer's dates, not "… – …"
    assert f"seizures dated {dates.min().date()} – {dates.max().date()}" in page and "… – …" not in page


def test_c4ads_route_map_draws_countries_all_legs_and_clear_labels(tmp_path):
    """The real C4ADS air seizures: every leg on a world map, labels that do not overlap, a commodity filter."""
    from .conftest import shared_file
    store = ng.open_store(tmp_path / "c4ads.lbdb")
    ng.load_file(shared_file("seizures", "c4ads_air_seizures.csv"), "c4ads_air", store, progress=False)
    drawn = route_map(store, tmp_path / "map.html", tmp_path / "map.png", level="country")
    every = routes.flows(store, "country")
    placed = drawn["legs"]
    assert len(placed) + drawn["stamp"]["left_out"]["unplaced"] == len(every)
    assert drawn["note"] in (tmp_path / "map.html").read_text(encoding="utf-8")  # said on the map itself
    inset = drawn["inset"]  # Europe's countries crowd; what the inset hides is said in the note
    if len(placed) == len(every):
        assert drawn["note"] == f"All {len(every):,} legs drawn." + (inset["note"] if inset else "")
    if inset:
        assert len(inset["labels"]) + len(inset["unlabelled"]) == len(inset["places"]) >= 5
        assert all(str(name) in drawn["note"] for name in inset["unlabelled"][:6])
    image = np.asarray(Image.open(tmp_path / "map.png").convert("RGB")).astype(int)
    land = (np.abs(image - np.array([0xE6, 0xE1, 0xD3])).sum(axis=2) < 12).mean()
    assert land > 0.15  # country shapes fill a good part of a world map
    boxes = svg_boxes(tmp_path / "map.html")
    countries = [b for k, b in boxes if k == "country" and b[2] > b[0]]
    assert len(countries) >= 100
    labels = [b for k, b in boxes if k == "place"]
    assert len(labels) >= 40
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5)
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    commodities = re.findall(r'<option value="(c\d+)">', page)
    assert len(commodities) >= 3 and all(f'data-key="{c}"' in page for c in commodities)


BORDER_PLACES = {"Móng Cái", "Dongxing", "Hữu Nghị", "Lạng Sơn", "Pingxiang", "Hà Nội"}  # the demo's VN–CN border


def inset_texts(page: str) -> list[str]:
    """The place names the HTML map writes inside its inset panel."""
    panel = page[page.index('<g id="ng-inset"'):page.index("</svg>")]
    return [html.unescape(t) for t in re.findall(r'<text class="ng-place ng-inset-label"[^>]*>([^<]*)</text>', panel)]


def test_route_map_insets_the_crowded_border_and_labels_every_stop_in_it(sample_store, tmp_path):
    """The demo at place level: the VN–CN border crossings are one blob on the map; the inset zooms on them and
    names every place inside its bounds, in the returned data and in the SVG."""
    drawn = route_map(sample_store, tmp_path / "map.html", tmp_path / "map.png", level="place")
    inset = drawn["inset"]
    assert inset is not None and inset["zoom"] >= 3
    named = {v["text"] for v in inset["labels"].values()}
    assert BORDER_PLACES <= named and not inset["unlabelled"]
    places = drawn["places"]
    (lat0, lat1), (lon0, lon1) = inset["bounds"]["lat"], inset["bounds"]["lon"]
    within = places[places["lat"].between(lat0, lat1) & places["lon"].between(lon0, lon1)]
    assert set(within["id"]) == set(inset["places"]) == set(inset["labels"])  # every place in bounds labelled
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert sorted(inset_texts(page)) == sorted(within["name"])
    assert html.escape(inset["caption"]) in page and 'class="ng-inset-frame"' in page
    assert all(p not in drawn["labels"] for p in inset["places"])  # named once, in the inset
    route_map(sample_store, tmp_path / "again.html", None, level="place")
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == page  # deterministic
    plain = route_map(sample_store, tmp_path / "plain.html", None, level="place", inset=False)
    assert plain["inset"] is None and 'id="ng-inset"' not in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_route_map_has_no_inset_where_places_are_far_apart(sample_store, tmp_path):
    drawn = route_map(sample_store, tmp_path / "map.html", None, level="country")
    assert len(drawn["places"]) >= 8 and drawn["inset"] is None
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert 'id="ng-inset"' not in page and "inset:" not in page


def test_route_map_inset_labels_overlap_no_label_or_dot(sample_store, tmp_path):
    inset = route_map(sample_store, tmp_path / "map.html", None, level="place")["inset"]
    boxes = {p: v["box"] for p, v in inset["labels"].items()}
    ix0, iy0, ix1, iy1 = inset["inner"]
    for place, box in boxes.items():
        assert ix0 <= box[0] and box[2] <= ix1 and iy0 <= box[1] and box[3] <= iy1, place
        for other, (x, y) in inset["at"].items():
            assert not (box[0] < x + 4 and x - 4 < box[2] and box[1] < y + 4 and y - 4 < box[3]), (place, other)
    pairs = [(a, b) for i, a in enumerate(boxes) for b in list(boxes)[i + 1:]]
    assert len(pairs) >= 15
    for a, b in pairs:
        (a0, a1, a2, a3), (b0, b1, b2, b3) = boxes[a], boxes[b]
        assert not (a0 < b2 and b0 < a2 and a1 < b3 and b1 < a3), (a, b)


def test_route_map_png_draws_the_inset(sample_store, tmp_path):
    drawn = route_map(sample_store, tmp_path / "map.html", tmp_path / "map.png", level="place")
    route_map(sample_store, tmp_path / "plain.html", tmp_path / "plain.png", level="place", inset=False)
    assert (tmp_path / "map.png").stat().st_size > 30_000
    image, plain = (np.asarray(Image.open(tmp_path / f).convert("RGB")).astype(int) for f in ("map.png", "plain.png"))
    assert image.shape == plain.shape and image.shape[1] >= 1200
    x0, y0, x1, y1 = (round(v * image.shape[1] / 1200) for v in drawn["inset"]["panel"])  # map px → image px
    changed = np.abs(image[y0:y1, x0:x1] - plain[y0:y1, x0:x1]).sum(axis=2) > 30
    assert changed.mean() > 0.2  # the panel is drawn over the map where the inset says it is
    assert changed[:, :].mean() > 5 * (np.abs(image - plain).sum(axis=2) > 30)[:, : x0 - 20].mean()


BOX_SCRIPT = """<pre id="ng-boxes"></pre><script>
document.getElementById("ng-boxes").textContent = JSON.stringify(
  [...document.querySelectorAll(".ng-country, .ng-place")].map(function (e) {
    var r = e.getBoundingClientRect();
    return [e.classList.contains("ng-country") ? "country" : "place", [r.left, r.top, r.right, r.bottom]]; }));
</script></body>"""


def svg_boxes(page) -> list:
    """(kind, box) of every country shape and place label as Chromium lays out the map."""
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", BOX_SCRIPT, 1), encoding="utf-8")
    found = re.search(r'<pre id="ng-boxes">(.*?)</pre>', dump_dom(probe, size=(1400, 1000)), re.S)
    assert found, "the page script did not run"
    return json.loads(html.unescape(found.group(1)))


def expected_outcomes() -> pd.DataFrame:
    """Recount the CEN sample's outcomes with pandas alone."""
    raw = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str, keep_default_na=False)
    good = pd.to_datetime(raw["Date of seizure"], format="%Y-%m-%d", errors="coerce").notna() & \
        ~raw["Quantity"].str.split(";").str[0].str.strip().str.startswith("-") & \
        ~(raw["Quantity"].str.contains(r"[a-z]") & ~raw["Quantity"].str.contains(r"(?:kg|pieces)"))
    raw = raw[good]
    return pd.DataFrame({"agency": raw["Customs office"], "seizures": 1,
                         "with_arrests": raw["Arrests"].astype(int) > 0, "people_arrested": raw["Arrests"].astype(int),
                         "prosecutions": raw["Prosecution date"] != "", "convictions": raw["Conviction date"] != "",
                         "joint_cases": raw["Joint operation with"] != ""}).groupby("agency").sum()


def test_outcomes_add_up_to_the_records(store):
    ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    table = outcomes(store, by=("agency",)).set_index("agency")
    expected = expected_outcomes()
    for column in expected.columns:
        assert table[column].to_dict() == expected[column].astype(int).to_dict(), column
    assert (table["conviction_rate"].dropna() <= 1).all() and table["joint_cases"].sum() > 0
    by_year = ng.outcomes(store, by=("year",))
    assert by_year["seizures"].sum() == table["seizures"].sum()
    with pytest.raises(ValueError, match="cannot group"):
        outcomes(store, by=("weather",))


def test_impossible_outcomes_are_rejected(store, tmp_path):
    frame = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[0, ["Prosecution date", "Conviction date"]] = ["2022-05-01", "2021-01-01"]
    frame.loc[1, "Arrests"] = "several"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    report = ng.load_file(tmp_path / "bad.csv", "cen_customs", store, rejects_dir=tmp_path, progress=False)
    rejects = pd.read_csv(report.rejects_file, encoding="utf-8-sig")
    assert sorted(rejects["column"]) == ["Arrests", "Conviction date"]


def test_routes_and_outcomes_commands(sample_store, tmp_path):
    db = tmp_path / "cli.lbdb"
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(DATA / "tiny_cen.csv"), "-m", "cen_customs", "--db", str(db)]).exit_code == 0
    result = runner.invoke(main, ["routes", "--db", str(db), "--out", str(tmp_path / "r"), "--compare",
                                  "2021-01-01:2021-12-31", "2022-01-01:2023-12-31"])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(tmp_path / "r" / "netgraph_routes.xlsx", sheet_name=None)
    assert {"legs", "hubs", "commodity_routes", "shift_new_legs", "method"} <= set(sheets)
    assert (tmp_path / "r" / "route_shift.png").stat().st_size > 5_000
    with ng.open_store(db, read_only=True) as store:
        legs = len(routes.flows(store, "place"))
    placed = runner.invoke(main, ["routes", "--db", str(db), "--out", str(tmp_path / "p"), "--level", "place",
                                  "--top-legs", "2"])
    assert placed.exit_code == 0 and f"2 of {legs} legs drawn; left out: {legs - 2} below the top legs" in placed.output
    result = runner.invoke(main, ["outcomes", "--db", str(db), "--out", str(tmp_path / "o"), "--by", "agency,year"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "o" / "outcomes.csv", encoding="utf-8-sig")) == 4


def test_location_network_offers_the_route_analyses(tiny):
    net = ng.location_network(tiny, level="country", date_from="2022-01-01")
    assert net.routes().equals(routes.flows(tiny, "country", date_from="2022-01-01"))
    assert set(net.hubs()["place"]) == set(net.routes()["source"]) | set(net.routes()["target"])
    assert set(net.route_shift(("2021-01-01", "2021-12-31"), ("2022-01-01", "2022-12-31"))) == {
        "new_legs", "vanished_legs", "hubs"}
    with pytest.raises(TypeError, match="location networks"):
        ng.person_network(tiny).hubs()


def test_snapshots_account_for_people_per_period(tiny):
    from netgraph.space_time.timeline import snapshots
    table = snapshots(tiny, "Y").set_index("period")
    assert list(table.index) == ["2021", "2022", "2023"]
    # 2021: T-1, T-2, QN-01 → Hùng, Emeka, Wang Wei, Trần Thị Lan; 2022: T-3, LS-02 → Wang Wei, Lê Văn Tám
    assert table.loc["2021", "people"] == 4 and table.loc["2022", "people"] == 2
    assert table.loc["2022", "new"] == 1 and table.loc["2022", "gone"] == 3
    assert table.loc["2023", "people"] == 1 and table.loc["2023", "new"] == 1


def test_case_timeline_and_its_place_in_the_court_chart(tiny, tmp_path):
    from pypdf import PdfReader

    from netgraph.space_time.timeline import case_timeline
    from netgraph.views.chart import case_chart
    events = case_timeline(tiny, ["person:wang wei"])
    assert events["seizure"].tolist() == ["seizure:CEN:T-2", "seizure:CEN:T-3"]
    assert events["date"].is_monotonic_increasing
    result = case_chart(tiny, ["Wang Wei"], tmp_path / "case.pdf", release_level=3)
    # the case is Wang Wei and Hùng (radius 1); T-3 has handling code 5 and is withheld
    assert result.timeline["seizure"].tolist() == ["T-1", "QN-01", "T-2"]
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "case.pdf").pages)
    assert "Timeline" in text and "T-3" not in text
