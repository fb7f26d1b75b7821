"""Bad input gets a clear error, not a traceback (issue 13, parts 4 and 5): one error type per cause, naming
the file, row and column where known and saying what to do, never quoting the file; bounded resources;
no row lost (read = loaded + rejected)."""
from __future__ import annotations

import csv
import signal
import time
from contextlib import contextmanager

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.ingest import tables
from netgraph.ingest.load import MissingColumnsError
from netgraph.ingest.mapping import (
    MappingError,
    MappingInvalidError,
    MappingNotFoundError,
    MappingSyntaxError,
    load_mapping,
)
from netgraph.ingest.tables import (
    ColumnNameError,
    CsvSyntaxError,
    DelimiterError,
    EncodingError,
    JsonSourceError,
    LimitError,
    SourceError,
    WorkbookError,
    read_table,
)
from netgraph.ingest.transform import ROUTE_SPLIT
from netgraph.resources import NetgraphError

from .conftest import DATA, SAMPLES

SECRET = "hunter2-SECRET-7731"
TINY = (DATA / "tiny_cen.csv").read_bytes()


@contextmanager
def within(seconds: int):
    """Fail (instead of hanging) if the block takes longer than ``seconds``."""
    def stop(*_):
        raise TimeoutError(f"took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def load(store, tmp_path, data: bytes, name: str = "in.csv", mapping="cen_customs", **options):
    path = tmp_path / name
    path.write_bytes(data)
    report = ng.load_file(path, mapping, store, rejects_dir=tmp_path, progress=False, **options)
    assert report.read == report.loaded + report.rejected
    assert store.counts().get("Record", 0) == report.loaded
    return report


def rejects(report) -> pd.DataFrame:
    return pd.read_csv(report.rejects_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def with_arrests(value: str) -> bytes:
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).head(2)
    frame["Arrests"] = ["1", value]
    return frame.to_csv(index=False).encode()


# --- one error type per cause, under one base -------------------------------------------------------
def test_every_documented_error_is_a_netgraph_error():
    for kind in (SourceError, CsvSyntaxError, DelimiterError, EncodingError, JsonSourceError, LimitError,
                 WorkbookError, ColumnNameError, MappingError, MappingInvalidError, MappingNotFoundError,
                 MappingSyntaxError):
        assert issubclass(kind, NetgraphError) and issubclass(kind, ValueError), kind


# --- CSV structure ----------------------------------------------------------------------------------
def test_cr_only_line_endings_load(store, tmp_path):
    report = load(store, tmp_path, TINY.replace(b"\n", b"\r"))
    assert (report.read, report.loaded, report.rejected) == (5, 4, 1)


def test_a_cell_holding_line_breaks_keeps_its_rejects_row_whole(store, tmp_path):
    """Issue 28: a cell with a bare CR was written to the rejects CSV unquoted, and a reader split its row."""
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).head(3)
    frame["Date of seizure"] = "not a date"
    frame["Detection method"] = ["X-ray\rdog", "X-ray\ndog", "X-ray\r\ndog"]
    report = load(store, tmp_path, frame.to_csv(index=False, lineterminator="\r\n").encode())
    assert report.rejected == 3
    with open(report.rejects_file, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == report.rejected
    assert [r["Detection method"] for r in rows] == ["X-ray\rdog", "X-ray\ndog", "X-ray\r\ndog"]


def test_a_ragged_row_is_refused_naming_its_row_and_nothing_is_written(store, tmp_path):
    lines = TINY.decode().splitlines()
    lines[3] += ",extra,cells"
    with pytest.raises(CsvSyntaxError, match=r"in\.csv, row 4: row 4 holds more cells than the header's 22"):
        load(store, tmp_path, "\n".join(lines).encode())
    assert store.counts() == {}


def test_trailing_empty_cells_are_not_a_ragged_row(store, tmp_path):
    lines = TINY.decode().splitlines()
    lines[1] += ",,,"
    assert load(store, tmp_path, "\n".join(lines).encode()).read == 5


def test_an_unclosed_quote_is_refused_naming_the_row_it_opens(store, tmp_path):
    with pytest.raises(CsvSyntaxError, match=r"row 3: a quoted cell in the row starting on line 3 is never closed"):
        load(store, tmp_path, TINY.replace(b"T-2,", b'"T-2,', 1))
    assert store.counts() == {}


def test_text_after_a_closing_quote_is_refused(tmp_path):
    (tmp_path / "q.csv").write_bytes(TINY.replace(b"T-2,", b'"T-2"x,', 1))
    with pytest.raises(CsvSyntaxError, match="row 3: .*text after the closing quote"):
        read_table(tmp_path / "q.csv")


def test_a_column_named_row_is_refused(tmp_path):
    (tmp_path / "r.csv").write_bytes(TINY.replace(b"Case ID,", b"__row__,", 1))
    with pytest.raises(ColumnNameError, match="__row__.*rename that column"):
        read_table(tmp_path / "r.csv")


def test_a_bad_delimiter_is_refused(tmp_path):
    (tmp_path / "d.csv").write_bytes(TINY)
    with pytest.raises(DelimiterError, match="one character"):
        read_table(tmp_path / "d.csv", delimiter=",;")
    assert read_table(tmp_path / "d.csv", delimiter="\\t").delimiter == "\t"  # as typed on a command line


def test_blank_lines_count_as_spreadsheet_rows(tmp_path):
    lines = TINY.decode().splitlines()
    (tmp_path / "b.csv").write_text("\n".join(lines[:2] + ["", ""] + lines[2:]) + "\n", encoding="utf-8")
    assert read_table(tmp_path / "b.csv").frame["__row__"].tolist() == [2, 5, 6, 7, 8]


# --- values that broke a row ------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "9" * 5000, str(2 ** 63), "-1", "1.5"])
def test_a_bad_number_arrested_rejects_its_row_only(store, tmp_path, value):
    report = load(store, tmp_path, with_arrests(value))
    assert (report.loaded, report.rejected) == (1, 1)
    bad = rejects(report)
    assert bad[["row", "column"]].values.tolist() == [["3", "Arrests"]]
    assert "not a whole number" in bad.loc[0, "reason"]


def test_long_runs_of_spaces_cost_no_backtracking(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).head(2)
    frame.loc[1, "Quantity"] = "1" + " " * 60_000 + "kg1"  # NUMBER_WITH_UNIT took 46 s at 20,000 spaces
    with within(60):
        report = load(store, tmp_path, frame.to_csv(index=False).encode())
    assert (report.loaded, report.rejected) == (1, 1) and rejects(report).loc[0, "column"] == "Quantity"
    with within(10):
        assert ROUTE_SPLIT.split("Lagos" + " " * 100_000 + "Hà Nội") == ["Lagos" + " " * 100_000 + "Hà Nội"]


def test_a_route_of_arrows_alone_loads(store, tmp_path):
    frame = pd.read_excel(SAMPLES / "vn_agency_sample.xlsx", dtype=str, keep_default_na=False).head(2)
    frame["Tuyến đường"] = ["→→→", "→"]
    frame.to_excel(tmp_path / "route.xlsx", index=False)
    report = ng.load_file(tmp_path / "route.xlsx", "vn_agency", store, progress=False)
    assert report.read == report.loaded + report.rejected == 2


# --- encodings --------------------------------------------------------------------------------------
def test_one_flipped_byte_rejects_its_row_not_the_file(store, tmp_path):
    damaged = TINY.replace("Hùng".encode(), b"H\xf9ng", 1)  # the first row's offender
    report = load(store, tmp_path, damaged)
    assert report.encoding == "utf_8" and (report.read, report.loaded, report.rejected) == (5, 3, 2)
    bad = rejects(report).set_index("row")
    assert bad.loc["2", "column"] == "Offenders" and "undecodable" in bad.loc["2", "reason"]
    assert "Chi cục Hải quan Móng Cái" in set(store.node_frame("Seizure")["agency"])  # no mojibake elsewhere


def test_undecodable_bytes_in_a_named_encoding_reject_their_rows(store, tmp_path):
    report = load(store, tmp_path, TINY.replace("Hùng".encode(), b"H\xf9ng", 1), encoding="utf-8")
    assert (report.loaded, report.rejected) == (3, 2)


def test_a_decoder_that_yields_a_lone_surrogate_gives_a_replacement_character(tmp_path):
    (tmp_path / "u7.csv").write_bytes(b"Case ID,Offenders\nT-1,A +2ADc- B\n")  # UTF-7 for U+D800
    assert read_table(tmp_path / "u7.csv", encoding="utf-7").frame.loc[0, "Offenders"] == "A \ufffd B"


def test_an_unknown_encoding_is_refused(tmp_path):
    (tmp_path / "e.csv").write_bytes(TINY)
    with pytest.raises(EncodingError, match="unknown text encoding 'klingon'"):
        read_table(tmp_path / "e.csv", encoding="klingon")


def test_a_lone_surrogate_in_json_rejects_its_row(store, tmp_path):
    data = (b'[{"Case ID": "J-1", "Date of seizure": "2021-01-01", "Country of seizure": "Vietnam", '
            b'"Commodity": "ivory", "Offenders": "A \\ud800 B"}, {"Case ID": "J-2", "Date of seizure": "2021-01-02", '
            b'"Country of seizure": "Vietnam", "Commodity": "ivory"}]')
    report = load(store, tmp_path, data, "s.json")
    assert (report.loaded, report.rejected) == (1, 1) and rejects(report).loc[0, "column"] == "Offenders"


# --- JSON -------------------------------------------------------------------------------------------
def test_deeply_nested_json_is_refused(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(LimitError, match="nested too deeply"):
        read_table(tmp_path / "deep.json")


def test_json_whole_numbers_keep_every_digit(tmp_path):
    (tmp_path / "n.json").write_text('[{"Arrests": ' + "9" * 5000 + ', "Case ID": 12}]')
    frame = read_table(tmp_path / "n.json").frame
    assert frame.loc[0, "Arrests"] == "9" * 5000 and frame.loc[0, "Case ID"] == "12"


def test_json_that_is_not_a_list_of_objects_is_refused_without_quoting_it(tmp_path):
    (tmp_path / "x.json").write_text(f'{{"password": "{SECRET}"}}')
    with pytest.raises(JsonSourceError, match="expected a list of objects") as caught:
        read_table(tmp_path / "x.json")
    (tmp_path / "y.json").write_text('[{"a": "' + SECRET + '"}')
    with pytest.raises(JsonSourceError, match="not valid JSON") as broken:
        read_table(tmp_path / "y.json")
    assert SECRET not in str(caught.value) + str(broken.value)


# --- resource limits --------------------------------------------------------------------------------
def test_a_lone_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Case ID", "Date of seizure", "Country of seizure", "Commodity"])
    sheet.append(["T-1", "2021-01-01", "Vietnam", "ivory"])
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "far.xlsx")
    start = time.perf_counter()
    with within(60), pytest.raises(LimitError, match=r"row 1048576: .*cell XFD1048576.*4,096 columns"):
        read_table(tmp_path / "far.xlsx")
    assert time.perf_counter() - start < 20  # was 80 s and 5.5 GB


def test_far_rows_cost_their_cells_not_a_grid(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Case ID", "Commodity"])
    sheet.append(["T-1", "ivory"])
    sheet["B1048576"] = "scales"
    book.save(tmp_path / "tall.xlsx")
    with within(60):
        frame = read_table(tmp_path / "tall.xlsx").frame
    assert frame["__row__"].tolist() == [2, 1_048_576] and frame["Commodity"].tolist() == ["ivory", "scales"]


def test_an_oversized_cell_is_refused_naming_row_and_column(tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    frame.loc[2, "Offenders"] = "x" * (tables.MAX_CELL_CHARS + 1)
    frame.to_json(tmp_path / "big.json", orient="records")
    with pytest.raises(LimitError, match="big.json, row 3, column 'Offenders': a cell holds 131,073 characters"):
        read_table(tmp_path / "big.json")


def test_a_100000_character_cell_is_sniffed_on_a_bounded_sample(store, tmp_path, monkeypatch):
    seen = []
    sniff = tables.clevercsv.Sniffer.sniff
    monkeypatch.setattr(tables.clevercsv.Sniffer, "sniff", lambda self, sample, **kw: (
        seen.append(len(sample)), sniff(self, sample, **kw))[1])
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "Consignee company"] = "x" * 100_000
    start = time.perf_counter()
    with within(120):
        report = load(store, tmp_path, frame.to_csv(index=False).encode())
    assert report.read == 5 and seen and max(seen) <= 10_000
    assert time.perf_counter() - start < 60  # was ~20 s in sniffing alone


def test_a_workbook_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(TINY)
    with pytest.raises(WorkbookError, match="not an XLSX workbook"):
        read_table(tmp_path / "fake.xlsx")


def test_a_missing_sheet_is_named(tmp_path):
    with pytest.raises(WorkbookError, match="no sheet named 'Nope'"):
        read_table(SAMPLES / "vn_agency_sample.xlsx", sheet="Nope")


# --- mappings ---------------------------------------------------------------------------------------
SHIPPED = (SAMPLES.parent / "mappings" / "cen_customs.yaml").read_text(encoding="utf-8")


def write(tmp_path, content, name="m.yaml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_a_python_tag_in_a_mapping_is_refused(tmp_path):
    path = write(tmp_path, SHIPPED + "extra: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(MappingSyntaxError, match=r"m\.yaml: not valid YAML at line \d+, column \d+: .*plain YAML"):
        load_mapping(path)


def test_malformed_yaml_names_line_and_column(tmp_path):
    with pytest.raises(MappingSyntaxError, match="line 2, column 14"):
        load_mapping(write(tmp_path, f"name: x\n  description: [{SECRET}\n"))


def test_a_utf16_mapping_loads(tmp_path):
    assert load_mapping(write(tmp_path, SHIPPED.encode("utf-16"))).name == "cen_customs"
    with pytest.raises(MappingSyntaxError, match="NUL bytes"):
        load_mapping(write(tmp_path, SHIPPED.encode("utf-16-le"), "le.yaml"))


def test_an_empty_separator_is_refused_by_the_mapping(tmp_path):
    with pytest.raises(MappingInvalidError, match="list_separator.*at least 1 character"):
        load_mapping(write(tmp_path, SHIPPED.replace('list_separator: ";"', 'list_separator: ""')))


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
    with within(10), pytest.raises(MappingSyntaxError, match="alias"):
        load_mapping(write(tmp_path, bomb))
    with within(10), pytest.raises(MappingSyntaxError, match="refers to a value that contains it"):
        load_mapping(write(tmp_path, "name: &a [*a]\n", "self.yaml"))


def test_a_file_that_is_no_mapping_is_refused_without_quoting_it(tmp_path):
    for content in (f"password: {SECRET}\n", f"AWS_SECRET_ACCESS_KEY={SECRET}\n", TINY.decode() + SECRET,
                    f"name: x\ndescription: y\nsource: [{SECRET}]\nfields: {{date: {{column: {SECRET}, x: 1}}}}\n"):
        with pytest.raises(MappingError) as caught:
            load_mapping(write(tmp_path, content))
        assert SECRET not in str(caught.value)


def test_a_mapping_name_cannot_leave_the_rejects_folder(tmp_path):
    with pytest.raises(MappingInvalidError, match="name"):
        load_mapping(write(tmp_path, SHIPPED.replace("name: cen_customs", "name: ../../evil")))


@pytest.mark.parametrize("old, new, where", [
    ("record_id: {column: Case ID, required: true}", "record_id: {column: __row__}", "fields.record_id"),
    ("column: Offenders", "column: __row__", "people.0"),
    ("phone: Offender phone", "phone: __row__", "people.0")])
def test_the_row_number_is_no_column_a_mapping_can_read(tmp_path, old, new, where):
    """Issue 28: ``__row__`` (netgraph's own row number) was read as a column and stopped the load with an
    AttributeError; the mapping is refused naming its file, line and field."""
    path = write(tmp_path, SHIPPED.replace(old, new))
    line = SHIPPED[:SHIPPED.index(old)].count("\n") + 1
    with pytest.raises(MappingInvalidError, match=rf"m\.yaml: invalid mapping:\n  line {line}, {where}: .*'__row__'"
                       r".*leave 'record_id' out"):
        load_mapping(path)
    result = invoke("load", DATA / "tiny_cen.csv", "--mapping", path, "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and "m.yaml: invalid mapping" in result.output and "Traceback" not in result.output


def test_an_unknown_mapping_is_named(tmp_path):
    with pytest.raises(MappingNotFoundError, match="no mapping 'nope'.*cen_customs"):
        load_mapping("nope")


# --- the command line -------------------------------------------------------------------------------
def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_cli_prints_an_error_without_a_traceback(tmp_path):
    bad = write(tmp_path, TINY.replace(b"T-2,", b'"T-2,', 1), "bad.csv")
    result = invoke("load", bad, "-m", "cen_customs", "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: " in result.output and "bad.csv, row 3" in result.output
    assert isinstance(result.exception, SystemExit)


def test_debug_shows_the_traceback(tmp_path):
    bad = write(tmp_path, TINY.replace(b"T-2,", b'"T-2,', 1), "bad.csv")
    result = invoke("--debug", "load", bad, "-m", "cen_customs", "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and isinstance(result.exception, CsvSyntaxError)


def test_the_cli_never_echoes_a_mapping_file(tmp_path):
    secrets = write(tmp_path, f"password: {SECRET}\ntoken: {SECRET}\n", "secrets.yaml")
    result = invoke("load", DATA / "tiny_cen.csv", "--mapping", secrets, "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and "not a netgraph mapping" in result.output
    assert SECRET not in result.output and "Traceback" not in result.output


def test_missing_columns_stay_a_clear_error(tmp_path):
    bad = write(tmp_path, b"Case ID,Date of seizure\nX,2020-01-01\n", "bad.csv")
    result = invoke("load", bad, "-m", "cen_customs", "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and "missing required column(s)" in result.output
    debug = invoke("--debug", "load", bad, "-m", "cen_customs", "--db", tmp_path / "y.lbdb")
    assert isinstance(debug.exception, MissingColumnsError)


def test_an_unexpected_error_names_its_kind_and_the_debug_flag(tmp_path, monkeypatch):
    import netgraph.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError(f"internal detail {SECRET}")
    monkeypatch.setattr(cli, "load_file", broken)
    result = invoke("load", DATA / "tiny_cen.csv", "-m", "cen_customs", "--db", tmp_path / "x.lbdb")
    assert result.exit_code == 1 and "unexpected RuntimeError" in result.output and "--debug" in result.output
    assert SECRET not in result.output and "Traceback" not in result.output
