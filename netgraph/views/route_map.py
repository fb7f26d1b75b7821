"""Route maps on a real map, offline: country outlines, curved legs with width by seizures, a width legend.

The base map is Natural Earth's 1:110m countries (public domain), packaged with netgraph
(``netgraph/views/data/countries-110m.json``, built by ``build_countries.py`` beside it; see its doc for the
source): no tile server, no CDN, nothing fetched at run time. Places sit at their coordinates in an
equirectangular projection fitted to the routes: countries at their centroids (countryinfo), gazetteer
places at their own; a place with no known coordinates is drawn at its country's centroid, hollow. Legs are
curved (A → B and B → A bend apart), width by seizures (square root), with a small arrowhead; labels go
where they overlap no other label or place (the busiest places first; a name left out is in its tooltip);
countries are named as Natural Earth names them ("Dem. Rep. Congo"). All legs are drawn unless ``top``
says otherwise, and the map itself says how many were left out and why. The HTML page has a commodity
filter; the PNG draws all commodities. Every footer gives the seizures' date range.

Where at least 5 stops crowd a small area so that the map cannot label them all (the demo's Vietnam–China
border), an **inset** zooms on the densest such crowd (rule and geometry in ``route_inset``): a panel with
the country outlines, the legs clipped to it and every stop in it labelled (a label with no room is named
in the note), a rectangle on the map marking the area, with connector lines and the caption "inset: <area>,
×k". No inset when nothing is crowded, or with ``inset=False``; ``route_map`` returns what the inset drew.

>>> route_map(store, "routes.html", "routes.png", level="country")     # doctest: +SKIP
"""
from __future__ import annotations

import html
import json
import math
from functools import cache
from pathlib import Path

import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as CurvePath

from ..resources import netgraph_version
from ..space_time.routes import flows
from ..store.base import GraphStore
from . import route_inset as ri

WIDTH, HEIGHT, MARGIN = 1200, 680, 12
LAND, SEA, BORDER, LEG, FRAME = "#e6e1d3", "#f2f7fb", "#b9b2a0", "#c0392b", "#1b4f72"
LABEL_FONT = 11  # px
COUNTRIES = Path(__file__).with_name("data") / "countries-110m.json"


@cache
def country_centroid(code: str) -> tuple[float, float] | None:
    """(lat, lon) of a country's centroid by ISO alpha-2 code, or None."""
    from countryinfo import CountryInfo
    try:
        lat, lon = CountryInfo(code).latlng()[:2]
        return float(lat), float(lon)
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def place_coordinates(store: GraphStore, places: list[str]) -> pd.DataFrame:
    """id, name, lat, lon, schematic (True when only the country's centroid was known)."""
    locations = store.node_frame("Location").set_index("id")
    rows = []
    for place in places:
        row = locations.loc[place] if place in locations.index else None
        name = row["name"] if row is not None else place
        lat, lon = (row["lat"], row["lon"]) if row is not None else (None, None)
        schematic = False
        if pd.isna(lat) or pd.isna(lon):
            code = row["country"] if row is not None and isinstance(row["country"], str) else None
            centre = country_centroid(code) if code else None
            lat, lon = centre if centre else (None, None)
            schematic = row is None or row["kind"] != "country"
        country = row["country"] if row is not None and isinstance(row["country"], str) else None
        rows.append({"id": place, "name": name, "lat": lat, "lon": lon, "schematic": schematic,
                     "country": country})
    return pd.DataFrame(rows)


@cache
def countries() -> dict:
    """The packaged Natural Earth 110m countries: ``{"source", "licence", "countries": [{"name", "iso_a2",
    "iso_a3", "rings": [[lon, lat, …]]}]}``.

    >>> len(countries()["countries"]) > 170 and "public domain" in countries()["licence"]
    True
    """
    return json.loads(COUNTRIES.read_text(encoding="utf-8"))


PLACE_TOP_LEGS = 60  # legs `netgraph routes --level place` draws by default (553 on C4ADS were a hairball)


