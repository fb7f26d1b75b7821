"""Broker-report steps through netgraph vs plain NetworkX, raw python-igraph and raw NetworKit; person-network
ties and the HTML view against raw baselines.

    python benchmarks/analytics.py                 # everything: 10k, 100k, 1M edges; ties; HTML at 10k, 100k nodes
    python benchmarks/analytics.py --sizes 10000   # a quick run
    python benchmarks/analytics.py --parts ties html --records 20000 --html-nodes 10000
    python benchmarks/analytics.py --parts attack --attack-edges 10000 100000

Each (size, engine) runs in its own process, so that its peak memory (ru_maxrss) is its own. Steps:
degree, PageRank, betweenness estimated from 20 sampled sources, Leiden (NetworkX has no Leiden: its
Louvain stands in). Times are the best of ``--repeat`` runs, in seconds; ratios are printed against
NetworkX and against the fastest raw library for each step. Prints only what it measured.

``ties``: what ``person_network`` does with the links (``co_membership_edges`` keeping every tie's records,
kinds and hubs, then the igraph graph) against a raw co-membership count (a pandas self-join on integer
codes → igraph, as a Cypher ``MATCH (a)-->(h)<--(b) RETURN a, b, count(*)`` → igraph would), on generated
person → seizure / phone / organisation links. ``html``: ``Network.to_html`` on a synthetic trafficking
network against raw pyvis writing the same drawn nodes and ties. Both run netgraph and the baseline
alternately in one process, best of ``--repeat``. ``attack``: ``Network.disruption`` as a sequential betweenness
attack (betweenness from ``--attack-betweenness-k`` sampled sources, recomputed after each of
``--attack-steps`` removals, with the per-step structure) against a raw igraph loop doing the same work
(same sources, choice rule and metrics), alternately in one process.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

ENGINES = ("netgraph", "igraph", "networkit", "networkx")
STEPS = ("build", "degree", "pagerank", "betweenness_k20", "communities")
NETWORKX_MAX_EDGES = 100_000  # larger runs take NetworkX many minutes
K = 20
PARTS = ("engines", "ties", "html", "attack")


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_one(size: int, engine: str, repeat: int) -> dict:
    from netgraph.analysis.synthetic import trafficking_network
    net = trafficking_network(size, seed=1)
    edges = net.edges
    out = {}
    if engine == "netgraph":
        from netgraph.analysis.network import Network
        out["build"] = best(lambda: Network("person", net.nodes, edges, {}).graph, repeat)
        fresh = Network("person", net.nodes, edges, {})
        fresh.graph  # noqa: B018 - build once, as an analyst's session would
        out["degree"] = best(lambda: fresh.centrality(which=("degree",)), repeat)
        out["pagerank"] = best(lambda: fresh.centrality(which=("pagerank",)), repeat)
        out["betweenness_k20"] = best(lambda: fresh.centrality(which=("betweenness",), betweenness_k=K), repeat)

        def leiden():
            fresh._membership.clear()  # measure the detection, not netgraph's cache of it
            return fresh.communities("leiden")
        out["communities"] = best(leiden, repeat)
    elif engine == "igraph":
        import igraph as ig
        index = {v: i for i, v in enumerate(net.nodes["id"])}
        pairs = list(zip(edges["source"].map(index), edges["target"].map(index)))
        weights = edges["weight"].tolist()
        out["build"] = best(lambda: ig.Graph(n=len(index), edges=pairs), repeat)
        g = ig.Graph(n=len(index), edges=pairs)
        lengths = [1 / w for w in weights]
        sources = random.Random(0).sample(range(g.vcount()), K)
        out["degree"] = best(lambda: g.degree(), repeat)
        out["pagerank"] = best(lambda: g.pagerank(weights=weights), repeat)
        out["betweenness_k20"] = best(lambda: g.betweenness(directed=False, weights=lengths, sources=sources), repeat)
        out["communities"] = best(lambda: g.community_leiden(objective_function="modularity", weights=weights,
                                                             n_iterations=2), repeat)
    elif engine == "networkit":
        import networkit as nk
        index = {v: i for i, v in enumerate(net.nodes["id"])}
        rows = edges["source"].map(index).to_numpy()
        cols = edges["target"].map(index).to_numpy()
        weights = edges["weight"].to_numpy()

        def build():
            return nk.graph.GraphFromCoo((weights, (rows, cols)), n=len(index), weighted=True, directed=False)
        out["build"] = best(build, repeat)
        g = build()
        out["degree"] = best(lambda: nk.centrality.DegreeCentrality(g).run(), repeat)
        out["pagerank"] = best(lambda: nk.centrality.PageRank(g, damp=0.85, tol=1e-9).run(), repeat)
        out["betweenness_k20"] = best(lambda: nk.centrality.EstimateBetweenness(g, K, normalized=True,
                                                                                parallel=True).run(), repeat)
        out["communities"] = best(lambda: nk.community.ParallelLeiden(g).run(), repeat)
        out["threads"] = nk.getMaxNumberOfThreads()
    else:
        import networkx as nx
        out["build"] = best(lambda: nx.from_pandas_edgelist(edges, edge_attr="weight"), repeat)
        g = nx.from_pandas_edgelist(edges, edge_attr="weight")
        for u, v, d in g.edges(data=True):
            d["length"] = 1 / d["weight"]
        out["degree"] = best(lambda: dict(g.degree()), repeat)
        out["pagerank"] = best(lambda: nx.pagerank(g, weight="weight"), repeat)
        out["betweenness_k20"] = best(lambda: nx.betweenness_centrality(g, k=K, seed=0, weight="length"), repeat)
        out["communities"] = best(lambda: nx.community.louvain_communities(g, weight="weight", seed=0), 1)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["nodes"], out["edges"] = len(net.nodes), len(edges)
    return out


def members_frame(records: int, seed: int = 0):
    """Person → hub links as ``ties.memberships`` returns them (person, hub, kind, sources), generated:
    every record is a seizure of 1–8 people drawn from a heavy-tailed pool (repeat offenders); half the
    records also name one person's phone (phones are shared by about 1.5 people), and a tenth name a
    person's employer (organisations of heavy-tailed size)."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    people = int(records * 0.6)
    popular = rng.pareto(1.5, people) + 1
    popular /= popular.sum()
    size = np.minimum(1 + rng.poisson(1.2, records), 8)
    record = np.repeat(np.arange(records), size)
    person = rng.choice(people, len(record), p=popular)
    phone_of = rng.integers(0, int(people / 1.5), people)
    employer_of = np.minimum((rng.pareto(1.2, people) * 20).astype(int), 1_999)
    named = rng.random(records) < 0.5
    phone_people = person[np.searchsorted(record, np.flatnonzero(named))]  # the first person of the record
    works = rng.random(records) < 0.1
    worker = person[np.searchsorted(record, np.flatnonzero(works))]
    links = pd.DataFrame({
        "person": np.concatenate([person, phone_people, worker]),
        "hub": np.concatenate([np.char.add("seizure:", record.astype(str)),
                               np.char.add("phone:", phone_of[phone_people].astype(str)),
                               np.char.add("org:", employer_of[worker].astype(str))]),
        "kind": np.repeat(["seizure", "phone", "organization"], [len(person), len(phone_people), len(worker)]),
        "record": np.concatenate([record, np.flatnonzero(named), np.flatnonzero(works)])})
    links["person"] = np.char.add("person:", links["person"].to_numpy().astype(str))
    links["record"] = np.char.add("record:", links["record"].to_numpy().astype(str))
    links = links.drop_duplicates().sort_values(["person", "hub", "kind", "record"])
    return links.groupby(["person", "hub", "kind"], as_index=False, sort=True)["record"].agg(list).rename(
        columns={"record": "sources"})


