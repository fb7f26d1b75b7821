"""Controlled vocabularies: countries, places, commodities, units and transport modes.

The lists live as YAML in ``loaders/vocab/`` so that analysts can extend them without touching code;
countries fall back on pycountry (ISO 3166). Look-ups are case- and space-insensitive and keep the
diacritics (``Lào`` is Laos; ``Lao`` alone is not).

>>> country_code("Trung Quốc"), country_code("viet nam"), country_code("UAE"), country_code("Atlantis")
('CN', 'VN', 'AE', None)
>>> resolve_place("Mong Cai").country, resolve_place("Hanoi, Vietnam", "city_country").key
('VN', 'place:VN:hà nội')
>>> commodity("vảy tê tê").taxon, unit("克")
('Manis spp.', ('kg', 0.001))
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry
import yaml

from ..resources import loaders_dir

CELL_CACHE = 1 << 18  # per-cell lookups are memoised: the same values recur across most rows


@lru_cache(maxsize=CELL_CACHE)
def normalise(text: str) -> str:
    """Text as a key: Unicode NFC, case-folded, inner spaces collapsed, outer punctuation stripped."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip(" .,;:-–—")


@cache
def _yaml(name: str):
    return yaml.safe_load((loaders_dir() / "vocab" / f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def _country_aliases() -> dict[str, str]:
    return {normalise(k): v for k, v in _yaml("countries").items()}


@cache
def country_code(text: str) -> str | None:
    """ISO-3166 alpha-2 code of a country name or code as agencies write it, or None."""
    key = normalise(text)
    if not key:
        return None
    if key in _country_aliases():
        return _country_aliases()[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


def country_name(code: str) -> str:
    """English short name of an ISO alpha-2 code (the code itself if pycountry does not know it)."""
    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or (found.name if found else code)


@dataclass(frozen=True)
class PlaceRef:
    key: str
    name: str
    kind: str
    country: str | None
    lat: float | None = None
    lon: float | None = None

    @property
    def country_key(self) -> str | None:
        """Key of the country this place lies in (None for a country or an unknown place)."""
        return f"country:{self.country}" if self.country and self.kind != "country" else None


@cache
def _gazetteer() -> dict[str, dict]:
    index = {}
    for entry in _yaml("places"):
        for spelling in [entry["name"], *entry.get("aliases", [])]:
            index[normalise(spelling)] = entry
    return index


@lru_cache(maxsize=CELL_CACHE)
def country_place(code: str) -> PlaceRef:
    return PlaceRef(f"country:{code}", country_name(code), "country", code)


@lru_cache(maxsize=CELL_CACHE)
def resolve_place(text: str, fmt: str = "name", kind: str | None = None,
                  default_country: str | None = None) -> PlaceRef | None:
    """A place as a :class:`PlaceRef`: a gazetteer place, a country, or an unknown place kept as written.

    ``fmt="city_country"`` reads "City, Country"; the last comma-separated part is the country. An
    unknown place without a country of its own lies in ``default_country`` (e.g. the country of seizure).
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not normalise(text):
        return None
    city, country_text = text, None
    if fmt == "city_country" and "," in text:
        city, country_text = (p.strip() for p in text.rsplit(",", 1))
    code = country_code(country_text) if country_text else None
    entry = _gazetteer().get(normalise(city))
    if entry and (code is None or entry["country"] == code):
        return PlaceRef(f"place:{entry['country']}:{normalise(entry['name'])}", entry["name"],
                        kind or entry["kind"], entry["country"], entry.get("lat"), entry.get("lon"))
    if country_text is None and (only := country_code(city)):
        return country_place(only)
    if country_text is not None and code is None:  # "Bangkok, Thailnd": keep the whole text, country unknown
        city = text
    code = code or default_country
    prefix = f"place:{code}:" if code else "place:?:"
    return PlaceRef(prefix + normalise(city), city, kind or ("city" if code else "place"), code)


@dataclass(frozen=True)
class CommodityRef:
    key: str
    name: str
    taxon: str | None
    product: str | None
    cites: str | None


@cache
def _commodities() -> dict[str, dict]:
    index = {}
    for entry in _yaml("commodities"):
        for spelling in [entry["name"], *entry.get("aliases", [])]:
            index[normalise(spelling)] = entry
    return index


@lru_cache(maxsize=CELL_CACHE)
def commodity(text: str) -> CommodityRef | None:
    """The commodity a text names; an unlisted one is kept as written (no taxon)."""
    key = normalise(text)
    if not key:
        return None
    entry = _commodities().get(key)
    if entry is None:
        return CommodityRef(f"commodity:{key}", text.strip(), None, None, None)
    return CommodityRef(f"commodity:{normalise(entry['taxon'])}|{normalise(entry['product'])}", entry["name"],
                        entry["taxon"], entry["product"], entry.get("cites"))


@cache
def _units() -> dict[str, tuple[str, float]]:
    return {normalise(k): (v[0], float(v[1])) for k, v in _yaml("units").items()}


@lru_cache(maxsize=CELL_CACHE)
def unit(text: str) -> tuple[str, float] | None:
    """(canonical unit, factor) of a unit as written: ``kg``/``pieces``; None if unknown."""
    return _units().get(normalise(text))


@cache
def _modes() -> dict[str, str]:
    return {normalise(k): v for k, v in _yaml("transport_modes").items()}


def transport_mode(text: str, extra: dict[str, str] | None = None) -> str | None:
    """Canonical transport mode (air, sea, road, rail, post) of a value as written, or None."""
    key = normalise(text)
    if extra:
        extra = {normalise(k): v for k, v in extra.items()}
        if key in extra:
            return extra[key]
    return _modes().get(key)
