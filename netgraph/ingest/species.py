"""Species and commodity normalisation: free text in English, Vietnamese or Chinese → taxon, product, CITES.

The vocabulary is ``loaders/vocab/commodities.yaml``: taxa (scientific name, names in en/vi/zh, CITES
appendix, synonyms), product words (scales, horn, ivory, live, meat …) and fixed phrases ("rhino horn"). A
text is folded (NFC, case, traditional → simplified Chinese, English plurals → singular), the longest known
names are found in it in any order ("vảy tê tê", "pangolin scales", "穿山甲鳞片"), abbreviated binomials are
read against the table's genera of that initial ("M. tetradactyla": Manis tetradactyla, a synonym of
Phataginus tetradactyla), and words it does not know are matched fuzzily (rapidfuzz) against the names, so
typos still find their species. The most specific taxon named wins; a group word gives the group ("Lizards" →
Lacertilia). A text that names no known taxon is kept as written under ``commodity:unmatched:<text>`` with
no taxon: nothing is invented. ``how`` says how each was read, so spelling corrections can be reviewed.

>>> commodity("Manis javanica").key, commodity("Manis javanica").cites
('commodity:manis javanica|live', 'I')
>>> commodity("vảy tê tê").key == commodity("pangolin scales").key == commodity("穿山甲鱗片").key
True
>>> r = commodity("African Grey Parrotw"); r.taxon, r.product, r.how
('Psittacus erithacus', 'live', 'spelling-corrected')
>>> r = commodity("M. tetradactyla"); r.taxon, r.how
('Phataginus tetradactyla', 'abbreviated')
>>> commodity("Albino Perigrine Falcon Eggs").key
'commodity:falco peregrinus|eggs'
>>> commodity("frozen").taxon, commodity("frozen").product, commodity("frozen").how
(None, 'carcass', 'product')
>>> commodity("Kapikas").key, commodity("Kapikas").name
('commodity:unmatched:kapikas', 'Kapikas')
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..resources import loaders_dir

CELL_CACHE = 1 << 18  # one look-up per distinct text: the same commodity texts recur across most rows
FUZZY_CUTOFF = 85  # rapidfuzz ratio (0–100) a misspelt name must reach: "aldabra troitese" 87.5, "kali"/"kaka" 50
FUZZY_WORD_CUTOFF = 75  # and each misspelt word its counterpart: "troitese"/"tortoise" 75, "spur"/"spider" 60
FUZZY_MAX_TEXT_WORDS = 12  # a longer text is a description, not a name: only its exact names are read
FUZZY_MIN_CHARS = 5  # shorter unknown words are not guessed at
FUZZY_MAX_WORDS = 4  # longest run of words tried as one misspelt name
WORD = re.compile(r"[^\W_]+")  # letters and digits; a run of Chinese characters is one word
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
DIGIT = re.compile(r"\d")
UNMATCHED = "commodity:unmatched:"


@dataclass(frozen=True)
class CommodityRef:
    """A commodity as a Commodity node: key, display name, taxon, product, CITES appendix.

    ``written`` is the text as written; ``how`` says how its taxon was read: ``exact`` (the scientific
    name), ``synonym`` (another scientific name), ``common name`` (en/vi/zh, or a phrase such as "rhino horn"),
    ``abbreviated`` ("M. javanica"), ``spelling-corrected`` (a misspelt name matched: to review),
    ``product`` (it names only a product, e.g. "frozen": it takes the taxon of another entry of its cell, see
    :func:`fill_taxa`), ``unmatched`` (no known taxon). ``note`` says why a reading is uncertain ("M. x" of
    two genera; a form naming no product).
    """
    key: str
    name: str
    taxon: str | None
    product: str | None
    cites: str | None
    written: str = ""
    how: str = "exact"
    bare: bool = False  # it names a taxon and no product (the product is the taxon's default)
    note: str = ""


@dataclass(frozen=True)
class _Item:
    kind: str  # taxon, product, phrase, stop, ambiguous (an abbreviation of two genera's species)
    taxon: str | None = None
    product: str | None = None
    state: bool = False  # a product word about condition (live, frozen), not a part
    lang: str = "en"
    via: str = "exact"  # how a taxon's name names it: exact, synonym, common name, abbreviated
    note: str = ""


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    item: _Item
    fuzzy: bool = False

    @property
    def size(self) -> int:
        return self.end - self.start


def normalise(text: str) -> str:
    """The store's key text (as ``vocab.normalise``): NFC, case-folded, spaces collapsed, outer punctuation off."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip(" .,;:-–—")


