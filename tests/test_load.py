"""Loading seizure records into the real embedded store: exact counts, idempotence, rejects, provenance."""
import unicodedata

import pandas as pd
import pytest

import netgraph as ng
from netgraph.ingest.load import MissingColumnsError
from netgraph.ingest.mapping import MappingError
from netgraph.ingest.tables import read_table
from netgraph.ingest.transform import compile_rows
from netgraph.store.batch import GraphBatch

from .conftest import DATA, SAMPLES, shared_file

# Hand-counted from tests/data/tiny_cen.csv: row T-4 (spreadsheet row 5) has the date 2022-13-01.
TINY_COUNTS = {
    "Seizure": 4, "Record": 4, "Person": 4, "Organization": 1, "Phone": 3, "Commodity": 4, "Vehicle": 2,
    "Document": 2, "Location": 18,  # 10 places + 8 countries (VN CN TH NG SG MZ QA MY)
    "INVOLVED_IN": 7, "USES": 3, "SEIZED": 5, "CONVEYED_BY": 2, "DOCUMENTED_BY": 2, "AT": 4, "ORIGIN": 4,
    "TRANSIT": 4, "DESTINATION": 4, "NATIONAL_OF": 4, "LOCATED_IN": 10,
}


def test_tiny_file_gives_exact_counts(store):
    report = ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    assert (report.read, report.loaded, report.rejected) == (5, 4, 1)
    counts = store.counts()
    for name, expected in TINY_COUNTS.items():
        assert counts.get(name, 0) == expected, name


def test_loading_twice_changes_nothing(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    first = store.counts()
    nodes, edges = store.nodes(), store.edges()
    again = ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False, again=True)
    assert again.unchanged_since is None  # read and merged row by row
    assert store.counts() == first
    pd.testing.assert_frame_equal(store.nodes(), nodes)
    pd.testing.assert_frame_equal(store.edges(), edges)


def test_the_same_file_loaded_before_is_not_read_again(store, tmp_path):
    first = ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    loads = store.node_properties("Load")
    second = ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    assert second.unchanged_since and "unchanged" in second.summary()
    assert (second.read, second.loaded, second.rejected, second.rejects_file) == \
        (first.read, first.loaded, first.rejected, first.rejects_file)
    pd.testing.assert_frame_equal(store.node_properties("Load"), loads)  # not even the Load node was touched
    # other options, another file loaded after it, or other bytes: read again
    assert ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False,
                        encoding="utf-8").unchanged_since is None
    assert ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False).unchanged_since is None
    assert ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False).unchanged_since
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    assert ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False).unchanged_since is None
    changed = tmp_path / "tiny_cen.csv"
    changed.write_bytes(DATA.joinpath("tiny_cen.csv").read_bytes() + b"\n")
    assert ng.load_file(changed, "cen_customs", store, progress=False).unchanged_since is None
    renamed = tmp_path / "renamed.csv"  # the same bytes under another name: rows without an id are new records
    renamed.write_bytes(changed.read_bytes())
    assert ng.load_file(renamed, "cen_customs", store, progress=False).unchanged_since is None


def test_bad_date_is_rejected_with_file_row_column_and_reason(store, tmp_path):
    report = ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, rejects_dir=tmp_path, progress=False)
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    assert rejects[["file", "row", "column"]].values.tolist() == [["tiny_cen.csv", "5", "Date of seizure"]]
    assert "2022-13-01" in rejects.loc[0, "reason"]
    assert rejects.loc[0, "Offenders"] == "Trần Thị Lan"  # the original cells travel with the reject
    assert "person:trần thị lan" not in set(store.nodes(["Person"])["id"])


def test_missing_required_column_writes_nothing(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str).drop(columns=["Commodity"])
    frame.to_csv(tmp_path / "no_commodity.csv", index=False)
    with pytest.raises(MissingColumnsError, match="Commodity"):
        ng.load_file(tmp_path / "no_commodity.csv", "cen_customs", store, progress=False)
    assert store.counts() == {}


