"""Record identity and atomic loads: rows sharing a record id never leak a restricted row's facts into a
release, gradings update on reload, and a failed or killed load is either not there or marked incomplete."""
import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import netgraph as ng
from netgraph.store.batch import GraphBatch
from netgraph.views.chart import case_chart

from .conftest import DATA, SAMPLES
from .test_chart import pdf_text

SECRET = {"Offenders": "Secret Informant", "Document number": "BL-SECRET-777", "Handling code": "5"}


def tiny_rows() -> pd.DataFrame:
    return pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)


def with_secret_twin(rows: pd.DataFrame, secret_first: bool) -> pd.DataFrame:
    """T-1 (handling 1) and a handling-5 row with the same Case ID that names an informant."""
    twin = rows[rows["Case ID"] == "T-1"].assign(**SECRET)
    parts = [twin, rows] if secret_first else [rows, twin]
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("secret_first", [False, True])
def test_rows_sharing_a_record_id_are_not_merged_and_nothing_restricted_leaks(store, tmp_path, secret_first):
    path = tmp_path / "dup.csv"
    with_secret_twin(tiny_rows(), secret_first).to_csv(path, index=False)
    report = ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    assert (report.read, report.loaded, report.rejected) == (6, 4, 2)  # T-4's bad date, and the twin
    assert len(store.records()) == report.loaded
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    twin = rejects[rejects["reason"].str.startswith("duplicate record id")]
    assert twin[["row", "column"]].values.tolist() == [["3" if secret_first else "7", "Case ID"]]
    assert "row 2 has the same one" in twin["reason"].iloc[0]  # names the row that loaded
    t1 = store.records().set_index("record_id").loc["T-1"]
    assert t1["handling"] == (5 if secret_first else 1)  # the row that loaded keeps its own grading
    case_chart(store, ["Nguyễn Văn Hùng"], tmp_path / "case.pdf", release_level=2)  # T-2 is handling 2
    exported = pdf_text(tmp_path / "case.pdf") + (tmp_path / "case.svg").read_text(encoding="utf-8") + \
        (tmp_path / "case-evidence.csv").read_text(encoding="utf-8-sig")
    for secret in ("Secret Informant", "BL-SECRET-777"):
        assert secret not in exported


def test_a_duplicate_in_a_later_chunk_is_rejected_too(store, tmp_path, monkeypatch):
    from netgraph.ingest import load
    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    path = tmp_path / "dup.csv"
    with_secret_twin(tiny_rows(), secret_first=False).to_csv(path, index=False)
    report = ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    assert (report.loaded, report.rejected) == (4, 2)
    assert "person:secret informant" not in set(store.node_frame("Person")["id"])


def test_the_same_record_from_another_file_keeps_the_highest_handling_and_reports_conflicts(store, tmp_path):
    rows = tiny_rows()
    rows.to_csv(tmp_path / "a.csv", index=False)
    rows[rows["Case ID"] == "T-1"].assign(**SECRET).to_csv(tmp_path / "b.csv", index=False)
    ng.load_file(tmp_path / "a.csv", "cen_customs", store, rejects_dir=tmp_path, progress=False)
    report = ng.load_file(tmp_path / "b.csv", "cen_customs", store, rejects_dir=tmp_path, progress=False)
    assert report.conflicts == 1 and "1 record(s) were loaded before" in report.summary()
    conflicts = pd.read_csv(report.conflicts_file, dtype=str, encoding="utf-8-sig")
    assert conflicts[["record", "column", "stored", "this_file", "kept"]].values.tolist() == [
        ["T-1", "handling", "1", "5", "the higher"]]
    assert store.records().set_index("record_id").loc["T-1", "handling"] == 5
    released = ng.person_network(store, max_handling=2)
    assert "person:secret informant" not in set(released.nodes["id"])
    assert "person:nguyễn văn hùng" in set(released.nodes["id"])  # still known from T-2 (handling 2)


