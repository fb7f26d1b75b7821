"""Read source files (CSV, XLSX, JSON) into a table of strings, detecting encoding and CSV dialect.

Encodings are detected by charset-normalizer among the ones agencies actually send (UTF-8 with or without
BOM, cp1258 for Vietnamese, GB18030 for Chinese, cp1252/Latin-1 for Western exports); the CSV dialect by
CleverCSV. Text is returned in Unicode NFC, so that a Vietnamese name decoded from cp1258 (which stores
tone marks as combining characters) equals the same name typed in UTF-8.

Every record keeps its ``row``: the spreadsheet row number for CSV/XLSX (the header is row 1) and the
1-based position of the object for JSON.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import clevercsv
import pandas as pd

CANDIDATE_ENCODINGS = ("utf_8", "cp1258", "gb18030", "cp1252", "latin_1")
SNIFF_CHARS = 50_000
DELIMITERS = (",", ";", "\t", "|")


class SourceError(ValueError):
    """The file cannot be read as a table (nothing was written)."""


@dataclass
class Table:
    frame: pd.DataFrame  # all cells are str ("" for empty); column "__row__" holds the row number
    encoding: str | None
    delimiter: str | None


def read_table(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | int | None = None) -> Table:
    """Read ``path`` by its extension (.csv/.tsv/.txt, .xlsx, .json) into a :class:`Table`.

    >>> t = read_table("loaders/samples/cen_customs_sample.csv")   # doctest: +SKIP
    >>> t.encoding, t.delimiter                                     # doctest: +SKIP
    ('utf_8', ',')
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame, enc, delim = _read_xlsx(path, sheet), None, None
        first_row = 2
    elif suffix == ".json":
        frame, enc, delim = _read_json(path, encoding)
        first_row = 1
    else:
        frame, enc, delim = _read_csv(path, encoding, delimiter)
        first_row = 2
    frame.columns = [_clean_text(str(c)).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise SourceError(f"{path}: duplicate column names {dupes}")
    frame = frame.map(_cell_text)
    frame.insert(0, "__row__", range(first_row, first_row + len(frame)))
    return Table(frame, enc, delim)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` with ``encoding`` or the detected one; return (text in NFC, encoding used)."""
    if encoding is None:
        if data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf_8_sig"
        else:
            try:
                data.decode("utf_8")
                encoding = "utf_8"
            except UnicodeDecodeError:
                best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS[1:])).best()
                if best is None:
                    raise SourceError("cannot detect the text encoding; name it with --encoding") from None
                encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc}") from None
    return _clean_text(text), encoding


def _read_csv(path: Path, encoding: str | None, delimiter: str | None):
    text, enc = decode(path.read_bytes(), encoding)
    if not text.strip():
        raise SourceError(f"{path}: the file is empty")
    quotechar, escapechar = '"', None
    if delimiter is None:
        try:
            dialect = clevercsv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=list(DELIMITERS))
        except clevercsv.Error:
            dialect = None
        if dialect is not None and dialect.delimiter:
            delimiter, quotechar, escapechar = dialect.delimiter, dialect.quotechar or '"', dialect.escapechar or None
        else:
            delimiter = _header_delimiter(text)
        if delimiter is None:
            raise SourceError(f"{path}: cannot detect the CSV delimiter; name it (--delimiter)")
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, quotechar=quotechar, escapechar=escapechar,
                        dtype=str, keep_default_na=False, skip_blank_lines=True, engine="python")
    return frame, enc, delimiter


def _header_delimiter(text: str) -> str | None:
    """Fallback when CleverCSV finds no dialect (heavily quoted cells): the candidate that splits the
    header line into the most columns, if it splits it at all."""
    header = text.splitlines()[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else None


def _read_xlsx(path: Path, sheet) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise SourceError(f"{path}: cannot read the workbook: {exc}") from None


def _read_json(path: Path, encoding: str | None):
    text, enc = decode(path.read_bytes(), encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(f"{path}: expected a list of objects (or {{\"records\": [...]}})")
    frame = pd.DataFrame([{k: _json_cell(v) for k, v in r.items()} for r in data])
    return frame.fillna(""), enc, None


def _json_cell(value):
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean_text(str(value)).strip()


def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\xa0", " ")
