"""Read source files (CSV, XLSX, JSON) into a table of strings, detecting encoding and CSV dialect.

Encodings are detected by charset-normalizer among the ones agencies actually send (UTF-8 with or without
BOM, cp1258 for Vietnamese, GB18030 for Chinese, cp1252/Latin-1 for Western exports); the CSV dialect by
CleverCSV. Text is returned in Unicode NFC, so that a Vietnamese name decoded from cp1258 (which stores
tone marks as combining characters) equals the same name typed in UTF-8.

Every record keeps its ``row``: the spreadsheet row number for CSV/XLSX (the header is row 1, and a blank
line counts as a row, as a spreadsheet shows it) and the 1-based position of the object for JSON.

A file that cannot be read as a table is refused with one error per cause, all of them :class:`SourceError`
(a :class:`~netgraph.resources.NetgraphError`): the message names the file and, where known, the row and
column, and says what to do; it never quotes the file's contents. Bytes that are not valid in the file's
encoding do not refuse the file: they become U+FFFD (``�``) and the load rejects the rows holding them, so
that a single damaged byte costs one row, not the file. Stated limits, checked before or while reading so
that no file costs much more than its real content:

- a cell holds at most ``MAX_CELL_CHARS`` (131,072) characters, a table at most ``MAX_COLUMNS`` (4,096)
  columns and ``MAX_CELLS`` (50,000,000) cells;
- a workbook unpacks to at most ``MAX_XLSX_BYTES`` (1 GiB) and is read as a stream of the cells it holds
  (``read_only`` openpyxl, its stated dimension ignored), so a lone cell at XFD1048576 is refused for its
  column instead of growing a grid of 17 billion empty cells;
- JSON nests no deeper than Python's parser allows (about 1,000 levels);
- the CSV dialect is sniffed on the first ``SNIFF_CHARS`` (8,000) characters, in whole lines.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import clevercsv
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..resources import NetgraphError

CANDIDATE_ENCODINGS = ("utf_8", "cp1258", "gb18030", "cp1252", "latin_1")
SNIFF_CHARS = 8_000  # CleverCSV's cost grows with the square of the longest cell it sees
DELIMITERS = (",", ";", "\t", "|")
MAX_CELL_CHARS = 131_072  # the csv module's own field limit; Excel holds at most 32,767 in a cell
MAX_COLUMNS = 4_096
MAX_CELLS = 50_000_000
MAX_XLSX_BYTES = 1 << 30  # the workbook's parts, unpacked
MAX_SHEET_ROWS = 1_048_576  # Excel's last row
ROW = "__row__"  # the column that holds the row number
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
_SURROGATES = re.compile("[\ud800-\udfff]")
_NO_SURROGATES = {codecs.lookup(e).name for e in (*CANDIDATE_ENCODINGS, "utf_8_sig", "utf_16")}  # decoders that
# never let one through (an unpaired surrogate is a decoding error there, replaced by U+FFFD)
_NAME_SHOWN = 60  # characters of a column or sheet name an error message shows


class SourceError(NetgraphError, ValueError):
    """The file cannot be read as a table (nothing was written). ``file``, ``row`` and ``column`` say where,
    where known."""

    def __init__(self, message: str, file: str | Path | None = None, row: int | None = None,
                 column: str | None = None):
        self.file = str(file) if file is not None else None
        self.row, self.column = row, column
        where = [self.file, f"row {row}" if row is not None else None,
                 f"column {_shown(column)}" if column is not None else None]
        where = ", ".join(w for w in where if w)
        super().__init__(f"{where}: {message}" if where else message)


class MissingFileError(SourceError):
    """The path names no file."""


class EmptyFileError(SourceError):
    """The file (or sheet) holds no header row."""


class EncodingError(SourceError):
    """The text encoding named (by ``--encoding`` or the mapping) is not one Python knows."""


class DelimiterError(SourceError):
    """The CSV delimiter named is not a single character, or none could be detected."""


class CsvSyntaxError(SourceError):
    """A CSV row breaks the format: a quote never closed, text after a closing quote, more cells than the
    header."""


class WorkbookError(SourceError):
    """The XLSX file cannot be opened as a workbook, or lacks the sheet asked for."""


class JsonSourceError(SourceError):
    """The JSON file is not valid JSON, or not a list of objects."""


class ColumnNameError(SourceError):
    """A column name netgraph cannot take (``__row__``, which holds the row number)."""


class LimitError(SourceError):
    """The file exceeds one of the stated limits (cell size, columns, cells, unpacked workbook, nesting)."""


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
        raise MissingFileError("no such file", path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        (header, columns, rows), enc, delim = _read_xlsx(path, sheet), None, None
    elif suffix == ".json":
        (header, columns, rows), enc = _read_json(path, encoding)
        delim = None
    else:
        header, columns, rows, enc, delim = _read_csv(path, encoding, delimiter)
    names = _column_names(header, path)
    frame = pd.DataFrame({i: pd.Series(cells, dtype=TEXT) for i, cells in enumerate(columns)},
                         index=pd.RangeIndex(len(rows)), columns=range(len(names)))
    frame.columns = names
    _check_cells(frame, rows, path)
    frame.insert(0, ROW, np.asarray(rows, dtype=np.int64))
    return Table(frame, enc, delim)


# --- text -----------------------------------------------------------------------------------------
def decode(data: bytes, encoding: str | None = None, path: str | Path | None = None) -> tuple[str, str]:
    """Decode ``data`` with ``encoding`` or the detected one; return (text in NFC, encoding used).

    Bytes invalid in that encoding become U+FFFD (the rows holding them are rejected when loaded).
    """
    text = None
    if encoding is None:
        encoding, text = _detect(data)
    if text is None:
        try:
            text = data.decode(encoding, errors="replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            raise EncodingError(f"unknown text encoding {_shown(encoding)}; name one such as utf-8, cp1258, "
                                "gb18030 or cp1252 (--encoding)", path) from None
    if codecs.lookup(encoding).name not in _NO_SURROGATES:
        try:
            text.encode("utf_8")
        except UnicodeEncodeError:  # the decoder let a lone surrogate through (UTF-7): no character either
            text = _SURROGATES.sub("\ufffd", text)
    return _clean_text(text), encoding


def _detect(data: bytes) -> tuple[str, str | None]:
    """The encoding of ``data`` (and its text when decoding it was part of the test)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf_8_sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf_16", None
    try:
        return "utf_8", data.decode("utf_8")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few damaged bytes stays UTF-8 (its damaged rows are rejected), rather than turning every
    # Vietnamese name into mojibake through a legacy code page that happens to decode every byte
    text = data.decode("utf_8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    if good >= 10 * bad:
        return "utf_8", text
    best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS[1:])).best()
    if best is None:  # nothing fits: UTF-8, and the rows with undecodable bytes are rejected
        return "utf_8", text
    return best.encoding, None