def test_reloading_a_record_with_a_changed_grading_updates_it(store, tmp_path):
    rows = tiny_rows()
    path = tmp_path / "cen.csv"
    rows.to_csv(path, index=False)
    ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    regraded = rows.assign(**{"Handling code": "4", "Source reliability": "E"})
    regraded.to_csv(path, index=False)
    report = ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    assert report.conflicts == 0  # the same rows of the same file: an update, not a conflict
    raised = {r["Case ID"]: max(int(r["Handling code"]), 4) for _, r in rows.iterrows() if r["Case ID"] != "T-4"}
    records = store.records().set_index("record_id")
    assert records["handling"].to_dict() == raised and set(records["reliability"]) == {"E"}
    assert set(raised.values()) == {4, 5}  # T-3 was 5 already: a load never lowers a handling code
    rows.to_csv(path, index=False)  # back to the first grading: reliability follows the file, handling stays
    ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    records = store.records().set_index("record_id")
    assert records["handling"].to_dict() == raised and records.loc["T-2", "reliability"] == "A"


def test_a_write_that_fails_midway_leaves_nothing(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    before = store.counts()
    batch = GraphBatch()
    batch.node("Record", "record:X:1", {"name": "x", "source": "X"}, None)
    batch.node("Person", "person:someone", {"name": "Someone"}, "record:X:1")
    batch.node("Seizure", "seizure:X:1", {"name": "x", "date": "not a date"}, "record:X:1")  # fails on write
    with pytest.raises(RuntimeError, match="(?i)date"):  # from the database, after Record and Person were written
        store.write(batch)
    assert store.counts() == before


KILLER = """
import sys
import netgraph as ng
from netgraph.ingest import load
load.CHUNK_ROWS = 400
with ng.open_store(sys.argv[1]) as store:
    if len(sys.argv) > 3:  # a store that holds records already: the load goes chunk by chunk
        ng.load_file(sys.argv[3], "cen_customs", store, progress=False)
    write = store.write
    def write_and_tell(batch, **kw):  # says when each transaction has committed, so the test can kill after
        write(batch, **kw)
        print("wrote", flush=True)
    store.write = write_and_tell
    ng.load_file(sys.argv[2], "cen_customs", store, progress=False)
"""


def big_file(tmp_path) -> Path:
    """The sample eight times over (other record ids): 2,512 rows, 7 chunks of 400."""
    sample = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str, keep_default_na=False)
    big = pd.concat([sample.assign(**{"Case ID": sample["Case ID"] + f"-{n}"}) for n in range(8)], ignore_index=True)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    (tmp_path / "killer.py").write_text(KILLER)
    return path