def _dated(store: GraphStore, date_from=None, date_to=None) -> str:
    """The dates of the seizures a map may draw, as its footer says them: 'seizures dated 2019-01-05 –
    2024-12-30' (in the window, if one is given)."""
    dates = pd.to_datetime(store.node_properties("Seizure")["date"], errors="coerce").dropna()
    if date_from:
        dates = dates[dates >= pd.Timestamp(date_from)]
    if date_to:
        dates = dates[dates <= pd.Timestamp(date_to)]
    window = f" (window {date_from or 'open'} to {date_to or 'open'})" if date_from or date_to else ""
    if dates.empty:
        return "no dated seizure" + window
    return f"seizures dated {dates.min().date()} – {dates.max().date()}{window}"


def route_map(store: GraphStore, html_path: str | Path, png_path: str | Path | None = None,
              level: str = "place", date_from=None, date_to=None, top: int | None = None,
              inset: bool = True) -> dict:
    """Draw every leg (or the ``top`` by seizures); return what was drawn, what was left out and why, what
    could not be placed, and the inset (None when nothing is crowded or ``inset`` is False): its ``area``
    and ``panel`` (map pixels), ``bounds`` (lat, lon), ``zoom``, ``caption``, ``places`` (ids), ``crowd``
    (the crowded ids), ``labels`` ({id: text, x, y, anchor, box, leader} in map pixels), ``unlabelled``
    (names with no room), ``at`` (where the inset draws each of its places) and ``hidden`` (places the panel
    covers)."""
    every = flows(store, level, date_from=date_from, date_to=date_to)
    legs = every if top is None else every.head(top)
    places = place_coordinates(store, sorted(set(legs["source"]) | set(legs["target"])))
    unplaced = places[places["lat"].isna()]
    placed = places.dropna(subset=["lat", "lon"]).set_index("id")
    short = {c["iso_a2"]: c["name"] for c in countries()["countries"] if c["iso_a2"]}
    placed["label"] = [short.get(i.split(":", 1)[1], n) if i.startswith("country:") else str(n)
                       for i, n in zip(placed.index, placed["name"])]
    drawn = legs[legs["source"].isin(placed.index) & legs["target"].isin(placed.index)]
    by_commodity = flows(store, level, by_commodity=True, date_from=date_from, date_to=date_to)
    by_commodity = by_commodity[by_commodity["source"].isin(drawn["source"]) &
                                by_commodity["target"].isin(drawn["target"])]
    by_commodity = by_commodity.merge(drawn[["source", "target"]], on=["source", "target"])
    left_out = {"below_top": len(every) - len(legs), "unplaced": len(legs) - len(drawn)}
    stamp = {"netgraph_version": netgraph_version(), "level": level, "date_from": date_from, "date_to": date_to,
             "dated": _dated(store, date_from, date_to),
             "legs_drawn": len(drawn), "legs_in_data": len(every), "left_out": left_out,
             "base_map": countries()["source"]}
    view = _View(placed)
    labels = _labels(placed, drawn, view)
    note = _note(len(drawn), len(every), left_out, unplaced)
    zoom = _inset(placed, drawn, view, labels) if inset else None
    if zoom:
        labels = _labels(placed, drawn, view, skip=set(zoom["places"]), keep_clear=[zoom["panel"], zoom["area"]])
        note += zoom["note"]
        stamp["inset"] = zoom["caption"]
    Path(html_path).write_text(_svg_page(drawn, by_commodity, placed, labels, view, note, stamp, zoom),
                               encoding="utf-8")
    if png_path:
        _png(drawn, placed, labels, view, note, png_path, stamp, zoom)
    return {"legs": drawn, "places": placed.reset_index(), "unplaced": unplaced["name"].tolist(), "stamp": stamp,
            "labels": labels, "note": note, "inset": zoom}


class _View:
    """Equirectangular projection of the routes' extent (with room around), kept to the map's aspect."""

    def __init__(self, placed: pd.DataFrame):
        lon = (placed["lon"].min() - 12, placed["lon"].max() + 12) if len(placed) else (-180, 180)
        lat = (placed["lat"].min() - 8, placed["lat"].max() + 8) if len(placed) else (-60, 80)
        lon, lat = (max(lon[0], -180), min(lon[1], 180)), (max(lat[0], -60), min(lat[1], 84))
        inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
        self.scale = min(inner_w / max(lon[1] - lon[0], 1), inner_h / max(lat[1] - lat[0], 1))
        self.lon0 = (lon[0] + lon[1]) / 2 - inner_w / self.scale / 2
        self.lat1 = (lat[0] + lat[1]) / 2 + inner_h / self.scale / 2

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return MARGIN + (lon - self.lon0) * self.scale, MARGIN + (self.lat1 - lat) * self.scale

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        """(lat, lon) of a map pixel."""
        return self.lat1 - (y - MARGIN) / self.scale, self.lon0 + (x - MARGIN) / self.scale

    def rings(self):
        """Each country ring in map pixels (rings wholly outside the map left out): (name, [(x, y) …])."""
        for country in countries()["countries"]:
            for ring in country["rings"]:
                points = [self(lat, lon) for lon, lat in zip(ring[0::2], ring[1::2])]
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                if max(xs) >= 0 and min(xs) <= WIDTH and max(ys) >= 0 and min(ys) <= HEIGHT:
                    yield country["name"], points