def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\xa0", " ")


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


def _shown(name) -> str:
    """A name (column, sheet, encoding) as an error message shows it: quoted, cut short."""
    name = str(name)
    return repr(name if len(name) <= _NAME_SHOWN else name[:_NAME_SHOWN] + "…")


# --- columns and cells ------------------------------------------------------------------------------
def _column_names(header: list[str], path: Path) -> list[str]:
    """Cleaned names; an empty one is ``Unnamed: i`` and repeats get ``.1``, ``.2`` (as pandas names them)."""
    if len(header) > MAX_COLUMNS:
        raise LimitError(f"{len(header):,} columns, more than the {MAX_COLUMNS:,} netgraph reads", path)
    names = [_clean_text(_SURROGATES.sub("\ufffd", h)).strip() or f"Unnamed: {i}" for i, h in enumerate(header)]
    if ROW in names:
        raise ColumnNameError(f"netgraph keeps the name {ROW!r} for the row number; rename that column", path,
                              column=ROW)
    seen, out = set(names), []
    for name in names:
        if name in out:
            k = 1
            while f"{name}.{k}" in seen:
                k += 1
            name = f"{name}.{k}"
            seen.add(name)
        out.append(name)
    return out


def _check_cells(frame: pd.DataFrame, rows: list[int], path: Path) -> None:
    for column in frame.columns:
        lengths = frame[column].str.len().to_numpy(dtype=np.int64, na_value=0)
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            i = int(np.argmax(lengths > MAX_CELL_CHARS))
            raise LimitError(f"a cell holds {lengths[i]:,} characters, more than the {MAX_CELL_CHARS:,} netgraph "
                             "reads; shorten or split it", path, rows[i], column)


def _check_size(n_rows: int, width: int, path: Path, row: int) -> None:
    if n_rows * max(width, 1) > MAX_CELLS:
        raise LimitError(f"more than {MAX_CELLS:,} cells ({n_rows:,} rows × {width:,} columns so far); split the "
                         "file", path, row)


def _columns(records: list[list[str]], width: int) -> list[tuple]:
    """Records (padded to ``width``) turned into columns."""
    for i, record in enumerate(records):
        if len(record) < width:
            records[i] = record + [""] * (width - len(record))
    return list(zip(*records)) if records else [()] * width


# --- CSV --------------------------------------------------------------------------------------------
def _read_csv(path: Path, encoding: str | None, delimiter: str | None):
    enabled = gc.isenabled()
    gc.disable()  # millions of small lists, none of them cyclic: the collector would cost a third of the time
    try:
        return _parse_csv(path, encoding, delimiter)
    finally:
        if enabled:
            gc.enable()


