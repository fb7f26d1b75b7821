"""Company legal forms (``loaders/vocab/legal_forms.yaml``: Co., Ltd, Công ty TNHH, 有限公司, Sdn Bhd …).

A company's name compares without them (``company_key``); a text that is nothing but legal forms names no
company (``legal_form_only``); and a list of companies is never split inside one (``split_companies``).

>>> company_key("Công ty TNHH Thương mại Biển Bắc"), company_key("Dongxing Hengtai Trading Co., Ltd")
('thuong mai bien bac', 'dongxing hengtai')
>>> legal_form_only("Co.,Ltd."), legal_form_only("有限公司"), legal_form_only("Hengtai Co., Ltd")
(True, True, False)
>>> split_companies("Hengtai Co., Ltd, Acme, Inc.", re.compile(","))
['Hengtai Co., Ltd', ' Acme, Inc.']
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from unidecode import unidecode

from .species import CJK, _t2s
from .vocab import CELL_CACHE, read_vocab

COMMA = re.compile("[,，]")  # legal forms hold commas ("Co., Ltd", "Acme, Inc."), never other separators


@cache
def legal_forms() -> tuple[list[str], list[str]]:
    """(folded Latin forms, Chinese forms), longest first."""
    forms = read_vocab("legal_forms")
    latin = sorted({fold_ascii(f) for f in forms if not CJK.search(f)}, key=len, reverse=True)
    chinese = sorted((f for f in forms if CJK.search(f)), key=len, reverse=True)
    return latin, chinese


def fold_ascii(text: str) -> str:
    """Lower-case ASCII with single spaces: diacritics dropped (đ → d), punctuation to spaces."""
    text = unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d")
    text = unidecode(text).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text)).strip()


def company_key(name: str) -> str:
    """A company's name without legal-form words (Co., Ltd, Công ty TNHH, 有限公司, Sdn Bhd …)."""
    latin, chinese = legal_forms()
    if CJK.search(name):
        key = _t2s().convert(name)
        for form in chinese:
            key = key.replace(form, " ")
        return re.sub(r"\s+", " ", key).strip()
    key = f" {fold_ascii(name)} "
    for form in latin:
        while f" {form} " in key:
            key = key.replace(f" {form} ", " ")
    return key.strip()


@lru_cache(maxsize=CELL_CACHE)
def legal_form_only(text: str) -> bool:
    """Whether ``text`` holds legal forms and nothing else ("Ltd", "Co.,Ltd.", "Công ty TNHH", "有限公司")."""
    return bool(fold_ascii(text)) and not company_key(text)


def split_companies(text: str, separators: re.Pattern) -> list[str]:
    """``text`` split where ``separators`` match, but not inside a legal form: a part that is only legal forms
    after a comma ("Ltd" of "Co., Ltd", "Inc." of "Acme, Inc.") stays with the part before it."""
    pieces = re.split(f"({separators.pattern})", text)
    parts = [pieces[0]]
    for separator, part in zip(pieces[1::2], pieces[2::2]):
        if COMMA.search(separator) and parts[-1].strip() and legal_form_only(part):
            parts[-1] += separator + part
        else:
            parts.append(part)
    return parts
