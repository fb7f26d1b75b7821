"""Route maps: places at their coordinates, legs with width by seizures — offline HTML (SVG) and PNG.

No tile server, no CDN: places are drawn in an equirectangular projection fitted to the routes; countries
sit at their centroids (countryinfo), gazetteer places at their own coordinates; a place with no known
coordinates is drawn at its country's centroid, hollow, and listed as placed schematically.

>>> route_map(store, "routes.html", "routes.png", level="place")     # doctest: +SKIP
"""
from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..resources import netgraph_version
from ..space_time.routes import flows
from ..store.base import GraphStore

WIDTH, HEIGHT, MARGIN = 1100, 700, 60


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
        rows.append({"id": place, "name": name, "lat": lat, "lon": lon, "schematic": schematic})
    return pd.DataFrame(rows)


def route_map(store: GraphStore, html_path: str | Path, png_path: str | Path | None = None,
              level: str = "place", date_from=None, date_to=None, top: int = 60) -> dict:
    """Draw the ``top`` legs by seizures; return what was drawn and what could not be placed."""
    legs = flows(store, level, date_from=date_from, date_to=date_to).head(top)
    places = place_coordinates(store, sorted(set(legs["source"]) | set(legs["target"])))
    unplaced = places[places["lat"].isna()]
    placed = places.dropna(subset=["lat", "lon"]).set_index("id")
    drawn = legs[legs["source"].isin(placed.index) & legs["target"].isin(placed.index)]
    stamp = {"netgraph_version": netgraph_version(), "level": level, "date_from": date_from, "date_to": date_to,
             "legs_drawn": len(drawn), "legs_in_top": len(legs)}
    Path(html_path).write_text(_svg_page(drawn, placed, unplaced, stamp), encoding="utf-8")
    if png_path:
        _png(drawn, placed, png_path, stamp)
    return {"legs": drawn, "places": placed.reset_index(), "unplaced": unplaced["name"].tolist(), "stamp": stamp}


def _projection(placed: pd.DataFrame):
    lon_min, lon_max = placed["lon"].min() - 3, placed["lon"].max() + 3
    lat_min, lat_max = placed["lat"].min() - 3, placed["lat"].max() + 3
    scale = min((WIDTH - 2 * MARGIN) / max(lon_max - lon_min, 1), (HEIGHT - 2 * MARGIN) / max(lat_max - lat_min, 1))
    return lambda lat, lon: (MARGIN + (lon - lon_min) * scale, HEIGHT - MARGIN - (lat - lat_min) * scale)


def _svg_page(legs, placed, unplaced, stamp) -> str:
    esc = html.escape
    xy = _projection(placed) if len(placed) else (lambda lat, lon: (0, 0))
    top = max(legs["seizures"].max(), 1) if len(legs) else 1
    lines = []
    for leg in legs.itertuples(index=False):
        (x1, y1), (x2, y2) = xy(*placed.loc[leg.source, ["lat", "lon"]]), xy(*placed.loc[leg.target, ["lat", "lon"]])
        tip = f"{leg.source_name} → {leg.target_name}: {leg.seizures} seizures, {leg.weight_kg:g} kg, {leg.pieces:g} pieces"
        lines.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#c0392b" '
                     f'stroke-opacity="0.6" stroke-width="{1 + 9 * leg.seizures / top:.1f}" marker-end="url(#arrow)">'
                     f'<title>{esc(tip)}</title></line>')
    dots = []
    for place, row in placed.iterrows():
        x, y = xy(row["lat"], row["lon"])
        fill = "white" if row["schematic"] else "#2e86c1"
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="#1b4f72"><title>{esc(str(row["name"]))}'
                    f'{" (placed at its country centroid)" if row["schematic"] else ""}</title></circle>'
                    f'<text x="{x + 7:.1f}" y="{y - 6:.1f}" font-size="11">{esc(str(row["name"]))}</text>')
    note = (f"<p>Not placed (no coordinates and no country): {esc(', '.join(map(str, unplaced['name'])))}</p>"
            if len(unplaced) else "")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>netgraph route map</title>
<style>body{{font:13px system-ui,sans-serif;margin:12px}} svg{{border:1px solid #ccc;background:#f7fbff}}</style></head>
<body><h2>Seizure routes ({esc(str(stamp['level']))} level)</h2>
<p>Width: seizures on the leg. Filled: coordinates known; hollow: placed at its country's centroid. No base map:
the page needs no network.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto">
<path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker></defs>
{''.join(lines)}{''.join(dots)}</svg>
{note}<p id="ng-stamp" style="color:#777;font-size:11px">{esc(json.dumps(stamp, default=str, ensure_ascii=False))}</p>
</body></html>"""


def _png(legs, placed, path, stamp) -> None:
    figure = Figure(figsize=(11, 7))
    ax = figure.add_subplot()
    top = max(legs["seizures"].max(), 1) if len(legs) else 1
    for leg in legs.itertuples(index=False):
        a, b = placed.loc[leg.source], placed.loc[leg.target]
        ax.annotate("", xy=(b["lon"], b["lat"]), xytext=(a["lon"], a["lat"]),
                    arrowprops={"arrowstyle": "-|>", "color": "#c0392b", "alpha": 0.6, "lw": 1 + 6 * leg.seizures / top})
    ax.scatter(placed["lon"], placed["lat"], s=40, c=["white" if s else "#2e86c1" for s in placed["schematic"]],
               edgecolors="#1b4f72", zorder=3)
    for _, row in placed.iterrows():
        ax.text(row["lon"] + 0.4, row["lat"] + 0.4, str(row["name"]), fontsize=7)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Seizure routes ({stamp['level']} level) — width: seizures on the leg")
    ax.set_aspect("equal", adjustable="datalim")
    figure.text(0.01, 0.01, json.dumps(stamp, default=str), fontsize=6, color="#777")
    figure.savefig(path, dpi=130)


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
