"""Controlled vocabularies: countries, places, commodities, units, transport modes, currencies and purposes.

The lists live as YAML in ``loaders/vocab/`` so that analysts can extend them without touching code;
countries fall back on pycountry (ISO 3166). Look-ups are case- and space-insensitive; a country's name is
also found without its diacritics, punctuation or a leading "the", with any apostrophe or quote
(``Côte d’Ivoire``), in ISO's inverted order either way (``Korea, Republic of``, ``Republic of Korea``),
as an NGO's ``Country - Territory`` and with a parenthesised qualifier (see :func:`country_code`).

>>> country_code("Trung Quốc"), country_code("viet nam"), country_code("UAE"), country_code("Atlantis")
('CN', 'VN', 'AE', None)
>>> country_code("China - Hong Kong"), country_code("Côte d’Ivoire"), country_code("Congo (DRC)")
('HK', 'CI', 'CD')
>>> resolve_place("Mong Cai").country, resolve_place("Hanoi, Vietnam", "city_country").key
('VN', 'place:VN:hà nội')
>>> commodity("vảy tê tê").taxon, unit("克")
('Manis spp.', ('kg', 0.001))
"""
from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from functools import cache, lru_cache

import pycountry
import yaml

from ..resources import loaders_dir
from . import gazetteer, species
from .species import CommodityRef  # noqa: F401  (commodities: species.py reads them)

CELL_CACHE = 1 << 18  # per-cell lookups are memoised: the same values recur across most rows
# an analyst's review decisions (``review.Decisions``) that place and commodity look-ups apply, set by :func:`decided`
_DECISIONS: ContextVar = ContextVar("review_decisions", default=None)


@contextmanager
def decided(decisions):
    """Within this block, :func:`resolve_place`, :func:`commodity` and :func:`organisation` apply ``decisions``
    (an object with ``place(text, ref, kind)``, ``commodity(text, ref)`` and ``organisation(text)``, as
    ``review.Decisions``); None applies none."""
    token = _DECISIONS.set(decisions)
    try:
        yield decisions
    finally:
        _DECISIONS.reset(token)


def commodity(text: str, form: str = "") -> CommodityRef | None:
    """:func:`species.commodity`, or what an analyst decided the text names (see :func:`decided`)."""
    ref = species.commodity(text, form)
    decisions = _DECISIONS.get()
    return ref if decisions is None or ref is None else decisions.commodity(text, ref)


def organisation(text: str) -> str:
    """An organisation's name as its key holds it (:func:`normalise`), or, within :func:`decided`, the name an
    analyst decided the text stands for."""
    decisions = _DECISIONS.get()
    return normalise(text) if decisions is None else decisions.organisation(text)


@lru_cache(maxsize=CELL_CACHE)
def normalise(text: str) -> str:
    """Text as a key: Unicode NFC, case-folded, inner spaces collapsed, outer punctuation stripped."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip(" .,;:-–—")


@cache
def read_vocab(name: str):
    """A table of ``loaders/vocab/NAME.yaml``."""
    return yaml.safe_load((loaders_dir() / "vocab" / f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def _country_aliases() -> dict[str, str]:
    return {normalise(k): v for k, v in read_vocab("countries").items()}


# apostrophes and quotes as typed, pasted from a word processor or a PDF: one of each
QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
TERRITORY_DASH = re.compile(r"\s+[-–—]\s+")  # "China - Hong Kong" (spaced: "Guinea-Bissau" is one name)
QUALIFIED = re.compile(r"(.+?)\s*\((.+)\)")  # "Democratic Republic of the Congo (DRC)"


def _country_fold(text: str) -> str:
    """A country name's loosest key: no case, diacritics, punctuation, spaces or leading "the"; "St" as
    "Saint" (``The Gambia`` → ``gambia``, ``Côte d’Ivoire`` → ``cotedivoire``); other scripts kept."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return "".join("saint" if w == "st" else w for w in words)


@cache
def _folded_countries() -> dict[str, str | None]:
    """:func:`_country_fold` keys of every alias and every ISO name (short, official, common, and an inverted
    ``Korea, Republic of`` as ``Republic of Korea``) → code; None where two countries share a key."""
    names = [(k, v) for k, v in read_vocab("countries").items()]
    for c in pycountry.countries:
        for name in {getattr(c, a, None) for a in ("name", "official_name", "common_name")} - {None}:
            names.append((name, c.alpha_2))
            if ", " in name:
                head, tail = name.split(", ", 1)
                names.append((f"{tail} {head}", c.alpha_2))
    out: dict[str, str | None] = {}
    for name, code in names:
        key = _country_fold(name)
        if key:
            out[key] = code if out.get(key, code) == code else None
    return out


