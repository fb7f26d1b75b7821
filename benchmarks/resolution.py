"""Entity resolution at scale: time, peak memory, pairs compared and quality at 10k, 100k and 1M mentions.

    python benchmarks/resolution.py [--sizes 10000 100000 1000000] [--seed 1] [--uniform]

Each size runs in its own process (so its peak RSS is its own) on mentions from
netgraph.resolution.evaluate.evaluation_set (seeded; ~3 spellings per person: diacritics dropped, upper case,
name order, typos, hanzi, one phone written three ways, a birth date on 30% of mentions), so precision and
recall are known. By default names are namesake-realistic (``realistic=True``: Vietnamese and Chinese people,
surnames by their published shares, given names by Zipf's law: see evaluate.VN_FAMILY_SHARE), namesakes as
they fall; ``--uniform`` draws the 300-person evaluation set's pools instead. Prints, per size: seconds to
compute the mentions' features (``features``, part of ``resolve`` on a store) and to resolve them (``match``:
wall and CPU, and where the time goes), seconds to generate them, peak RSS, the pairs
compared (exactly, counted by Splink after the run) and the candidate pairs the blocking split dropped,
pairwise precision and recall against the generator's truth, the share of people who share their name with
another; then the growth exponent of the resolve time between sizes (t ~ n^k).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

PEOPLE_PER_MENTION = 1 / 3  # 2-4 mentions per person


def one(mentions: int, seed: int, realistic: bool) -> dict:
    """Resolve about ``mentions`` generated mentions; the measures as a dict."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from netgraph.resolution import evaluate, linkage
    from netgraph.resolution.evaluate import evaluation_set, pairwise

    featured = []  # seconds in features(), part of resolve() on a store, timed apart from the generator

    def features(people):
        start = time.perf_counter()
        frame = linkage.features(people)
        featured.append(time.perf_counter() - start)
        return frame
    evaluate.features = features
    start = time.perf_counter()
    rows, truth = evaluation_set(people=round(mentions * PEOPLE_PER_MENTION), seed=seed, realistic=realistic,
                                 hard_cases=0 if realistic else 10)
    made = time.perf_counter() - start - sum(featured)
    cpu, start = time.process_time(), time.perf_counter()
    result = linkage.match(rows)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scores = pairwise(truth, result.clusters.set_index("id")["resolved_id"])
    # the pairs Splink compared, each once however many keys found it (counted again, outside the timing)
    blocked = linkage.blocking_plan(rows.assign(name_bearers=linkage.name_bearers(rows)))[0]
    counted = count_comparisons_from_blocking_rules(
        DuckDBAPI().register(blocked), blocking_rules=linkage.blocking_rules(), link_type="dedupe_only",
        record_sample_proportion=1.0)
    first = rows.assign(truth=truth.to_numpy()).drop_duplicates("truth")
    report = result.blocking
    return {"mentions": len(rows), "people": int(truth.nunique()), "generate_s": made,
            "features_s": sum(featured), "resolve_s": took,
            "resolve_cpu_s": cpu, "peak_mib": peak, "compared": int(counted[-1]["cumulative_comparison_count"]),
            "dropped_per_key": {r.key: int(r.dropped) for r in report.itertuples() if r.dropped},
            "links": len(result.links), "namesakes": float(first.groupby("name_sorted")["truth"]
                                                           .transform("count").gt(1).mean()),
            "steps": result.seconds, "load": os.getloadavg()[0], **{k: float(v) for k, v in scores.items()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uniform", action="store_true", help="the evaluation set's uniform name pools")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, as JSON (the child process)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seed, not args.uniform)))
        sys.exit(0)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start (other work shares them)")
    done = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)] + \
            (["--uniform"] if args.uniform else [])
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode:
            print(f"{size:,} mentions failed:\n{out.stderr[-3000:]}")
            break
        m = json.loads(out.stdout.strip().splitlines()[-1])
        done.append(m)
        print(f"{m['mentions']:,} mentions of {m['people']:,} people: resolved in {m['resolve_s']:.1f} s wall, "
              f"{m['resolve_cpu_s']:.1f} s CPU (+{m['features_s']:.1f} s computing features; generating the "
              f"mentions took {m['generate_s']:.1f} s), "
              f"peak RSS {m['peak_mib']:,.0f} MiB; {m['compared']:,} pairs compared, {m['links']:,} links; "
              f"precision {m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}; "
              f"{m['namesakes']:.0%} of people share their name with another; load average {m['load']:.1f}",
              flush=True)
        print("    where the time goes: " + ", ".join(f"{k} {v:.1f} s" for k, v in m["steps"].items()))
        for key, dropped in m["dropped_per_key"].items():
            print(f"    blocking split on {key}: {dropped:,} candidate pairs dropped")
    for a, b in zip(done, done[1:]):
        grow = math.log(b["mentions"] / a["mentions"])
        print(f"{a['mentions']:,} -> {b['mentions']:,}: resolve time ~ n^{math.log(b['resolve_s'] / a['resolve_s']) / grow:.2f} "
              f"(CPU n^{math.log(b['resolve_cpu_s'] / a['resolve_cpu_s']) / grow:.2f}), "
              f"pairs compared ~ n^{math.log(b['compared'] / a['compared']) / grow:.2f}, "
              f"peak RSS ~ n^{math.log(b['peak_mib'] / a['peak_mib']) / grow:.2f}")
