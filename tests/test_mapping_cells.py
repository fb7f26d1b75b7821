"""The mapping language for cells that are not one column's text (issue 31, items 3, 5 and 6): a field joined
from several columns, what a line break inside a cell means, patterns that may not match, and quantity
columns that name their own product (an NGO database's "Live number", "Carcass number", "Scales weight").

The README's examples of these features run in tests/test_mapping_language.py with the others.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

import netgraph as ng
from netgraph.ingest.mapping import MappingInvalidError, load_mapping

from .test_mapping_language import compile_cells, facts, mapping_from, rejected


def seized(compiled) -> list[tuple]:
    """(seizure, commodity, weight_kg, pieces) of every commodity seized, in reading order."""
    key = ("SEIZED", "Seizure", "Commodity")
    if key not in compiled.batch.rel_keys():
        return []
    frame = compiled.batch.rel_frame(key)
    return [(s, c, w, p) for s, c, w, p in frame[["from", "to", "weight_kg", "pieces"]].itertuples(index=False)]


# --- composite fields -----------------------------------------------------------------------------------
def test_a_field_joins_its_columns_and_skips_empty_ones_with_their_separator(tmp_path):
    mapping = mapping_from({"fields": {"concealment": {"columns": ["How", "Where", "Detail"], "join": " / "},
                                       "agency": {"columns": ["Office", "City"]}}}, tmp_path)
    compiled = compile_cells(mapping, [
        {"How": "suitcase", "Where": "hold", "Detail": "false bottom", "Office": "Customs", "City": "Beihai"},
        {"How": "suitcase", "Where": "", "Detail": "false bottom", "Office": "", "City": "Beihai"},
        {"How": "unknown", "Where": "", "Detail": "", "Office": "n/a", "City": "N/A"}])
    seizures = compiled.batch.node_frame("Seizure")
    assert seizures["concealment"].tolist() == ["suitcase / hold / false bottom", "suitcase / false bottom", None]
    assert seizures["agency"].tolist() == ["Customs, Beihai", "Beihai", None]


def test_a_commodity_built_from_taxon_form_and_term_finds_its_product(tmp_path):
    mapping = mapping_from({"fields": {"commodity": {"columns": ["Taxon", "Form", "Term"], "join": " "}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Taxon": "Manis javanica", "Form": "frozen", "Term": ""},
                                       {"Taxon": "Manis javanica", "Form": "", "Term": "scales"},
                                       {"Taxon": "Elephantidae", "Form": "worked", "Term": "ivory"}])
    assert [c for _, c, *_ in seized(compiled)] == [
        "commodity:manis javanica|carcass", "commodity:manis javanica|scales", "commodity:elephantidae|worked ivory"]
    assert compiled.batch.node_frame("Seizure")["commodity_text"].tolist()[:2] == [
        "Manis javanica frozen", "Manis javanica scales"]


def test_a_place_from_city_and_province_and_its_bad_value_names_both_columns(tmp_path):
    mapping = mapping_from({"fields": {"country": {"column": "Country"},
                                       "place": {"columns": ["City", "Province"]}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Country": "China", "City": "Taizhou", "Province": "Zhejiang"},
                                       {"Country": "China", "City": "Taizhou", "Province": "Jiangsu"},
                                       {"Country": "Vietnam", "City": "Beihai", "Province": "Guangxi"}])
    at = compiled.batch.rel_frame(("AT", "Seizure", "Location"))["to"].tolist()
    assert at[0] != at[1] and all(t.startswith("place:CN:taizhou") for t in at)  # the province tells them apart
    assert rejected(compiled, 2) == ("City + Province", "place 'Beihai' is in CN, not in VN")


def test_a_missing_column_of_a_composite_is_reported_as_missing(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("name: m\ndescription: d\nsource: S\nfields:\n  date: {column: Date}\n"
                    "  place: {columns: [City, Province]}\n", encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("Date,City\n2020-01-02,Beihai\n", encoding="utf-8")
    with ng.open_store(tmp_path / "x.lbdb") as store:
        report = ng.load_file(data, path, store, progress=False)
        assert report.loaded == 1
        assert store.edge_frame("AT")["target"].tolist() == ["place:CN:beihai"]
    assert report.missing_optional_columns == ["Province"]
    path.write_text(path.read_text(encoding="utf-8").replace("Province]}", "Province], required: true}"),
                    encoding="utf-8")
    assert load_mapping(path).required_columns() == ["City", "Province"]
    with ng.open_store(tmp_path / "y.lbdb") as store, pytest.raises(ng.MissingColumnsError, match="'Province'"):
        ng.load_file(data, path, store, progress=False)


@pytest.mark.parametrize(("fragment", "key", "says"), [
    ("  place: {column: City, columns: [City, Province]}\n", "fields.place",
     "exactly one of 'column', 'columns' or 'value'"),
    ("  place: {columns: [City]}\n", "fields.place.columns", "at least 2 items"),
    ("  place: {columns: [City, Province], fallback: Town}\n", "fields.place", "'fallback' goes with 'column'"),
    ("  place: {column: City, join: ' '}\n", "fields.place", "'join' goes with 'columns'"),
    ("  arrest_date: {columns: [Y, M]}\n", "fields.arrest_date", "not 'columns'"),
    ("  place: {column: City, newline: tab}\n", "fields.place.newline", "'space', 'comma' or 'separator'"),
    ("  place: {column: City, newline: comma, separator: \"\\n\"}\n", "fields.place",
     "a line break is one of the separators"),
    ("  sentence: {column: Memo, optional: true}\n", "fields.sentence.optional", "give a 'pattern'"),
    ("  quantities: [{column: Q, unit: kg, product: bananas}]\n", "fields.quantities.0.product",
     "not a product of loaders/vocab/commodities.yaml"),
])
def test_a_bad_composite_newline_optional_or_product_names_its_key(tmp_path, fragment, key, says):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: m\ndescription: d\nsource: S\nfields:\n  date: {{column: D}}\n{fragment}",
                    encoding="utf-8")
    with pytest.raises(MappingInvalidError) as caught:
        load_mapping(path)
    assert re.search(rf"line 6, {re.escape(key)}: .*{re.escape(says)}", str(caught.value)), str(caught.value)


# --- what a line break means ------------------------------------------------------------------------------
def test_a_line_break_may_mean_a_comma_a_separator_or_a_space(tmp_path):
    mapping = mapping_from({"fields": {"place": {"column": "Place", "format": "city_country", "newline": "comma"},
                                       "concealment": {"column": "How"},
                                       "sentence": {"column": "Sentence", "newline": "separator"}}}, tmp_path)
    compiled = compile_cells(mapping, [
        {"Place": "Lao Cai\nVietnam", "How": "in a\nsuitcase", "Sentence": "3 years\n2 years"},
        {"Place": "Lao Cai,\nVietnam", "How": "boot", "Sentence": "3 years; 1 year"}])
    assert compiled.rejects.empty
    at = compiled.batch.rel_frame(("AT", "Seizure", "Location"))["to"].tolist()
    assert at == ["place:VN:lào cai", "place:VN:lào cai"]  # "Lao Cai Vietnam" would name no place
    assert compiled.batch.node_frame("Seizure")["concealment"].tolist() == ["in a suitcase", "boot"]
    assert compiled.batch.node_frame("Conviction")["sentence"].tolist() == ["3 years; 2 years", "3 years; 1 year"]
    spaced = compile_cells(mapping_from({"fields": {"place": {"column": "Place", "format": "city_country"}}},
                                        tmp_path, "spaced.yaml"), [{"Place": "Lao Cai\nVietnam"}])
    assert spaced.batch.rel_frame(("AT", "Seizure", "Location"))["to"].tolist() == ["place:?:lao cai vietnam"]


def test_a_comma_line_break_applies_to_each_joined_column(tmp_path):
    mapping = mapping_from({"fields": {"agency": {"columns": ["Office", "Unit"], "join": " – ",
                                                  "newline": "comma"}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Office": "Customs\nBeihai", "Unit": "Team 2\nwest"}])
    assert compiled.batch.node_frame("Seizure")["agency"].tolist() == ["Customs, Beihai – Team 2, west"]


# --- optional patterns --------------------------------------------------------------------------------------
MEMO = "Case (?P<record_id>[A-Z]+-\\d+)"


def test_an_optional_record_id_not_found_identifies_the_record_by_file_and_row(tmp_path):
    mapping = mapping_from({"fields": {"record_id": {"column": "Memo", "pattern": MEMO, "optional": True}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Memo": "Case GX-12: 3 pangolins"}, {"Memo": "no case number given"},
                                       {"Memo": ""}, {"Memo": "Case GX-13 and more"}])
    assert compiled.rejects.empty
    assert list(compiled.records) == ["record:README:GX-12", "record:README:t.csv#3", "record:README:t.csv#4",
                                      "record:README:GX-13"]
    records = compiled.batch.node_frame("Record")
    assert records["record_id"].tolist() == ["GX-12", None, None, "GX-13"]
    assert compiled.batch.node_frame("Seizure")["id"].tolist() == [
        "seizure:README:GX-12", "seizure:README:t.csv#3", "seizure:README:t.csv#4", "seizure:README:GX-13"]


def test_without_optional_a_pattern_not_found_rejects_the_row(tmp_path):
    mapping = mapping_from({"fields": {"record_id": {"column": "Memo", "pattern": MEMO}}}, tmp_path)
    compiled = compile_cells(mapping, [{"Memo": "Case GX-12"}, {"Memo": "no case number given"}])
    assert rejected(compiled, 1) == ("Memo", "'no case number given' does not match the pattern the mapping gives "
                                             "for this column (no 'record_id' in it)")


def test_optional_patterns_on_text_fields_people_and_quantities(tmp_path):
    mapping = mapping_from({
        "fields": {"sentence": {"column": "Memo", "pattern": r"sentenced to (?P<sentence>[^.;]+)", "optional": True},
                   "agency": {"column": "Memo", "pattern": r"seized by (?P<agency>[A-Z][\w ]+?)(?: on|[.;]|$)",
                              "optional": True},
                   "quantities": [{"column": "Memo", "pattern": r"(?P<quantity>\d+(?:\.\d+)?) ?kg", "unit": "kg",
                                   "optional": True}]},
        "people": [{"column": "Memo", "pattern": r"(?P<name>[A-Z]\w+ [A-Z]\w+) was", "optional": True}]}, tmp_path)
    memos = ["12 kg seized by Beihai Customs on 3 May; Lu Haiming was sentenced to 10 years.",
             "A courier fled; nothing more is known."]
    compiled = [compile_cells(mapping, [{"Memo": memo}]) for memo in memos]
    assert all(c.rejects.empty for c in compiled)
    got = [facts(c) for c in compiled]
    assert [(g["agency"], g["sentence"], g["people"], g["weight_kg"]) for g in got] == [
        ("Beihai Customs", "10 years", ["Lu Haiming"], 12.0), (None, None, [], None)]


# --- a product per quantity column ------------------------------------------------------------------------
NGO_MAPPING = """\
name: ngo
description: an NGO seizure database, one product per quantity column
source: NGO
date_formats: ["%d/%m/%Y"]
fields:
  record_id: {column: Incident}
  date: {column: Date}
  country: {column: Country}
  commodity: {column: Species}
  quantities:
    - {column: Live number, unit: pieces, product: live}
    - {column: Carcass number, unit: pieces, product: carcass}
    - {column: Scales weight (kg), unit: kg, product: scales}