def _country_name(text: str) -> str | None:
    """The code of one country's name or code as written: the curated aliases, pycountry, the folded keys."""
    key = normalise(text.translate(QUOTES))
    if not key:
        return None
    if key in _country_aliases():
        return _country_aliases()[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return _folded_countries().get(_country_fold(key))


def _narrower(outer: str, inner: str) -> str:
    """Of two countries a cell names together, the one it means: a territory written with the country that
    includes it (``Hong Kong (China)``, ``China - Hong Kong``: HK), else the second, which qualifies the
    first (``China - Taiwan``: TW; ``Congo (DRC)``: CD)."""
    if outer in gazetteer.COUNTRY_INCLUDES.get(inner, ()):
        return outer
    return inner


@cache
def country_code(text: str) -> str | None:
    """ISO-3166 alpha-2 code of a country name or code as agencies and NGOs write it, or None.

    A name as a whole first (``Congo (Kinshasa)`` is an alias), then ``Country - Territory`` (both parts
    countries: ``China - Hong Kong`` is HK, ``China - Taiwan`` TW) and ``Name (qualifier)`` (``Iran (Islamic
    Republic of)``; ``Democratic Republic of the Congo (DRC)``; a qualifier that names no country is
    dropped, one that names another country wins, as :func:`_narrower` says). A part that names no country
    makes the whole none: ``Uganda - North Region`` is a place, not a country.
    """
    text = unicodedata.normalize("NFC", text).translate(QUOTES).strip()
    if (code := _country_name(text)) is not None:
        return code
    parts = TERRITORY_DASH.split(text)
    if len(parts) == 2:
        first, second = map(country_code, parts)
        return _narrower(first, second) if first and second else None
    if qualified := QUALIFIED.fullmatch(text):
        name, qualifier = qualified.groups()
        if (code := _country_name(f"{qualifier} {name}")) is not None:  # "Iran (Islamic Republic of)"
            return code
        outer, inner = country_code(name), country_code(qualifier)
        return _narrower(outer, inner) if outer and inner else outer
    return None


def country_name(code: str) -> str:
    """English short name of an ISO alpha-2 code (the code itself if pycountry does not know it)."""
    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or (found.name if found else code)


PlaceRef = gazetteer.Place  # a place as loaders use it: the gazetteer's, a country, or one kept as written


@lru_cache(maxsize=CELL_CACHE)
def country_place(code: str) -> PlaceRef:
    return PlaceRef(f"country:{code}", country_name(code), "country", code)


PLACE_PARTS = re.compile(r"[,，\n]")  # "Qinzhou,\nGuangxi", "钦州，广西" (parts stripped: no \s* to backtrack)


def resolve_place(text: str, fmt: str = "name", kind: str | None = None,
                  default_country: str | None = None) -> PlaceRef | None:
    """A place as a :class:`PlaceRef`: a gazetteer place (:mod:`.gazetteer`), a country, or an unknown
    place kept as written.

    Parts after a comma that name a country or a province qualify the place ("Qinzhou, Guangxi",
    "Yulin, Guangxi, China"); ``fmt="city_country"`` (its last part a country) reads the same way, and also
    "Country, City". A place is looked up within the country the text gives, else ``default_country``
    (e.g. the country of seizure), and lies in that country if no source knows it.

    >>> resolve_place("Qinzhou,\\nGuangxi").key, resolve_place("钦州").key
    ('place:CN:qinzhou', 'place:CN:qinzhou')
    >>> resolve_place("北海", default_country="CN").key
    'place:CN:beihai'

    Within :func:`decided`, an analyst's decision on the text, or on the place it reads as, wins.
    """
    ref = read_place(text, fmt, kind, default_country)
    decisions = _DECISIONS.get()
    return ref if decisions is None or ref is None else decisions.place(text, ref, kind)


@lru_cache(maxsize=CELL_CACHE)
def read_place(text: str, fmt: str = "name", kind: str | None = None,
               default_country: str | None = None) -> PlaceRef | None:
    """:func:`resolve_place` as the gazetteer reads it, whatever an analyst decided."""
    text = unicodedata.normalize("NFC", text).strip()
    if not normalise(text):
        return None
    if found := gazetteer.curated(text):  # a curated spelling may itself hold a comma
        return _ref(found, kind)
    if PLACE_PARTS.search(text) and (whole := country_code(text)):  # "Tanzania, United Republic of"
        return country_place(whole)
    name, code, province = _qualifiers([p.strip() for p in PLACE_PARTS.split(text) if normalise(p)])
    if name is None:  # only a country, or only a province
        return country_place(code) if province is None else _ref(gazetteer.province_place(province))
    if code is None and province is None and (only := country_code(name)) and not gazetteer.curated(name):
        return country_place(only)
    within = code or (province.country if province else None) or default_country
    found = gazetteer.lookup(name, within, province.code if province else None, kind)
    if found is not None:
        return _ref(found, kind)
    if "," in name and fmt == "city_country":  # "Bangkok, Thailnd": keep the whole text, country unknown
        name, within = text, default_country
    prefix = f"place:{within}:" if within else "place:?:"
    return PlaceRef(prefix + normalise(name), name, kind or ("city" if within else "place"), within,
                    province=province.code if province else None)


def _qualifiers(parts: list[str]) -> tuple[str | None, str | None, gazetteer.Province | None]:
    """(name, country code, province) of "Name, Province, Country" (any of the qualifiers may be missing;
    "Country, Name" too); parts that qualify nothing stay in the name."""
    code = province = None
    while len(parts) > 1 and code is None and (found := country_code(parts[-1])):
        code = found
        parts = parts[:-1]
    while len(parts) > 1 and province is None and (found := gazetteer.province(parts[-1], code)):
        province, code = found, code or found.country
        parts = parts[:-1]
    if len(parts) == 2 and code is None and (found := country_code(parts[0])):  # "Thailand, Bangkok"
        code, parts = found, parts[1:]
    if len(parts) == 1 and code is not None and normalise(parts[0]) and country_code(parts[0]) == code:
        return None, code, province  # "China, China"
    return ", ".join(parts), code, province


def _ref(place: gazetteer.Place, kind: str | None = None) -> PlaceRef:
    """A gazetteer place as a reference; a mapping's ``kind`` names what a curated place is used as."""
    return replace(place, kind=kind) if kind and place.gazetteer_id == "curated" else place


@cache
def _units() -> dict[str, tuple[str, float]]:
    return {normalise(k): (v[0], float(v[1])) for k, v in read_vocab("units").items()}


@lru_cache(maxsize=CELL_CACHE)
def unit(text: str) -> tuple[str, float] | None:
    """(canonical unit, factor) of a unit as written: ``kg``/``pieces``; None if unknown."""
    return _units().get(normalise(text))


@cache
def _modes() -> dict[str, str]:
    return {normalise(k): v for k, v in read_vocab("transport_modes").items()}


def transport_mode(text: str, extra: dict[str, str] | None = None) -> str | None:
    """Canonical transport mode (air, sea, road, rail, post) of a value as written, or None."""
    key = normalise(text)
    if extra:
        extra = {normalise(k): v for k, v in extra.items()}
        if key in extra:
            return extra[key]
    return _modes().get(key)


@cache
def _currencies() -> dict[str, str]:
    return {normalise(k): v for k, v in read_vocab("currencies").items()}


def currency(text: str) -> str | None:
    """ISO 4217 code of a currency as written: a code (any case) or a symbol or word of
    ``loaders/vocab/currencies.yaml`` ("¥", "元", "₫", "US$"); None if unknown.

    >>> currency("cny"), currency("人民币"), currency("$")
    ('CNY', 'CNY', None)
    """
    key = normalise(text)
    if len(key) == 3 and key.isascii() and pycountry.currencies.get(alpha_3=key.upper()) is not None:
        return key.upper()
    return _currencies().get(key)


@cache
def _purposes() -> dict[str, str]:
    return {normalise(k): v for k, v in read_vocab("purposes").items()}


def purpose(text: str) -> str | None:
    """The purpose (sale, food, medicine, pet, ornament …) of one as written, or None
    (``loaders/vocab/purposes.yaml``)."""
    return _purposes().get(normalise(text))
