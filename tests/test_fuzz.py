"""Fuzzing the readers (CSV, XLSX, JSON) and the mapping loader with hypothesis: mutated and generated files.

Whatever the bytes, a reader returns a table of text or raises one of its documented errors (``SourceError``
and its kinds), the mapping loader returns a usable ``Mapping`` or raises ``MappingError``, no error quotes
a file's contents (a canary planted in the cells never shows), and a load through the real embedded store
accounts for every row: read = loaded + rejected, the rejects file holds the rejected rows, the ``Record``
count grows by exactly the rows loaded, and a refused file writes nothing.

Seeded (``derandomize``: the same inputs on every run), no example database, bounded: ``FUZZED_INPUTS``
inputs per run (the README reports the number), a few minutes on a slow 2-core machine.
"""
from __future__ import annotations

import io
import itertools
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL_IN_XML

import netgraph as ng
from netgraph.ingest.load import MissingColumnsError
from netgraph.ingest.mapping import Mapping, MappingError, load_mapping
from netgraph.ingest.tables import SourceError, read_table
from netgraph.ingest.transform import compile_rows
from netgraph.resources import NetgraphError, loaders_dir

from .conftest import DATA, SAMPLES

CANARY = "CANARY7731SECRET"
BUDGET = {"csv": 200, "xlsx": 80, "json": 150, "mapping": 200, "load_csv": 60, "load_xlsx": 25, "load_json": 25}
FUZZED_INPUTS = sum(BUDGET.values())


def fuzz(target: str, shrink: bool = True):
    """Seeded, bounded settings for one target (no shrinking where an example costs a store load)."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=BUDGET[target], derandomize=True, database=None, deadline=None,
                    print_blob=False, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example, HealthCheck.filter_too_much])


# --- seeds ----------------------------------------------------------------------------------------
def _csv_seed() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str, keep_default_na=False).head(6)
    frame.loc[3, "Consignee company"] = CANARY  # in a data row, far from the header
    return frame


CSV_FRAME = _csv_seed()
CSV_SEED = CSV_FRAME.to_csv(index=False).encode("utf-8")
JSON_RECORDS = json.loads((SAMPLES / "cen_customs_sample.json").read_text(encoding="utf-8"))["records"][:5]
JSON_RECORDS[3]["Consignee company"] = CANARY
XLSX_FRAME = pd.read_excel(SAMPLES / "vn_agency_sample.xlsx", dtype=object).head(5)
XLSX_FRAME.iloc[3, 7] = CANARY  # Đối tượng (the suspects)
MAPPING_SEEDS = [p.read_text(encoding="utf-8") for p in sorted((loaders_dir() / "mappings").glob("*.yaml"))]
MAPPING_SEEDS = [s.replace("\nnotes:", f"\n# {CANARY}\nnotes: >\n  {CANARY}\n  old notes:", 1) for s in MAPPING_SEEDS]
TINY = read_table(DATA / "tiny_cen.csv").frame

# cells and bytes that broke a reader before, or would
SPECIAL_CELLS = ["²", "→→→", "9" * 5000, str(2 ** 63), "-5", "1e400", "nan", "=1+1", "unknown", "2021-02-30", "",
                 " ", "A1", "F9", "0", "12 parsecs", '"', '""', "'", "a,b", "a;b", "line\nbreak", "cr\ronly", "\t",
                 "\ufffd", "\u2028", "__row__", "x" * 20_000, "Nguyễn Văn Hùng", "王伟", "−3", "١٢", "٣ kg",
                 "3 con", "B2-4", "Z9", "2020-01-01T00:00:00"]
TOKENS = [b'"', b"'", b",", b";", b"\t", b"|", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe1\xbb",
          b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\\ud800", "²".encode(), "→→→".encode(), "\ufffd".encode(), b"=1+1",
          b"9" * 5000, str(2 ** 63).encode(), b"-1", b"__row__", b"unknown", b"x" * 140_000, b"[" * 3000, b"{"]
YAML_TOKENS = [b"&a ", b"*a", b"*b", b"!!python/object/apply:os.system ['x']", b"!!binary AAAA", b"<<: *a", b"\n  ",
               b": ", b"- ", b"[", b"]", b"{", b"}", b'""', b"~", b"\t", b"\xff\xfe", b"%YAML 1.1\n", b"---\n",
               b"...\n", b"? ", b"|\n", b">\n", b"'", b'"', b"\x00", b"\x85", "²".encode(), b"!!set {a}",
               b"2021-01-01", b"1e400", b"0x1F", b"&a [*a]"]


@st.composite
def mutated(draw, seed: bytes, tokens=TOKENS, max_edits: int = 6) -> bytes:
    """``seed`` after a few byte edits: bit flips, inserted tokens or bytes, deletions, copied stretches."""
    data = bytearray(seed)

    def position(end: int) -> int:  # drawn as a share of the length: the same draws for any seed
        return draw(st.integers(0, 9999)) * end // 10_000

    for _ in range(draw(st.integers(1, max_edits))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "copy")))
        at = position(len(data))
        if op == "flip":
            bit = draw(st.integers(0, 7))
            if data:
                data[at] ^= 1 << bit
        elif op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(tokens), st.binary(min_size=1, max_size=8)))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        else:
            size, to = draw(st.integers(1, 300)), position(len(data) + 1)
            data[to:to] = data[at:at + size]
    return bytes(data)


CELLS = st.one_of(st.sampled_from(SPECIAL_CELLS), st.text(max_size=30))


@st.composite
def generated_csv(draw) -> bytes:
    """The seed table with some cells replaced, written in one of the encodings and dialects agencies send."""
    frame = CSV_FRAME.copy()
    for _ in range(draw(st.integers(1, 8))):
        frame.iat[draw(st.integers(0, len(frame) - 1)), draw(st.integers(0, frame.shape[1] - 1))] = draw(CELLS)
    text = frame.to_csv(index=False, sep=draw(st.sampled_from([",", ";", "\t", "|"])),
                        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "gb18030", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


XLSX_CELLS = st.one_of(
    st.sampled_from([c for c in SPECIAL_CELLS if not ILLEGAL_IN_XML.search(c)]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.integers(-2 ** 53, 2 ** 53), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
    st.datetimes(min_value=pd.Timestamp("1900-03-01").to_pydatetime(),
                 max_value=pd.Timestamp("2100-01-01").to_pydatetime()))


@st.composite
def generated_xlsx(draw) -> bytes:
    """The VN sample's first rows with some cells replaced, maybe a stray far cell or blank rows, maybe damaged."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(XLSX_FRAME.columns))
    blank_rows = draw(st.sets(st.integers(0, len(XLSX_FRAME) - 1), max_size=2))
    for i, row in enumerate(XLSX_FRAME.itertuples(index=False)):
        if i in blank_rows:
            sheet.append([])
        sheet.append([None if pd.isna(v) else v for v in row])
    for _ in range(draw(st.integers(0, 8))):
        value = draw(XLSX_CELLS)
        sheet.cell(draw(st.integers(1, len(XLSX_FRAME) + 3)), draw(st.integers(1, XLSX_FRAME.shape[1] + 2)), value)
    if draw(st.booleans()):
        sheet.cell(draw(st.integers(1, 1_048_576)), draw(st.integers(1, 16_384)), draw(XLSX_CELLS))
    data = stable_zip(book)
    return draw(mutated(data, max_edits=3)) if draw(st.integers(0, 4)) == 0 else data


