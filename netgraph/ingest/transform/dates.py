"""Dates: a day, a month or a year as written in one of the mapping's formats, a range of two, or a date
built from year, month and day columns; an unparseable one rejects its row."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import vocab
from ..mapping import DateColumn
from .common import _is_null
from .core import Compiler

WHOLE_PART = re.compile(r"([0-9]{1,4})(?:\.0+)?")  # a year, month or day; a spreadsheet may write 3 as 3.0
DATE_RANGE = re.compile(r"(?<=\s)(?:to|until|till)(?=\s)|[–—~～至到]|(?<=\s)-(?=\s)", re.IGNORECASE)  # 'A to B', 'A–B'


class Dates(Compiler):
    """Date fields: (first day, last day, precision) per row."""

    def dates(self, spec: DateColumn | None) -> pd.Series:
        """Dates of a field (None where empty; a range's first day); an unparseable one rejects its row."""
        return self.when(spec)[0]

    def when(self, spec: DateColumn | None) -> tuple[pd.Series, pd.Series, pd.Series]:
        """A date field per row: (first day, last day where a range, precision: day, month or year)."""
        if spec is None:
            return tuple(pd.Series([None] * self.n, dtype=object) for _ in range(3))
        if spec.year is not None:
            return self.date_parts(spec)
        text = self.text(spec)
        formats = tuple(self.m.date_formats)
        return self._dated(text, lambda t: _parse_when(t, formats) if t else None, spec.column)

    def date_parts(self, spec: DateColumn) -> tuple[pd.Series, pd.Series, pd.Series]:
        """A date built from year, month and day columns (month and day may be empty: a coarser date)."""
        parts = [self.cells(c) if c else self.blank for c in (spec.year, spec.month, spec.day)]
        parts = [p.where(~_is_null(p), "") for p in parts]
        if spec.required:
            self.error(parts[0] == "", spec.year, "required value is empty")
        return self._dated(pd.Series(list(zip(*parts)), dtype=object), _date_from_parts,
                           (spec.year, spec.month, spec.day))

    def _dated(self, keys: pd.Series, parse, column) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(first day, last day, precision) per row from ``parse`` of each distinct key: a tuple of them, None,
        or (why not, column or index of ``column``); a reason rejects its row."""
        codes, uniques = pd.factorize(keys.to_numpy(dtype=object), use_na_sentinel=False)
        parsed = [parse(k) for k in uniques]
        out = [np.array([p[i] if p is not None and not isinstance(p[0], str) else None for p in parsed],
                        dtype=object)[codes] for i in range(3)]
        reasons = np.array([p[0] if p is not None and isinstance(p[0], str) else None for p in parsed],
                           dtype=object)[codes]
        bad = pd.notna(reasons)
        if bad.any():
            where = column if not isinstance(column, tuple) else np.array(
                [column[p[1]] if p is not None and isinstance(p[0], str) else None for p in parsed], dtype=object)[codes]
            self.error(bad, where, reasons)
        return tuple(pd.Series(o, dtype=object) for o in out)


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_date(text: str, formats: tuple[str, ...]) -> dt.date | None:
    found = _parse_one(text, formats)
    return found[0] if found else None


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_one(text: str, formats: tuple[str, ...]) -> tuple[dt.date, str] | None:
    """(date, precision) of a date as written in one of ``formats``: a format without a day gives the first
    of the month (precision ``month``), without a month the first of the year (``year``)."""
    for fmt in dict.fromkeys([*formats, "%Y-%m-%d"]):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day, _precision(fmt)
    return None


def _precision(fmt: str) -> str:
    if re.search(r"%[dj]", fmt):
        return "day"
    return "month" if re.search(r"%[mbB]", fmt) else "year"


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_when(text: str, formats: tuple[str, ...]) -> tuple:
    """(first day, last day or None, precision) of a date or a range of two ('A to B', 'A–B', 'A - B'); or
    (why it is not one,)."""
    one = _parse_one(text, formats)
    if one is not None:
        return one[0], None, one[1]
    ends = DATE_RANGE.split(text)
    if len(ends) == 1:
        return (f"unparseable date {text!r} (expected {', '.join(formats)})",)
    first, last = (_parse_one(end.strip(), formats) for end in ends) if len(ends) == 2 else (None, None)
    if first is None or last is None:
        return (f"unparseable date range {text!r} (expected two dates, each {', '.join(formats)}: 'A to B', "
                "'A–B')",)
    if last[0] < first[0]:
        return (f"date range {text!r} ends before it starts",)
    return first[0], last[0], first[1]


def _date_from_parts(parts: tuple[str, str, str]) -> tuple | None:
    """(date, None, precision) from year, month and day as written (None if none); or (why not, index of the
    bad part)."""
    year, month, day = parts
    if not year:
        return None if not (month or day) else ("a month or day without a year", 0)
    values = []
    for index, (text, low, high, name) in enumerate(((year, 1, 9999, "year"), (month, 1, 12, "month"),
                                                     (day, 1, 31, "day"))):
        if not text:
            break
        number = WHOLE_PART.fullmatch(text)
        if number is None or not low <= int(number.group(1)) <= high:
            return f"{name} {text!r} is not {'a year' if name == 'year' else f'{low}–{high}'}", index
        values.append(int(number.group(1)))
    if day and not month:
        return "a day without a month", 2
    try:
        date = dt.date(values[0], values[1] if len(values) > 1 else 1, values[2] if len(values) > 2 else 1)
    except ValueError:
        return f"no such date: year {year}, month {month}, day {day}", 2
    return date, None, ("year", "month", "day")[len(values) - 1]