@cache
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def singular(word: str) -> str:
    """An English plural as singular ("tortoises", "finches", "canaries"); Latin -is/-us and -ss stay."""
    if len(word) <= 3 or not word.isascii() or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes")):
        return word[:-2]
    return word[:-1]


@lru_cache(maxsize=CELL_CACHE)
def fold(text: str) -> str:
    """A text as the matcher reads it: words (singular, case-folded, simplified Chinese) joined by spaces."""
    text = unicodedata.normalize("NFC", text).casefold().replace("'", "").replace("’", "")
    if CJK.search(text):
        text = _t2s().convert(text)
    return " ".join(singular(w) for w in WORD.findall(text))


@cache
def vocabulary() -> dict:
    """The YAML vocabulary, checked: every phrase names a listed taxon and product."""
    text = (loaders_dir() / "vocab" / "commodities.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 20× faster
    taxa = {t["taxon"]: t for t in data["taxa"]}
    products = {p["product"]: p for p in data["products"]}
    if len(taxa) != len(data["taxa"]) or len(products) != len(data["products"]):
        raise ValueError("commodities.yaml lists a taxon or a product twice")
    for entry in [*data["taxa"], *data["phrases"]]:
        product = entry.get("product")
        if product is not None and product not in products:
            raise ValueError(f"commodities.yaml: {entry.get('name') or entry['taxon']!r} has unknown product {product!r}")
    for phrase in data["phrases"]:
        if phrase["taxon"] not in taxa:
            raise ValueError(f"commodities.yaml: phrase {phrase['name']!r} has unlisted taxon {phrase['taxon']!r}")
    return {"taxa": taxa, "products": products, "phrases": data["phrases"], "default": data["default_product"],
            "stopwords": data.get("stopwords", [])}


def default_product(taxon: str) -> str:
    return vocabulary()["taxa"][taxon].get("product") or vocabulary()["default"]


def _meaning(item: _Item) -> tuple:
    if item.kind == "taxon":
        return ("named", item.taxon, default_product(item.taxon))
    if item.kind == "phrase":
        return ("named", item.taxon, item.product)
    return (item.kind, item.taxon, item.product)


def _stands_for(phrase: _Item, other: _Item) -> bool:
    """Whether a phrase names the same taxon, or the same product, as a taxon or product word it shares a
    name with ("ivory": the product, and the phrase for elephant ivory)."""
    return phrase.kind == "phrase" and (other.kind == "taxon" and other.taxon == phrase.taxon
                                        or other.kind == "product" and other.product == phrase.product)


@cache
def _index() -> dict[str, _Item]:
    """Every name, folded → what it names. Two different meanings for one name are an error in the YAML;
    a phrase may share a name with the taxon or product word it stands for ("ivory", "turtles")."""
    vocab = vocabulary()
    entries: list[tuple[str, _Item]] = []
    abbreviations: dict[str, set[str]] = {}
    for taxon, entry in vocab["taxa"].items():
        synonyms = entry.get("synonyms") or []
        entries += [(taxon, _Item("taxon", taxon))] + [(s, _Item("taxon", taxon, via="synonym")) for s in synonyms]
        for name in [taxon, *synonyms]:
            genus, *rest = name.split()
            if rest == ["spp."]:
                entries.append((genus, _Item("taxon", taxon)))
            elif len(rest) == 1:
                abbreviations.setdefault(f"{genus[0]}. {rest[0]}", set()).add(taxon)
        for lang in ("en", "vi", "zh"):
            entries += [(name, _Item("taxon", taxon, lang=lang, via="common name")) for name in entry.get(lang) or []]
    for abbr, taxa in abbreviations.items():  # "M. javanica": the one species of that initial and epithet
        entries.append((abbr, _Item("taxon", *taxa, via="abbreviated") if len(taxa) == 1 else _Item(
            "ambiguous", note=f"{abbr!r} may be {' or '.join(sorted(taxa))}")))
    for product, entry in vocab["products"].items():
        entries.append((product, _Item("product", product=product, state=bool(entry.get("state")))))
        for lang in ("en", "vi", "zh"):
            entries += [(name, _Item("product", product=product, state=bool(entry.get("state")), lang=lang))
                        for name in entry.get(lang) or []]
    for phrase in vocab["phrases"]:
        for name in [phrase["name"], *phrase.get("aliases", [])]:
            lang = "zh" if CJK.search(name) else "vi" if not name.isascii() else "en"
            state = bool(vocab["products"][phrase["product"]].get("state"))
            entries.append((name, _Item("phrase", phrase["taxon"], phrase["product"], state, lang, "common name")))
    entries += [(word, _Item("stop")) for word in vocab["stopwords"]]
    index: dict[str, _Item] = {}
    clashes = []
    for name, item in entries:
        key = fold(name)
        if not key:
            continue
        held = index.get(key)
        if held is None or _stands_for(item, held):
            index[key] = item
        elif _stands_for(held, item):
            continue
        elif _meaning(held) != _meaning(item) and held.kind != "stop" and item.kind != "stop":
            clashes.append(f"{name!r} names both {_meaning(held)[1:]} and {_meaning(item)[1:]}")
    if clashes:
        raise ValueError("commodities.yaml: a name must name one thing: " + "; ".join(clashes))
    return index


@cache
def _scanner() -> re.Pattern:
    """One pattern for every name, longest first, so that at a position the longest name matches.
    Latin-script names match whole words only; Chinese names match anywhere (Chinese writes no spaces)."""
    names = sorted(_index(), key=len, reverse=True)
    latin = [re.escape(n) for n in names if not CJK.search(n)]
    hanzi = [re.escape(n) for n in names if CJK.search(n)]
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(latin)})(?![^\W_])|{'|'.join(hanzi)}")


