"""Comparable forms of names, phones, documents, plates and companies, for entity resolution.

The original spelling is never replaced: these keys sit beside it. Names get keys per naming tradition:
``folded`` drops titles and the Arabic article, joins Arabic particles to their word (bin, abu, abd al-),
folds transliteration variants (Mohammed, Muhammad, Mohamed) and short forms (Emeka, Chukwuemeka) from
``loaders/vocab/name_variants.yaml`` and, outside single Vietnamese syllables, letters that romanisations
write differently (ph/p, th/t, kh/k, ou/u, ee/i, doubled letters, a final h); ``readings`` are the Mandarin
readings a romanised Chinese name may stand for (pinyin, Wade–Giles, Hong Kong Cantonese, Hokkien, Teochew
and Hakka spellings: Wong is 黄 or 王, Tan and Chan are 陈); Thai and Lao script is romanised (RTGS, by
PyThaiNLP; Lao through its Thai equivalent, by LaoNLP).

>>> name_keys("Nguyễn Văn Hùng")["ascii"], name_keys("NGUYEN VAN HUNG")["ascii"]
('nguyen van hung', 'nguyen van hung')
>>> name_keys("Hung Nguyen Van")["sorted"] == name_keys("Nguyễn Văn Hùng")["sorted"]
True
>>> name_keys("阮文雄")["hanviet"], name_keys("王偉")["pinyin"], name_keys("王偉")["sorted"]
('nguyen van hung', 'wang wei', '王伟')
>>> name_keys("Nabil al-Marabh")["folded"] == name_keys("NABIL ALMARABH")["folded"] == "marab nabil"
True
>>> name_keys("黃偉軍")["literal"][0] in name_keys("Wong Wai Kwan")["readings"]
True
>>> name_keys("สมชาย ศรีสุข")["ascii"]
'somchai srisuk'
>>> phone_e164("0912 345 678", "VN"), phone_e164("84-912-345-678", "VN"), phone_e164("+84912345678")
('+84912345678', '+84912345678', '+84912345678')
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import phonenumbers
import yaml
from pypinyin import lazy_pinyin

from ..ingest.legal_forms import fold_ascii as _ascii
from ..resources import loaders_dir

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
THAI, LAO = re.compile(r"[\u0e00-\u0e7f]"), re.compile(r"[\u0e80-\u0eff]")
APOSTROPHES = re.compile(r"['\u2018\u2019\u02bb\u02bc\u02bf\u02be`\u00b4]")
# one Vietnamese syllable (onset, vowels, coda), folded to ASCII: left as it is by the romanisation folding
VN_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?")
MAX_READINGS = 128  # a romanised name that could stand for more Chinese names than this gets none


@cache
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


@cache
def _han_viet() -> dict[str, str]:
    table = yaml.safe_load((loaders_dir() / "vocab" / "han_viet.yaml").read_text(encoding="utf-8"))
    return {k: _ascii(v) for k, v in table.items()}


def name_keys(name: str) -> dict:
    """Keys of a person's name: ``ascii`` (as written, folded; Thai and Lao script romanised), ``sorted``
    (tokens sorted: name order does not matter), ``words`` (each tradition's variants folded: see the module
    doc), ``folded`` (those words sorted), ``readings`` (the Chinese names it may stand for, as "surname givenname" in pinyin:
    a list, or None), ``literal`` (the name itself in that form, if it is pinyin or hanzi), and for names in Chinese characters ``pinyin`` and ``hanviet`` (Sino-Vietnamese
    reading, when every character has one). A name in hanzi keeps its characters (traditional forms
    simplified) as ``ascii``, ``sorted`` and ``folded``: it meets a Latin spelling through its readings, not
    by pretending to be one."""
    keys: dict = {"pinyin": None, "hanviet": None, "literal": None, "readings": None}
    if CJK.search(name):
        simple = _t2s().convert(re.sub(r"\s+", "", name))
        syllables = lazy_pinyin(simple)  # pinyin writes the given name as one word: Wang Weijun
        keys["pinyin"] = _ascii(" ".join(syllables[:1] + ["".join(syllables[1:])]))
        if len(keys["pinyin"].split()) == 2:
            keys["literal"] = keys["readings"] = [keys["pinyin"]]
        table = _han_viet()
        if all(ch in table for ch in simple if CJK.match(ch)):
            keys["hanviet"] = " ".join(table[ch] for ch in simple if CJK.match(ch))
        keys["ascii"] = keys["sorted"] = keys["folded"] = simple
        keys["words"] = [simple]
        return keys
    keys["ascii"] = _ascii(APOSTROPHES.sub("", _romanised(name)))  # Ch'en is one word
    keys["sorted"] = " ".join(sorted(keys["ascii"].split()))
    keys["words"] = folded_words(name)
    keys["folded"] = " ".join(sorted(keys["words"]))
    keys["literal"], keys["readings"] = chinese_readings(keys["ascii"])
    return keys


def _romanised(name: str) -> str:
    """Thai and Lao script in Latin letters (RTGS, word by word); other text as it is."""
    if not (THAI.search(name) or LAO.search(name)):
        return name
    from pythainlp.transliterate import romanize

    if LAO.search(name):
        from laonlp import lao2thai_script

        name = lao2thai_script(name)
    return " ".join(romanize(word, engine="royin") if THAI.search(word) else word for word in name.split())


@cache
def _variants() -> tuple[frozenset, dict[str, str], frozenset, dict[str, str]]:
    """(titles, particle spellings -> particle, articles, given-name spellings -> key) from name_variants.yaml."""
    table = yaml.safe_load((loaders_dir() / "vocab" / "name_variants.yaml").read_text(encoding="utf-8"))
    particles = {spelling: key for key, spellings in table["particles"].items() for spelling in spellings}
    given = {spelling: key for key, spellings in table["given"].items() for spelling in spellings}
    return frozenset(table["titles"]), particles, frozenset(a.strip("-") for a in table["articles"]), given


def _strip_article(word: str) -> str:
    """marabh from almarabh and al-marabh (hyphens are gone by now); shehri from ashshehri (a sun letter)."""
    sun = re.match(r"a([tdrzsln]|sh|th|dh)\1(.{2,})$", word)
    if sun:
        return sun.group(1) + sun.group(2)
    if re.match(r"(al|el)[a-z]{4,}$", word) and not word.startswith(("all", "ell")):
        return word[2:]
    return word


def _romanisation_fold(word: str) -> str:
    """Letters that romanisations of one name write differently; a single Vietnamese syllable is left as it
    is (Thanh and Tan are two Vietnamese names), and so is one pinyin syllable (Zhou and Zhu are two surnames)."""
    if VN_SYLLABLE.fullmatch(word) or word in _romanisations()[1]:
        return word
    for a, b in (("dj", "j"), ("j", "ch"), ("ph", "p"), ("th", "t"), ("kh", "k"), ("ee", "i"), ("oo", "u"),
                 ("ou", "u"), ("ae", "e"), ("q", "k"), ("v", "w")):
        word = word.replace(a, b)
    word = re.sub(r"(.)\1+", r"\1", word)
    word = re.sub(r"(?<=[aeiou])w(?![aeiou])", "o", word)  # Thai and Lao: kaew and kaeo
    word = re.sub(r"r(?=[^aeiouy])", "", word)  # Thai: Pornthip and Phonthip
    word = re.sub(r"(?<=[^cs])h$", "", word)
    word = re.sub(r"(?<=.{3}[nm])e$", "", word)  # Lao: Somphone and Somphon
    word = re.sub(r"(?<=u)l$", "n", word)  # Thai: Rattanakul and Rattanakun
    return re.sub(r"y$", "i", word) if len(word) > 2 else word


def folded_words(name: str) -> list[str]:
    """A name's words, each tradition's variants folded (see the module doc), in the order written.

    >>> folded_words("Abd al-Aziz ibn Saud"), folded_words("Abdulaziz Bin Saud")
    (['abdaziz', 'binsaud'], ['abdaziz', 'binsaud'])
    >>> folded_words("Alhaji Muhammadu Bello"), folded_words("Mohamed Bello")
    (['muhamad', 'belo'], ['muhamad', 'belo'])
    """
    titles, particles, articles, given = _variants()
    words = _ascii(APOSTROPHES.sub("", _romanised(name)).replace("-", "")).split()
    while len(words) > 2 and words[0] in titles:
        words = words[1:]
    words = [w for w in words if w not in articles] or words
    out: list[str] = []
    for word in words:
        if out and out[-1] in particles.values() and not out[-1].endswith(" "):
            out[-1] = out[-1] + " "  # the particle waits for its word
        glued = re.match(r"(abd|bin|ibn|abu)(ul|el|al|il|ol|u|ou)?([a-z]{3,})$", word)
        if glued and word not in given and word not in particles:
            head = particles.get(glued.group(1), glued.group(1))
            word = head + _strip_article(glued.group(3)) if glued.group(2) is None else head + glued.group(3)
        elif word in particles:
            out.append(particles[word])
            continue
        else:
            word = _strip_article(word)
        if out and out[-1].endswith(" "):
            out[-1] = out[-1].strip() + re.sub(r"^(al|el|ul)(?=[a-z]{3})", "", word)
        else:
            out.append(given.get(word, word))
    return [_romanisation_fold(given.get(w.strip(), w.strip())) for w in out]


@cache
def _romanisations() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """(romanised Chinese syllable -> the Mandarin (pinyin) syllables it may stand for, the pinyin syllables):
    pinyin itself, Wade–Giles (pypinyin) and Hong Kong government Cantonese (cantonese-romanisation; the
    usual spelling of each character) for the 3,755 most used characters (GB 2312 level 1), and Hokkien,
    Teochew and Hakka spellings of surnames (chinese_surnames.yaml)."""
    from cantoroman import Cantonese
    from pypinyin import Style

    cantonese, traditional = Cantonese(), _s2t()
    table: dict[str, set[str]] = {}

    def add(spelling: str, reading: str) -> None:
        table.setdefault(_ascii(APOSTROPHES.sub("", spelling).replace("v", "u")), set()).add(reading)
    pinyin = set()
    for code in range(0xB0A1, 0xD7FA):  # GB 2312 level 1: rows 16-55, 94 cells each
        if not 0xA1 <= code % 256 <= 0xFE:
            continue
        char = bytes([code >> 8, code & 0xFF]).decode("gb2312", errors="ignore")
        if not char:
            continue
        reading = lazy_pinyin(char)[0].replace("v", "u")
        pinyin.add(reading)
        add(reading, reading)
        add(lazy_pinyin(char, style=Style.WADEGILES)[0], reading)
        spellings = cantonese.getRoman(traditional.convert(char))[0]
        if spellings:  # the first is the usual spelling (陳: chan, not chun)
            add(spellings[0], reading)
    surnames = yaml.safe_load((loaders_dir() / "vocab" / "chinese_surnames.yaml").read_text(encoding="utf-8"))
    for char, spellings in surnames.items():
        for spelling in spellings:
            add(spelling, lazy_pinyin(char)[0])
    return {k: frozenset(v) for k, v in table.items() if k and " " not in k}, frozenset(pinyin)


@cache
def _s2t():
    import opencc
    return opencc.OpenCC("s2t")


def _syllables(word: str) -> list[str] | None:
    """A word cut into romanised Chinese syllables (Weijun -> wei jun), fewest first; None if it cannot be."""
    table = _romanisations()[0]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is not None and word[start:end] in table:
                candidate = best[start] + [word[start:end]]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1]


def chinese_readings(ascii_name: str) -> tuple[list[str] | None, list[str] | None]:
    """(the name as pinyin, if it is written in pinyin; the Chinese names it may stand for), each as
    "surname givenname" in pinyin, surname first or last; None unless every word is one to three romanised
    syllables (two to four in all) and there are at most MAX_READINGS readings.

    >>> chinese_readings("zhang weiguo")[0], "huang weijun" in chinese_readings("wong wai kwan")[1]
    (['zhang weiguo', 'guo zhangwei'], True)
    """
    table, pinyin = _romanisations()
    words = [_syllables(w) for w in ascii_name.split()]
    if not words or any(w is None or not 1 <= len(w) <= 3 for w in words):
        return None, None
    syllables = [s for w in words for s in w]
    if not 2 <= len(syllables) <= 4:
        return None, None
    orders = [(syllables[0], syllables[1:])] + ([(syllables[-1], syllables[:-1])] if len(words) > 1 else [])
    literal = [f"{surname} {''.join(given)}" for surname, given in orders] \
        if all(s in pinyin for s in syllables) else None
    readings: list[str] = []
    for surname, given in orders:
        choices = [sorted(table[surname])] + [sorted(table[s]) for s in given]
        if np.prod([len(c) for c in choices]) > MAX_READINGS:
            return literal, None
        for first, *rest in _product(choices):
            if f"{first} {''.join(rest)}" not in readings:
                readings.append(f"{first} {''.join(rest)}")
    return literal, readings


def _product(choices: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for options in choices:
        out = [o + [c] for o in out for c in options]
    return out


def phone_e164(text: str, region: str | None = None) -> str | None:
    """A phone number in E.164, reading national numbers in ``region`` (ISO code); None if it is no number.
    A national number written with its country code but no '+' (84-912-…) is recognised too."""
    digits = re.sub(r"[^\d+]", "", text)
    if not digits:
        return None
    candidates = [(text, region)]
    if not digits.startswith("+"):
        candidates.append(("+" + digits, None))
    for candidate, where in candidates:
        try:
            number = phonenumbers.parse(candidate, where)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def document_key(text: str) -> str:
    """Passport, ID or plate number: upper-case letters and digits only (14C-123.45 → 14C12345)."""
    return re.sub(r"[^0-9A-Z\u3400-\u9fff]", "", unicodedata.normalize("NFKC", text).upper())