def test_provenance_of_a_relationship_lists_the_exact_source_rows(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    uses = store.provenance("person:nguyễn văn hùng", "phone:0912345678", "USES")
    assert sorted(zip(uses["file"], uses["row"], uses["record_id"])) == [
        ("tiny_cen.csv", 2, "T-1"), ("tiny_cen.csv", 3, "T-2")]
    involved = store.provenance("person:wang wei", "seizure:CEN:T-3", "INVOLVED_IN")
    assert involved[["row", "agency", "reliability", "validity", "handling"]].values.tolist() == [
        [4, "Guangxi Anti-Smuggling Bureau", "C", 3, 5]]


def test_quantities_are_attributed_to_commodities(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    seized = store.edge_frame("SEIZED").set_index(["source", "target"])
    assert seized.loc[("seizure:CEN:T-2", "commodity:elephantidae|ivory"), "weight_kg"] == 30
    assert seized.loc[("seizure:CEN:T-2", "commodity:manis spp|scales"), "weight_kg"] == 200
    seizures = store.node_frame("Seizure").set_index("id")
    assert seizures.loc["seizure:CEN:T-2", "weight_kg"] == 230
    assert seizures.loc["seizure:CEN:T-5", "pieces"] == 300


def test_vietnamese_sheet_parallel_cells_and_route_string(store):
    report = ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    assert (report.loaded, report.rejected) == (2, 0)
    uses = store.edge_frame("USES")
    assert set(uses.loc[uses["source"] == "person:nguyễn văn hùng", "target"]) == {"phone:0912345678",
                                                                                    "phone:0987654321"}
    assert set(uses.loc[uses["source"] == "person:trần thị lan", "target"]) == {"phone:0911222333"}
    assert store.edge_frame("DIRECTS")[["source", "target"]].values.tolist() == [
        ["person:trần thị lan", "org:công ty tnhh thương mại biển bắc"]]
    route = pd.concat([store.edge_frame(t) for t in ("ORIGIN", "TRANSIT", "DESTINATION")])
    legs = route[route["source"] == "seizure:VN-AGENCY:QN-01"].sort_values("position")
    assert legs[["type", "target"]].values.tolist() == [
        ["ORIGIN", "place:VN:hải phòng"], ["TRANSIT", "place:VN:móng cái"], ["DESTINATION", "place:CN:dongxing"]]
    seized = store.edge_frame("SEIZED").set_index("target")
    assert seized.loc["commodity:rhinocerotidae|horn", "weight_kg"] == 7.5
    assert seized.loc["commodity:panthera tigris|skin", "pieces"] == 2
    records = store.records().set_index("record_id")
    assert records.loc["LS-02", ["reliability", "validity", "handling"]].tolist() == ["C", 3, 4]


def test_mismatched_parallel_cells_reject_the_row(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_vn.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "Số điện thoại"] = "0912 345 678; 0911 222 333; 0900 000 000"  # three phones, two people
    frame.to_csv(tmp_path / "mismatch.csv", index=False)
    report = ng.load_file(tmp_path / "mismatch.csv", "vn_agency", store, rejects_dir=tmp_path, progress=False)
    assert (report.loaded, report.rejected) == (1, 1)
    rejects = pd.read_csv(report.rejects_file, encoding="utf-8-sig")
    assert rejects.loc[0, "column"] == "Số điện thoại" and "cannot be matched" in rejects.loc[0, "reason"]


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed where the code page has the letter, else combining marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                    base = composed
                    marks.remove(mark)
                except UnicodeEncodeError:
                    pass
        out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return bytes(out)


def test_cp1258_file_loads_the_same_names_as_utf8(tmp_path):
    text = (DATA / "tiny_vn.csv").read_text(encoding="utf-8")
    (tmp_path / "cp1258.csv").write_bytes(encode_cp1258(text))
    assert (tmp_path / "cp1258.csv").read_bytes() != text.encode("utf-8")
    with ng.open_store(tmp_path / "a.lbdb") as a, ng.open_store(tmp_path / "b.lbdb") as b:
        report = ng.load_file(tmp_path / "cp1258.csv", "vn_agency", a, progress=False)
        ng.load_file(DATA / "tiny_vn.csv", "vn_agency", b, progress=False)
        assert report.encoding == "cp1258" and report.rejected == 0
        for label in ("Person", "Location", "Organization"):
            assert a.node_frame(label)[["id", "name"]].equals(b.node_frame(label)[["id", "name"]]), label


def test_gb18030_file_with_semicolons_keeps_hanzi(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).iloc[[2]]
    frame["Offenders"] = "王伟"
    frame["Customs office"] = "广西打私办"
    frame["Place of seizure"] = "东兴口岸"
    frame.to_csv(tmp_path / "gb.csv", index=False, sep=";", encoding="gb18030")
    report = ng.load_file(tmp_path / "gb.csv", "cen_customs", store, progress=False)
    assert (report.encoding, report.delimiter, report.loaded) == ("gb18030", ";", 1)
    assert store.node_frame("Person")["name"].tolist() == ["王伟"]
    assert store.edge_frame("AT")["target"].tolist() == ["place:CN:dongxing"]  # 东兴口岸 is in the gazetteer


def test_utf8_bom_header_is_read(store, tmp_path):
    (tmp_path / "bom.csv").write_bytes((DATA / "tiny_cen.csv").read_text(encoding="utf-8").encode("utf-8-sig"))
    report = ng.load_file(tmp_path / "bom.csv", "cen_customs", store, progress=False)
    assert (report.encoding, report.loaded) == ("utf_8_sig", 4)


def expected_cen_sample():
    """Recount the CEN sample with pandas alone, independently of netgraph's loader."""
    raw = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str, keep_default_na=False)
    good_date = pd.to_datetime(raw["Date of seizure"], format="%Y-%m-%d", errors="coerce").notna()
    first_qty = raw["Quantity"].str.split(";").str[0].str.strip()
    negative = first_qty.str.startswith("-")
    bad_unit = raw["Quantity"].str.contains(r"[a-z]", regex=True) & ~raw["Quantity"].str.contains(
        r"(?:kg|pieces)", regex=True)
    return raw, raw[good_date & ~negative & ~bad_unit]


def test_cen_sample_counts_match_an_independent_recount(store):
    raw, good = expected_cen_sample()
    report = ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    assert report.read == len(raw) and report.loaded == len(good) and report.rejected == len(raw) - len(good)
    names = {unicodedata.normalize("NFC", n).strip().casefold()
             for cell in good["Offenders"] for n in cell.split(";") if n.strip()}
    phones = {"".join(ch for ch in p if ch.isdigit() or ch == "+").lstrip()
              for cell in good["Offender phone"] for p in cell.split(";") if p.strip()}
    counts = store.counts()
    assert counts["Seizure"] == good["Case ID"].nunique() == counts["Record"]
    assert counts["Person"] == len(names)
    assert counts["Phone"] == len(phones)
    pairs = {(n.strip().casefold(), case) for cell, case in zip(good["Offenders"], good["Case ID"])
             for n in cell.split(";") if n.strip()}
    companies = (good["Consignee company"] != "").sum()
    assert counts["INVOLVED_IN"] == len(pairs) + companies
    transits = sum(len([t for t in cell.split(";") if t.strip()]) for cell in good["Transit"])
    assert counts["TRANSIT"] == transits


def test_vn_sample_loads_and_accounts_for_every_row(store):
    raw = pd.read_excel(SAMPLES / "vn_agency_sample.xlsx", dtype=str).fillna("")
    report = ng.load_file(SAMPLES / "vn_agency_sample.xlsx", "vn_agency", store, progress=False)
    assert report.read == len(raw) == report.loaded + report.rejected
    assert report.rejected == 3  # the generator plants a bad date, a negative quantity and an unknown unit
    rejects = pd.read_csv(report.rejects_file, encoding="utf-8-sig")
    assert sorted(rejects["column"]) == sorted(["Ngày bắt giữ", "Khối lượng (kg)", "Khối lượng (kg)"])
    assert store.counts()["Seizure"] == report.loaded


def test_real_c4ads_file_every_row_loaded_or_rejected(store):
    path = shared_file("seizures", "c4ads_air_seizures.csv")
    raw = pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)
    report = ng.load_file(path, "c4ads_air", store, progress=False)
    assert report.encoding == "cp1252" and report.read == len(raw) == 773
    assert report.read == report.loaded + report.rejected
    # every row is read as an analyst reads it: "5/17/2011 to 5/26/2011" (a range), "400g each" (× Number),
    # "100s" (hundreds, as 100 pieces: the mapping's unit name); independent check of the dates and weights:
    dates = raw["Date "].str.strip().str.split(" to ").str[0]
    bad_date = pd.to_datetime(dates, format="%d-%b-%y", errors="coerce").isna() & pd.to_datetime(
        dates, format="%m/%d/%Y", errors="coerce").isna()
    weight = raw["Weight (kg) "].str.strip().str.replace(r"(?<=\d)(g each|s)$", "", regex=True)
    bad_weight = (weight != "") & pd.to_numeric(weight.str.replace(",", ""), errors="coerce").isna()
    assert not (bad_date | bad_weight).any()
    assert (report.rejected, report.rejects_file) == (0, None)
    assert store.counts()["Seizure"] == report.loaded
    transit_items = sum(len([t for t in c.split(";") if t.strip()]) for c in raw["Transit"])
    assert store.counts()["TRANSIT"] == transit_items


