"""Broker-report steps through netgraph vs plain NetworkX, raw python-igraph and raw NetworKit.

    python benchmarks/analytics.py                 # 10k, 100k and 1M edges
    python benchmarks/analytics.py --sizes 10000   # a quick run

Each (size, engine) runs in its own process, so that its peak memory (ru_maxrss) is its own. Steps:
degree, PageRank, betweenness estimated from 20 sampled sources, Leiden (NetworkX has no Leiden: its
Louvain stands in). Times are the best of ``--repeat`` runs, in seconds; ratios are printed against
NetworkX and against the fastest raw library for each step. Prints only what it measured.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], args.repeat)))
        return
    for size in args.sizes:
        results = {}
        for engine in ENGINES:
            if engine == "networkx" and size > NETWORKX_MAX_EDGES:
                continue
            done = subprocess.run([sys.executable, __file__, "--one", str(size), engine, "--repeat", str(args.repeat)],
                                  capture_output=True, text=True, check=True)
            results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        first = results["netgraph"]
        print(f"\n== {first['edges']:,} edges, {first['nodes']:,} nodes (seconds, best of {args.repeat}; "
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


if __name__ == "__main__":
    main()