"""
SPECIES = ["Manis javanica", "Manis pentadactyla", "Phataginus tricuspis", "Smutsia gigantea", "Panthera pardus"]
FILLED = [("live",), ("carcass",), ("scales",), ("live", "carcass"), ("live", "scales"), ("carcass", "scales"),
          ("live", "carcass", "scales")]
COLUMN = {"live": "Live number", "carcass": "Carcass number", "scales": "Scales weight (kg)"}
BAD_ROW = 17  # its scales weight is no number


def ngo_rows() -> tuple[pd.DataFrame, dict[str, set]]:
    """An NGO-style table of 30 incidents and, per incident that loads, its (taxon, product, pieces, kg)."""
    rows, expected = [], {}
    for i in range(30):
        taxon = SPECIES[i % len(SPECIES)]
        filled = FILLED[i % len(FILLED)] if i != 29 else ()  # the last row gives no number at all
        row = {"Incident": f"NGO-{i:03d}", "Date": f"{1 + i % 28:02d}/0{1 + i % 9}/2019", "Country": "Nigeria",
               "Species": taxon, **{c: "" for c in COLUMN.values()}}
        facts_of = set()
        for product in filled:
            amount = 2 + i if product != "scales" else 10.5 + i
            row[COLUMN[product]] = f"{amount}"
            facts_of.add((taxon, product, None if product == "scales" else amount,
                          amount if product == "scales" else None))
        expected[row["Incident"]] = facts_of or {(taxon, "live", None, None)}
        rows.append(row)
    rows[BAD_ROW]["Scales weight (kg)"] = "about 12"
    del expected[rows[BAD_ROW]["Incident"]]
    return pd.DataFrame(rows), expected


@pytest.fixture(scope="module")
def ngo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ngo")
    frame, expected = ngo_rows()
    frame.to_csv(folder / "ngo.csv", index=False)
    (folder / "ngo.yaml").write_text(NGO_MAPPING, encoding="utf-8")
    with ng.open_store(folder / "ngo.lbdb") as store:
        report = ng.load_file(folder / "ngo.csv", folder / "ngo.yaml", store, progress=False)
        yield store, report, expected


def test_the_ngo_file_gives_each_seizure_the_products_its_filled_columns_name(ngo):
    store, report, expected = ngo
    assert (report.read, report.loaded, report.rejected) == (30, 29, 1)
    commodities = store.node_frame("Commodity").set_index("id")
    got: dict[str, set] = {}
    for edge in store.edge_frame("SEIZED").itertuples(index=False):
        commodity = commodities.loc[edge.target]
        pieces = None if pd.isna(edge.pieces) else edge.pieces
        weight = None if pd.isna(edge.weight_kg) else edge.weight_kg
        got.setdefault(edge.source.removeprefix("seizure:NGO:"), set()).add(
            (commodity["taxon"], commodity["product"], pieces, weight))
    assert got == expected


def test_the_ngo_totals_count_every_column(ngo):
    store, _, _ = ngo
    seizures = store.node_frame("Seizure").set_index("id")
    six = seizures.loc["seizure:NGO:NGO-006"]  # live, carcass and scales: 8 + 8 pieces, 16.5 kg
    assert (six["pieces"], six["weight_kg"]) == (16, 16.5)


def test_a_bad_number_in_a_product_column_rejects_the_row_naming_that_column(ngo):
    _, report, _ = ngo
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    assert rejects[["row", "column"]].values.tolist() == [[str(BAD_ROW + 2), "Scales weight (kg)"]]
    assert "quantity 'about 12' is not a number with an optional unit" in rejects.loc[0, "reason"]


def test_a_product_column_overrides_the_records_form_only_for_its_own_quantity(tmp_path):
    mapping = mapping_from({"fields": {"commodity": {"column": "What"}, "form": {"column": "Form"},
                                       "quantities": [{"column": "Number", "unit": "pieces"},
                                                      {"column": "Scales", "unit": "kg", "product": "scales"},
                                                      {"column": "Meat", "unit": "kg", "product": "meat"}]}},
                           tmp_path)
    compiled = compile_cells(mapping, [
        {"What": "Manis javanica", "Form": "frozen", "Number": "4", "Scales": "2", "Meat": ""},
        {"What": "Manis javanica", "Form": "frozen", "Number": "", "Scales": "2", "Meat": "3"},
        {"What": "Manis javanica; Panthera pardus", "Form": "", "Number": "", "Scales": "2; ", "Meat": "; 7"}])
    assert seized(compiled) == [
        ("seizure:README:t.csv#2", "commodity:manis javanica|carcass", None, 4.0),
        ("seizure:README:t.csv#2", "commodity:manis javanica|scales", 2.0, None),
        ("seizure:README:t.csv#3", "commodity:manis javanica|scales", 2.0, None),
        ("seizure:README:t.csv#3", "commodity:manis javanica|meat", 3.0, None),
        ("seizure:README:t.csv#4", "commodity:manis javanica|scales", 2.0, None),
        ("seizure:README:t.csv#4", "commodity:panthera pardus|meat", 7.0, None)]


def test_a_product_column_and_a_plain_one_counting_the_same_commodity_add_up(tmp_path):
    mapping = mapping_from({"fields": {"commodity": {"column": "What"},
                                       "quantities": [{"column": "Number", "unit": "pieces"},
                                                      {"column": "Live", "unit": "pieces", "product": "live"}]}},
                           tmp_path)
    compiled = compile_cells(mapping, [{"What": "Manis javanica", "Number": "4", "Live": "3"}])
    assert seized(compiled) == [("seizure:README:t.csv#2", "commodity:manis javanica|live", None, 7.0)]
