"""Cells every export writes for spreadsheets: text that a spreadsheet would run as a formula is made inert.

A name such as ``=HYPERLINK("http://x","click")`` in a seizure record must reach a CSV or XLSX export as
text, not as a formula Excel, LibreOffice or Google Sheets evaluates (CSV/formula injection). Following
OWASP, a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or NUL (also after
leading spaces, and the full-width ``＝＋－＠``) gets a leading ``'``. Only text is touched: numbers,
dates and empty cells are written as they are, so a real -3 stays a number.

>>> safe_cell("=1+1"), safe_cell("-2"), safe_cell(-3), safe_cell("Nguyễn Văn Hùng")
("'=1+1", "'-2", -3, 'Nguyễn Văn Hùng')
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

#: first characters that make a spreadsheet read a text cell as a formula (or part of one)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")


def safe_cell(value):
    """``value`` with a leading ``'`` if it is text a spreadsheet would evaluate; anything else unchanged.

    >>> safe_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`safe_cell` applied to every text cell and column name.

    Numeric, boolean and datetime columns are left alone (their cells are not text).
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out.isetitem(i, column.astype(object).map(safe_cell))
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` (no index) as UTF-8 CSV with a BOM, so it opens right in Excel, formula cells made inert.

    Lines end in CRLF (RFC 4180): the csv module quotes a cell holding any character of the line ending, so a
    cell with a bare CR is quoted too and a reader never splits its row."""
    safe_cells(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)
