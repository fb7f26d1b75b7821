"""Review instead of guessing (issue 29, item 5): `netgraph review` lists what was read with low confidence or
not at all; the analyst's decisions, applied by the next load, replace the guess and say so."""
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.ingest import review, vocab

SEIZURES = """Case ID,Date of seizure,Country of seizure,Place of seizure,Commodity,Quantity,Unit,Consignee company
R-1,2021-03-04,China,Yulin,Kapikas,12,kg,Hengtai Trading Co. Ltd
R-2,2021-04-05,China,Yulin,pangolin scales,30,kg,Hengtai Trading Co Ltd
R-3,2021-05-06,Vietnam,Xyzzy Town,African Grey Parrotw,3,pieces,Acme Shipping
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def loaded(tmp_path):
    (tmp_path / "seizures.csv").write_text(SEIZURES, encoding="utf-8")
    db = tmp_path / "s.lbdb"
    run("load", tmp_path / "seizures.csv", "-m", "cen_customs", "--db", db)
    return tmp_path, db


def test_review_round_trip(loaded):
    folder, db = loaded
    with ng.open_store(db, read_only=True) as store:
        places = review.review(store, "place")
        species = review.review(store, "species")
        companies = review.review(store, "organisation")
    yulin = places.set_index("text").loc["Yulin"]
    assert (yulin["status"], yulin["records"]) == ("uncertain", 2) and "most populous" in yulin["how"]
    candidates = yulin["candidates"].split(" | ")  # each a text the gazetteer reads as one of the places
    assert len({vocab.read_place(c).key for c in candidates}) == len(candidates) >= 2
    assert places.set_index("text").loc["Xyzzy Town", "status"] == "unplaced"
    assert species.set_index("text").loc["Kapikas", ["status", "seizures"]].tolist() == ["unmatched", 1]
    assert species.set_index("text").loc["African Grey Parrotw", "how"] == "spelling-corrected"
    assert set(companies["text"]) == {"Hengtai Trading Co. Ltd", "Hengtai Trading Co Ltd"}
    shown = run("review", "places", "--db", db)
    assert "Yulin" in shown and "Xyzzy Town" in shown and "Shaanxi" in shown
    assert "1 uncertain, 1 unplaced" in run("info", "--db", db)

    shaanxi = next(c for c in candidates if "Shaanxi" in c)
    (folder / "decisions.csv").write_text(
        "kind,text,decision,decided_by,note\n"
        f'place,Yulin,"{shaanxi}",A. Analyst,the agency works in Shaanxi\n'
        "place,Xyzzy Town,none,A. Analyst,\n"
        "species,Kapikas,Manis javanica,A. Analyst,local name\n", encoding="utf-8")
    waiting = run("review", "species", "--db", db, "--decisions", folder / "decisions.csv")
    assert "Kapikas" in waiting and "waiting for a load" in waiting
    out = run("load", folder / "seizures.csv", "-m", "cen_customs", "--db", db,
              "--review-decisions", folder / "decisions.csv")
    assert "review decisions applied from" in out and "2 place, 1 species" in out

    with ng.open_store(db, read_only=True) as store:
        decisions = review.read_decisions(folder / "decisions.csv")
        assert review.review(store, "place", decisions).empty
        assert review.review(store, "species", decisions)["text"].tolist() == ["African Grey Parrotw"]  # undecided
        assert set(review.decision_status(store, decisions, "place")["status"]) == {"applied"}
        assert set(review.decision_status(store, decisions, "species")["status"]) == {"applied"}
        where = store.query("MATCH (:Seizure {id: 'seizure:CEN:R-1'})-[:AT]->(l:Location) "
                            "RETURN l.id AS id, l.province AS province, l.resolved_by AS how")
        assert len(where) == 1 and where.at[0, "province"] == "CN-SN"  # the guess's tie is gone
        assert where.at[0, "how"].startswith("analyst: A. Analyst")
        seized = store.query("MATCH (:Seizure {id: 'seizure:CEN:R-1'})-[:SEIZED]->(c:Commodity) RETURN c.id AS id")
        assert seized["id"].tolist() == ["commodity:manis javanica|live"]
        assert store.query("MATCH (c:Commodity) WHERE c.id STARTS WITH 'commodity:unmatched:' RETURN c.id").empty
        assert store.query("MATCH (l:Location {id: 'place:CN:yulin'}) RETURN l.id").empty  # no record names it
    assert "1 species to review" in run("review", "species", "--db", db, "--decisions", folder / "decisions.csv")
    assert "2 decided" in run("info", "--db", db)


def test_an_organisation_decision_joins_a_spelling_to_its_company(loaded):
    """Two spellings of one company (review lists them); the analyst says one is the other; the reload keys
    both records' company as decided, and the spelling's node goes."""
    folder, db = loaded
    (folder / "decisions.csv").write_text("kind,text,decision,decided_by,note\norganisation,Hengtai Trading Co Ltd,"
                                          "Hengtai Trading Co. Ltd,A. Analyst,one company\n", encoding="utf-8")
    decisions = review.read_decisions(folder / "decisions.csv")
    with ng.open_store(db, read_only=True) as store:
        assert review.decision_status(store, decisions, "organisation")["status"].tolist() == [
            "waiting for a load with these decisions"]
    out = run("load", folder / "seizures.csv", "-m", "cen_customs", "--db", db,
              "--review-decisions", folder / "decisions.csv")
    assert "1 organisation" in out
    with ng.open_store(db, read_only=True) as store:
        assert review.decision_status(store, decisions, "organisation")["status"].tolist() == ["applied"]
        assert review.review(store, "organisation", decisions).empty
        companies = store.query("MATCH (o:Organization)-[:INVOLVED_IN]->(s:Seizure) RETURN o.id AS id, s.id AS seizure "
                                "ORDER BY seizure")
        assert companies["id"].tolist()[:2] == ["org:hengtai trading co. ltd"] * 2
        assert store.query("MATCH (o:Organization {id: 'org:hengtai trading co ltd'}) RETURN o.id").empty


@pytest.mark.parametrize("rows, where", [
    ("kind,text\nplace,Yulin\n", "need columns"),
    ("kind,text,decision\nplace,Yulin,none\nplaces,Xyzzy,none\n", "row 3, column 'kind'"),
    ("kind,text,decision\nspecies,,Manis javanica\n", "row 2, column 'text'"),
    ("kind,text,decision\nspecies,Kapikas,Manis javanicus\n", "row 2, column 'decision': 'Manis javanicus' is not a taxon"),
    ("kind,text,decision\nplace,Yulin,Atlantis City\n", "row 2, column 'decision': the gazetteer knows no place"),
    ("kind,text,decision\nspecies,Kapikas,none\nspecies,KAPIKAS,Manis javanica\n", "row 3, column 'decision'"),
])
def test_bad_decisions_files_say_file_row_and_column(loaded, rows, where):
    folder, db = loaded
    path = folder / "bad.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(review.DecisionsError, match=str(path)) as caught:
        review.read_decisions(path)
    assert where in str(caught.value)
    result = CliRunner().invoke(main, ["load", str(folder / "seizures.csv"), "-m", "cen_customs", "--db", str(db),
                                       "--review-decisions", str(path)])
    assert result.exit_code != 0 and where in result.output and "Traceback" not in result.output


def test_a_missing_decisions_file_is_an_error(loaded):
    folder, db = loaded
    result = CliRunner().invoke(main, ["review", "places", "--db", str(db), "--decisions", str(folder / "nope.csv")])
    assert result.exit_code != 0 and "nope.csv: no such review decisions file" in result.output