def _parse_csv(path: Path, encoding: str | None, delimiter: str | None):
    text, enc = decode(path.read_bytes(), encoding, path)
    if not text.strip():
        raise EmptyFileError("the file is empty", path)
    if delimiter is not None:
        delimiter, quotechar, escapechar = _given_delimiter(delimiter, path), '"', None
    else:
        delimiter, quotechar, escapechar = _sniff(text, path)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar,
                            escapechar=escapechar, doublequote=True, strict=True)
    except (TypeError, ValueError, csv.Error):  # a dialect the csv module cannot take: the plain one
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, records, rows, ragged = None, [], [], []
    number, width, limit = 0, 0, MAX_CELLS
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _csv_error(exc, path, number + 1, line) from None
        number += 1
        if not record:  # a blank line: a row of its own in a spreadsheet, nothing to read
            continue
        if header is None:
            header, width = record, len(record)
            if width > MAX_COLUMNS:
                raise LimitError(f"{width:,} columns, more than the {MAX_COLUMNS:,} netgraph reads", path, number)
            limit = MAX_CELLS // max(width, 1)
            continue
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                ragged.append(number)
                continue
            record = record[:width]  # trailing empty cells, as some exports write
        records.append(record)
        rows.append(number)
        if len(records) > limit:
            _check_size(len(records), width, path, number)
    if header is None:
        raise EmptyFileError("no header row", path)
    if ragged:
        which = (f"row {ragged[0]} holds" if len(ragged) == 1 else f"{len(ragged):,} rows hold"
                 + f" (rows {', '.join(map(str, ragged[:5]))}{', …' if len(ragged) > 5 else ''})")
        raise CsvSyntaxError(f"{which} more cells than the header's {width}: a {_delimiter_name(delimiter)} inside "
                             "a cell that is not quoted? Quote that cell or remove the extra cells, then load the file "
                             "again", path, ragged[0])
    columns = [_stripped(col) for col in _columns(records, width)]
    return header, columns, rows, enc, delimiter


def _stripped(cells: tuple) -> pd.Series:
    """Cells as a text column without surrounding whitespace (Arrow's trim matches ``str.strip``)."""
    trimmed = pc.utf8_trim_whitespace(pa.array(cells, type=pa.large_string()))
    return pd.Series(trimmed.to_pandas(types_mapper=lambda _: TEXT))


def _csv_error(exc: csv.Error, path: Path, row: int, line: int) -> SourceError:
    message = str(exc)
    at = f"the row starting on line {line:,}"
    if "field larger than field limit" in message:
        return LimitError(f"{at} holds a cell longer than {csv.field_size_limit():,} characters; shorten or split "
                          "it (or a quote is never closed)", path, row)
    if "unexpected end of data" in message:
        return CsvSyntaxError(f"a quoted cell in {at} is never closed; close its quote, or double each quote "
                              'character inside it ("")', path, row)
    if "expected after" in message:
        return CsvSyntaxError(f"{at} has text after the closing quote of a cell; double each quote character "
                              'inside a quoted cell ("") or remove the stray quote', path, row)
    return CsvSyntaxError(f"{at} is not valid CSV ({message})", path, row)


def _given_delimiter(delimiter: str, path: Path) -> str:
    delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise DelimiterError(f"the delimiter {_shown(delimiter)} must be one character, not a quote or a line "
                             "break (e.g. ',', ';', '|', or '\\t' for a tab)", path)
    return delimiter


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(delimiter, repr(delimiter))


def _sniff(text: str, path: Path) -> tuple[str, str, str | None]:
    """(delimiter, quote, escape) from the first lines (at most ``SNIFF_CHARS`` characters)."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut + 1] if cut > 0 else sample
    try:
        dialect = clevercsv.Sniffer().sniff(sample, delimiters=list(DELIMITERS))
    except Exception:  # CleverCSV finds no dialect in many ways
        dialect = None
    if dialect is not None and dialect.delimiter in DELIMITERS:
        quotechar = dialect.quotechar if dialect.quotechar and dialect.quotechar != dialect.delimiter else '"'
        escapechar = dialect.escapechar or None
        if escapechar in (dialect.delimiter, quotechar):
            escapechar = None
        return dialect.delimiter, quotechar, escapechar
    delimiter = _header_delimiter(sample)
    if delimiter is None:
        raise DelimiterError("cannot detect the CSV delimiter; name it (--delimiter)", path)
    return delimiter, '"', None


def _header_delimiter(text: str) -> str | None:
    """Fallback when CleverCSV finds no dialect (heavily quoted cells): the candidate that splits the
    header line into the most columns, if it splits it at all."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip("\r\n") else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else None