def row_batches(path, mapping_name) -> list[GraphBatch]:
    """The facts of each row of ``path`` on its own (rejected rows give empty batches)."""
    mapping = ng.load_mapping(mapping_name)
    frame = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet).frame
    return [compile_rows(frame.iloc[[i]], mapping, path.name).batch for i in range(len(frame))]


def merged(batches) -> GraphBatch:
    out = GraphBatch()
    for batch in batches:
        out.update(batch)
    return out


def test_writing_in_overlapping_pieces_gives_the_same_graph_as_at_once(tmp_path):
    """The update path (keys the store holds, gaps filled, records united) equals one bulk copy."""
    batches = row_batches(SAMPLES / "cen_customs_sample.csv", "cen_customs")
    with ng.open_store(tmp_path / "once.lbdb") as a:
        a.write(merged(batches))
        nodes, edges, asserts = a.nodes(), a.edges(), a.edges(["ASSERTS"])
    third = len(batches) // 3
    with ng.open_store(tmp_path / "pieces.lbdb") as b:
        for piece in (batches[third:2 * third], batches[:third + 5], batches[2 * third - 5:], batches[:10]):
            b.write(merged(piece))
        pd.testing.assert_frame_equal(b.nodes(), nodes)
        pd.testing.assert_frame_equal(b.edges(), edges)
        pd.testing.assert_frame_equal(b.edges(["ASSERTS"]), asserts)
        assert b.node_frame("Person")["nationality"].notna().all()
        asserted = nodes[~nodes["label"].isin(["Record", "Mention", "Load"])]
        assert len(asserts) == sum(len(s) for s in asserted["sources"]) > len(asserted)


