"""The command line, run in-process against a real store."""
import re

from click.testing import CliRunner

from netgraph.cli import main

from .conftest import DATA


def test_load_then_info(tmp_path):
    db = tmp_path / "cli.lbdb"
    runner = CliRunner()
    result = runner.invoke(main, ["load", str(DATA / "tiny_cen.csv"), "--mapping", "cen_customs", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "read 5 = loaded 4 + rejected 1" in result.output
    info = runner.invoke(main, ["info", "--db", str(db)])
    assert info.exit_code == 0, info.output
    assert "Seizure" in info.output and "tiny_cen.csv with cen_customs: 5 = 4 + 1" in info.output
    assert "seizure dates: 2021-03-04 to 2023-02-02" in info.output


def test_missing_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Case ID,Date of seizure\nX,2020-01-01\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(bad), "-m", "cen_customs", "--db", str(tmp_path / "x.lbdb")])
    assert result.exit_code == 1
    assert "missing required column(s)" in result.output and "Commodity" in result.output


def test_person_analyses_on_a_store_without_people_say_so(tmp_path):
    import pandas as pd
    runner = CliRunner()
    empty = tmp_path / "empty.lbdb"
    assert runner.invoke(main, ["info", "--db", str(empty)]).exit_code == 1  # no database yet: refused
    from netgraph import open_store
    open_store(empty).close()
    for command in (["analyse", "--out", str(tmp_path / "a")], ["graph", "--out", str(tmp_path / "g")],
                    ["leads", "--out", str(tmp_path / "l")]):
        result = runner.invoke(main, [*command, "--db", str(empty)])
        assert result.exit_code == 1 and "this store is empty: load records first" in result.output, result.output
    rows = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    rows[["Offenders", "Offender nationality", "Offender phone"]] = ""  # seizures with nobody named
    rows.to_csv(tmp_path / "nobody.csv", index=False)
    db = tmp_path / "nobody.lbdb"
    assert runner.invoke(main, ["load", str(tmp_path / "nobody.csv"), "-m", "cen_customs", "--db", str(db)]).exit_code == 0
    result = runner.invoke(main, ["analyse", "--out", str(tmp_path / "a"), "--db", str(db)])
    assert result.exit_code == 1 and "names no people (4 seizures from 4 records)" in result.output, result.output
    assert "netgraph routes" in result.output and "Traceback" not in result.output
    assert runner.invoke(main, ["routes", "--out", str(tmp_path / "r"), "--db", str(db)]).exit_code == 0


def test_the_c4ads_file_end_to_end_through_the_command_line(tmp_path):
    """A real file that names no people: it loads whole, routes run, and the person analyses say why not."""
    from .conftest import shared_file
    c4ads = shared_file("seizures", "c4ads_air_seizures.csv")
    db, runner = str(tmp_path / "c4ads.lbdb"), CliRunner()
    loaded = runner.invoke(main, ["load", str(c4ads), "-m", "c4ads_air", "--db", db])
    assert loaded.exit_code == 0, loaded.output
    read, ok, rejected = map(int, re.search(r"read (\d+) = loaded (\d+) \+ rejected (\d+)", loaded.output).groups())
    assert read == ok + rejected and rejected <= 1
    placed, places = map(int, re.search(r"places with coordinates: (\d+) of (\d+)", loaded.output).groups())
    assert placed >= 0.95 * places
    routes = runner.invoke(main, ["routes", "--db", db, "--out", str(tmp_path / "routes")])
    assert routes.exit_code == 0, routes.output
    assert (tmp_path / "routes" / "netgraph_routes.xlsx").exists()
    for command in ("analyse", "graph"):
        result = runner.invoke(main, [command, "--db", db, "--out", str(tmp_path / command)])
        assert result.exit_code == 1 and f"names no people ({ok} seizures from {ok} records)" in result.output
        assert "Traceback" not in result.output