@cache
def _fuzzy_choices() -> tuple[list[str], list[_Item]]:
    names = [n for n, item in _index().items() if item.kind != "stop" and not CJK.search(n) and len(n) >= 4]
    return names, [_index()[n] for n in names]


@cache
def _names() -> dict[tuple[str, str], str]:
    """Display names: a phrase's own name for its (taxon, product)."""
    out: dict[tuple[str, str], str] = {}
    for phrase in vocabulary()["phrases"]:
        out.setdefault((phrase["taxon"], phrase["product"]), phrase["name"])
    return out


def _read(folded: str) -> tuple[list[_Found], bool]:
    """The names found in a folded text (exact, then fuzzy for the words left over) and whether words it
    does not know remain."""
    scanner = _scanner()  # the longest name at each word start (names may overlap: "vảy tê tê java")
    starts = [i for i, ch in enumerate(folded) if CJK.match(ch)] + [m.start() for m in WORD.finditer(folded)
                                                                   if not CJK.match(folded[m.start()])]
    found = [_Found(m.start(), m.end(), _index()[m.group()]) for m in map(lambda i: scanner.match(folded, i), starts)
             if m]
    # a name inside a longer one is part of it ("牙" of "象牙", "tiger" of "frozen tiger")
    found = [f for f in found if not any(g.start <= f.start and f.end <= g.end and g.size > f.size for g in found)]
    covered = np.zeros(len(folded), dtype=bool)
    for f in found:
        covered[f.start:f.end] = True
    words = [(m.start(), m.end()) for m in WORD.finditer(folded)]
    left = [not covered[s:e].any() and not DIGIT.search(folded[s:e]) for s, e in words]
    fuzzy = []
    if any(left) and len(words) <= FUZZY_MAX_TEXT_WORDS:
        other = np.zeros(len(folded), dtype=bool)  # product words and stopwords are not part of a name
        for f in found:
            if f.item.kind in ("product", "stop"):
                other[f.start:f.end] = True
        blocked = [other[s:e].any() for s, e in words]
        runs = [(i, n) for n in range(min(FUZZY_MAX_WORDS, len(words)), 0, -1) for i in range(len(words) - n + 1)
                if any(left[i:i + n]) and not any(blocked[i:i + n])]
        runs = [(i, n, folded[words[i][0]:words[i + n - 1][1]]) for i, n in runs]
        runs = [(i, n, text) for i, n, text in runs if len(text) >= FUZZY_MIN_CHARS and not CJK.search(text)]
        if runs:
            names, items = _fuzzy_choices()
            scores = process.cdist([text for _, _, text in runs], names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            for (i, n, text), row in zip(runs, scores):
                hits = np.flatnonzero(row)
                for j in hits[np.argsort(-row[hits], kind="stable")]:  # the closest name that agrees
                    if _agrees(text.split(), names[j].split(), left[i:i + n]) and _apart(text, names[j], items[j]):
                        fuzzy.append(_Found(words[i][0], words[i + n - 1][1], items[j], fuzzy=True))
                        break
        for f in fuzzy:
            for i, (s, e) in enumerate(words):
                if f.start <= s and e <= f.end:
                    left[i] = False
    return found + fuzzy, any(left)


def _agrees(words: list[str], name: list[str], unknown: list[bool]) -> bool:
    """Whether a misspelt run of words may be ``name``: the words it knows must be in the name as written
    ("Spotted Box Turtles" is no "spotted pond turtle", "Oriental Rattlesnakes" no "oriental rat snake"),
    and word for word, each unknown word must be close to its counterpart; a name is never shortened
    ("Yellow-headed turtles" is no "big-headed turtle"), only written in more words ("humming bird")."""
    if len(words) != len(name):
        return len(words) > len(name) and all(w in "".join(name) for w, u in zip(words, unknown) if not u)
    return all(fuzz.ratio(w, n) >= FUZZY_WORD_CUTOFF if u else w == n for w, n, u in zip(words, name, unknown))


@cache
def _kin() -> dict[str, tuple[str, ...]]:
    """Each species that shares a genus with other species of the table (by its name or a synonym's: Manis
    tetradactyla is in Manis) → the Latin-script names of those others, folded."""
    genera: dict[str, set[str]] = {}
    for taxon, entry in vocabulary()["taxa"].items():
        for genus, *rest in (name.split() for name in [taxon, *(entry.get("synonyms") or [])]):
            if len(rest) == 1 and rest != ["spp."]:
                genera.setdefault(genus, set()).add(taxon)
    names: dict[str, list[str]] = {}
    for name, item in _index().items():
        if item.kind in ("taxon", "phrase") and not CJK.search(name):
            names.setdefault(item.taxon, []).append(name)
    kin: dict[str, set[str]] = {}
    for members in genera.values():
        for taxon in members:
            kin.setdefault(taxon, set()).update(members - {taxon})
    return {taxon: tuple(n for other in sorted(others) for n in names[other]) for taxon, others in kin.items() if others}


def _apart(text: str, name: str, item: _Item) -> bool:
    """Whether a misspelt ``text`` may be corrected to ``name`` without crossing to another species of its
    genus. For a species with others in its genus, a scientific name (or synonym, or abbreviation) must be
    one edit (OSA: insert, delete, replace, swap) from the text, and no name of those others may be: the text
    may name a species the table lacks ("M. tetradactyla" is no "M. pentadactyla"). A common name is held to
    this only where a name of those others is near the text too."""
    others = _kin().get(item.taxon)
    if not others or item.via == "common name" and process.extractOne(
            text, others, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) is None:
        return True
    return OSA.distance(text, name) <= 1 and process.extractOne(text, others, scorer=OSA.distance, score_cutoff=1) is None


@cache
def _genera(taxon: str) -> frozenset[str]:
    """The genera a binomial taxon is named in (its own and its synonyms'); none for a family or higher."""
    names = [taxon, *(vocabulary()["taxa"][taxon].get("synonyms") or [])]
    return frozenset(name.split()[0] for name in names if len(name.split()) == 2)


def _several(found: list[_Found]) -> list[str]:
    """The taxa a text names when it names several that none of them contains ("Eagle Owls, scops owls":
    Bubo spp. and Otus spp.; "ivory and rhino horn"). A genus group contains the species of its genus; a
    family or higher group is taken to contain a species or genus named with it ("rhino horn (Ceratotherium
    simum)"), unless both are named by phrases of a taxon and a product ("pangolin scales and ivory")."""
    named = [f for f in found if f.item.kind in ("taxon", "phrase")
             and not any(g.start <= f.start and f.end <= g.end and g.size > f.size for g in found)]
    taxa = {f.item.taxon for f in named}
    phrased = {f.item.taxon for f in named if f.item.kind == "phrase"}

    def contains(group: str, taxon: str) -> bool:
        return group.endswith(" spp.") and group.split()[0] in _genera(taxon) or (
            " " not in group and " " in taxon and not {group, taxon} <= phrased)

    heads = sorted(t for t in taxa if not any(g != t and contains(g, t) for g in taxa))
    return heads if len(heads) > 1 else []


def _taxon(found: list[_Found]) -> _Found | None:
    """The most specific taxon named: the longest name (a taxon before a phrase that implies one), then the
    first."""
    named = [f for f in found if f.item.kind in ("taxon", "phrase")]
    if not named:
        return None
    return min(named, key=lambda f: (-f.size, f.item.kind != "taxon", f.fuzzy, f.start))


def _product(found: list[_Found]) -> str | None:
    """The product named: a part before a state ("frozen pangolin meat" is meat); of several parts, the head
    noun: the first in Vietnamese ("bột sừng tê giác"), the last in English and Chinese ("rhino horn powder")."""
    named = [f for f in found if f.item.kind in ("product", "phrase")]
    if not named:
        return None
    parts = [f for f in named if not f.item.state] or named
    parts.sort(key=lambda f: f.start)
    return (parts[0] if any(f.item.lang == "vi" for f in parts) else parts[-1]).item.product


@lru_cache(maxsize=CELL_CACHE)
def combined(taxon: str, product: str, written: str = "", how: str = "exact", bare: bool = False,
             note: str = "") -> CommodityRef:
    """The commodity of a taxon and a product."""
    entry = vocabulary()["taxa"][taxon]
    common = (entry.get("en") or [taxon])[0]
    name = _names().get((taxon, product)) or f"{common} ({product})"
    return CommodityRef(f"commodity:{normalise(taxon)}|{normalise(product)}", name, taxon, product, entry.get("cites"),
                        written, how, bare, note)


@lru_cache(maxsize=CELL_CACHE)
def commodity(text: str, form: str = "") -> CommodityRef | None:
    """The commodity a text names (None for an empty text); see the module's doc. ``form``, the cell of a
    form column (live, frozen, dead, parts, scales, meat …), gives the product, the text the taxon.

    >>> commodity("Manis javanica", "frozen").key, commodity("Manis javanica", "scales").key
    ('commodity:manis javanica|carcass', 'commodity:manis javanica|scales')
    """
    if form.strip():
        return _with_form(commodity(text), form)
    written = unicodedata.normalize("NFC", text).strip()
    key = normalise(text)
    if not key:
        return None
    found, unknown = _read(fold(text))
    taxon = _taxon(found)
    product = _product(found)
    several = _several(found)
    if taxon is None or several:
        note = "; ".join([f.item.note for f in found if f.item.kind == "ambiguous"] +
                         [f"names several taxa: {', '.join(several)}"] * bool(several))
        how = "product" if product and not unknown and not note else "unmatched"
        return CommodityRef(UNMATCHED + key, written, None, product, None, written, how, note=note)
    bare = product is None or product == default_product(taxon.item.taxon) and not any(
        f.item.kind == "product" for f in found)  # "Manis javanica", "pangolins"
    product = product or default_product(taxon.item.taxon)
    how = "spelling-corrected" if any(f.fuzzy for f in found) else taxon.item.via
    return combined(taxon.item.taxon, product, written, how, bare)


def _with_form(ref: CommodityRef | None, form: str) -> CommodityRef | None:
    """``ref`` with the product its form cell names; a form naming none leaves the product and says so."""
    found, _ = _read(fold(form))
    product = _product(found)
    if ref is None or product is None:
        return ref and replace(ref, note=f"form {form.strip()!r} names no known product")
    if ref.taxon is None:
        return replace(ref, product=product)
    how = "spelling-corrected" if any(f.fuzzy for f in found) else ref.how
    return combined(ref.taxon, product, ref.written, how, False, ref.note)


def fill_taxa(rows, refs) -> tuple[np.ndarray, np.ndarray]:
    """Entries of one cell that name only a product take the taxon of the entry before them that names one,
    else of the entry after them: "Manis javanica; live; frozen" is live and frozen Manis javanica. Where
    the cell names no taxon at all, they stay unmatched. Returns the refs, and which entries are *heads*:
    entries that name a taxon and no product and gave their taxon to such entries (see :func:`heads_kept`).

    >>> refs, heads = fill_taxa([0, 0, 0, 1], [commodity(t) for t in ("Manis javanica", "live", "frozen", "parts")])
    >>> [r.key for r in refs], heads.tolist()
    (['commodity:manis javanica|live', 'commodity:manis javanica|live', 'commodity:manis javanica|carcass', \
'commodity:unmatched:parts'], [True, False, False, False])
    """
    refs = np.asarray(refs, dtype=object)
    heads = np.zeros(len(refs), dtype=bool)
    bare = np.fromiter((r.how == "product" for r in refs), dtype=bool, count=len(refs))
    if not bare.any():
        return refs, heads
    named = pd.Series(np.where([r.taxon is not None for r in refs], np.arange(len(refs)), np.nan))
    by_row = named.groupby(np.asarray(rows))
    source = by_row.ffill().where(lambda s: s.notna(), by_row.bfill())  # the entry that lends its taxon
    out = refs.copy()
    for i in np.flatnonzero(bare & source.notna().to_numpy()):
        lender = refs[int(source.iat[i])]
        out[i] = combined(lender.taxon, refs[i].product, refs[i].written, "product")
        heads[int(source.iat[i])] = lender.bare
    return out, heads


def heads_kept(rows, heads, quantity_cells) -> np.ndarray:
    """Which entries stay commodities of their own: all but the heads, unless the row gives one quantity per
    entry. "Manis javanica; frozen" with "12 pcs" is 12 frozen Manis javanica; "Manis javanica; scales" with
    "2 head; 18.5 kg" is 2 Manis javanica and 18.5 kg of their scales. ``quantity_cells``: (row, number of
    quantity cells) of each quantity field.

    >>> heads_kept([0, 0, 1, 1], [True, False, True, False], [(0, 1), (1, 2)]).tolist()
    [False, True, True, True]
    """
    rows, heads = np.asarray(rows), np.asarray(heads, dtype=bool)
    if not heads.any():
        return np.ones(len(rows), dtype=bool)
    entries = pd.Series(rows).groupby(rows).transform("size").to_numpy()
    paired = set(quantity_cells)
    return ~heads | np.fromiter(((r, n) in paired for r, n in zip(rows.tolist(), entries.tolist())), dtype=bool,
                                count=len(rows))
