"""Places: the seizure's country and place, the route (origin, transit, destination), coordinates the file
gives, each resolved through the gazetteer to Location nodes and the countries they lie in."""
from __future__ import annotations

import math
import re
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import gazetteer, vocab
from ..mapping import Place
from .common import _map_unique, _splitter
from .core import Compiler

ROUTE_SPLIT = re.compile(r"[–—→>]|(?<=\s)-(?=\s)")  # parts are stripped; no \s* to backtrack through long spaces
LOCATION_PROPS = ("name", "kind", "country", "lat", "lon", "province", "gazetteer_id", "resolved_by",  # PlaceRef's
                  "confidence", "note")
DMS = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*[°d:\s]\s*(?:(\d+(?:\.\d+)?)\s*['′m:\s]\s*)?"
                 r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|s)?\s*)?([NSEWnsew])?")
CONFLICT_KM = 50.0  # the file's coordinates and the gazetteer's this far apart are a conflict, reported


class Places(Compiler):
    """Place fields resolved to Location nodes: the seizure's place, its route, the coordinates given."""

    def places(self, spec: Place, found: pd.DataFrame, default_country: pd.Series | None = None,
               minor=None, major=None, site: int | None = None) -> pd.DataFrame:
        """Resolve place texts (``found``: row, text, …) and add their Location nodes (and the countries they
        lie in); return ``found`` with ``ref`` (None where the text names no place)."""
        country = np.full(len(found), None, dtype=object)
        if default_country is not None:  # codes, None where unknown (never NaN: it would read as a country)
            codes = default_country.to_numpy(dtype=object)[found["row"].to_numpy()]
            country[:] = [c if isinstance(c, str) else None for c in codes]
        codes, keys = pd.factorize(pd.Series(list(zip(found["text"], country)), dtype=object).to_numpy(dtype=object))
        refs = np.empty(len(keys), dtype=object)
        refs[:] = [vocab.resolve_place(t, spec.format, spec.kind, c) if t else None for t, c in keys]
        found = found.assign(ref=refs[codes])
        if spec.lat and spec.lon:
            found = self.coordinates(spec, found)
            codes, refs = pd.factorize(found["ref"].to_numpy(dtype=object), use_na_sentinel=False)
        hit = found["ref"].notna().to_numpy()
        site = self.next_site() if site is None else site
        # each attribute of each distinct place, then taken for every row that names it
        attrs = {a: np.array([getattr(r, a) if r is not None else None for r in refs], dtype=object)[codes[hit]]
                 for a in ("key", *LOCATION_PROPS, "country_key")}
        rows = found["row"].to_numpy()[hit]
        self.node("Location", pd.DataFrame({"row": rows, "id": attrs["key"],
                                            **{a: attrs[a] for a in LOCATION_PROPS}}),
                  _pick(minor, hit), _pick(major, hit), site)
        inside = np.flatnonzero(hit)[pd.notna(attrs["country_key"])]
        if len(inside):
            within = pd.notna(attrs["country_key"])
            code = attrs["country"][within]
            mask = np.zeros(len(found), dtype=bool)
            mask[inside] = True
            self.node("Location", pd.DataFrame({"row": rows[within], "id": attrs["country_key"][within],
                                                "name": [vocab.country_place(c).name for c in code],
                                                "kind": "country", "country": code}),
                      _pick(minor, mask), _pick(major, mask), site)
            self.rel("LOCATED_IN", ("Location", "Location"), pd.DataFrame({
                "row": rows[within], "from": attrs["key"][within], "to": attrs["country_key"][within]}),
                _pick(minor, mask), _pick(major, mask), site)
        return found

    def coordinates(self, spec: Place, found: pd.DataFrame) -> pd.DataFrame:
        """The file's coordinates win: a place the gazetteer put more than ``CONFLICT_KM`` away from them, or
        could not place, becomes a Location at them (``resolved_by`` file coordinates; a conflict reported)."""
        rows, point = found["row"].to_numpy(), {}
        for axis, column, limit in (("latitude", spec.lat, 90), ("longitude", spec.lon, 180)):
            text = self.cells(column)
            value = _map_unique(text, _degrees).astype(float)
            bad = (text != "") & ~(value.abs() <= limit)
            self.error(bad, column, "'" + text + f"' is not a {axis} (decimal degrees or DMS, within ±{limit})")
            point[axis] = value.where(~bad).to_numpy()[rows]
        refs = found["ref"].to_numpy(dtype=object).copy()
        for i, (ref, lat, lon) in enumerate(zip(refs, point["latitude"], point["longitude"])):
            if ref is None or np.isnan(lat) or np.isnan(lon):
                continue
            km = gazetteer._km(lat, lon, ref.lat, ref.lon) if ref.lat is not None else None
            if km is not None and km <= CONFLICT_KM:
                continue
            note = f"the gazetteer placed it at {ref.name} ({ref.gazetteer_id}), {km:.0f} km away" if km else None
            if km is not None:
                self.place_conflicts.append({"row": int(self.rows[found["row"].iat[i]]), "column": spec.column,
                                             "text": found["text"].iat[i], "lat": lat, "lon": lon,
                                             "gazetteer": ref.name, "gazetteer_id": ref.gazetteer_id, "km": round(km)})
            refs[i] = replace(ref, key=f"{ref.key}@{lat:.2f},{lon:.2f}", lat=lat, lon=lon, gazetteer_id=None,
                              resolved_by="file coordinates", confidence=1.0, note=note)
        return found.assign(ref=refs)

    def where(self, country: pd.Series, country_code: pd.Series) -> None:
        spec = self.m.fields.place
        target = country
        if spec:
            found = self.places(spec, pd.DataFrame({"row": np.arange(self.n), "text": self.text(spec)}), country_code)
            place = found["ref"]
            clash = [p is not None and c is not None and p.country not in (None, c.country)
                     for p, c in zip(place, country)]
            self.error(clash, spec.named(), [f"place {p.name!r} is in {p.country}, not in {c.country}" if k else None
                                            for p, c, k in zip(place, country, clash)])
            target = place.where(place.notna(), country)
        hit = target.notna().to_numpy()
        self.rel("AT", ("Seizure", "Location"), pd.DataFrame({
            "row": np.flatnonzero(hit), "from": self.seizure[hit].to_numpy(),
            "to": target[hit].map(lambda r: r.key).to_numpy()}))

    def route(self) -> None:
        f = self.m.fields
        stops = []
        for group, spec in enumerate((f.origin, f.transit, f.destination)):
            if spec:
                found = self.entries(spec)
                stops.append(found.assign(group=group, part=0, spec=id(spec)))
        if f.route:
            separators = f.route.separators(())
            found = self.entries(f.route, separators, _route_splitter(separators))
            last = found.groupby("row")["item"].transform("size") - 1
            found["group"] = np.where(found["item"] == 0, 0, np.where(found["item"] == last, 2, 1))
            stops.append(found.assign(part=1, spec=-1))
        stops = pd.concat(stops, ignore_index=True) if stops else pd.DataFrame()
        if stops.empty:
            return
        stops = stops.sort_values(["row", "group", "part", "item"], kind="stable")
        stops["stop"] = stops.groupby("row").cumcount()
        specs = {id(s): s for s in (f.origin, f.transit, f.destination) if s}
        specs[-1] = Place(column=f.route.column) if f.route else None
        site = self.next_site()
        resolved = [self.places(specs[key], part, minor=part["stop"], site=site)
                    for key, part in stops.groupby("spec", sort=False)]
        stops = pd.concat(resolved).sort_values(["row", "stop"])
        stops = stops[stops["ref"].notna()].copy()
        stops["position"] = stops.groupby("row").cumcount() + 1
        site = self.next_site()
        for group, rel_type in enumerate(("ORIGIN", "TRANSIT", "DESTINATION")):
            legs = stops[stops["group"] == group]
            frame = self.from_seizure(legs, legs["ref"].map(lambda r: r.key)).assign(position=legs["position"])
            self.rel(rel_type, ("Seizure", "Location"), frame, legs["stop"], site=site)


def _pick(order, mask: np.ndarray):
    """The entries of an order (None, or one per entry) where ``mask`` holds."""
    return None if order is None else np.asarray(order, dtype=np.int64)[mask]


def _degrees(text: str) -> float:
    """Degrees of a coordinate as written: ``21.4835``, ``-4.3``, ``21°28'53"N``, ``21 28.9 N`` (NaN if none)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = DMS.fullmatch(text) or re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*°?()()\s*([NSEWnsew])", text)
    if not m:
        return math.nan
    d, minutes, seconds, hemisphere = m.groups()
    value = abs(float(d)) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    return -value if d.startswith("-") or (hemisphere or "").upper() in ("S", "W") else value


@lru_cache(maxsize=64)
def _route_splitter(separators: tuple[str, ...]) -> re.Pattern:
    """Route stops split at arrows and dashes, and at the field's own separators."""
    return re.compile("|".join([ROUTE_SPLIT.pattern, *(_splitter(separators).pattern for _ in separators[:1])]))
