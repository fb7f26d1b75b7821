"""LadybugDB alone: what one more chunk costs to commit as the store grows (no netgraph code measured).

    python benchmarks/ladybug_commit.py                        # 10 chunks of 100,000
    python benchmarks/ladybug_commit.py --chunks 20 --rows 50000

A fresh database gets node tables ``Person`` (``--people`` nodes, loaded first), ``Hub`` (10 nodes, like the
countries and commodities that most records name) and ``Seizure``; then, chunk after chunk, ``--rows`` new
seizures and one relationship each are COPYed from Parquet inside one transaction (as
``LadybugStore.write`` writes a chunk of a load) and committed. Ids are as long as netgraph's
(``person:…``, ``seizure:record:…``). Three shapes of relationship:

- ``none``: the new seizures only;
- ``to hub``: each new seizure ``AT`` one of the hubs (new from-nodes, old to-nodes), no properties;
- ``from person``: an existing person ``INVOLVED_IN`` each new seizure (old from-nodes, spread over every
  node group of ``Person``), with a ``sources`` list of one record key, as netgraph's relationships carry.

Printed per chunk: seconds of the COPY statements and of the COMMIT (which checkpoints the write-ahead log).
A load of N records in chunks pays the sum of these commits, so a commit cost that grows with the store
makes the load grow faster than N.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import ladybug
import pyarrow as pa
import pyarrow.parquet as pq

SHAPES = ("none", "to hub", "from person")
HUBS = 10


def run(folder: Path, shape: str, chunks: int, rows: int, people: int) -> list[tuple[int, float, float]]:
    """(seizures before, COPY seconds, COMMIT seconds) per chunk."""
    db = ladybug.Database(str(folder / "bench.lbdb"), buffer_pool_size=1 << 30)
    conn = ladybug.Connection(db, num_threads=1)
    for label in ("Person", "Hub", "Seizure"):
        conn.execute(f"CREATE NODE TABLE {label}(id STRING, PRIMARY KEY(id))")
    conn.execute("CREATE REL TABLE AT(FROM Seizure TO Hub)")
    conn.execute("CREATE REL TABLE INVOLVED_IN(FROM Person TO Seizure, sources STRING[])")
    person = [f"person:nguyen van name number {i}" for i in range(people)]
    for label, ids in (("Person", person), ("Hub", [f"location:country:{i}" for i in range(HUBS)])):
        pq.write_table(pa.table({"id": ids}), folder / "nodes.parquet")
        conn.execute(f"COPY {label} FROM '{folder / 'nodes.parquet'}'")
    out = []
    for chunk in range(chunks):
        records = [f"record:CEN-2021-{chunk:03d}{i:07d}" for i in range(rows)]
        seizures = [f"seizure:{r}" for r in records]
        pq.write_table(pa.table({"id": seizures}), folder / "seizures.parquet")
        if shape == "to hub":
            rels = {"from": seizures, "to": [f"location:country:{i % HUBS}" for i in range(rows)]}
        else:
            rels = {"from": [person[(7 * i + chunk) % people] for i in range(rows)], "to": seizures,
                    "sources": [[r] for r in records]}
        pq.write_table(pa.table(rels), folder / "rels.parquet")
        start = time.perf_counter()
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"COPY Seizure FROM '{folder / 'seizures.parquet'}'")
        if shape != "none":
            conn.execute(f"COPY {'AT' if shape == 'to hub' else 'INVOLVED_IN'} FROM '{folder / 'rels.parquet'}'")
        copied = time.perf_counter()
        conn.execute("COMMIT")
        out.append((chunk * rows, copied - start, time.perf_counter() - copied))
    conn.close()
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run_info import describe_run
    print(describe_run("ladybug"))
    for shape in SHAPES:
        with tempfile.TemporaryDirectory(prefix="netgraph-commit-") as folder:
            rounds = run(Path(folder), shape, args.chunks, args.rows, args.people)
        print(f"\n== relationships: {shape}; {args.chunks} chunks of {args.rows:,} seizures, one transaction each")
        print(f"{'seizures before':>16}{'COPY s':>9}{'COMMIT s':>10}")
        for before, copy_s, commit_s in rounds:
            print(f"{before:>16,}{copy_s:>9.2f}{commit_s:>10.2f}")
        first, last = rounds[0][2], rounds[-1][2]
        commits, copies = sum(r[2] for r in rounds), sum(r[1] for r in rounds)
        print(f"commit of the last chunk / the first: {last / first:.1f}x; all commits {commits:.1f} s, "
              f"all COPYs {copies:.1f} s")


if __name__ == "__main__":
    main()
