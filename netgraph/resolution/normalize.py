"""Comparable forms of names, phones, documents, plates and companies, for entity resolution.

The original spelling is never replaced: these keys sit beside it.

>>> name_keys("Nguyễn Văn Hùng")["ascii"], name_keys("NGUYEN VAN HUNG")["ascii"]
('nguyen van hung', 'nguyen van hung')
>>> name_keys("Hung Nguyen Van")["sorted"] == name_keys("Nguyễn Văn Hùng")["sorted"]
True
>>> name_keys("阮文雄")["hanviet"], name_keys("王偉")["pinyin"], name_keys("王偉")["sorted"]
('nguyen van hung', 'wang wei', '王伟')
>>> phone_e164("0912 345 678", "VN"), phone_e164("84-912-345-678", "VN"), phone_e164("+84912345678")
('+84912345678', '+84912345678', '+84912345678')
>>> company_key("Công ty TNHH Thương mại Biển Bắc"), company_key("Dongxing Hengtai Trading Co., Ltd")
('thuong mai bien bac', 'dongxing hengtai')
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

import phonenumbers
import yaml
from pypinyin import lazy_pinyin
from unidecode import unidecode

from ..resources import loaders_dir

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@cache
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


@cache
def _han_viet() -> dict[str, str]:
    table = yaml.safe_load((loaders_dir() / "vocab" / "han_viet.yaml").read_text(encoding="utf-8"))
    return {k: _ascii(v) for k, v in table.items()}


@cache
def _legal_forms() -> tuple[list[str], list[str]]:
    """(folded Latin forms, Chinese forms), longest first."""
    forms = yaml.safe_load((loaders_dir() / "vocab" / "legal_forms.yaml").read_text(encoding="utf-8"))
    latin = sorted({_ascii(f) for f in forms if not CJK.search(f)}, key=len, reverse=True)
    chinese = sorted((f for f in forms if CJK.search(f)), key=len, reverse=True)
    return latin, chinese


def _ascii(text: str) -> str:
    """Lower-case ASCII with single spaces: diacritics dropped (đ → d), punctuation to spaces."""
    text = unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d")
    text = unidecode(text).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text)).strip()


def name_keys(name: str) -> dict[str, str | None]:
    """Keys of a person's name: ``ascii`` (as written, folded), ``sorted`` (tokens sorted: name order does
    not matter), and for names in Chinese characters ``pinyin`` and ``hanviet`` (Sino-Vietnamese reading,
    when every character has one). A name in hanzi keeps its characters (traditional forms simplified) as
    ``ascii`` and ``sorted``: it meets a Latin spelling through its readings, not by pretending to be one."""
    keys: dict[str, str | None] = {"pinyin": None, "hanviet": None}
    if CJK.search(name):
        simple = _t2s().convert(re.sub(r"\s+", "", name))
        syllables = lazy_pinyin(simple)  # pinyin writes the given name as one word: Wang Weijun
        keys["pinyin"] = _ascii(" ".join(syllables[:1] + ["".join(syllables[1:])]))
        table = _han_viet()
        if all(ch in table for ch in simple if CJK.match(ch)):
            keys["hanviet"] = " ".join(table[ch] for ch in simple if CJK.match(ch))
        keys["ascii"] = keys["sorted"] = simple
        return keys
    keys["ascii"] = _ascii(name)
    keys["sorted"] = " ".join(sorted(keys["ascii"].split()))
    return keys


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


def company_key(name: str) -> str:
    """A company's name without legal-form words (Co., Ltd, Công ty TNHH, 有限公司, Sdn Bhd …)."""
    latin, chinese = _legal_forms()
    if CJK.search(name):
        key = _t2s().convert(name)
        for form in chinese:
            key = key.replace(form, " ")
        return re.sub(r"\s+", " ", key).strip()
    key = f" {_ascii(name)} "
    for form in latin:
        while f" {form} " in key:
            key = key.replace(f" {form} ", " ")
    return key.strip()


def document_key(text: str) -> str:
    """Passport, ID or plate number: upper-case letters and digits only (14C-123.45 → 14C12345)."""
    return re.sub(r"[^0-9A-Z\u3400-\u9fff]", "", unicodedata.normalize("NFKC", text).upper())
