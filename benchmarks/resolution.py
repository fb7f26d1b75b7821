"""Entity resolution: time and peak memory for about 100,000 person mentions, with their quality.

    python benchmarks/resolution.py [--people 33000] [--realistic]

Mentions come from netgraph.resolution.evaluate (seeded; ~3 spellings per person: diacritics dropped, upper
case, name order, typos, hanzi, phone formats), so precision and recall are known. ``--realistic`` draws names
by their frequencies (Vietnamese and Chinese surname shares, Zipf's law for given names: see
evaluate.VN_FAMILY_SHARE), so namesakes are as common as the names make them; 333,000 people make about
1,000,000 mentions.
"""
from __future__ import annotations

import argparse
import resource
import time

from netgraph.resolution.evaluate import evaluation_set, pairwise
from netgraph.resolution.linkage import match

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=33_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--realistic", action="store_true", help="names drawn by their frequencies")
    args = parser.parse_args()
    start = time.perf_counter()
    rows, truth = evaluation_set(people=args.people, seed=args.seed, realistic=args.realistic)
    made = time.perf_counter() - start
    start = time.perf_counter()
    result = match(rows)
    took = time.perf_counter() - start
    scores = pairwise(truth, result.clusters.set_index("id")["resolved_id"])
    print(f"{len(rows):,} mentions of {truth.nunique():,} people: resolved in {took:.1f} s "
          f"(features {made:.1f} s); peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
          + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    for note in result.notes:
        print(note)
    first = rows.assign(truth=truth.to_numpy()).drop_duplicates("truth")
    shared = first.groupby("name_ascii")["truth"].transform("count").gt(1).mean()
    print(f"{shared:.0%} of the generated people share their first spelling with another person (namesakes)")
