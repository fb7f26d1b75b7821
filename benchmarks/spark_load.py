"""The load on Spark (local mode) against the embedded load, on generated ``cen_customs`` records.

    python benchmarks/spark_load.py --sizes 10000 100000            # --master local[2] by default
    python benchmarks/spark_load.py --sizes 1000000 --master 'local[2]' --workdir /tmp/netgraph-spark

For each size N (records from ``generate_records.py``, seeded), in this order:

- embedded tables: ``load_file``'s work without a store: read, ``compile_rows`` per chunk, BulkLoad's DuckDB
  merge to one Parquet file per table (seconds);
- embedded load: ``load_file`` into a new embedded store (seconds; it COPYs the same merged tables);
- Spark tables: ``spark_load`` in the given master (seconds, session start not included; the session's start
  is printed once);
- Spark tables into a new embedded store: ``copy_tables`` (seconds), and whether the store's counts equal the
  embedded load's.

Prints only what it measured, with the run's description (netgraph commit, library versions, CPUs).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_records import generate, write_csv  # noqa: E402
from run_info import describe_run  # noqa: E402

import netgraph as ng  # noqa: E402
from netgraph.ingest.load import CHUNK_ROWS  # noqa: E402
from netgraph.ingest.mapping import load_mapping  # noqa: E402
from netgraph.ingest.spark import copy_tables, session, spark_load  # noqa: E402
from netgraph.ingest.tables import read_table  # noqa: E402
from netgraph.ingest.transform import compile_rows  # noqa: E402
from netgraph.store.bulk import BulkLoad  # noqa: E402


def embedded_tables(path: Path, folder: Path) -> int:
    """What load_file does before its COPY: returns the number of merged tables."""
    mapping = load_mapping("cen_customs")
    frame = read_table(path).frame
    sink, loaded = BulkLoad(folder), {}
    for start in range(0, len(frame), CHUNK_ROWS):
        done = compile_rows(frame.iloc[start:start + CHUNK_ROWS], mapping, path.name, loaded)
        loaded.update(done.records)
        sink(done.batch)
    return sum(1 for _ in sink.tables())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--rows-per-chunk", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/netgraph-spark-bench"))
    args = parser.parse_args()
    import pyspark
    print(describe_run("pyspark", "duckdb"))
    t = time.perf_counter()
    spark = session(args.master)
    print(f"Spark session ({args.master}) started in {time.perf_counter() - t:.1f} s")
    for n in args.sizes:
        work = args.workdir / str(n)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        csv = work / f"cen_{n}.csv"
        write_csv(generate(n), csv)
        t = time.perf_counter()
        embedded_tables(csv, work / "spill")
        tables = time.perf_counter() - t
        t = time.perf_counter()
        with ng.open_store(work / "embedded.lbdb") as store:
            ng.load_file(csv, "cen_customs", store, rejects_dir=work, progress=False)
            counts = store.counts()
        embedded = time.perf_counter() - t
        t = time.perf_counter()
        result = spark_load(spark, csv, "cen_customs", work / "spark", rows_per_chunk=args.rows_per_chunk)
        on_spark = time.perf_counter() - t
        t = time.perf_counter()
        with ng.open_store(work / "from-spark.lbdb") as store:
            copy_tables(store, result)
            same = store.counts() == counts
        copied = time.perf_counter() - t
        print(f"{n:>9,} records ({result.chunks} chunk(s)): embedded tables {tables:.1f} s, embedded load "
              f"{embedded:.1f} s; Spark tables {on_spark:.1f} s, copied into a store {copied:.1f} s; "
              f"same counts: {same}; pyspark {pyspark.__version__}")
        shutil.rmtree(work, ignore_errors=True)
    spark.stop()


if __name__ == "__main__":
    main()
