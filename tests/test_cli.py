"""The command line, run in-process against a real store."""
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