def _width(seizures: float, top: float) -> float:
    return 0.8 + 7 * math.sqrt(seizures / top)


def _curve(a, b) -> tuple:
    """Start, control and end of a leg's curve: bent to the left of its direction by a fifth of its length."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    return (x1, y1), ((x1 + x2) / 2 - dy * 0.2, (y1 + y2) / 2 + dx * 0.2), (x2, y2)


def _traffic(legs) -> pd.Series:
    traffic = pd.concat([legs.groupby("source")["seizures"].sum(), legs.groupby("target")["seizures"].sum()])
    return traffic.groupby(level=0).sum()


def _labels(placed, legs, view, skip=frozenset(), keep_clear=()) -> dict[str, tuple]:
    """Label position (x, y, anchor) of each place whose name fits beside it without overlapping another
    label or place (or a box of ``keep_clear``: the inset's panel and area); the busiest places are placed
    first; the places in ``skip`` (labelled in the inset) are not."""
    traffic = _traffic(legs)
    points = {p: view(r["lat"], r["lon"]) for p, r in placed.iterrows()}
    dots = [(x - 5, y - 5, x + 5, y + 5) for x, y in points.values()]
    taken, out = list(keep_clear), {}
    for place in sorted((p for p in points if p not in skip), key=lambda p: (-traffic.get(p, 0), str(p))):
        x, y = points[place]
        width, height = len(placed.at[place, "label"]) * LABEL_FONT * 0.6 + 4, LABEL_FONT + 3
        for dx, dy, anchor in ((7, 4, "start"), (-7, 4, "end"), (0, -9, "middle"), (0, 17, "middle")):
            left = x + dx - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
            box = (left, y + dy - height + 3, left + width, y + dy + 3)
            inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT
            if inside and not any(_overlap(box, b) for b in taken) and \
                    not any(_overlap(box, d) for d in dots if d != (x - 5, y - 5, x + 5, y + 5)):
                taken.append(box)
                out[place] = (x + dx, y + dy, anchor)
                break
    return out


def _legend_box(legs) -> tuple:
    top = max(legs["seizures"].max(), 1) if len(legs) else 1
    return 12, HEIGHT - 112, 202, HEIGHT - 86 + 18 * len(_width_samples(top))


def _curve_points(curve, steps: int = 16) -> list[tuple[float, float]]:
    (x1, y1), (cx, cy), (x2, y2) = curve
    return [((1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2, (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2)
            for t in (i / steps for i in range(steps + 1))]


def _inset(placed, legs, view, labels) -> dict | None:
    """The inset on the densest crowd of stops the map could not label (``route_inset``), or None."""
    points = {p: view(r["lat"], r["lon"]) for p, r in placed.iterrows()}
    for crowd in ri.crowd_candidates(points, labels, LABEL_FONT + 3, ri.crowd_box(WIDTH))[:ri.TRIES]:
        zoom = _inset_on(crowd, placed, legs, view, labels, points)
        if zoom:
            return zoom
    return None


def _inset_on(crowd, placed, legs, view, labels, points) -> dict | None:
    """The inset on one crowd, or None if its best panel would hide or unlabel as many places as it labels."""
    leg_points = [xy for leg in legs.itertuples(index=False)
                  for xy in _curve_points(_curve(points[leg.source], points[leg.target]))]
    keep_clear = [_legend_box(legs), (WIDTH / 2, HEIGHT - 30, WIDTH, HEIGHT)]  # the legend, the note
    traffic = _traffic(legs)
    options = []
    for rank, scale in enumerate(ri.PANEL_SCALES):
        area, k = ri.zoom_area(ri.bbox([points[p] for p in crowd]), ri.INSET_W * scale, ri.INSET_H * scale)
        area, k = _floats(area), float(k)
        members = sorted((p for p, xy in points.items() if ri.inside(xy, area)), key=lambda p: (-traffic.get(p, 0), p))
        names = {p: str(placed.at[p, "label"]) for p in members}
        for panel, hidden, covered in ri.panel_candidates(
                area, points, leg_points, keep_clear, (ri.INSET_W * scale, ri.INSET_H * scale + ri.INSET_HEAD),
                WIDTH, HEIGHT, bottom=HEIGHT - 32):
            kept = _labels(placed, legs, view, skip=set(members), keep_clear=[panel, area])
            lost = sum(p not in kept for p in labels if p not in members)
            inner = (panel[0], panel[1] + ri.INSET_HEAD, panel[2], panel[3])
            at = {p: (inner[0] + (points[p][0] - area[0]) * k, inner[1] + (points[p][1] - area[1]) * k)
                  for p in members}
            inset_labels, missed = ri.place_labels(names, at, members, (inner[0] + 2, inner[1] + 2, inner[2] - 2,
                                                                        inner[3] - 2), LABEL_FONT)
            options.append(((len(hidden), lost + len(missed), rank, covered), area, k, _floats(panel),
                             _floats(inner), hidden, sorted(members), names, inset_labels, missed, lost, at))
    if not options:
        return None
    _, area, k, panel, inner, hidden, members, names, inset_labels, missed, lost, at = min(options, key=lambda o: o[0])
    if len(hidden) + lost >= sum(p not in labels for p in inset_labels):
        return None  # the panel would hide or unlabel as many places as it newly labels: no room for an inset
    codes = pd.Series([placed.at[p, "country"] or p.split(":")[1] for p in members]).value_counts()
    where = sorted(codes.index, key=lambda c: (-codes[c], _country_name(c)))
    area_name = " · ".join(_country_name(c) for c in where[:3]) + (" …" if len(where) > 3 else "")
    (lat_top, lon_left), (lat_bottom, lon_right) = view.inverse(area[0], area[1]), view.inverse(area[2], area[3])
    note = ""
    if missed:
        note += f" Inset: no room to label {_some([names[p] for p in missed])}."
    if hidden:
        note += f" Under the inset: {_some([str(placed.at[p, 'label']) for p in hidden])}."
    return {"area": area, "panel": panel, "inner": inner, "zoom": k,
            "caption": f"inset: {area_name}, ×{k:.1f}", "crowd": crowd,
            "bounds": {"lat": _floats((lat_bottom, lat_top)), "lon": _floats((lon_left, lon_right))},
            "places": members, "at": {p: _floats(at[p]) for p in members}, "labels": inset_labels,
            "unlabelled": [names[p] for p in missed],
            "hidden": hidden, "connectors": ri.connectors(area, panel), "note": note}


@cache
def _country_name(code: str) -> str:
    """A country's name as the base map names it, else as countryinfo does, else its code."""
    short = {c["iso_a2"]: c["name"] for c in countries()["countries"] if c["iso_a2"]}
    if code in short:
        return short[code]
    from countryinfo import CountryInfo
    try:
        return str(CountryInfo(code).name())
    except Exception:  # countryinfo raises its own "not found" error
        return code


def _some(names: list[str], most: int = 6) -> str:
    """The names, or the first ``most`` and how many more (the note is one line)."""
    return ", ".join(names) if len(names) <= most else f"{', '.join(names[:most])} and {len(names) - most} more"


def _floats(values) -> tuple:
    return tuple(float(v) for v in values)


def _zoomed(zoom: dict, x: float, y: float) -> tuple[float, float]:
    """A main-map pixel where the inset draws it."""
    (ax, ay, _, _), (ix, iy, _, _), k = zoom["area"], zoom["inner"], zoom["zoom"]
    return ix + (x - ax) * k, iy + (y - ay) * k


def _inset_legs(legs, xy, zoom) -> pd.DataFrame:
    """The legs whose curve comes near the inset's area."""
    area = zoom["area"]
    keep = [ri.overlap(ri.bbox(_curve(xy[leg.source], xy[leg.target])), area) for leg in legs.itertuples(index=False)]
    return legs[keep] if len(legs) else legs


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _note(drawn: int, total: int, left_out: dict, unplaced: pd.DataFrame) -> str:
    if drawn == total:
        return f"All {total:,} legs drawn."
    reasons = []
    if left_out["below_top"]:
        reasons.append(f"{left_out['below_top']:,} below the top legs by seizures asked for")
    if left_out["unplaced"]:
        reasons.append(f"{left_out['unplaced']:,} with a place that has no coordinates and no country "
                       f"({', '.join(map(str, unplaced['name']))})")
    return f"{drawn:,} of {total:,} legs drawn; left out: {'; '.join(reasons)}."


def _width_samples(top: float) -> list[int]:
    return sorted({1, max(1, round(top / 4)), int(top)})


def _svg_page(legs, by_commodity, placed, labels, view, note, stamp, zoom=None) -> str:
    esc = html.escape
    top = max(legs["seizures"].max(), 1) if len(legs) else 1
    xy = {p: view(r["lat"], r["lon"]) for p, r in placed.iterrows()}
    land = "".join(f'<path class="ng-country" d="M{" L".join(f"{x:.1f},{y:.1f}" for x, y in ring)}Z">'
                   f'<title>{esc(name)}</title></path>' for name, ring in view.rings())

    def paths(frame, at=xy) -> str:
        out = []
        for leg in frame.itertuples(index=False):
            (x1, y1), (cx, cy), (x2, y2) = _curve(at[leg.source], at[leg.target])
            tip = (f"{placed.at[leg.source, 'label']} → {placed.at[leg.target, 'label']}: {leg.seizures} seizures, "
                   f"{leg.weight_kg:g} kg, {leg.pieces:g} pieces")
            out.append(f'<path class="ng-leg" d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
                       f'stroke-width="{_width(leg.seizures, top):.2f}"><title>{esc(tip)}</title></path>')
        return "".join(out)
    groups = [f'<g class="ng-legs" data-key="all">{paths(legs)}</g>']
    options = ['<option value="all">all commodities</option>']
    ranked = by_commodity.groupby("commodity")["seizures"].sum().sort_values(ascending=False, kind="stable")
    for n, commodity in enumerate(ranked.index):
        groups.append(f'<g class="ng-legs" data-key="c{n}" style="display:none">'
                      f'{paths(by_commodity[by_commodity["commodity"] == commodity])}</g>')
        options.append(f'<option value="c{n}">{esc(str(commodity))} ({int(ranked[commodity])} seizures on legs)'
                       f'</option>')

    def dot(place, row, x, y) -> str:
        fill = "white" if row["schematic"] else "#2e86c1"
        return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#1b4f72"><title>'
                f'{esc(str(row["name"]))}{" (placed at its country centroid)" if row["schematic"] else ""}'
                f'</title></circle>')
    dots, names = [], []
    for place, row in placed.iterrows():
        x, y = xy[place]
        dots.append(dot(place, row, x, y))
        if place in labels:
            lx, ly, anchor = labels[place]
            names.append(f'<text class="ng-place" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
                         f'{esc(str(row["label"]))}</text>')
    samples = _width_samples(top)
    key = "".join(f'<line x1="22" x2="62" y1="{HEIGHT - 86 + 18 * i}" y2="{HEIGHT - 86 + 18 * i}" stroke="{LEG}" '
                  f'stroke-opacity="0.7" stroke-width="{_width(v, top):.2f}"/><text x="70" y="{HEIGHT - 82 + 18 * i}">'
                  f'{v} seizure{"s" if v != 1 else ""}</text>' for i, v in enumerate(samples))
    legend = (f'<g id="ng-legend"><rect x="12" y="{HEIGHT - 112}" width="190" height="{26 + 18 * len(samples)}" '
              f'fill="white" fill-opacity="0.9" stroke="#999"/><text x="22" y="{HEIGHT - 96}" font-weight="600">'
              f'Width: seizures on the leg</text>{key}</g>')
    method = (f"netgraph {stamp['netgraph_version']} · {stamp['level']} level · {stamp['dated']} · base map: "
              f"{stamp['base_map']}, public domain")
    inset_svg, clip = "", ""
    if zoom:
        (ax0, ay0, ax1, ay1), (px0, py0, px1, py1), (ix0, iy0, ix1, iy1) = zoom["area"], zoom["panel"], zoom["inner"]
        at = {p: _zoomed(zoom, *xy[p]) for p in xy}
        clip = (f'<clipPath id="ng-inset-clip"><rect x="{ix0:.1f}" y="{iy0:.1f}" width="{ix1 - ix0:.1f}" '
                f'height="{iy1 - iy0:.1f}"/></clipPath>')
        inset_land = "".join(
            f'<path class="ng-inset-land" d="M{" L".join(f"{x:.1f},{y:.1f}" for x, y in ring)}Z"/>'
            for ring in ([_zoomed(zoom, x, y) for x, y in ring] for _, ring in view.rings())
            if ri.overlap(ri.bbox(ring), zoom["inner"]))
        inset_groups = [f'<g class="ng-legs ng-inset-legs" data-key="all">{paths(_inset_legs(legs, xy, zoom), at)}</g>']
        for n, commodity in enumerate(ranked.index):
            frame = _inset_legs(by_commodity[by_commodity["commodity"] == commodity], xy, zoom)
            inset_groups.append(f'<g class="ng-legs ng-inset-legs" data-key="c{n}" style="display:none">'
                                f'{paths(frame, at)}</g>')
        inset_dots = "".join(dot(p, placed.loc[p], *at[p]) for p in zoom["places"])
        leaders = "".join(f'<line class="ng-leader" x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}"/>'
                          for a, b, c, d in (v["leader"] for v in zoom["labels"].values() if v["leader"]))
        inset_names = "".join(f'<text class="ng-place ng-inset-label" x="{v["x"]:.1f}" y="{v["y"]:.1f}" '
                              f'text-anchor="{v["anchor"]}">{esc(v["text"])}</text>' for v in zoom["labels"].values())
        links = "".join(f'<line class="ng-inset-link" x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}"/>'
                        for a, b, c, d in zoom["connectors"])
        inset_svg = (f'<g id="ng-inset-mark"><rect class="ng-inset-frame" x="{ax0:.1f}" y="{ay0:.1f}" '
                     f'width="{ax1 - ax0:.1f}" height="{ay1 - ay0:.1f}"/>{links}</g>'
                     f'<g id="ng-inset" data-zoom="{zoom["zoom"]:.2f}"><rect x="{px0:.1f}" y="{py0:.1f}" '
                     f'width="{px1 - px0:.1f}" height="{py1 - py0:.1f}" fill="{SEA}"/>'
                     f'<g clip-path="url(#ng-inset-clip)">{inset_land}{"".join(inset_groups)}{inset_dots}</g>'
                     f'{leaders}{inset_names}<rect x="{px0:.1f}" y="{py0:.1f}" width="{px1 - px0:.1f}" '
                     f'height="{iy0 - py0:.1f}" fill="white"/><text class="ng-inset-caption" x="{px0 + 6:.1f}" '
                     f'y="{iy0 - 5:.1f}">{esc(zoom["caption"])}</text><rect class="ng-inset-frame" x="{px0:.1f}" '
                     f'y="{py0:.1f}" width="{px1 - px0:.1f}" height="{py1 - py0:.1f}"/></g>')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>netgraph route map</title>
