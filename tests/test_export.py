"""Formula injection: hostile names reach every CSV and XLSX export as text a spreadsheet will not evaluate."""
import csv
import re

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.views.export import write_tables

# what Excel, LibreOffice and Sheets read as the start of a formula (OWASP), full-width forms included
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
HYPERLINK = '=HYPERLINK("http://x","click")'

HOSTILE = pd.DataFrame([
    # record, date, country, office, commodity, qty, unit, offenders, nationalities, document, handling, extra
    ["=T1", "2021-03-04", "Vietnam", "=1+1", "pangolin scales", "1200", "kg", f"{HYPERLINK}; =1+1; +1",
     "Vietnam; Nigeria; China", "-DOC1", "1", "x"],
    ["+T2", "2021-05-06", "Vietnam", "@SUM(A1)", "ivory", "30", "kg", "=1+1; -2", "Vietnam; China", "", "2", "x"],
    ["-T3", "2022-01-10", "China", "-2", "rhino horn", "12", "kg", "-2; @SUM(A1)", "China; China", "", "1", "x"],
    ["@T4", "2022-13-01", "Vietnam", "+1", "ivory", "5", "kg", "=1+1", "Vietnam", "", "1", "=2+2"],  # bad date
    ["T5", "2023-02-02", "Thailand", "＋Customs", "turtles", "300", "pieces", "＝SUM(1)", "Thailand", "", "1", "x"],
], columns=["Case ID", "Date of seizure", "Country of seizure", "Customs office", "Commodity", "Quantity", "Unit",
            "Offenders", "Offender nationality", "Document number", "Handling code", "=HEADER()"])


def cells(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def assert_inert_csv(path) -> list[list[str]]:
    """No cell (header included) starts like a formula, unless it is a plain number."""
    rows = cells(path)
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(DANGEROUS) or NUMBER.fullmatch(cell), (path.name, cell)
    return rows


def assert_inert_xlsx(path) -> openpyxl.Workbook:
    """No cell is a formula and no text cell starts like one."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip().startswith(DANGEROUS), (path.name, sheet.title, cell.value)
    return book


def column(rows: list[list[str]], name: str) -> list[str]:
    at = rows[0].index(name)
    return [row[at] for row in rows[1:]]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The hostile file loaded through the CLI, then every export the brief names written through the CLI."""
    out = tmp_path_factory.mktemp("hostile")
    HOSTILE.to_csv(out / "hostile.csv", index=False)
    db = str(out / "hostile.lbdb")
    runner = CliRunner()
    for args in (["load", str(out / "hostile.csv"), "-m", "cen_customs", "--db", db, "--rejects", str(out / "rejects")],
                 ["analyse", "--db", db, "--out", str(out / "report")],
                 ["leads", "--db", db, "--out", str(out / "leads")],
                 ["outcomes", "--db", db, "--out", str(out / "outcomes")],
                 ["chart", "--db", db, "--suspect", "=1+1", "--out", str(out / "case" / "case.pdf")],
                 ["query", "co_offenders", "--db", db, "-p", "person=person:=1+1", "--out", str(out / "q.csv")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args[0], result.output, result.exception)
    return out


def test_broker_report_csv_keeps_hostile_names_as_quoted_text(out):
    rows = assert_inert_csv(out / "report" / "broker_report.csv")
    assert {f"'{HYPERLINK}", "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'＝SUM(1)"} <= set(column(rows, "name"))
    assert all(NUMBER.fullmatch(v) for v in column(rows, "rank"))  # numbers are not quoted
    members = column(assert_inert_csv(out / "report" / "group_profiles.csv"), "members")
    assert any(m.startswith("'") and "=HYPERLINK" in m for m in members)


def test_report_workbook_has_no_formula_and_numbers_stay_numbers(out):
    book = assert_inert_xlsx(out / "report" / "netgraph_report.xlsx")
    sheet = book["broker_report"]
    header = [c.value for c in sheet[1]]
    names = {row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {f"'{HYPERLINK}", "'=1+1", "'-2"} <= names
    ranks = [row[header.index("rank")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(r, int) for r in ranks)


def test_leads_and_outcomes_are_inert(out):
    leads = assert_inert_csv(out / "leads" / "leads.csv")
    assert len(leads) > 1
    assert any(v.startswith("'=") for v in column(leads, "source_name") + column(leads, "target_name"))
    assert_inert_xlsx(out / "leads" / "netgraph_leads.xlsx")
    outcomes = assert_inert_csv(out / "outcomes" / "outcomes.csv")
    assert {"'=1+1", "'@SUM(A1)", "'-2", "'＋Customs"} <= set(column(outcomes, "agency"))
    book = assert_inert_xlsx(out / "outcomes" / "netgraph_outcomes.xlsx")
    sheet = book["outcomes"]
    header = [c.value for c in sheet[1]]
    assert all(isinstance(row[header.index("seizures")], int) for row in sheet.iter_rows(min_row=2, values_only=True))


def test_case_evidence_csv_is_inert(out):
    rows = assert_inert_csv(out / "case" / "case-evidence.csv")
    assert "'=1+1" in column(rows, "agency") and "'=T1" in column(rows, "record")
    assert any(b.startswith("'") for b in column(rows, "between"))


def test_rejects_csv_is_inert_header_included(out):
    [path] = (out / "rejects").glob("*.rejects.csv")
    rows = assert_inert_csv(path)
    assert "'=HEADER()" in rows[0]
    assert dict(zip(rows[0], rows[1])).items() >= {"Case ID": "'@T4", "Customs office": "'+1", "Offenders": "'=1+1",
                                                   "'=HEADER()": "'=2+2", "row": "5"}.items()


def test_query_out_is_inert(out):
    rows = assert_inert_csv(out / "q.csv")
    assert {f"'{HYPERLINK}", "'+1", "'-2"} == set(column(rows, "name"))
    assert all(NUMBER.fullmatch(v) for v in column(rows, "shared_seizures"))


def test_only_text_is_quoted_real_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"delta": [-3, 2], "score": [-0.5, 1.0], "label": ["-3", "\tx"], "mixed": [-3, "@x"],
                          "names": [["=a", "b"], ["c"]]})
    write_tables(tmp_path, {"t": frame}, {"seed": -1})
    rows = cells(tmp_path / "t.csv")
    assert rows[1:] == [["-3", "-0.5", "'-3", "-3", "'=a; b"], ["2", "1.0", "'\tx", "'@x", "c"]]
    sheet = assert_inert_xlsx(tmp_path / "netgraph_report.xlsx")["t"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [-3, -0.5, "'-3", -3, "'=a; b"], [2, 1, "'\tx", "'@x", "c"]]
    assert sheet["A2"].data_type == "n" and sheet["C2"].data_type == "s"


def test_stored_names_are_unchanged(out):
    # neutralising happens on the way out; the store keeps what the source said
    with ng.open_store(out / "hostile.lbdb", read_only=True) as store:
        assert {HYPERLINK, "=1+1", "+1", "-2", "@SUM(A1)"} <= set(store.node_frame("Person")["name"])
