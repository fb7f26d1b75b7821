"""`netgraph repair` and `netgraph info` on every state LadybugDB can leave: a process killed during its
checkpoint, a disk that filled while the log or the checkpoint was written, a read-only file system, and a
store another process is writing right now. Each state is made for real (a killed or paused process, a file
size limit, a read-only mount), never imitated."""
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import netgraph as ng

from .conftest import DATA, SAMPLES
from .test_integrity import NETGRAPH, run_cli

SAMPLE = SAMPLES / "cen_customs_sample.csv"

WRITER = """
import sys
import netgraph as ng
with ng.open_store(sys.argv[1]) as store:
    if len(sys.argv) > 3:  # first a load that completes
        ng.load_file(sys.argv[3], "cen_customs", store, progress=False)
    write = store.write
    def write_then_wait(batch, **kw):  # the Load mark is written: say so, then wait for the test
        write(batch, **kw)
        print("wrote", flush=True)
        sys.stdin.readline()
    store.write = write_then_wait
    ng.load_file(sys.argv[2], "cen_customs", store, progress=False)
"""


def leftovers(db: Path) -> set[str]:
    return {p.name[len(db.name):] for p in db.parent.iterdir() if p.name.startswith(db.name + ".")} - {".rejects"}


def expected_counts(tmp_path) -> dict:
    with ng.open_store(tmp_path / "clean.lbdb") as clean:
        ng.load_file(SAMPLE, "cen_customs", clean, progress=False)
        return clean.counts()


def load_in(db: Path, **kwargs) -> subprocess.Popen:
    code = f"import netgraph as ng\nwith ng.open_store({str(db)!r}) as s: ng.load_file({str(SAMPLE)!r}, 'cen_customs', s)"
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            **kwargs)


def in_checkpoint(db: Path, proc: subprocess.Popen) -> bool:
    """Wait until LadybugDB starts a checkpoint of ``db`` (its log renamed .wal.checkpoint, a .shadow file);
    False if the process ended first."""
    while proc.poll() is None:
        if Path(f"{db}.wal.checkpoint").exists() or Path(f"{db}.shadow").exists():
            return True
        time.sleep(0.001)
    return False


def assert_repaired(db: Path, expected: dict) -> str:
    """`repair` says what it did and shows the loads; afterwards the store opens, and loading the file again
    gives what a clean load gives."""
    repaired = run_cli("repair", "--db", db)
    assert repaired.returncode == 0, repaired.stderr
    assert "Traceback" not in repaired.stdout + repaired.stderr
    assert "cen_customs_sample.csv with cen_customs:" in repaired.stdout  # what the Load looks like
    assert not leftovers(db) & {".wal", ".wal.checkpoint", ".shadow"}
    info = run_cli("info", "--db", db)
    assert info.returncode == 0 and info.stdout.split("loads")[1] == repaired.stdout.split("loads")[1]
    with ng.open_store(db) as store:
        ng.load_file(SAMPLE, "cen_customs", store, progress=False)
        assert store.counts() == expected
        assert store.node_frame("Load")["status"].tolist() == ["complete"]
    return repaired.stdout


def test_a_store_killed_during_its_checkpoint_is_repaired(tmp_path):
    expected = expected_counts(tmp_path)
    for attempt in range(3):  # the checkpoint lasts a fraction of a second: poll for it, then kill
        db = tmp_path / f"killed{attempt}.lbdb"
        proc = load_in(db)
        caught = in_checkpoint(db, proc)
        proc.kill()
        proc.wait()
        if caught:
            break
    assert caught, "the load never reached a checkpoint"
    assert ".wal.checkpoint" in leftovers(db) and ".wal" not in leftovers(db)  # issue 28's state
    info = run_cli("info", "--db", db)
    assert info.returncode == 1 and f"netgraph repair --db {db}" in info.stderr and "Traceback" not in info.stderr
    out = assert_repaired(db, expected)
    assert "checkpoint" in out.split("\n")[0]  # says what it finished


def small_disk(limit: int):
    def limit_files():  # the store's files may not grow past `limit` bytes: writes fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_files


@pytest.mark.parametrize("limit, left", [(400_000, {".wal"}),  # the log itself cut short
                                         (5_000_000, {".wal.checkpoint", ".shadow"})])  # the checkpoint cut short