def test_a_hub_holds_no_list_of_its_records(store):
    """Provenance of nodes lives in ASSERTS relationships, one per record, not in a growing property."""
    ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    stored = store.query("MATCH (n:Location {id: 'country:VN'}) RETURN n.*")
    assert not any("sources" in column for column in stored.columns)
    records = store.query("MATCH (r:Record)-[:ASSERTS]->(n:Location {id: 'country:VN'}) RETURN r.id AS id")
    vn = store.node_frame("Location").set_index("id").loc["country:VN", "sources"]
    assert sorted(records["id"]) == vn and len(vn) > 50


def test_a_place_lies_in_its_country_for_the_records_that_name_the_place(store):
    """LOCATED_IN lists no records of its own (every record naming a big city would be on it): its
    provenance is the place's, recounted here from the ASSERTS relationships."""
    ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    stored = store.query("MATCH ()-[e:LOCATED_IN]->() RETURN e.* LIMIT 1")
    assert not any("sources" in column for column in stored.columns)
    ties = store.edge_frame("LOCATED_IN")
    named = store.query("MATCH (r:Record)-[:ASSERTS]->(p:Location)-[:LOCATED_IN]->(:Location) "
                        "RETURN p.id AS place, r.id AS record")
    expected = named.groupby("place")["record"].apply(sorted)
    assert len(ties) == len(expected) > 5
    assert ties.set_index("source")["sources"].to_dict() == expected.to_dict()
    busiest = ties.loc[ties["sources"].map(len).idxmax()]
    assert len(store.provenance(busiest["source"], busiest["target"], "LOCATED_IN")) == len(busiest["sources"]) > 10