<style>body{{font:13px system-ui,sans-serif;margin:12px}} svg{{border:1px solid #ccc;background:{SEA};max-width:100%;height:auto}}
.ng-country{{fill:{LAND};stroke:{BORDER};stroke-width:0.5}} .ng-leg{{fill:none;stroke:{LEG};stroke-opacity:0.55;
stroke-linecap:round;marker-end:url(#arrow)}} .ng-leg:hover{{stroke-opacity:0.95}}
.ng-place{{font-size:{LABEL_FONT}px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}}
#ng-legend text{{font-size:11px}} #ng-note{{font-size:12px;font-weight:600}} #ng-stamp{{display:none}}
.ng-inset-land{{fill:{LAND};stroke:{BORDER};stroke-width:0.8}} .ng-inset-frame{{fill:none;stroke:{FRAME};stroke-width:1.2}}
.ng-inset-link{{stroke:{FRAME};stroke-opacity:0.6;stroke-dasharray:4,3}} .ng-leader{{stroke:#555;stroke-width:0.7}}
.ng-inset-caption{{font-size:12px;font-weight:600}}</style></head>
<body><h2>Seizure routes ({esc(str(stamp['level']))} level)</h2>
<p><label>Commodity: <select id="ng-commodity">{''.join(options)}</select></label>
Width: seizures on the leg (the same scale for every commodity). Filled dot: coordinates known; hollow: placed at its
country's centroid. Hover a leg or a place for its figures and name.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{LEG}"/></marker>{clip}</defs>
<g id="ng-land">{land}</g>{''.join(groups)}{''.join(dots)}{''.join(names)}{legend}
<text id="ng-note" x="{WIDTH - 12}" y="{HEIGHT - 12}" text-anchor="end">{esc(note)}</text>{inset_svg}</svg>
<p style="color:#666;font-size:11px">{esc(method)}</p>
<div id="ng-stamp">{esc(json.dumps(stamp, default=str, ensure_ascii=False))}</div>
<script>
document.getElementById("ng-commodity").addEventListener("change", function () {{
  var key = this.value;
  document.querySelectorAll("g.ng-legs").forEach(function (g) {{
    g.style.display = g.dataset.key === key ? "" : "none"; }});
}});
</script>
</body></html>"""


def _png_legs(ax, legs, xy, top, zorder, clip=None) -> None:
    for leg in legs.itertuples(index=False):
        start, control, end = _curve(xy[leg.source], xy[leg.target])
        curve = PathPatch(CurvePath([start, control, end], [CurvePath.MOVETO, CurvePath.CURVE3, CurvePath.CURVE3]),
                          fc="none", ec=LEG, alpha=0.55, lw=_width(leg.seizures, top) * 0.75, zorder=zorder,
                          capstyle="round")
        ux, uy = end[0] - control[0], end[1] - control[1]
        size = math.hypot(ux, uy) or 1
        ux, uy = ux / size, uy / size
        head = Polygon([end, (end[0] - 7 * ux + 3 * uy, end[1] - 7 * uy - 3 * ux),
                        (end[0] - 7 * ux - 3 * uy, end[1] - 7 * uy + 3 * ux)], fc=LEG, ec="none", zorder=zorder + 0.1)
        for patch in (curve, head):
            ax.add_patch(patch)
            if clip is not None:
                patch.set_clip_path(clip)


def _png_dots(ax, placed, at, zorder, clip=None) -> None:
    dots = ax.scatter([at[p][0] for p in placed.index], [at[p][1] for p in placed.index], s=22, zorder=zorder,
                      c=["white" if s else "#2e86c1" for s in placed["schematic"]], edgecolors=FRAME, linewidths=0.7)
    if clip is not None:
        dots.set_clip_path(clip)


def _png_inset(ax, legs, placed, view, xy, top, zoom) -> None:
    (ax0, ay0, ax1, ay1), (px0, py0, px1, py1), (ix0, iy0, ix1, iy1) = zoom["area"], zoom["panel"], zoom["inner"]
    ax.add_patch(Rectangle((ax0, ay0), ax1 - ax0, ay1 - ay0, fc="none", ec=FRAME, lw=1.1, zorder=5.5))
    for x1, y1, x2, y2 in zoom["connectors"]:
        ax.plot([x1, x2], [y1, y2], color=FRAME, alpha=0.6, lw=0.8, ls=(0, (4, 3)), zorder=5.5)
    ax.add_patch(Rectangle((px0, py0), px1 - px0, py1 - py0, fc=SEA, ec="none", zorder=8))
    clip = Rectangle((ix0, iy0), ix1 - ix0, iy1 - iy0, transform=ax.transData)
    at = {p: _zoomed(zoom, *xy[p]) for p in xy}
    rings = [ring for ring in ([_zoomed(zoom, x, y) for x, y in ring] for _, ring in view.rings())
             if ri.overlap(ri.bbox(ring), zoom["inner"])]
    land = PolyCollection(rings, facecolors=LAND, edgecolors=BORDER, linewidths=0.7, zorder=9)
    ax.add_collection(land)
    land.set_clip_path(clip)
    _png_legs(ax, _inset_legs(legs, xy, zoom), at, top, 10, clip)
    _png_dots(ax, placed.loc[zoom["places"]], at, 11, clip)
    for label in zoom["labels"].values():
        if label["leader"]:
            x1, y1, x2, y2 = label["leader"]
            ax.plot([x1, x2], [y1, y2], color="#555555", lw=0.6, zorder=11.5)
        ax.text(label["x"], label["y"], label["text"], fontsize=LABEL_FONT * 0.72, zorder=12, va="baseline",
                ha={"start": "left", "end": "right", "middle": "center"}[label["anchor"]],
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
    ax.add_patch(Rectangle((px0, py0), px1 - px0, iy0 - py0, fc="white", ec="none", zorder=12))
    ax.text(px0 + 6, iy0 - 5, zoom["caption"], fontsize=8.5, fontweight="bold", zorder=13, va="baseline")
    ax.add_patch(Rectangle((px0, py0), px1 - px0, py1 - py0, fc="none", ec=FRAME, lw=1.1, zorder=13))


def _png(legs, placed, labels, view, note, path, stamp, zoom=None) -> None:
    figure = Figure(figsize=(WIDTH / 100, HEIGHT / 100 + 0.3))
    ax = figure.add_axes((0, 0.3 / (HEIGHT / 100 + 0.3), 1, 1 - 0.3 / (HEIGHT / 100 + 0.3)))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(HEIGHT, 0)
    ax.set_axis_off()
    ax.add_patch(Polygon([(0, 0), (WIDTH, 0), (WIDTH, HEIGHT), (0, HEIGHT)], fc=SEA, ec="#cccccc", zorder=0))
    ax.add_collection(PolyCollection([ring for _, ring in view.rings()], facecolors=LAND, edgecolors=BORDER,
                                     linewidths=0.4, zorder=1))
    top = max(legs["seizures"].max(), 1) if len(legs) else 1
    xy = {p: view(r["lat"], r["lon"]) for p, r in placed.iterrows()}
    _png_legs(ax, legs, xy, top, 2)
    _png_dots(ax, placed, xy, 4)
    for place, (x, y, anchor) in labels.items():
        ax.text(x, y, str(placed.at[place, "label"]), fontsize=LABEL_FONT * 0.72, zorder=5, va="baseline",
                ha={"start": "left", "end": "right", "middle": "center"}[anchor],
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
    samples = _width_samples(top)
    ax.add_patch(Polygon([(12, HEIGHT - 112), (202, HEIGHT - 112), (202, HEIGHT - 86 + 18 * len(samples)),
                          (12, HEIGHT - 86 + 18 * len(samples))], fc="white", ec="#999999", alpha=0.9, zorder=6))
    ax.text(22, HEIGHT - 96, "Width: seizures on the leg", fontsize=8, fontweight="bold", zorder=7)
    for i, v in enumerate(samples):
        ax.plot([22, 62], [HEIGHT - 86 + 18 * i] * 2, color=LEG, alpha=0.7, lw=_width(v, top) * 0.75, zorder=7)
        ax.text(70, HEIGHT - 82 + 18 * i, f"{v} seizure{'s' if v != 1 else ''}", fontsize=8, zorder=7)
    ax.text(WIDTH - 12, HEIGHT - 12, note, fontsize=9, fontweight="bold", ha="right", zorder=7)
    if zoom:
        _png_inset(ax, legs, placed, view, xy, top, zoom)
    figure.text(0.01, 0.005, f"Seizure routes ({stamp['level']} level) · {stamp['dated']} · netgraph "
                f"{stamp['netgraph_version']}\nbase map: {stamp['base_map']}, public domain", fontsize=7,
                color="#555555", va="bottom")
    figure.savefig(path, dpi=110)


def shift_chart(shift: dict, path: str | Path, top: int = 15) -> None:
    """A bar chart of the hubs that rose and fell most between two periods (from ``route_shift``)."""
    hubs = shift["hubs"]
    moved = hubs[hubs["change"] != 0]
    moved = pd.concat([moved.head(top), moved.tail(top)]).drop_duplicates("place").sort_values("change")
    figure = Figure(figsize=(9, max(3, 0.35 * len(moved) + 1.5)))
    ax = figure.add_subplot()
    ax.barh([str(n) for n in moved["name"]], moved["change"],
            color=["#c0392b" if c > 0 else "#2e86c1" for c in moved["change"]])
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("change in seizures passing through (second period − first)")
    ax.set_title(f"Route shift: {len(shift['new_legs'])} new legs, {len(shift['vanished_legs'])} vanished")
    figure.tight_layout()
    figure.savefig(path, dpi=130)
