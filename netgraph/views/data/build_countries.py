"""Build ``countries-110m.json`` (the route map's base map) from Natural Earth's 110m countries.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries (public domain,
naturalearthdata.com), as shipped in the PyPI package geopandas 0.14.4
(``geopandas/datasets/naturalearth_lowres``: 177 countries; geopandas is BSD-3-Clause, the data public
domain). Run once by hand; nothing is downloaded at run time::

    pip download geopandas==0.14.4 --no-deps -d /tmp/gpd && unzip /tmp/gpd/*.whl 'geopandas/datasets/*' -d /tmp/gpd
    python netgraph/views/data/build_countries.py /tmp/gpd/geopandas/datasets/naturalearth_lowres

Output: ``{"source", "licence", "countries": [{"name", "iso_a3", "iso_a2", "rings": [[lon, lat, lon, lat …]]}]}``
with coordinates rounded to 0.01°. The shapefile (polygons) and its dBASE table are read with the standard
library alone.

>>> _ring_area([0, 0, 1, 0, 1, 1, 0, 1])
1.0
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

SOURCE = ("Natural Earth 1:110m Admin 0 – Countries (naturalearthdata.com), via the PyPI package "
          "geopandas 0.14.4, datasets/naturalearth_lowres")
LICENCE = "public domain (Natural Earth terms of use)"


def _records(dbf: bytes, encoding: str) -> list[dict]:
    count, header, size = struct.unpack("<IHH", dbf[4:12])
    fields, at = [], 32
    while dbf[at] != 0x0D:
        name = dbf[at:at + 11].split(b"\0")[0].decode()
        fields.append((name, dbf[at + 16]))
        at += 32
    rows = []
    for i in range(count):
        row, at = {}, header + i * size + 1
        for name, width in fields:
            row[name] = dbf[at:at + width].decode(encoding).strip()
            at += width
        rows.append(row)
    return rows


def _shapes(shp: bytes) -> list[list[list[float]]]:
    shapes, at = [], 100
    while at < len(shp):
        _, length = struct.unpack(">ii", shp[at:at + 8])
        body = shp[at + 8:at + 8 + 2 * length]
        at += 8 + 2 * length
        kind, = struct.unpack("<i", body[:4])
        if kind != 5:  # polygon
            shapes.append([])
            continue
        parts, points = struct.unpack("<ii", body[36:44])
        starts = list(struct.unpack(f"<{parts}i", body[44:44 + 4 * parts])) + [points]
        xy = struct.unpack(f"<{2 * points}d", body[44 + 4 * parts:44 + 4 * parts + 16 * points])
        shapes.append([[round(v, 2) for v in xy[2 * a:2 * b]] for a, b in zip(starts, starts[1:])])
    return shapes


def _ring_area(ring: list[float]) -> float:
    xs, ys = ring[0::2], ring[1::2]
    return abs(sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(xs)))) / 2


def build(folder: Path, out: Path) -> None:
    import pycountry
    stem = folder / folder.name
    rows = _records(stem.with_suffix(".dbf").read_bytes(), stem.with_suffix(".cpg").read_text().strip())
    shapes = _shapes(stem.with_suffix(".shp").read_bytes())
    countries = []
    for row, rings in zip(rows, shapes):
        found = pycountry.countries.get(alpha_3=row["iso_a3"])
        countries.append({"name": row["name"], "iso_a3": row["iso_a3"], "iso_a2": found.alpha_2 if found else "",
                          "rings": [r for r in rings if _ring_area(r) > 0]})
    out.write_text(json.dumps({"source": SOURCE, "licence": LICENCE, "countries": countries},
                              ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(__file__).with_name("countries-110m.json"))
