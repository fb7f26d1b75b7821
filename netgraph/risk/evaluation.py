"""A temporal back-test of risk indicators: learn from the seizures up to a cut-off year, flag the top-N
items, and count how many of the later seizures fall on them.

For a cut-off year Y, a kind of item (leg between countries, airport of seizure, airline) and N:

* **training seizures**: those dated in Y or before; **test seizures**: those dated after Y that record at
  least one item of that kind (a seizure with no airline recorded cannot be hit by an airline flag, so it is
  left out of the airline rows; the ``test`` column says how many remain);
* **indicators** flag the N items with the most training seizures (ties by key);
* **hit rate**: the share of test seizures that fall on at least one flagged item;
* **random base rate**: the hit rate expected if N of the K items seen in training were flagged at random
  (exact: a test seizure on m known items is missed with probability C(K − m, N) / C(K, N));
  ``lift`` = hit rate / random base rate;
* **naive baseline, most seized countries**: items ranked by the training seizures of their country (an
  item's country: the country of seizure of most of its training seizures), so the items of the most seized
  countries come first; ties between items of one country are broken at random, and the hit rate is the
  mean over ``draws`` seeded draws. ``country`` rows flag the N most seized countries themselves (a test
  seizure is hit if it was seized in one), for scale: a country covers many airports, legs and airlines.

Nothing is tuned on the test years: the cut-offs, N and the ranking rule are fixed before looking at them.

>>> backtest(store, cutoffs=(2013,), top=(10,))                        # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln

from ..store.base import GraphStore
from .indicators import events, facts

KINDS = {"leg": "leg", "airport": "airport", "airline": "airline", "country": "seizure_country"}
COLUMNS = ["cutoff", "kind", "top", "known_items", "train", "test", "hits", "hit_rate", "baseline_hit_rate",
           "random_rate", "lift", "baseline_lift"]


def _log_comb(n, k):
    return gammaln(np.asarray(n, dtype=float) + 1) - gammaln(np.asarray(k, dtype=float) + 1) - gammaln(
        np.asarray(n, dtype=float) - np.asarray(k, dtype=float) + 1)


def random_rate(known_per_seizure: np.ndarray, items: int, top: int) -> float:
    """Expected hit rate of flagging ``top`` of ``items`` at random, for test seizures that each fall on
    ``known_per_seizure[i]`` of those items.

    >>> round(random_rate(np.array([1, 1, 0, 2]), items=4, top=1), 6)
    0.25
    """
    m = np.asarray(known_per_seizure, dtype=float)
    if not len(m):
        return float("nan")
    n = min(top, items)
    missed = np.where(items - m >= n, np.exp(_log_comb(items - m, n) - _log_comb(items, n)), 0.0)
    return float(np.mean(1 - missed))


def backtest(store: GraphStore, cutoffs: tuple[int, ...] = (2012, 2013, 2014), top: tuple[int, ...] = (5, 10, 20),
             kinds: tuple[str, ...] = ("leg", "airport", "airline", "country"), draws: int = 200,
             seed: int = 0) -> pd.DataFrame:
    """The back-test table (``COLUMNS``): one row per cut-off, kind and N (see the module's description)."""
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kinds {unknown}; choose from {', '.join(KINDS)}")
    chosen = events(store)
    found = facts(store, chosen=chosen)
    country_of = chosen.set_index("id")["country"]
    rows = []
    for cutoff in cutoffs:
        train_events = chosen.loc[chosen["year"] <= cutoff, "id"]
        country_counts = country_of.reindex(train_events).value_counts()
        for kind in kinds:
            dimension = KINDS[kind]
            part = found[found["dimension"] == dimension]
            train = part[part["year"] <= cutoff]
            test = part[part["year"] > cutoff]
            counts = train.groupby("value")["event"].nunique()
            ranked = counts.sort_index().sort_values(ascending=False, kind="stable")
            known = set(ranked.index)
            test_events = test.groupby("event")["value"].agg(set)
            on_known = test_events.map(lambda values: len(values & known)).to_numpy()
            item_score = _country_scores(train, country_of, country_counts) if kind != "country" else \
                ranked.astype(float)
            rng = np.random.default_rng(seed)
            for n in top:
                flagged = set(ranked.index[:n])
                hits = int(test_events.map(lambda values: bool(values & flagged)).sum())
                rate = hits / len(test_events) if len(test_events) else float("nan")
                base = random_rate(on_known, len(known), n)
                naive = _baseline(test_events, item_score, n, rng, draws) if kind != "country" else rate
                rows.append({"cutoff": cutoff, "kind": kind, "top": n, "known_items": len(known),
                             "train": int(train["event"].nunique()), "test": len(test_events), "hits": hits,
                             "hit_rate": rate, "baseline_hit_rate": naive, "random_rate": base,
                             "lift": rate / base if base else float("nan"),
                             "baseline_lift": naive / base if base else float("nan")})
    return pd.DataFrame(rows, columns=COLUMNS)


def _country_scores(train: pd.DataFrame, country_of: pd.Series, country_counts: pd.Series) -> pd.Series:
    """Each item's score under the naive baseline: the training seizures of its country (the country of
    seizure of most of its own training seizures, ties by code)."""
    where = train.assign(country=train["event"].map(country_of)).dropna(subset=["country"])
    by = where.groupby(["value", "country"])["event"].nunique().reset_index()
    by = by.sort_values(["value", "event", "country"], ascending=[True, False, True]).drop_duplicates("value")
    scores = by.set_index("value")["country"].map(country_counts).astype(float)
    items = train["value"].unique()
    return scores.reindex(items).fillna(0.0)


def _baseline(test_events: pd.Series, score: pd.Series, n: int, rng: np.random.Generator, draws: int) -> float:
    """Mean hit rate of the top ``n`` items by ``score``, ties broken at random, over ``draws`` draws."""
    if not len(test_events) or not len(score):
        return float("nan")
    values = score.to_numpy()
    items = score.index.to_numpy()
    rates = []
    for _ in range(draws):
        order = np.lexsort((rng.random(len(values)), -values))
        flagged = set(items[order[:n]])
        rates.append(test_events.map(lambda v: bool(v & flagged)).mean())
    return float(np.mean(rates))


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown, rates as percentages (for the README).

    >>> print(markdown(pd.DataFrame([{"cutoff": 2013, "kind": "leg", "top": 10, "known_items": 200,
    ...     "train": 400, "test": 300, "hits": 60, "hit_rate": 0.2, "baseline_hit_rate": 0.1,
    ...     "random_rate": 0.05, "lift": 4.0, "baseline_lift": 2.0}])).splitlines()[2])
    | 2013 | leg | 10 of 200 | 400 | 300 | 20.0% (60) | 10.0% | 5.0% | 4.0 | 2.0 |
    """
    lines = ["| cut-off | flagged | top N of known | train seizures | test seizures | hit rate (hits) | "
             "baseline: most seized countries | random | lift | baseline lift |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.cutoff} | {r.kind} | {r.top} of {r.known_items} | {r.train} | {r.test} | "
                     f"{r.hit_rate:.1%} ({r.hits}) | {r.baseline_hit_rate:.1%} | {r.random_rate:.1%} | "
                     f"{r.lift:.1f} | {r.baseline_lift:.1f} |")
    return "\n".join(lines)
