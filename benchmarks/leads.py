"""Link prediction: speed of top-100 leads at 100k nodes / 1M ties, and quality on real covert networks.

    python benchmarks/leads.py                      # both
    python benchmarks/leads.py --skip-speed         # only the evaluation table (Markdown, for the README)

Evaluation: random hold-out of 10% of the ties, 5 seeds, up to 5,000 sampled untied pairs as negatives;
AUC-ROC, average precision and precision@10 as mean ± sd. Networks: ../shared/data/covert, symmetrised.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "covert"
NETWORKS = ["morselli_caviar", "berlusconietal_oversize", "ITALIAN_GANGS", "morselli_siren", "natajaran_cocaine",
            "luciaetal_montagna"]


def speed() -> None:
    from netgraph.analysis.synthetic import trafficking_network
    net = trafficking_network(edges=1_000_000, mean_degree=20, seed=3)
    start = time.perf_counter()
    net.graph  # noqa: B018 - the projection, built once per session
    built = time.perf_counter() - start
    start = time.perf_counter()
    found = net.leads(k=100, method="adamic_adar")
    took = time.perf_counter() - start
    print(f"top-100 leads (Adamic–Adar, with reasons): {len(net.nodes):,} nodes, {len(net.edges):,} ties: "
          f"{took:.2f} s (+ {built:.2f} s to build the graph); target ≤ 10 s; "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; best score {found.score[0]:.2f}")


def quality() -> None:
    from netgraph.analysis.leads import evaluate
    from netgraph.analysis.matrices import matrix_network
    print("| network | nodes | ties | method | AUC-ROC | average precision | precision@10 |")
    print("|---|---|---|---|---|---|---|")
    for name in NETWORKS:
        net = matrix_network(SHARED / f"{name}.csv")
        table = evaluate(net, seeds=range(5))
        for row in table.itertuples(index=False):
            print(f"| {name} | {len(net.nodes)} | {len(net.edges)} | {row.method} | {row.auc_mean:.3f} ± "
                  f"{row.auc_std:.3f} | {row.average_precision_mean:.3f} ± {row.average_precision_std:.3f} | "
                  f"{row.precision_at_10_mean:.2f} ± {row.precision_at_10_std:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_speed:
        speed()
    if not args.skip_quality:
        quality()