def run_ties(records: int, repeat: int) -> dict:
    import igraph as ig
    import numpy as np
    import pandas as pd

    from netgraph.analysis.ties import co_membership_edges, tie_graph
    members = members_frame(records)

    def netgraph():
        edges = co_membership_edges(members)
        return tie_graph(pd.Series(sorted(set(members["person"]))), edges), edges

    def raw():
        person, persons = pd.factorize(members["person"])
        links = pd.DataFrame({"p": person, "h": pd.factorize(members["hub"])[0]})
        pairs = links.merge(links, on="h")
        pairs = pairs[pairs["p_x"] < pairs["p_y"]]
        counted = pairs.groupby(["p_x", "p_y"]).size()
        pairs = np.column_stack([counted.index.get_level_values(0), counted.index.get_level_values(1)])
        graph = ig.Graph(n=len(persons), edges=pairs)
        graph.es["weight"] = counted.to_numpy(dtype=float)
        return graph

    times, cpu = {"netgraph": [], "raw": []}, {"netgraph": [], "raw": []}
    for _ in range(repeat):  # interleaved, so both see the same machine load
        for name, fn in (("raw", raw), ("netgraph", netgraph)):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            if name == "netgraph":
                graph, edges = result
    return {"records": records, "links": len(members), "ties": len(edges), "nodes": graph.vcount(),
            "netgraph": min(times["netgraph"]), "raw": min(times["raw"]), "netgraph_cpu": min(cpu["netgraph"]),
            "raw_cpu": min(cpu["raw"]), "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_html(nodes: int, repeat: int) -> dict:
    import tempfile
    from pathlib import Path

    from pyvis.network import Network as PyvisNetwork

    from netgraph.analysis.network import Network
    from netgraph.analysis.synthetic import trafficking_network
    from netgraph.views.html import reduce
    base = trafficking_network(edges=nodes * 5, seed=1)  # mean degree 10: n = 2 × edges / 10
    keep, _ = reduce(base, seed=0)
    kept = set(keep)
    drawn = base.edges[base.edges["source"].isin(kept) & base.edges["target"].isin(kept)]
    folder = Path(tempfile.mkdtemp())

    def netgraph():  # a fresh Network: the graph, communities and measures are computed as in a new session
        Network("person", base.nodes, base.edges, base.description).to_html(folder / "netgraph.html")

    def raw():  # what pyvis needs to draw the same nodes and ties, assigned directly (add_node is O(n) per node)
        pv = PyvisNetwork(height="780px", width="100%", cdn_resources="in_line")
        pv.nodes = [{"id": v, "label": v, "shape": "dot"} for v in keep]
        pv.node_ids, pv.node_map = list(keep), {n["id"]: n for n in pv.nodes}
        pv.edges = [{"from": r.source, "to": r.target, "value": float(r.weight)} for r in drawn.itertuples()]
        (folder / "raw.html").write_text(pv.generate_html(), encoding="utf-8")

    times, cpu = {"netgraph": [], "raw": []}, {"netgraph": [], "raw": []}
    for _ in range(repeat):
        for name, fn in (("raw", raw), ("netgraph", netgraph)):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {"nodes": len(base.nodes), "edges": len(base.edges), "drawn": len(keep), "drawn_edges": len(drawn),
            "netgraph": min(times["netgraph"]), "raw": min(times["raw"]), "netgraph_cpu": min(cpu["netgraph"]),
            "raw_cpu": min(cpu["raw"]), "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_attack(edges: int, repeat: int, steps: int, k: int) -> dict:
    import igraph as ig
    import numpy as np

    from netgraph.analysis import measures
    from netgraph.analysis.synthetic import trafficking_network
    base = trafficking_network(edges, seed=1)
    index = {v: i for i, v in enumerate(base.nodes["id"])}
    pairs = list(zip(base.edges["source"].map(index), base.edges["target"].map(index)))
    weights = base.edges["weight"].tolist()

    def netgraph():  # a fresh network, as a new session would have
        from netgraph.analysis.network import Network
        net = Network("person", base.nodes, base.edges, base.description)
        return net.disruption(k=steps, measure="betweenness", recalculate=True, betweenness_k=k)["removed"].tolist()[1:]

    def raw():  # the same sources, choice rule and metrics, straight on igraph
        g = ig.Graph(n=len(index), edges=pairs)
        g.vs["name"], g.es["weight"] = list(index), weights
        removed = []
        for step in range(steps + 1):
            n = g.vcount()
            components = g.connected_components()
            sizes = np.asarray(components.sizes())
            metrics = [1 - (sizes * (sizes - 1)).sum() / (n * (n - 1))]  # fragmentation, then path metrics
            if n <= measures.PATH_MEASURES_MAX_NODES:
                metrics += [g.average_path_length(directed=False, unconn=True), g.harmonic_centrality(normalized=False)]
            else:
                sources = sorted(random.Random(0).sample(range(n), measures.PATH_SAMPLE_SOURCES))
                metrics += [g.harmonic_centrality(vertices=sources, normalized=False),
                            g.closeness(vertices=sources, normalized=False)]
            if step == steps:
                break
            sources = sorted(random.Random(0).sample(range(n), k))
            scores = np.round(np.asarray(g.betweenness(directed=False, weights=[1 / w for w in g.es["weight"]],
                                                       sources=sources)) * n / k / ((n - 1) * (n - 2) / 2), 10)
            names = g.vs["name"]
            at = min(range(n), key=lambda i: (-scores[i], names[i]))
            removed.append(names[at])
            g.delete_vertices(at)
        return removed

    times = {"netgraph": [], "raw": []}
    for _ in range(repeat):  # interleaved, so both see the same machine load
        for name, fn in (("raw", raw), ("netgraph", netgraph)):
            start = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - start)
            if name == "raw":
                expected = result
            elif result != expected:
                raise AssertionError(f"netgraph removed {result}, the raw loop {expected}")
    return {"nodes": len(index), "edges": len(pairs), "steps": steps, "sources": k,
            "netgraph": min(times["netgraph"]), "raw": min(times["raw"]),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def engines(sizes: list[int], repeat: int) -> None:
    for size in sizes:
        results = {}
        for engine in ENGINES:
            if engine == "networkx" and size > NETWORKX_MAX_EDGES:
                continue
            results[engine] = child("--one", str(size), engine, repeat=repeat)
        first = results["netgraph"]
        print(f"\n== {first['edges']:,} edges, {first['nodes']:,} nodes (seconds, best of {repeat}; "
              f"NetworKit on {results['networkit'].get('threads')} threads)")
        header = f"{'step':<16}" + "".join(f"{e:>11}" for e in results) + f"{'vs nx':>9}{'vs fastest raw':>16}"
        print(header)
        for step in STEPS:
            row = f"{step:<16}" + "".join(f"{results[e][step]:>11.4f}" for e in results)
            raw = min(results[e][step] for e in ("igraph", "networkit"))
            vs_nx = (f"{results['networkx'][step] / first[step]:>8.1f}x" if "networkx" in results else f"{'-':>9}")
            print(row + vs_nx + f"{first[step] / raw:>15.2f}x")
        total = {e: sum(results[e][s] for s in STEPS[1:]) for e in results}
        print(f"{'report (4 steps)':<16}" + "".join(f"{total[e]:>11.4f}" for e in results)
              + (f"{total['networkx'] / total['netgraph']:>8.1f}x" if "networkx" in results else f"{'-':>9}"))
        print(f"{'peak MiB':<16}" + "".join(f"{results[e]['peak_mib']:>11.0f}" for e in results))


def child(*args: str, repeat: int) -> dict:
    done = subprocess.run([sys.executable, __file__, *args, "--repeat", str(repeat)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000], help="records for the ties part")
    parser.add_argument("--html-nodes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--attack-edges", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--attack-steps", type=int, default=5)
    parser.add_argument("--attack-betweenness-k", type=int, default=100)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--ties", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--html", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--attack", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], args.repeat)))
        return
    if args.ties:
        print(json.dumps(run_ties(args.ties, args.repeat)))
        return
    if args.html:
        print(json.dumps(run_html(args.html, args.repeat)))
        return
    if args.attack:
        print(json.dumps(run_attack(args.attack, args.repeat, args.attack_steps, args.attack_betweenness_k)))
        return
    if "engines" in args.parts:
        engines(args.sizes, args.repeat)
    if "ties" in args.parts:
        print(f"\n== person-network ties: co_membership_edges + igraph vs a raw co-membership count → igraph "
              f"(seconds, best of {args.repeat}, interleaved in one process)")
        print(f"{'records':>9}{'links':>10}{'ties':>10}{'netgraph':>10}{'raw':>9}{'ratio':>8}{'CPU netgraph':>14}"
              f"{'CPU raw':>9}{'ratio':>8}{'peak MiB':>10}")
        for records in args.records:
            r = child("--ties", str(records), repeat=args.repeat)
            print(f"{r['records']:>9,}{r['links']:>10,}{r['ties']:>10,}{r['netgraph']:>10.2f}{r['raw']:>9.2f}"
                  f"{r['netgraph'] / r['raw']:>7.1f}x{r['netgraph_cpu']:>14.2f}{r['raw_cpu']:>9.2f}"
                  f"{r['netgraph_cpu'] / r['raw_cpu']:>7.1f}x{r['peak_mib']:>10.0f}")
    if "html" in args.parts:
        print(f"\n== Network.to_html vs raw pyvis writing the same drawn nodes and ties (seconds, best of "
              f"{args.repeat}, interleaved in one process)")
        print(f"{'nodes':>9}{'edges':>10}{'drawn':>7}{'drawn ties':>11}{'netgraph':>10}{'raw':>8}{'ratio':>8}"
              f"{'CPU netgraph':>14}{'CPU raw':>9}{'peak MiB':>10}")
        for nodes in args.html_nodes:
            r = child("--html", str(nodes), repeat=args.repeat)
            print(f"{r['nodes']:>9,}{r['edges']:>10,}{r['drawn']:>7,}{r['drawn_edges']:>11,}{r['netgraph']:>10.2f}"
                  f"{r['raw']:>8.2f}{r['netgraph'] / r['raw']:>7.1f}x{r['netgraph_cpu']:>14.2f}{r['raw_cpu']:>9.2f}"
                  f"{r['peak_mib']:>10.0f}")
        print("netgraph computes the graph, PageRank and communities of the whole network, ranks brokers by "
              "betweenness from sampled sources (html.ranking_sources: fewer than 200 above 50,000 ties) to choose "
              "the drawn nodes, and hashes the whole network for the page's stamp; raw pyvis is given the drawn "
              "nodes and ties")

    if "attack" in args.parts:
        print(f"\n== sequential betweenness attack, {args.attack_steps} removals, betweenness from "
              f"{args.attack_betweenness_k} sampled sources, vs a raw igraph loop (seconds, best of {args.repeat}, "
              f"interleaved in one process)")
        print(f"{'nodes':>9}{'edges':>10}{'netgraph':>10}{'raw':>9}{'ratio':>8}{'per step':>10}{'peak MiB':>10}")
        for edges in args.attack_edges:
            r = child("--attack", str(edges), "--attack-steps", str(args.attack_steps), "--attack-betweenness-k",
                      str(args.attack_betweenness_k), repeat=args.repeat)
            print(f"{r['nodes']:>9,}{r['edges']:>10,}{r['netgraph']:>10.2f}{r['raw']:>9.2f}"
                  f"{r['netgraph'] / r['raw']:>7.2f}x{r['netgraph'] / r['steps']:>10.2f}{r['peak_mib']:>10.0f}")


if __name__ == "__main__":
    main()