def test_invalid_mapping_names_the_bad_key(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\ndescription: y\nsource: Z\nfields:\n  date: {colum: D}\n")
    with pytest.raises(MappingError, match="colum"):
        ng.load_mapping(tmp_path / "bad.yaml")
    with pytest.raises(MappingError, match="cen_customs"):
        ng.load_mapping("no_such_mapping")


def test_a_row_with_several_bad_values_is_rejected_for_the_first_a_reader_meets(store, tmp_path):
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[0, ["Date of seizure", "Quantity"]] = ["2021-02-30", "-5"]           # date comes first
    frame.loc[1, ["Quantity", "Offender nationality"]] = ["12 parsecs", "Atlantis"]  # quantity before people
    frame.loc[2, ["Offenders", "Offender nationality"]] = ["Wang Wei; Lê Văn Tám", "Atlantis; Vietnam; China"]
    frame.to_csv(tmp_path / "bad.csv", index=False)
    report = ng.load_file(tmp_path / "bad.csv", "cen_customs", store, rejects_dir=tmp_path, progress=False)
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig").set_index("row")
    assert report.loaded == 0 and list(rejects.index) == ["2", "3", "4"]
    assert rejects.loc["2", "column"] == "Date of seizure" and "2021-02-30" in rejects.loc["2", "reason"]
    assert rejects.loc["3", "column"] == "Quantity" and "parsecs" in rejects.loc["3", "reason"]
    # three nationalities for two names: the cells cannot be paired, before any nationality is read
    assert rejects.loc["4", "column"] == "Offender nationality" and "3 values" in rejects.loc["4", "reason"]
    assert store.counts().get("Seizure", 0) == 0  # a rejected row contributes no fact at all


def test_a_batch_may_cite_records_in_the_store_but_not_unknown_ones(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    cited = GraphBatch()
    cited.node("Phone", "phone:0999", {"name": "0999"}, "record:CEN:T-1")  # a record the store holds
    store.write(cited)
    assert store.node_frame("Phone").set_index("id").loc["phone:0999", "sources"] == ["record:CEN:T-1"]
    ghost = GraphBatch()
    ghost.node("Phone", "phone:0998", {"name": "0998"}, "record:CEN:NO-SUCH-ROW")
    with pytest.raises(ValueError, match="NO-SUCH-ROW"):
        store.write(ghost)
    assert "phone:0998" not in set(store.node_frame("Phone")["id"])


def test_a_store_made_before_a_property_was_added_opens_for_reading(tmp_path):
    import ladybug
    path = tmp_path / "old.lbdb"
    with ng.open_store(path) as store:
        ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    db = ladybug.Database(str(path))  # as netgraph wrote it before events had a kind
    conn = ladybug.Connection(db)
    conn.execute("ALTER TABLE Seizure DROP event")
    conn.close()
    db.close()
    with ng.open_store(path, read_only=True) as store:  # what `netgraph analyse` does
        assert set(ng.person_network(store).seizures["event"]) == {"seizure"}


# --- companies: never split inside a legal form, never named by one alone (issue 29, item 4) ---------
LEGAL_FORMS_ALONE = {"ltd", "co", "co., ltd", "llc", "inc", "tnhh", "công ty tnhh", "limited", "jsc", "有限公司"}


def test_the_demo_samples_keep_each_company_whole(sample_store):
    """The Vietnamese sample's "Dongxing Hengtai Trading Co., Ltd" was split at its comma into "…Co." and "Ltd",
    and "Ltd" reached the demo's court chart and broker report (``sample_store`` loads what `netgraph demo` loads)."""
    names = set(sample_store.node_properties("Organization")["name"])
    assert {"Dongxing Hengtai Trading Co., Ltd", "Vongsa Trading Co., Ltd"} <= names
    assert not {n for n in names if n.strip(" .").casefold() in LEGAL_FORMS_ALONE}
    assert "Dongxing Hengtai Trading Co." not in names


@pytest.mark.parametrize("data, mapping, column, company", [
    ("tiny_cen.csv", "cen_customs", "Consignee company", "Ltd"),
    ("tiny_cen.csv", "cen_customs", "Consignee company", "有限公司"),
    ("tiny_vn.csv", "vn_agency", "Công ty", "Công ty TNHH;"),
    ("tiny_vn.csv", "vn_agency", "Giám đốc công ty", ";Co., Ltd")])
def test_a_company_named_only_by_its_legal_form_rejects_its_row(store, tmp_path, data, mapping, column, company):
    """Such a value rejects its row into the rejects file, naming row, column and why (read = loaded + rejected)."""
    frame = pd.read_csv(DATA / data, dtype=str, keep_default_na=False)
    frame.loc[0, column] = company
    path = tmp_path / data
    frame.to_csv(path, index=False)
    report = ng.load_file(path, mapping, store, rejects_dir=tmp_path, progress=False)
    assert report.read == report.loaded + report.rejected == len(frame)
    rejects = pd.read_csv(report.rejects_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    first = rejects.iloc[0]
    assert (first["row"], first["column"]) == ("2", column)
    assert f"{company.strip(';')!r} is a legal form alone" in first["reason"]
    names = set(store.node_properties("Organization")["name"]) if store.counts().get("Organization") else set()
    assert not {n for n in names if n.strip(" .").casefold() in LEGAL_FORMS_ALONE}
