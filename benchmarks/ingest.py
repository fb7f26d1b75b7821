"""Loading at scale: netgraph's ``load_file`` against a raw LadybugDB ``COPY`` of the same facts.

    python benchmarks/ingest.py --sizes 10000 100000 1000000     # the default sizes
    python benchmarks/ingest.py --sizes 2000 10000 --timeout 600 --workdir /tmp/netgraph-bench

For each size N, synthetic records in the ``cen_customs`` format (``generate_records.py``, seeded) are
written to a CSV in ``--workdir``, and one fresh process per size (so that its peak memory, ru_maxrss, is
its own) measures:

- fresh load: ``open_store`` + ``load_file(csv, "cen_customs", store)`` into a new store: seconds, rows/s,
  peak RSS just after it, rejected rows;
- raw COPY: every node and relationship table of the loaded store is exported to Parquet (one file per
  label and per (type, from label, to label), found from ``netgraph.schema`` at run time, empty tables
  skipped), then copied into a fresh ``LadybugStore`` with plain ``COPY … FROM 'file.parquet'``: seconds of
  the COPY statements, whether that store's counts equal the loaded one's, and netgraph / raw;
- reload: the same file into the same store again (an unchanged file the store loaded last is skipped:
  seconds, whether it was, and whether ``store.counts()`` is unchanged);
- for the largest size, 10,000 new records (other record ids, the same people, companies and hubs) loaded
  into the big store, against the same 10,000 loaded into an empty store; then ``person_network`` of the
  big store and its ``broker_report``: seconds, people, ties, peak RSS;
- last (the slowest at 1M): the file once more with ``again=True``, read and merged row by row.

A case that runs past ``--timeout`` seconds is killed; what it had not finished prints as "timeout".
Then the scaling exponent of the fresh load time, log(t2/t1) / log(n2/n1). Prints only what it measured.
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

INCREMENT = 10_000
EXPORT_POOL_MB = 8192  # buffer pool for reading the loaded store out to Parquet (not part of any figure)
MAPPING = "cen_customs"


def emit(**facts) -> None:
    print(json.dumps(facts), flush=True)  # one line per step: a killed case keeps what it finished


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def export_parquet(store, folder: Path) -> list[tuple[str, tuple[str, ...], Path]]:
    """Every non-empty node table and (type, from, to) relationship table of ``store`` as Parquet files."""
    import pyarrow.parquet as pq

    from netgraph.schema import NODE_TYPES, REL_TYPES
    folder.mkdir(parents=True)
    jobs = [("node", (label,), f"MATCH (n:{label}) RETURN " + ", ".join(f"n.{p} AS `{p}`" for p in node.all_properties))
            for label, node in NODE_TYPES.items()]
    jobs += [("rel", (rel_type, a, b), f"MATCH (a:{a})-[r:{rel_type}]->(b:{b}) RETURN a.id AS `from`, b.id AS `to`"
              + "".join(f", r.{p} AS `{p}`" for p in rel.all_properties))
             for rel_type, rel in REL_TYPES.items() for a, b in rel.pairs]
    files = []
    for kind, what, cypher in jobs:
        table = store._conn.execute(cypher).get_as_arrow()
        if table.num_rows:
            path = folder / f"{'_'.join(what)}.parquet"
            pq.write_table(table, path)
            files.append((kind, what, path))
    return files


def raw_copy(files, path: Path):
    """Seconds to COPY the Parquet files into a fresh store (schema made by its constructor), and its counts."""
    from netgraph import LadybugStore
    raw = LadybugStore(path)
    start = time.perf_counter()
    for kind, what, file in files:  # nodes come first, as relationships need their ends
        if kind == "node":
            raw._conn.execute(f"COPY {what[0]} FROM '{file}'")
        else:
            raw._conn.execute(f"COPY {what[0]} FROM '{file}' (from='{what[1]}', to='{what[2]}')")
    seconds = time.perf_counter() - start
    counts = raw.counts()
    raw.close()
    return seconds, counts


def run_case(csv: Path, folder: Path, increment: Path | None) -> None:
    import netgraph as ng
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = ng.open_store(folder / "netgraph.lbdb")
    report, seconds = timed(lambda: ng.load_file(csv, MAPPING, store, progress=False))
    emit(fresh_s=seconds, read=report.read, rejected=report.rejected,
         peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    counts = store.counts()
    store.close()  # exported with a bigger buffer pool: a 1M store's largest table does not fit in the default
    with ng.LadybugStore(folder / "netgraph.lbdb", buffer_pool_mb=EXPORT_POOL_MB) as big:
        files, seconds = timed(lambda: export_parquet(big, folder / "parquet"))
    emit(export_s=seconds, tables=len(files))
    store = ng.open_store(folder / "netgraph.lbdb")
    seconds, raw_counts = raw_copy(files, folder / "raw.lbdb")
    emit(raw_s=seconds, raw_same_counts=raw_counts == counts)
    report, seconds = timed(lambda: ng.load_file(csv, MAPPING, store, progress=False))  # the file again: unchanged
    emit(reload_s=seconds, reload_skipped=bool(report.unchanged_since), unchanged=store.counts() == counts)
    if increment:
        report, seconds = timed(lambda: ng.load_file(increment, MAPPING, store, progress=False))
        emit(increment_big_s=seconds, increment_rejected=report.rejected)
        empty = ng.open_store(folder / "increment.lbdb")
        _, seconds = timed(lambda: ng.load_file(increment, MAPPING, empty, progress=False))
        emit(increment_empty_s=seconds)
        empty.close()
        net, seconds = timed(lambda: ng.person_network(store))
        emit(person_network_s=seconds, people=len(net.nodes), ties=len(net.edges),
             hubs_left_out=net.description["hubs_left_out"])
        _, seconds = timed(net.broker_report)
        emit(broker_report_s=seconds, peak_rss_mib_after_broker=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        counts = store.counts()
    # last (the slowest at 1M): the file once more, read and merged row by row (again=True)
    _, seconds = timed(lambda: ng.load_file(csv, MAPPING, store, progress=False, again=True))
    again = store.counts()
    emit(reload_again_s=seconds, again_unchanged=again == counts,
         changed={k: (counts.get(k, 0), again.get(k, 0)) for k in counts.keys() | again.keys()
                  if counts.get(k, 0) != again.get(k, 0)})
    store.close()


def run_in_subprocess(args: list[str], timeout: float) -> tuple[dict, str | None]:
    """The facts a case printed, and "timeout" or an error message if it did not finish."""
    command = [sys.executable, __file__, "--case", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        output, problem = done.stdout, None if done.returncode == 0 else done.stderr.strip()[-2000:] or "failed"
    except subprocess.TimeoutExpired as exc:  # run() has killed the case
        output, problem = exc.stdout or "", "timeout"
        output = output.decode() if isinstance(output, bytes) else output
    facts = {}
    for line in output.splitlines():
        if line.startswith("{"):
            facts.update(json.loads(line))
    return facts, problem


def cell(value, fmt: str, problem: str | None, unit: str = "") -> str:
    if value is None:
        return "timeout" if problem == "timeout" else "-"
    return format(value, fmt) + unit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/netgraph-bench"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per case (default 900)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)  # CSV FOLDER [INCREMENT_CSV]
    args = parser.parse_args()
    if args.case:
        csv, folder, *increment = args.case
        run_case(Path(csv), Path(folder), Path(increment[0]) if increment else None)
        return

    from generate_records import generate, write_csv
    sizes = sorted(set(args.sizes))
    args.workdir.mkdir(parents=True, exist_ok=True)
    from run_info import describe_run
    print(describe_run("ladybug"))
    results = {}
    for size in sizes:
        records, seconds = timed(lambda: generate(size, seed=args.seed))
        csv = args.workdir / f"{MAPPING}_{size}.csv"
        write_csv(records, csv)
        case = [str(csv), str(args.workdir / f"case_{size}")]
        print(f"{size:,} records generated in {seconds:.1f} s -> {csv}")
        if size == sizes[-1]:  # new record ids over the same people, companies and hubs
            extra = generate(INCREMENT, seed=args.seed, pool_n=size, first_id=size)
            case.append(str(args.workdir / f"{MAPPING}_{size}_plus_{INCREMENT}.csv"))
            write_csv(extra, case[-1])
        results[size] = run_in_subprocess(case, args.timeout)
        facts, problem = results[size]
        if "tables" in facts:
            print(f"  exported {facts['tables']} non-empty tables to Parquet in {facts['export_s']:.1f} s "
                  f"(the raw COPY runs one COPY statement per table)")
        if problem and problem != "timeout":
            print(f"  case {size:,} failed:\n{problem}")
        if facts.get("changed"):
            print(f"  reload changed counts (before, after): {facts['changed']}")
        if facts.get("raw_same_counts") is False:
            print("  the raw COPY store's counts differ from the loaded store's")

    print(f"\n{'size':>10} {'fresh s':>9} {'rows/s':>8} {'peak RSS MiB':>13} {'rejected':>9} {'reload s':>9} "
          f"{'again s':>9} {'counts unchanged':>17} {'raw COPY s':>11} {'ratio':>8}")
    for size, (f, problem) in results.items():
        ratio = f["fresh_s"] / f["raw_s"] if "raw_s" in f else None
        print(f"{size:>10,} {cell(f.get('fresh_s'), '.1f', problem):>9} "
              f"{cell(f['read'] / f['fresh_s'] if 'fresh_s' in f else None, ',.0f', problem):>8} "
              f"{cell(f.get('peak_rss_mib'), ',.0f', problem):>13} {cell(f.get('rejected'), ',', problem):>9} "
              f"{cell(f.get('reload_s'), '.1f', problem):>9} {cell(f.get('reload_again_s'), '.1f', problem):>9} "
              f"{cell(None if 'again_unchanged' not in f else same(f), 's', problem):>17} "
              f"{cell(f.get('raw_s'), '.2f', problem):>11} {cell(ratio, '.1f', problem, 'x'):>8}")
    timings = [(size, f["fresh_s"]) for size, (f, _) in results.items() if "fresh_s" in f]
    print("\nscaling of the fresh load time, log(t2/t1) / log(n2/n1):")
    pairs = list(zip(timings, timings[1:]))
    if len(timings) > 2:
        pairs.append((timings[0], timings[-1]))
    for (n1, t1), (n2, t2) in pairs:
        print(f"  {n1:,} -> {n2:,}: {math.log(t2 / t1) / math.log(n2 / n1):.2f}")
    if not pairs:
        print("  (fewer than two sizes finished)")
    f, problem = results[sizes[-1]]
    print(f"\n{INCREMENT:,} new records into the {sizes[-1]:,}-record store: "
          f"{cell(f.get('increment_big_s'), '.1f', problem, ' s')} "
          f"(rejected {cell(f.get('increment_rejected'), ',', problem)}); the same records into an empty store: "
          f"{cell(f.get('increment_empty_s'), '.1f', problem, ' s')}")
    if "increment_big_s" in f and "increment_empty_s" in f:
        print(f"  into the big store / into an empty store: {f['increment_big_s'] / f['increment_empty_s']:.1f}x")
    if INCREMENT in results and "fresh_s" in results[INCREMENT][0] and "increment_big_s" in f:
        print(f"  into the big store / fresh {INCREMENT:,}-record load above: "
              f"{f['increment_big_s'] / results[INCREMENT][0]['fresh_s']:.1f}x")
    print(f"\nperson network of the {sizes[-1]:,}-record store: {cell(f.get('person_network_s'), '.1f', problem, ' s')} "
          f"({cell(f.get('people'), ',', problem)} people, {cell(f.get('ties'), ',', problem)} ties, "
          f"{cell(f.get('hubs_left_out'), ',', problem)} hubs of more than 100 people left out); broker report on "
          f"it: {cell(f.get('broker_report_s'), '.1f', problem, ' s')}, peak RSS "
          f"{cell(f.get('peak_rss_mib_after_broker'), ',.0f', problem, ' MiB')}")


def same(facts: dict) -> str:
    """Whether both reloads (skipped, and again=True) left the counts as they were."""
    skipped = "skipped, " if facts.get("reload_skipped") else "read, "
    return skipped + ("yes" if facts["unchanged"] and facts["again_unchanged"] else "NO")


if __name__ == "__main__":
    main()
