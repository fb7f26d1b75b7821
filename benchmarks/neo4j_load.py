"""Loading into Neo4j 5 through the driver: facts written per second, by batch size.

    python benchmarks/neo4j_load.py --uri neo4j://localhost:7687 --records 20000 --batch-sizes 1000 10000 20000
    NETGRAPH_TEST_NEO4J_URI=neo4j://localhost:7687 python benchmarks/neo4j_load.py

Credentials come from ``NETGRAPH_TEST_NEO4J_USER`` / ``NETGRAPH_TEST_NEO4J_PASSWORD`` (else ``NEO4J_USERNAME`` /
``NEO4J_PASSWORD``); the server's default database is used unless ``--database``. Without a URI it measures
nothing and says it needs a server.

``--records`` synthetic records in the ``cen_customs`` format (``generate_records.py``, seeded) are written to
a CSV, then, for each batch size, loaded with ``netgraph.load_file`` into the Neo4j database (``fresh``), and
loaded again (``reload``: every fact is already stored, MERGE only matches). Each line printed is one measured
step: seconds end to end, seconds inside ``Neo4jStore.write``, the facts (node, provenance and relationship
rows) sent to the server, and facts per second of write time. The issue's target is 20,000 facts/s on a
local server.

The database must hold no netgraph data (checked first: the benchmark would merge into it and then delete
it); after each batch size every netgraph node is deleted again (``CALL { … } IN TRANSACTIONS``), so what it
deletes is what it wrote (unless something else writes netgraph data to that database meanwhile).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

MAPPING = "cen_customs"


def emit(**facts) -> None:
    print(json.dumps(facts), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default=os.environ.get("NETGRAPH_TEST_NEO4J_URI"))
    parser.add_argument("--database", default=None)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1_000, 10_000, 20_000])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not args.uri:
        print("benchmarks/neo4j_load.py needs a Neo4j 5 server: pass --uri neo4j://HOST:7687 or set "
              "NETGRAPH_TEST_NEO4J_URI (and _USER, _PASSWORD); nothing was measured", file=sys.stderr)
        return 2

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import neo4j
    from generate_records import generate, write_csv

    import netgraph as ng
    from netgraph.schema import NODE_TYPES
    from netgraph.store.neo4j import Neo4jSettings, Neo4jStore

    settings = Neo4jSettings(args.uri, os.environ.get("NETGRAPH_TEST_NEO4J_USER") or os.environ.get("NEO4J_USERNAME"),
                             os.environ.get("NETGRAPH_TEST_NEO4J_PASSWORD") or os.environ.get("NEO4J_PASSWORD"),
                             args.database)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="netgraph-neo4j-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv = workdir / f"cen_{args.records}.csv"
    write_csv(generate(args.records, seed=0), csv)

    class TimedStore(Neo4jStore):
        """Counts the facts sent and the seconds spent writing them."""
        facts, seconds = 0, 0.0

        def write(self, batch, progress=False):
            start = time.perf_counter()
            super().write(batch, progress)
            self.seconds += time.perf_counter() - start
            self.facts += sum(len(batch.node_frame(label)) + len(batch.asserts_frame(label)) for label in batch.labels())
            self.facts += sum(len(batch.rel_frame(key)) for key in batch.rel_keys())

    probe = Neo4jStore(settings=settings)
    try:
        held = sum(probe.counts().values())
        if held:
            print(f"the database holds {held} netgraph nodes and relationships: the benchmark needs one without "
                  "netgraph data (it would merge into them, then delete them); nothing was measured", file=sys.stderr)
            return 2
        info = probe._driver.get_server_info()
        emit(server=info.agent, driver=neo4j.__version__, records=args.records,
             rust_extension=_has_rust_extension())
        for size in args.batch_sizes:
            for step in ("fresh", "reload"):
                store = TimedStore(settings=settings, batch_size=size)
                try:
                    start = time.perf_counter()
                    ng.load_file(csv, MAPPING, store, rejects_dir=workdir / "rejects", progress=False)
                    total = time.perf_counter() - start
                    emit(batch_size=size, step=step, seconds=round(total, 2), write_seconds=round(store.seconds, 2),
                         facts=store.facts, facts_per_second=round(store.facts / store.seconds) if store.seconds else None)
                finally:
                    store.close()
            _delete_netgraph_nodes(probe, NODE_TYPES)
    finally:
        probe.close()
    return 0


def _delete_netgraph_nodes(store, labels) -> None:
    """Delete every node of netgraph's labels, in inner transactions (the database held none before)."""
    with store._driver.session(database=store.settings.database) as session:
        for label in labels:  # labels from the schema only
            session.run(f"MATCH (n:{label}) CALL {{ WITH n DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS").consume()


def _has_rust_extension() -> bool:
    try:
        import neo4j._rust  # noqa: F401  (installed by the neo4j-rust-ext package)
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(main())