def test_a_full_disk_says_so_and_repair_reopens_the_store(tmp_path, limit, left):
    db = tmp_path / "full.lbdb"
    ng.open_store(db).close()
    result = run_cli("load", "--mapping", "cen_customs", "--db", db, SAMPLE, preexec_fn=small_disk(limit))
    assert "Traceback" not in result.stderr + result.stdout
    if ".wal" in left:
        assert result.returncode == 1 and "the disk may be full" in result.stderr
    assert left <= leftovers(db) and not leftovers(db) & ({".wal", ".wal.checkpoint"} - left)
    info = run_cli("info", "--db", db)
    assert info.returncode == 1 and "netgraph repair" in info.stderr and "Traceback" not in info.stderr
    out = assert_repaired(db, expected_counts(tmp_path))
    if ".wal" in left:  # replayed up to the damage: the Load mark committed before it stays, saying so
        assert "INCOMPLETE (stopped while writing" in out and "damaged log" in out
        assert list(tmp_path.glob("full.lbdb.damaged-*/full.lbdb.wal"))  # the damaged log is kept aside


def test_repair_of_a_store_that_is_fine_changes_nothing(tmp_path):
    db = tmp_path / "fine.lbdb"
    with ng.open_store(db) as store:
        ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    repaired = run_cli("repair", "--db", db)
    assert repaired.returncode == 0 and repaired.stdout.startswith("nothing to repair")
    assert "tiny_cen.csv with cen_customs: 5 = 4 + 1" in repaired.stdout


def test_info_and_repair_while_another_process_writes(tmp_path):
    db, big = tmp_path / "busy.lbdb", tmp_path / "big.csv"
    shutil.copy(SAMPLE, big)
    (tmp_path / "writer.py").write_text(WRITER)
    writer = subprocess.Popen([sys.executable, str(tmp_path / "writer.py"), str(db), str(big), str(DATA / "tiny_cen.csv")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "wrote"  # its Load mark says incomplete: the load is running
        info = run_cli("info", "--db", db)
        repaired = run_cli("repair", "--db", db)
    finally:
        writer.communicate("\n" * 10)
    assert info.returncode == 0
    assert f"big.csv with cen_customs: IN PROGRESS (process {writer.pid} is writing the store" in info.stdout
    assert "tiny_cen.csv with cen_customs: 5 = 4 + 1" in info.stdout  # integers, not 5.0 = 4.0 + 1.0
    assert repaired.returncode == 1 and f"process {writer.pid}" in repaired.stderr
    assert "IN PROGRESS" not in run_cli("info", "--db", db).stdout


def test_info_during_a_checkpoint_says_who_is_writing_and_repair_leaves_it_alone(tmp_path):
    db = tmp_path / "paused.lbdb"
    proc = load_in(db)
    try:
        assert in_checkpoint(db, proc), "the load never reached a checkpoint"
        proc.send_signal(signal.SIGSTOP)  # paused in its checkpoint, still holding the store
        left = leftovers(db)
        info = run_cli("info", "--db", db)
        repaired = run_cli("repair", "--db", db)
        assert leftovers(db) == left  # repair touched nothing
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.wait()
    assert proc.returncode == 0
    assert f"process {proc.pid}" in info.stdout + info.stderr and "netgraph repair" not in info.stderr
    assert repaired.returncode == 1 and f"process {proc.pid}" in repaired.stderr
    assert run_cli("info", "--db", db).returncode == 0


def read_only(folder: Path, script: str) -> subprocess.CompletedProcess:
    """Run a shell script in a mount namespace of its own where ``folder`` is a read-only bind mount."""
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is needed to mount a folder read-only")
    flags = "-m" if os.geteuid() == 0 else "-rm"
    mount = f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && echo MOUNTED && "
    result = subprocess.run(["unshare", flags, "sh", "-c", mount + script], capture_output=True, text=True)
    if "MOUNTED" not in result.stdout:
        pytest.skip(f"this machine does not allow a read-only mount here: {result.stderr.strip()}")
    return result


def test_a_store_on_a_read_only_file_system_is_named_with_what_to_do(tmp_path):
    db = tmp_path / "ro" / "s.lbdb"
    with ng.open_store(db) as store:
        ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    netgraph = NETGRAPH[0]
    result = read_only(db.parent, f"{netgraph} info --db {db} && echo INFO-OK; "
                                  f"{netgraph} load --mapping cen_customs --db {db} {DATA / 'tiny_cen.csv'}; "
                                  f"{netgraph} repair --db {db}")
    assert "INFO-OK" in result.stdout  # reading works
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count(f"cannot write to {db}: read-only file system") == 2, result.stderr
