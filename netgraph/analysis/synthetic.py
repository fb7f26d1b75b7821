"""Seeded synthetic trafficking networks with planted groups and brokers, for benchmarks and evaluation.

Groups are dense inside and sparse between (a planted-partition model with group sizes drawn from a
heavy-tailed distribution); a few brokers each hold ties into several groups. Edge weights count
supporting records (1 + Poisson). Everything is drawn from one ``numpy`` generator seeded by ``seed``.

>>> net = trafficking_network(edges=10_000, seed=1)
>>> len(net.edges) >= 9_000, net.nodes["group"].nunique() > 10
(True, True)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .network import Network


def trafficking_network(edges: int = 100_000, mean_degree: float = 10.0, inside_share: float = 0.9,
                        broker_share: float = 0.01, seed: int = 0) -> Network:
    """A person :class:`Network` with about ``edges`` ties; node column ``group`` is the planted group
    (-1 for brokers) and ``nationality`` a planted nationality per group."""
    rng = np.random.default_rng(seed)
    n = max(int(2 * edges / mean_degree), 20)
    sizes = []
    while sum(sizes) < n:
        sizes.append(int(np.clip(rng.pareto(2.0) * 30 + 10, 10, 2_000)))
    sizes[-1] -= sum(sizes) - n
    group = np.repeat(np.arange(len(sizes)), sizes)
    n_brokers = max(1, int(n * broker_share))
    brokers = rng.choice(n, n_brokers, replace=False)
    group[brokers] = -1
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    draws = int(edges * 1.3)  # over-draw: duplicates and self-ties are dropped, then trimmed to ``edges``
    inside = int(draws * inside_share)
    # inside ties: pick a node, then a partner in its own block
    a = rng.integers(0, n, inside)
    block = np.searchsorted(starts, a, side="right") - 1
    b = starts[block] + (rng.random(inside) * np.asarray(sizes)[block]).astype(np.int64)
    # brokers: ties into three or more groups each
    per_broker = max(3, int(edges * 0.02 / n_brokers))
    ba = np.repeat(brokers, per_broker)
    bb = rng.integers(0, n, len(ba))
    # the rest: random ties between groups
    outside = draws - inside - len(ba)
    oa, ob = rng.integers(0, n, max(outside, 0)), rng.integers(0, n, max(outside, 0))
    src = np.concatenate([a, ba, oa])
    dst = np.concatenate([b, bb, ob])
    keep = src != dst
    lo, hi = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(np.stack([lo, hi], axis=1), axis=0)
    if len(pairs) > edges:
        pairs = pairs[np.sort(rng.choice(len(pairs), edges, replace=False))]
    ids = np.array([f"p{i:07d}" for i in range(n)])
    nationalities = np.array(["VN", "CN", "LA", "TH", "NG", "MZ", "MY", "KH"])
    frame = pd.DataFrame({"source": ids[pairs[:, 0]], "target": ids[pairs[:, 1]],
                          "weight": 1.0 + rng.poisson(0.5, len(pairs))})
    frame = frame.assign(records=frame["weight"].astype(int), via=[["synthetic"]] * len(frame),
                         hubs=[[]] * len(frame), sources=[[]] * len(frame))
    nodes = pd.DataFrame({"id": ids, "name": ids, "group": group,
                          "nationality": np.where(group >= 0, nationalities[group % len(nationalities)], None)})
    return Network("person", nodes, frame, {"synthetic": True, "edges": edges, "seed": seed})