def stable_zip(book) -> bytes:
    """The workbook's bytes without the time of saving (zip entry times, docProps/core.xml), so that the same
    draws give the same file on every run."""
    saved, out = io.BytesIO(), io.BytesIO()
    book.save(saved)
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", content)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(SPECIAL_CELLS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)


@st.composite
def generated_json(draw) -> bytes:
    """The sample's records with some values replaced (nested, huge, NaN, surrogate escapes), maybe damaged."""
    records = [dict(r) for r in JSON_RECORDS]
    for _ in range(draw(st.integers(1, 6))):
        record = draw(st.sampled_from(records))
        record[draw(st.sampled_from(list(record) + ["__row__", "", "Case ID ", "Extra"]))] = draw(JSON_VALUES)
    text = json.dumps({"records": records} if draw(st.booleans()) else records, ensure_ascii=draw(st.booleans()))
    text = text.replace('"\\u2028"', '"\\ud800"')  # a lone surrogate, as a JSON escape
    data = text.encode("utf-8")
    return draw(mutated(data, max_edits=3)) if draw(st.integers(0, 3)) == 0 else data


@st.composite
def generated_mapping(draw) -> bytes:
    """A shipped mapping with a key set to an odd value (or removed), dumped as YAML."""
    document = yaml.safe_load(draw(st.sampled_from(MAPPING_SEEDS)))
    plausible = st.one_of(st.sampled_from(["Commodity", "Arrests", "Quantity", "Route", "Offenders", ",", "|", "→",
                                           "\x1f", "utf-8", "cp1258", "B2", "suspect", "%d/%m/%Y", CANARY]),
                          st.just(["%d/%m/%Y", "%Y"]), st.just({"column": "Commodity", "required": True}),
                          st.just({"column": "Quantity", "unit_column": "Unit"}), st.just({"value": "Viet Nam"}),
                          st.just({"column": "Transit", "format": "city_country"}))
    odd = st.one_of(plausible, plausible, st.none(),
                    st.sampled_from(["", " ", ";", "\n", "%", "%Q", "../x", "utf-16", "rot13", "x" * 300]),
                    st.integers(), st.booleans(), st.lists(st.text(max_size=5), max_size=3),
                    st.just({"column": "Commodity"}), st.just({"value": CANARY}), st.just([{"column": "Quantity"}]),
                    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
    for _ in range(draw(st.integers(1, 3))):
        target = document
        path = [draw(st.sampled_from(sorted(target)))]
        if isinstance(target[path[0]], dict) and target[path[0]] and draw(st.integers(0, 3)):
            target = target[path[0]]
            path.append(draw(st.sampled_from(sorted(target))))
        key = path[-1]
        if draw(st.integers(0, 5)) == 0:
            del target[key]
        else:
            target[key] = draw(odd)
    return yaml.safe_dump(document, allow_unicode=draw(st.booleans())).encode("utf-8")


# --- checks ---------------------------------------------------------------------------------------
def check_table(table) -> None:
    frame = table.frame
    assert frame.columns[0] == "__row__" and frame.columns.is_unique
    rows = frame["__row__"]
    assert rows.is_unique and rows.is_monotonic_increasing
    cells = frame.drop(columns="__row__")
    assert all(isinstance(v, str) for column in cells for v in cells[column])


def check_error(exc: Exception, documented: tuple[type, ...]) -> None:
    event(type(exc).__name__)  # what the inputs met (pytest --hypothesis-show-statistics)
    assert isinstance(exc, documented), f"undocumented {type(exc).__name__}: {exc}"
    message = str(exc).replace(str(getattr(exc, "column", None) or ""), "")  # a column name may be shown
    assert CANARY not in message, f"the error quotes the file: {exc}"


def read(path, data: bytes):
    path.write_bytes(data)
    try:
        table = read_table(path)
    except SourceError as exc:
        check_error(exc, (SourceError, NetgraphError))
        return None
    check_table(table)
    event("read")
    return table


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# --- readers --------------------------------------------------------------------------------------
@fuzz("csv")
@given(data=st.one_of(mutated(CSV_SEED), generated_csv()))
def test_csv_reader_gives_a_table_or_a_documented_error(folder, data):
    read(folder / "fuzz.csv", data)


@fuzz("xlsx")
@given(data=generated_xlsx())
def test_xlsx_reader_gives_a_table_or_a_documented_error(folder, data):
    read(folder / "fuzz.xlsx", data)


@fuzz("json")
@given(data=st.one_of(generated_json(), generated_json(), mutated(json.dumps(JSON_RECORDS).encode())))
def test_json_reader_gives_a_table_or_a_documented_error(folder, data):
    read(folder / "fuzz.json", data)


@fuzz("mapping")
@given(data=st.one_of(generated_mapping(), *(mutated(s.encode("utf-8"), YAML_TOKENS, 3) for s in MAPPING_SEEDS)))
def test_mapping_loader_gives_a_usable_mapping_or_a_documented_error(folder, data):
    path = folder / "fuzz.yaml"
    path.write_bytes(data)
    try:
        mapping = load_mapping(path)
    except MappingError as exc:
        check_error(exc, (MappingError, NetgraphError))
        return
    assert isinstance(mapping, Mapping)
    event("mapping loaded")
    compile_rows(TINY, mapping, "tiny.csv")  # a mapping that loads can be applied


# --- loads through the embedded store ------------------------------------------------------------
def without_record_id(name: str) -> Mapping:
    """A shipped mapping whose records are keyed by file and row, so that every loaded row is one Record
    (rows sharing a record id are the subject of other tests)."""
    mapping = load_mapping(name)
    return mapping.model_copy(update={"name": f"fuzz_{name}",
                                      "fields": mapping.fields.model_copy(update={"record_id": None})})


@pytest.fixture(scope="module")
def fuzz_store(folder):
    with ng.open_store(folder / "fuzz.lbdb") as store:
        yield store


NAMES = itertools.count()


def load_checked(store, folder, suffix: str, data: bytes, mapping: Mapping) -> None:
    path = folder / f"in{next(NAMES)}{suffix}"  # a new file name: new record keys
    path.write_bytes(data)
    before = store.counts()
    try:
        report = ng.load_file(path, mapping, store, rejects_dir=folder / "rejects", progress=False)
    except (SourceError, MissingColumnsError) as exc:
        check_error(exc, (SourceError, MissingColumnsError))
        assert store.counts() == before, "a refused file wrote facts"
        return
    assert report.read == report.loaded + report.rejected
    event("loaded, some rows rejected" if report.rejected else "loaded")
    assert report.read == len(read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet).frame)
    assert store.counts().get("Record", 0) - before.get("Record", 0) == report.loaded
    if report.rejected:
        rejects = pd.read_csv(report.rejects_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(rejects) == report.rejected and (rejects["reason"] != "").all()


@fuzz("load_csv", shrink=False)
@given(data=st.one_of(mutated(CSV_SEED), generated_csv()))
def test_csv_load_accounts_for_every_row(fuzz_store, folder, data):
    load_checked(fuzz_store, folder, ".csv", data, without_record_id("cen_customs"))


@fuzz("load_xlsx", shrink=False)
@given(data=generated_xlsx())
def test_xlsx_load_accounts_for_every_row(fuzz_store, folder, data):
    load_checked(fuzz_store, folder, ".xlsx", data, without_record_id("vn_agency"))


@fuzz("load_json", shrink=False)
@given(data=generated_json())
def test_json_load_accounts_for_every_row(fuzz_store, folder, data):
    load_checked(fuzz_store, folder, ".json", data, without_record_id("cen_customs"))