def test_a_killed_load_leaves_whole_chunks_and_says_incomplete_until_reloaded(tmp_path):
    path, first = big_file(tmp_path), DATA / "tiny_cen.csv"
    with ng.open_store(tmp_path / "clean.lbdb") as clean:
        ng.load_file(first, "cen_customs", clean, progress=False)
        before = set(clean.records()["id"])
        report = ng.load_file(path, "cen_customs", clean, progress=False)
        expected = clean.counts()
        chunk_of = {r.id: (r.row - 2) // 400 for r in clean.records().itertuples() if r.id not in before}
    assert report.read == 2512 and report.loaded == len(chunk_of)
    rng = random.Random(7)
    for attempt, commits in enumerate((1, 2, 4)):  # the Load mark, then 7 chunks of 400 rows, then the mark
        db = tmp_path / f"killed{attempt}.lbdb"
        proc = subprocess.Popen([sys.executable, str(tmp_path / "killer.py"), str(db), str(path), str(first)],
                                stdout=subprocess.PIPE, text=True)
        for _ in range(commits):
            assert proc.stdout.readline().strip() == "wrote"
        time.sleep(rng.uniform(0.0, 0.3))  # somewhere in the next chunk's transaction (or between two)
        proc.kill()
        proc.wait()
        with ng.open_store(db) as store:
            loads = store.node_frame("Load").set_index("file")["status"]
            records = store.records()
            records = records[~records["id"].isin(before)]
            assert loads.to_dict() == {"tiny_cen.csv": "complete", "big.csv": "incomplete"}
            written = max(chunk_of[r] for r in records["id"]) + 1 if len(records) else 0
            assert written >= commits - 1
            assert set(records["id"]) == {r for r, c in chunk_of.items() if c < written}  # whole chunks only
            assert "INCOMPLETE" in ng_info(store)
            ng.load_file(path, "cen_customs", store, progress=False)  # the next load repairs it
            assert store.counts() == expected
            assert store.node_frame("Load")["status"].tolist() == ["complete", "complete"]


def test_a_bulk_load_killed_anywhere_says_incomplete_and_the_next_load_completes_it(tmp_path):
    path = big_file(tmp_path)
    with ng.open_store(tmp_path / "clean.lbdb") as clean:
        ng.load_file(path, "cen_customs", clean, progress=False)
        expected = clean.counts()
    rng = random.Random(11)
    for attempt in range(3):  # killed while chunks are read and spilled, or while tables are copied in
        db = tmp_path / f"killed{attempt}.lbdb"
        proc = subprocess.Popen([sys.executable, str(tmp_path / "killer.py"), str(db), str(path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "wrote"  # the Load mark; the rest is one bulk write
        time.sleep(rng.uniform(0.5, 4.0))
        proc.kill()
        proc.wait()
        with ng.open_store(db) as store:
            status = store.node_frame("Load")["status"].tolist()
            assert status == ["incomplete"] or (status == ["complete"] and store.counts() == expected)
            ng.load_file(path, "cen_customs", store, progress=False)
            assert store.counts() == expected
            assert store.node_frame("Load")["status"].tolist() == ["complete"]
        assert not list(tmp_path.glob(f"{db.name}.bulk-*"))  # the killed load's spilled facts are gone too


def ng_info(store) -> str:
    from netgraph.cli import describe_store
    return describe_store(store)


NETGRAPH = [str(Path(sys.executable).with_name("netgraph"))]  # the installed command


def run_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*NETGRAPH, *map(str, args)], capture_output=True, text=True, **kwargs)


def test_a_second_writer_is_told_the_store_is_busy(tmp_path):
    db = tmp_path / "busy.lbdb"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, netgraph as ng\n"
                               f"s = ng.open_store({str(db)!r})\nprint('open', flush=True)\nsys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run_cli("load", "--mapping", "cen_customs", "--db", db, DATA / "tiny_cen.csv")
    finally:
        holder.communicate("")
    assert result.returncode == 1
    assert "open for writing by another netgraph process" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_quantity_too_large_for_a_number_rejects_its_row(store, tmp_path):
    rows = tiny_rows()
    rows.loc[rows["Case ID"] == "T-1", "Quantity"] = "9" * 400  # float() gives inf: it loaded as weight_kg = inf
    path = tmp_path / "huge.csv"
    rows.to_csv(path, index=False)
    report = ng.load_file(path, "cen_customs", store, rejects_dir=tmp_path, progress=False)
    rejects = pd.read_csv(report.rejects_file, dtype=str, encoding="utf-8-sig")
    assert rejects.set_index("row").loc["2", "column"] == "Quantity"
    assert "is not a number" in rejects.set_index("row").loc["2", "reason"]
    assert store.node_frame("Seizure")["weight_kg"].map(lambda w: pd.isna(w) or w < 1e300).all()


def test_a_buffer_pool_too_small_says_which_setting_to_raise(tmp_path):
    from netgraph.store.ladybug import LadybugStore, StoreMemoryError
    with pytest.raises(StoreMemoryError, match="buffer pool is full.*NETGRAPH_BUFFER_POOL_MB"):
        with LadybugStore(tmp_path / "small.lbdb", buffer_pool_mb=4) as store:
            ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