# --- XLSX -------------------------------------------------------------------------------------------
def _read_xlsx(path: Path, sheet):
    import openpyxl  # only workbooks need it
    from openpyxl.utils import get_column_letter

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise WorkbookError("not an XLSX workbook (it is not a zip archive); save it again as .xlsx or export "
                            "the sheet as CSV", path) from None
    if unpacked > MAX_XLSX_BYTES:
        raise LimitError(f"the workbook unpacks to {unpacked:,} bytes, more than the {MAX_XLSX_BYTES:,} netgraph "
                         "reads; export the sheet as CSV", path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise WorkbookError(f"cannot open the workbook ({type(exc).__name__}); save it again from Excel or "
                            "LibreOffice, or export the sheet as CSV", path) from None
    try:
        ws = _sheet(book, sheet, path)
        ws.reset_dimensions()  # the stated dimension may lie; read the cells the sheet holds
        header, records, rows, width, number = None, [], [], 0, 0
        cells = ws.iter_rows(values_only=True)
        while True:
            try:
                values = next(cells)
            except StopIteration:
                break
            except Exception as exc:
                raise WorkbookError(f"cannot read sheet {_shown(ws.title)} after row {number:,} "
                                    f"({type(exc).__name__}); save the workbook again or export the sheet as CSV",
                                    path, number + 1 if number else None) from None
            number += 1
            if number > MAX_SHEET_ROWS:
                raise LimitError(f"sheet {_shown(ws.title)} has rows beyond Excel's last row "
                                 f"({MAX_SHEET_ROWS:,})", path)
            if not values:
                continue
            values = list(values)
            while values and (values[-1] is None or values[-1] == ""):
                values.pop()
            if len(values) > MAX_COLUMNS:
                raise LimitError(f"sheet {_shown(ws.title)} has a cell in column {get_column_letter(len(values))} "
                                 f"(cell {get_column_letter(len(values))}{number}), beyond the {MAX_COLUMNS:,} "
                                 "columns netgraph reads; delete the stray cells (Ctrl+End shows the last one)",
                                 path, number)
            text = [_cell_text(v) for v in values]
            if not any(text):
                continue
            if header is None:
                header, width = text, len(text)
                continue
            records.append(text)
            rows.append(number)
            width = max(width, len(text))
            if len(records) * width > MAX_CELLS:
                _check_size(len(records), width, path, number)
    finally:
        book.close()
    if header is None:
        raise EmptyFileError(f"sheet {_shown(ws.title)} holds no rows", path)
    header = header + [""] * (width - len(header))  # cells right of the header: unnamed columns (as pandas)
    return header, _columns(records, width), rows


def _sheet(book, sheet, path: Path):
    sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
    names = ", ".join(_shown(ws.title) for ws in sheets[:20])
    if sheet is None or sheet == "":
        sheet = 0
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
        raise WorkbookError(f"no sheet number {sheet} (counting from 0); the workbook has {len(sheets)}: {names}",
                            path)
    for ws in sheets:
        if ws.title == sheet:
            return ws
    raise WorkbookError(f"no sheet named {_shown(sheet)}; the workbook has {names or 'no worksheet'}", path)


# --- JSON -------------------------------------------------------------------------------------------
def _read_json(path: Path, encoding: str | None):
    text, enc = decode(path.read_bytes(), encoding, path)
    if not text.strip():
        raise EmptyFileError("the file is empty", path)
    try:
        data = json.loads(text, parse_int=str)  # whole numbers stay as written (no 4,300-digit limit)
    except json.JSONDecodeError as exc:
        raise JsonSourceError(f"not valid JSON: {exc.msg} at line {exc.lineno:,}, column {exc.colno:,}",
                              path) from None
    except RecursionError:
        raise LimitError("JSON nested too deeply for netgraph to read (about 1,000 levels at most)", path) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise JsonSourceError('expected a list of objects (or {"records": [...]}), one object per record', path)
    keys = list(dict.fromkeys(k for r in data for k in r))
    if len(keys) > MAX_COLUMNS:
        raise LimitError(f"{len(keys):,} distinct keys (columns), more than the {MAX_COLUMNS:,} netgraph reads",
                         path)
    _check_size(len(data), len(keys), path, None)
    try:
        columns = [[_json_cell(r.get(k)) for r in data] for k in keys]
    except RecursionError:
        raise LimitError("a JSON value nests too deeply for netgraph to read", path) from None
    return (keys, columns, list(range(1, len(data) + 1))), enc


def _json_cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = str(value)
    if isinstance(value, str):
        value = _SURROGATES.sub("\ufffd", value)  # "\ud800" in JSON: no character, like an undecodable byte
    return _cell_text(value)
