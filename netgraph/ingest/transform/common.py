"""Small functions over cells that every field family uses: null cells, lookups, splitting, patterns, money."""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import vocab
from ..mapping import Column, Party
from ..vocab import normalise

NULL_TOKENS = {"", "unknown", "n/a", "na", "none", "null", "-", "?", "không rõ", "chưa rõ", "không xác định",
               "不详", "未知"}
LINE_BREAK = re.compile(r"[\r\n]+")
MAX_PATTERN_CHARS = 2_000  # a longer entry is not matched against a mapping's pattern (its row is rejected)
MAX_MONEY_CHARS = 100  # a longer cell is no amount of money
# an amount of money: a currency before or after the amount (or both, naming the same one: "人民币5万元")
MONEY = re.compile(r"^(?P<before>[^\d\s.,-][^\d]*?)?\s*(?P<amount>\d[\d.,'\s]*?)\s*(?P<wan>万)?\s*"
                   r"(?P<after>[^\d\s.,][^\d]*)?$")
PLAIN_AMOUNT = re.compile(r"\d+(?:[.,]\d{1,2})?")  # 50000, 12.50, 12,5
GROUPED_AMOUNT = re.compile(r"\d{1,3}(?P<group>[.,])\d{3}(?:(?P=group)\d{3})*(?:(?P<decimal>[.,])\d{1,2})?")


def _lookup(values: pd.Series, at: pd.DataFrame) -> pd.Series:
    """``values`` (indexed by row and item) at the rows and items of ``at``, aligned with ``at`` (None where
    there is none)."""
    table = pd.DataFrame({"row": values.index.get_level_values(0), "item": values.index.get_level_values(1),
                          "value": values.to_numpy(dtype=object)}) if len(values) else pd.DataFrame(
        {"row": pd.Series(dtype=int), "item": pd.Series(dtype=int), "value": pd.Series(dtype=object)})
    found = at[["row", "item"]].astype("int64").merge(table.astype({"row": "int64", "item": "int64"}),
                                                      on=["row", "item"], how="left")["value"]
    return pd.Series(found.to_numpy(dtype=object), index=at.index, dtype=object).where(found.notna().to_numpy(),
                                                                                          None)


def _map_unique(values: pd.Series, func) -> pd.Series:
    """``func`` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(u) for u in uniques]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _is_null(values: pd.Series) -> np.ndarray:
    return _map_unique(values, lambda v: normalise(v) in NULL_TOKENS).to_numpy(dtype=bool)


def _one_line(text: str, joiner: str = " ") -> str:
    """A cell's lines joined by one space (or by ``joiner``, such as ', ', not doubling one a line ends with)."""
    edge = joiner.strip()
    return joiner.join(part for part in (p.strip().strip(edge).strip() for p in LINE_BREAK.split(text)) if part)


def _separators(separator: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (separator,) if isinstance(separator, str) else tuple(separator)


@lru_cache(maxsize=64)
def _splitter(separators: tuple[str, ...]) -> re.Pattern:
    """One regular expression splitting at any of ``separators`` (a line break also at '\\r\\n')."""
    alternatives = sorted({re.escape(s) for s in separators}, key=len, reverse=True)
    if "\n" in separators:
        alternatives.insert(0, re.escape("\r\n"))
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _group(pattern: str, group: str, text: str) -> str | None:
    """The ``group`` of ``pattern`` found in ``text`` (stripped; '' where the group took no part), or None
    where the pattern is not found."""
    match = _pattern(pattern).search(text) if len(text) <= MAX_PATTERN_CHARS else None
    if match is None:
        return None
    return (match.group(group) or "").strip()


def _value_map(spec: Column | Party):
    """A function reading a value through the field's value map (keys compared as ``normalise`` does)."""
    table = {normalise(k): v for k, v in spec.map.items()}
    return lambda text: table.get(normalise(text), text) if text else text


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u00C0-\uFFFF]", "", text).upper()


def _money(text: str, default_currency: str | None) -> tuple[float, str] | str:
    """(amount, ISO 4217 code) of an amount of money as written, or why it is not one. The amount's digits
    may be grouped by threes with ',', '.', a space or an apostrophe (50,000 · 50.000 · 50 000) and end in a
    decimal part of one or two digits after the other mark (1,234.50 · 1.234,50 · 12.5); '万' after it
    multiplies it by 10,000. The currency (a code or a symbol, see :func:`netgraph.ingest.vocab.currency`)
    stands before or after it; ``default_currency`` where the cell names none.

    >>> _money("¥50,000", None), _money("50.000 VND", None), _money("人民币5万元", None), _money("1.234,5", "EUR")
    ((50000.0, 'CNY'), (50000.0, 'VND'), (50000.0, 'CNY'), (1234.5, 'EUR'))
    """
    match = MONEY.match(text) if len(text) <= MAX_MONEY_CHARS else None
    amount = _amount(match.group("amount")) if match else None
    if amount is None:
        return f"{text!r} is not an amount of money (e.g. '50,000 CNY', 'CNY 50,000', '¥50,000')"
    marks = [m.strip() for m in (match.group("before"), match.group("after")) if m and m.strip()]
    codes = [vocab.currency(m) for m in marks]
    if None in codes:
        unknown = marks[codes.index(None)]
        return (f"unknown currency {unknown!r} in {text!r} (an ISO 4217 code such as CNY, VND, USD, or a symbol of "
                "loaders/vocab/currencies.yaml)")
    if len(set(codes)) > 1:
        return f"{text!r} names two currencies"
    code = codes[0] if codes else default_currency
    if code is None:
        return f"{text!r} names no currency and the mapping gives none (currency: CNY)"
    return amount * (10_000 if match.group("wan") else 1), code


def _amount(text: str) -> float | None:
    """An amount as the digits of :func:`_money` write it, or None."""
    text = re.sub(r"[\s']", "", text)
    if PLAIN_AMOUNT.fullmatch(text):
        return float(text.replace(",", "."))
    grouped = GROUPED_AMOUNT.fullmatch(text)
    if grouped is None or grouped.group("decimal") == grouped.group("group"):
        return None
    whole, _, decimals = text.rpartition(grouped.group("decimal")) if grouped.group("decimal") else (text, "", "")
    return float(whole.replace(grouped.group("group"), "") + "." + (decimals or "0"))
