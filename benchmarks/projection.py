"""Projections out of the store: netgraph against the raw LadybugDB (Arrow) → igraph equivalent.

    python benchmarks/projection.py                                  # 10k and 100k generated records
    python benchmarks/projection.py --records 10000 100000 1000000 --repeat 3 --workdir /tmp/netgraph-projection

For each size N, ``generate_records.py`` (seeded) writes N ``cen_customs`` records and netgraph's
``load_file`` loads them into a store in ``--workdir`` (kept and reused: ``--rebuild`` loads again). Then one
process per size (so that its peak memory is its own) times, alternately in that process and best of
``--repeat``:

- ``person``: ``ng.person_network(store).graph`` (ties with their records, kinds and hubs; node attributes,
  seizure table, records; then the igraph graph) against the raw equivalent: one Cypher co-membership
  query per kind of link (shared seizure, phone or account, organisation, conveyance) returning
  ``offset(id(a)), offset(id(b))`` as Arrow, the pairs counted with numpy, then an igraph graph with
  vertex names and weights;
- ``subgraph``: ``ng.subgraph(store).to_igraph()`` (every entity and asserted relationship, with sources and
  properties) against the raw equivalent: one Arrow query per label (id, name) and per relationship type
  (ends, sources, properties), then an igraph graph with the same vertex and edge attributes;
- ``person_edges``: reading ``net.edges`` of that network once, which makes every tie's ``via``, ``hubs``
  and ``sources`` lists (the network keeps them as codes until then); no raw counterpart.

netgraph's reads go through ``LadybugStore.query_arrow`` (Arrow tables, as the raw side reads).

Algorithm differences: the raw person graph weighs a pair by the number of co-membership paths the queries
return (a pair sharing a seizure through three records counts 1, two people on two vehicles of one seizure
count 2 …); netgraph weighs it by the distinct records behind its shared hubs and keeps them. The raw
subgraph reads a relationship's own ``sources`` (none for the types that list none); netgraph reads the
store's provenance for it. Prints only what it measured.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

MAPPING = "cen_customs"
PARTS = ("person", "subgraph", "person_edges")
PERSON_LINKS = {  # the links person_network follows by default, as raw co-membership queries
    "seizure": "MATCH (a:Person)-[:INVOLVED_IN]->(h:Seizure)<-[:INVOLVED_IN]-(b:Person)",
    "phone/account": "MATCH (a:Person)-[:USES]->(h)<-[:USES]-(b:Person)",
    "organization": "MATCH (a:Person)-[:WORKS_FOR|DIRECTS]->(h:Organization)<-[:WORKS_FOR|DIRECTS]-(b:Person)",
    "conveyance": "MATCH (a:Person)-[:INVOLVED_IN]->(:Seizure)-[:CONVEYED_BY]->(h)<-[:CONVEYED_BY]-(:Seizure)"
                  "<-[:INVOLVED_IN]-(b:Person)",
}


def build_store(size: int, workdir: Path, seed: int, rebuild: bool) -> Path:
    """A store holding ``size`` generated records (loaded once; reused while its marker file exists)."""
    import shutil

    from generate_records import generate, write_csv

    import netgraph as ng
    path = workdir / f"{MAPPING}_{size}.lbdb"
    done = workdir / f"{MAPPING}_{size}.loaded"
    made = {"records": size, "seed": seed, "schema": schema_digest()}
    if done.exists() and path.exists() and not rebuild and json.loads(done.read_text()) == made:
        return path  # loaded before, with the same schema
    done.unlink(missing_ok=True)
    for leftover in (path, workdir / f"{path.name}.wal", workdir / f"{path.name}.rejects"):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    csv = workdir / f"{MAPPING}_{size}.csv"
    write_csv(generate(size, seed=seed), csv)
    start = time.perf_counter()
    with ng.open_store(path) as store:
        report = ng.load_file(csv, MAPPING, store, progress=False)
    print(f"  {size:,} records generated and loaded in {time.perf_counter() - start:.0f} s "
          f"({report.rejected} rejected) -> {path}", flush=True)
    done.write_text(json.dumps(made))
    return path


def schema_digest() -> str:
    """A digest of netgraph's schema: a store loaded under another schema is loaded again."""
    import hashlib

    from netgraph.schema import NODE_TYPES, REL_TYPES
    text = repr(sorted((k, sorted(v.all_properties.items())) for k, v in {**NODE_TYPES, **REL_TYPES}.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def raw_person(conn):
    """Co-membership pairs by Cypher (Arrow), counted with numpy, as an igraph graph with names and weights."""
    import igraph as ig
    import numpy as np
    people = conn.execute("MATCH (p:Person) RETURN offset(id(p)) AS i, p.id AS id ORDER BY i").get_as_arrow()
    n = people.num_rows
    keys = []
    for match in PERSON_LINKS.values():
        pairs = conn.execute(f"{match} WHERE offset(id(a)) < offset(id(b)) "
                             "RETURN offset(id(a)) AS s, offset(id(b)) AS t").get_as_arrow()
        keys.append(pairs["s"].to_numpy().astype(np.int64) * n + pairs["t"].to_numpy().astype(np.int64))
    keys = np.sort(np.concatenate(keys), kind="stable")
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], dtype=np.int64)
    counts = np.diff(np.r_[first, len(keys)])
    unique = keys[first]
    gc.disable()
    try:
        graph = ig.Graph(n=n, edges=list(zip((unique // n).tolist(), (unique % n).tolist())))
    finally:
        gc.enable()
    graph.vs["name"] = people["id"].to_pylist()
    graph.es["weight"] = counts.astype(float).tolist()
    return graph


def raw_subgraph(conn):
    """Every entity and asserted relationship by Arrow queries, as an igraph graph with the attributes
    ``Subgraph.to_igraph`` gives (vertex name, display_name, label; edge type, weight, sources, properties)."""
    import igraph as ig
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from netgraph.schema import ASSERTED_REL_TYPES, NODE_TYPES, REL_TYPES
    ids, names, labels = [], [], []
    for label in NODE_TYPES:
        if label in ("Record", "Mention", "Load"):
            continue
        table = conn.execute(f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name").get_as_arrow()
        ids.append(table["id"])
        names.append(table["name"])
        labels.append(np.full(table.num_rows, label, dtype=object))
    ids = pa.chunked_array([c for a in ids for c in a.chunks], pa.string())
    index = pd.Index(ids.to_pandas())
    sources, targets, attributes = [], [], {"type": [], "weight": [], "sources": []}
    for rel_type in ASSERTED_REL_TYPES:
        spec = REL_TYPES[rel_type]
        props = [p for p in spec.all_properties if p != "sources"]
        listed = "e.sources" if spec.sources else "[]"
        table = conn.execute(f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS s, b.id AS t, {listed} AS sources"
                             + "".join(f", e.{p} AS {p}" for p in props)).get_as_arrow()
        rows = table.num_rows
        sources.append(index.get_indexer(table["s"].to_pandas()))
        targets.append(index.get_indexer(table["t"].to_pandas()))
        lists = table["sources"].to_pylist()
        attributes["type"] += [rel_type] * rows
        attributes["weight"] += pc.list_value_length(table["sources"]).to_numpy(
            zero_copy_only=False).astype(float).tolist()
        attributes["sources"] += lists
        for p in props:
            attributes.setdefault(p, [None] * (len(attributes["type"]) - rows))
            attributes[p] += table[p].to_pylist()
        for p in set(attributes) - {"type", "weight", "sources", *props}:
            attributes[p] += [None] * rows
    s, t = np.concatenate(sources), np.concatenate(targets)
    keep = (s >= 0) & (t >= 0)
    gc.disable()
    try:
        graph = ig.Graph(n=len(index), edges=list(zip(s[keep].tolist(), t[keep].tolist())), directed=True)
    finally:
        gc.enable()
    graph.vs["name"] = index.tolist()
    graph.vs["display_name"] = pa.chunked_array([c for a in names for c in a.chunks], pa.string()).to_pylist()
    graph.vs["label"] = np.concatenate(labels).tolist()
    chosen = np.flatnonzero(keep).tolist()
    for name, values in attributes.items():
        graph.es[name] = values if len(chosen) == len(values) else [values[i] for i in chosen]
    return graph


def run_case(path: Path, repeat: int, parts: list[str]) -> dict:
    import netgraph as ng
    from netgraph.analysis.projection import subgraph
    store = ng.open_store(path, read_only=True)
    conn = store._conn  # the raw baseline speaks to the same LadybugDB connection directly
    out = {"records": int(store.counts().get("Record", 0))}

    cases = {}
    if "person" in parts or "person_edges" in parts:
        cases["person"] = (lambda: ng.person_network(store).graph, lambda: raw_person(conn))
    if "subgraph" in parts:
        cases["subgraph"] = (lambda: subgraph(store).to_igraph(), lambda: raw_subgraph(conn))
    for name, (netgraph, raw) in cases.items():
        sides = [("raw", raw), ("netgraph", netgraph)]
        times = {side: [] for side, _ in sides}
        cpu = {side: [] for side, _ in sides}
        for _ in range(repeat):  # interleaved, so all see the same machine load
            for side, fn in sides:
                gc.collect()
                start, start_cpu = time.perf_counter(), time.process_time()
                graph = fn()
                times[side].append(time.perf_counter() - start)
                cpu[side].append(time.process_time() - start_cpu)
                out[f"{name}_{side}_size"] = [graph.vcount(), graph.ecount()]
                del graph
        out[name] = {side: min(values) for side, values in times.items()}
        out[name + "_cpu"] = {side: min(values) for side, values in cpu.items()}
    if "person_edges" in parts:
        seconds = []
        for _ in range(repeat):
            net = ng.person_network(store)
            start = time.perf_counter()
            net.edges  # noqa: B018 - makes the evidence lists
            seconds.append(time.perf_counter() - start)
            del net
        out["person_edges"] = min(seconds)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/netgraph-projection"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--rebuild", action="store_true", help="load the stores again (done anyway when netgraph's "
                        "schema changed since they were loaded)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(Path(args.case), args.repeat, args.parts)))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    args.workdir.mkdir(parents=True, exist_ok=True)
    from run_info import describe_run
    print(describe_run("ladybug", "igraph"))
    results = {}
    for size in sorted(set(args.records)):
        path = build_store(size, args.workdir, args.seed, args.rebuild)
        done = subprocess.run([sys.executable, __file__, "--case", str(path), "--repeat", str(args.repeat),
                               "--parts", *args.parts],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"  {size:,} records: the case failed\n{done.stderr[-3000:]}")
            continue
        results[size] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nseconds (wall clock, and CPU time of the process), best of {args.repeat}, netgraph and raw alternating "
          f"in one process per size")
    for part, what in (("person", "person_network(store).graph vs Cypher co-membership (Arrow) → igraph"),
                       ("subgraph", "subgraph(store).to_igraph() vs Arrow queries per label and type → igraph")):
        rows = [(size, r) for size, r in results.items() if part in r]
        if not rows:
            continue
        print(f"\n== {part}: {what}")
        print(f"{'records':>10}{'nodes':>10}{'edges':>11}{'raw edges':>11}{'netgraph':>10}{'raw':>8}{'ratio':>8}"
              f"{'CPU netgraph':>14}{'CPU raw':>9}{'ratio':>8}{'peak MiB':>10}")
        for size, r in rows:
            nodes, edges = r[f"{part}_netgraph_size"]
            wall, cpu = r[part], r[part + "_cpu"]
            print(f"{size:>10,}{nodes:>10,}{edges:>11,}{r[f'{part}_raw_size'][1]:>11,}{wall['netgraph']:>10.2f}"
                  f"{wall['raw']:>8.2f}{wall['netgraph'] / wall['raw']:>7.2f}x{cpu['netgraph']:>14.2f}"
                  f"{cpu['raw']:>9.2f}{cpu['netgraph'] / cpu['raw']:>7.2f}x{r['peak_mib']:>10,.0f}")
        for (n1, r1), (n2, r2) in zip(rows, rows[1:]):
            exponent = {side: math.log(r2[part][side] / r1[part][side]) / math.log(n2 / n1)
                        for side in ("netgraph", "raw")}
            print(f"  scaling {n1:,} -> {n2:,} records, log(t2/t1) / log(n2/n1): netgraph {exponent['netgraph']:.2f}, "
                  f"raw {exponent['raw']:.2f}")
    rows = [(size, r) for size, r in results.items() if "person_edges" in r]
    if rows:
        print("\n== person_edges: reading net.edges once (every tie's via, hubs and sources made into lists)")
        for size, r in rows:
            print(f"{size:>10,} records: {r['person_edges']:.2f} s for {r['person_netgraph_size'][1]:,} ties")


if __name__ == "__main__":
    main()
