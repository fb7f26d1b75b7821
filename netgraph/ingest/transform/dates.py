"""Dates: a day, a month or a year as written in one of the mapping's formats, a range of two, or a date
built from year, month and day columns; an unparseable one rejects its row."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import vocab
from ..mapping import DateColumn
from .common import _is_null, _separators, _splitter
from .core import Compiler

WHOLE_PART = re.compile(r"([0-9]{1,4})(?:\.0+)?")  # a year, month or day; a spreadsheet may write 3 as 3.0
PART_NAMES = ("year", "month", "day")
DATE_RANGE = re.compile(r"(?<=\s)(?:to|until|till)(?=\s)|[–—~～至到]|(?<=\s)-(?=\s)", re.IGNORECASE)  # 'A to B', 'A–B'


@dataclass
class When:
    """A date field per row: its first possible day (the date), the end of its range, its precision, its last
    possible day, every date of a cell that gives several (ISO 8601 at their precisions, as written; None
    where one), and the cell's dates as a reason shows them."""
    first: pd.Series
    end: pd.Series
    precision: pd.Series
    last: pd.Series
    several: pd.Series
    shown: pd.Series


def column_of(spec: DateColumn | None) -> str | None:
    """The column a date field's reasons name (a date from parts: its year column)."""
    return (spec.column or spec.year) if spec is not None else None


class Dates(Compiler):
    """Date fields: each cell an interval (first and last possible day) per row."""

    def dates(self, spec: DateColumn | None) -> pd.Series:
        """Dates of a field (None where empty; the earliest first day); an unparseable one rejects its row."""
        return self.when(spec).first

    def when(self, spec: DateColumn | None) -> When:
        """A date field per row; a cell may give several dates, at the field's separator (else the mapping's
        list separator), unless the whole cell reads as one date or range."""
        if spec is None:
            return When(*(pd.Series([None] * self.n, dtype=object) for _ in range(6)))
        if spec.year is not None:
            return self.date_parts(spec)
        text = self.text(spec)
        formats = tuple(self.m.date_formats)
        joined = spec.separator is not None or spec.pattern is not None  # entries joined by text()
        separators = ("; ",) if joined else _separators(self.m.list_separator)
        return self._dated(text, lambda t: _parse_cell(t, formats, separators) if t else None, spec.column)

    def date_parts(self, spec: DateColumn) -> When:
        """A date built from year, month and day columns (month and day may be empty: a coarser date); each
        part may give several values (one year for several months)."""
        parts = [self.cells(c) if c else self.blank for c in (spec.year, spec.month, spec.day)]
        parts = [p.where(~_is_null(p), "") for p in parts]
        if spec.required:
            self.error(parts[0] == "", spec.year, "required value is empty")
        separators = _separators(self.m.list_separator)
        return self._dated(pd.Series(list(zip(*parts)), dtype=object),
                           lambda k: _dates_from_parts(k, separators), (spec.year, spec.month, spec.day))

    def _dated(self, keys: pd.Series, parse, column) -> When:
        """``When`` from ``parse`` of each distinct key: (first, end, precision, last, (ISO of each date)),
        None, or (why not, column or index of ``column``); a reason rejects its row."""
        codes, uniques = pd.factorize(keys.to_numpy(dtype=object), use_na_sentinel=False)
        parsed = [parse(k) for k in uniques]
        good = [p if p is not None and not isinstance(p[0], str) else None for p in parsed]

        def per_row(pick) -> pd.Series:
            values = np.empty(len(good), dtype=object)
            for index, g in enumerate(good):  # one at a time: a list is one value
                values[index] = pick(g) if g is not None else None
            return pd.Series(values[codes], dtype=object)

        reasons = np.array([p[0] if p is not None and isinstance(p[0], str) else None for p in parsed],
                           dtype=object)[codes]
        bad = pd.notna(reasons)
        if bad.any():
            where = column if not isinstance(column, tuple) else np.array(
                [column[p[1]] if p is not None and isinstance(p[0], str) else None for p in parsed], dtype=object)[codes]
            self.error(bad, where, reasons)
        return When(*(per_row(lambda g, i=i: g[i]) for i in range(4)),
                    per_row(lambda g: list(g[4]) if len(g[4]) > 1 else None), per_row(lambda g: "; ".join(g[4])))


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
    """(first day, last day of a range or None, precision, last possible day, ISO 8601) of a date or a range
    of two ('A to B', 'A–B', 'A - B'); or (why it is not one,)."""
    one = _parse_one(text, formats)
    if one is not None:
        return one[0], None, one[1], _last_day(*one), _iso(*one)
    ends = DATE_RANGE.split(text)
    if len(ends) == 1:
        return (f"unparseable date {text!r} (expected {', '.join(formats)})",)
    first, last = (_parse_one(end.strip(), formats) for end in ends) if len(ends) == 2 else (None, None)
    if first is None or last is None:
        return (f"unparseable date range {text!r} (expected two dates, each {', '.join(formats)}: 'A to B', "
                "'A–B')",)
    if last[0] < first[0]:
        return (f"date range {text!r} ends before it starts",)
    return first[0], last[0], first[1], _last_day(*last), _iso(*first) + "/" + _iso(*last)


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_cell(text: str, formats: tuple[str, ...], separators: tuple[str, ...]) -> tuple:
    """A cell's dates: one date or range, else several at ``separators`` (see ``_together``); or (why not,)."""
    whole = _parse_when(text, formats)
    if not isinstance(whole[0], str):
        return _together([whole])
    entries = _entries(text, separators)
    if not entries or entries == [text]:
        return whole
    parsed = [_parse_when(e, formats) for e in entries]
    for p in parsed:
        if isinstance(p[0], str):
            return (f"{p[0]}, one of the dates {text!r}",)
    return _together(parsed)


def _entries(text: str, separators: tuple[str, ...]) -> list[str]:
    """The non-empty entries of ``text`` split at ``separators``, stripped."""
    if not separators:
        return [text] if text else []
    return [e for e in (part.strip() for part in _splitter(separators).split(text)) if e]


def _together(parsed: list[tuple]) -> tuple:
    """Several dates as one: the earliest's first day, range end and precision, the latest last day, and the
    ISO 8601 of each as written."""
    earliest = min(parsed, key=lambda p: p[0])
    return earliest[0], earliest[1], earliest[2], max(p[3] for p in parsed), tuple(p[4] for p in parsed)


def _last_day(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def _iso(day: dt.date, precision: str) -> str:
    return {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}"}.get(precision, day.isoformat())


def _dates_from_parts(parts: tuple[str, str, str], separators: tuple[str, ...]) -> tuple | None:
    """Dates from year, month and day as written, each part one value or several (as many as the others, or
    one for all); or (why not, index of the bad part)."""
    values = [_entries(p, separators) for p in parts]
    many = max(len(v) for v in values)
    if many <= 1:
        one = _date_from_parts(tuple(v[0] if v else "" for v in values))
        return one if one is None or isinstance(one[0], str) else _together([one])
    widest = PART_NAMES[[len(v) for v in values].index(many)]
    for index, v in enumerate(values):
        if len(v) not in (0, 1, many):
            return f"{len(v)} {PART_NAMES[index]}s for {many} {widest}s", index
    parsed = [_date_from_parts(tuple(v[i] if len(v) == many else v[0] if v else "" for v in values))
              for i in range(many)]
    for p in parsed:
        if isinstance(p[0], str):
            return p
    return _together(parsed)


def _date_from_parts(parts: tuple[str, str, str]) -> tuple | None:
    """(date, None, precision, last possible day, ISO 8601) from year, month and day as written (None if
    none); or (why not, index of the bad part)."""
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
    precision = PART_NAMES[len(values) - 1]
    return date, None, precision, _last_day(date, precision), _iso(date, precision)
