"""Link prediction: ranked, explained leads (probably missing ties) and an honest evaluation of them.

Topological scores are computed with sparse matrices over candidate pairs: people two steps apart
(``hops=2``) or up to three (``hops=3``), never already tied. A is the 0/1 adjacency, d the degrees.

* ``common_neighbours`` (A²), ``jaccard`` (A² / |N(i) ∪ N(j)|), ``adamic_adar`` (Σ 1/log d_z over shared
  contacts z), ``resource_allocation`` (Σ 1/d_z), ``preferential_attachment`` (d_i·d_j);
* ``katz``: truncated at paths of length 3, β²A² + β³A³ (β = 0.05);
* ``ppr``: personalised PageRank (restart 0.15) from i to j plus from j to i.

:func:`fit_model` trains a calibrated logistic regression (scikit-learn) on those scores and on node
attributes (same nationality, same community, shared commodity, shared seizure country, days since the
pair's last seizure), learning from the graph's own history. :func:`evaluate` hides ties (at random, or
every tie first seen after a cut-off date), scores, and reports AUC-ROC, average precision and
precision@k as mean ± sd over seeds.

>>> leads = net.leads(k=20, method="adamic_adar")      # doctest: +SKIP
"""
from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import communities

METHODS = ("common_neighbours", "jaccard", "adamic_adar", "resource_allocation", "preferential_attachment",
           "katz", "ppr")
KATZ_BETA = 0.05
PPR_RESTART = 0.15
PPR_MAX_ITERATIONS = 500
PPR_TOLERANCE = 1e-12


def adjacency(graph: ig.Graph) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of an undirected graph, no self-ties."""
    n = graph.vcount()
    edges = np.array(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    edges = edges[edges[:, 0] != edges[:, 1]]
    data = np.ones(2 * len(edges))
    a = sp.csr_matrix((data, (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]])), shape=(n, n))
    a.data[:] = 1.0
    return a


def score_matrix(a: sp.csr_matrix, method: str, rows: np.ndarray | None = None, hops: int = 2) -> sp.csr_matrix:
    """Scores of the candidate pairs (i in ``rows`` or all, j ≠ i, not tied, within ``hops``) as a sparse
    matrix with one row per source."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
    if hops not in (2, 3):
        raise ValueError("hops must be 2 or 3")
    n = a.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows)
    degree = np.asarray(a.sum(axis=1)).ravel()
    ar = a[rows]
    if method == "adamic_adar":
        with np.errstate(divide="ignore"):
            inv_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
        scores = ar @ sp.diags(inv_log) @ a
    elif method == "resource_allocation":
        scores = ar @ sp.diags(np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)) @ a
    else:
        two = ar @ a
        if method == "common_neighbours":
            scores = two
        elif method in ("jaccard", "preferential_attachment"):
            coo = two.tocoo()
            i, j = rows[coo.row], coo.col
            values = coo.data / (degree[i] + degree[j] - coo.data) if method == "jaccard" else degree[i] * degree[j]
            scores = sp.csr_matrix((values, (coo.row, coo.col)), shape=two.shape)
        elif method == "katz":
            scores = KATZ_BETA ** 2 * two + KATZ_BETA ** 3 * (two @ a)
        else:
            scores = _ppr(a, rows, degree)
    # two steps apart = a shared contact: exactly where the CN/AA/RA products are non-zero
    reach = None if hops == 2 and method in ("common_neighbours", "adamic_adar", "resource_allocation") \
        else (ar @ a if hops == 2 else ar @ a + (ar @ a) @ a)
    return _candidates_only(scores, reach, ar, rows)


def _ppr(a: sp.csr_matrix, rows: np.ndarray, degree: np.ndarray) -> sp.csr_matrix:
    """Personalised PageRank from each row (power iteration), plus the reverse direction, as a matrix."""
    n = a.shape[0]
    walk = (sp.diags(np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)) @ a).T.tocsr()  # column-stochastic
    out = []
    for start in range(0, len(rows), 256):
        batch = rows[start:start + 256]
        restart = np.zeros((n, len(batch)))
        restart[batch, np.arange(len(batch))] = 1.0
        x = restart.copy()
        for _ in range(PPR_MAX_ITERATIONS):
            new = PPR_RESTART * restart + (1 - PPR_RESTART) * (walk @ x)
            done = np.abs(new - x).sum(axis=0).max() < PPR_TOLERANCE
            x = new
            if done:
                break
        out.append(sp.csr_matrix(x.T))
    forward = sp.vstack(out).tocsr()
    if len(rows) == n:  # both directions are at hand
        return forward + forward.T
    return forward


def _candidates_only(scores: sp.csr_matrix, reach: sp.csr_matrix, ar: sp.csr_matrix, rows: np.ndarray):
    """Keep entries within reach (None: all of them are), off the diagonal and not already tied."""
    scores = sp.csr_matrix(scores if reach is None else scores.multiply(reach > 0))
    diagonal = sp.csr_matrix((np.ones(len(rows)), (np.arange(len(rows)), rows)), shape=scores.shape)
    scores = scores - scores.multiply(diagonal) - scores.multiply(ar > 0)
    scores.eliminate_zeros()
    return scores


def top_pairs(scores: sp.csr_matrix, rows: np.ndarray | None, k: int | None, symmetric: bool = True,
              per_row: int | None = None) -> pd.DataFrame:
    """The k best (i, j, score), ties broken by (i, j); with ``per_row``, the best per source."""
    coo = scores.tocoo()
    i = coo.row if rows is None else np.asarray(rows)[coo.row]
    j, s = coo.col, coo.data
    if symmetric and per_row is None:
        keep = i < j
        i, j, s = i[keep], j[keep], s[keep]
    if k and per_row is None and len(s) > k:  # keep every entry tied with the k-th best, then sort those
        threshold = np.partition(s, len(s) - k)[len(s) - k]
        keep = s >= threshold
        i, j, s = i[keep], j[keep], s[keep]
    frame = pd.DataFrame({"i": i, "j": j, "score": s})
    frame = frame.sort_values(["score", "i", "j"], ascending=[False, True, True], kind="stable")
    if per_row is not None:
        return frame.groupby("i", sort=True).head(per_row).reset_index(drop=True)
    return frame.head(k).reset_index(drop=True) if k else frame.reset_index(drop=True)


# --- leads with reasons ---------------------------------------------------------------------------
def leads(net, k: int = 50, method: str = "adamic_adar", hops: int = 2, persons: list[str] | None = None,
          per_person: int | None = None, model=None, max_reasons: int = 5) -> pd.DataFrame:
    """Ranked leads: source, target, names, score, method, shared contacts, a shortest path, the records
    behind the ties to the shared contacts, and a one-line reason."""
    graph = net.graph
    index = {name: i for i, name in enumerate(graph.vs["name"])}
    rows = None if persons is None else np.array([index[p] for p in persons])
    a = adjacency(graph)
    if model is not None:
        frame = model.rank(net, a, rows, hops, k, per_person)
        method = "model"
    else:
        frame = top_pairs(score_matrix(a, method, rows, hops), rows, k, symmetric=rows is None,
                          per_row=per_person)
    names = graph.vs["name"]
    display = dict(zip(net.nodes["id"], net.nodes["name"]))
    sources = net.edges["sources"].to_numpy()  # graph edge e is row e of net.edges

    def tie_records(x: int, y: int) -> list[str]:
        return list(sources[graph.get_eid(x, y, directed=False)])
    out = []
    for rank, (i, j, score) in enumerate(frame[["i", "j", "score"]].itertuples(index=False), start=1):
        i, j = int(i), int(j)
        shared = sorted(set(graph.neighbors(i)) & set(graph.neighbors(j)), key=lambda z: names[z])
        path = graph.get_shortest_paths(i, j, output="vpath")[0]
        records = sorted({r for z in shared for r in tie_records(i, z) + tie_records(j, z)})
        shared_names = [display[names[z]] for z in shared]
        reason = (f"{len(shared)} shared contact{'s' if len(shared) != 1 else ''}: "
                  f"{', '.join(shared_names[:max_reasons])}{' …' if len(shared) > max_reasons else ''}"
                  if shared else f"{len(path) - 1} steps apart")
        out.append({"rank": rank, "source": names[i], "target": names[j], "source_name": display[names[i]],
                    "target_name": display[names[j]], "score": float(score), "method": method,
                    "shared_contacts": shared_names, "path": [display[names[v]] for v in path],
                    "records": records, "reason": reason})
    return pd.DataFrame(out, columns=["rank", "source", "target", "source_name", "target_name", "score", "method",
                                      "shared_contacts", "path", "records", "reason"])


# --- supervised model ----------------------------------------------------------------------------
FEATURES = ("common_neighbours", "jaccard", "adamic_adar", "resource_allocation", "preferential_attachment",
            "katz", "same_nationality", "same_community", "shared_commodity", "shared_country",
            "days_since_last_seizure")


class LinkModel:
    """A calibrated logistic regression on topological scores and node attributes (see module doc)."""

    def __init__(self, estimator, seed: int):
        self.estimator, self.seed = estimator, seed

    def features(self, net, a: sp.csr_matrix, pairs: pd.DataFrame) -> np.ndarray:
        return pair_features(net, a, pairs, self.seed)

    def rank(self, net, a, rows, hops, k, per_person) -> pd.DataFrame:
        candidates = top_pairs(score_matrix(a, "common_neighbours", rows, hops), rows, None,
                               symmetric=rows is None)
        candidates["score"] = self.estimator.predict_proba(self.features(net, a, candidates))[:, 1]
        return top_pairs_frame(candidates, k, per_person)


def top_pairs_frame(frame: pd.DataFrame, k: int | None, per_person: int | None) -> pd.DataFrame:
    frame = frame.sort_values(["score", "i", "j"], ascending=[False, True, True], kind="stable")
    if per_person is not None:
        return frame.groupby("i", sort=True).head(per_person).reset_index(drop=True)
    return frame.head(k).reset_index(drop=True)


def pair_features(net, a: sp.csr_matrix, pairs: pd.DataFrame, seed: int) -> np.ndarray:
    """Feature matrix for pairs (columns ``i``, ``j``: vertex indices) on the graph whose adjacency is ``a``."""
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    columns = []
    for method in FEATURES[:6]:
        scores = score_matrix(a, method, hops=2)
        columns.append(np.asarray(scores[i, j]).ravel())
    names = np.array(net.graph.vs["name"])
    attributes = net.nodes.set_index("id")
    nationality = attributes["nationality"].reindex(names).to_numpy() if "nationality" in attributes \
        else np.full(len(names), None)
    columns.append(np.array([x is not None and x == y and pd.notna(x) for x, y in
                             zip(nationality[i], nationality[j])], dtype=float))
    graph = ig.Graph(n=a.shape[0], edges=np.column_stack(sp.triu(a).nonzero()))
    graph.vs["name"] = list(names)
    membership = np.array(communities.detect(graph, "leiden", seed=seed, weighted=False))
    columns.append((membership[i] == membership[j]).astype(float))
    goods, places, last = _activity(net, names)
    columns.append(np.array([len(goods[x] & goods[y]) > 0 for x, y in zip(i, j)], dtype=float))
    columns.append(np.array([len(places[x] & places[y]) > 0 for x, y in zip(i, j)], dtype=float))
    columns.append(np.minimum(last[i], last[j]))
    return np.column_stack(columns)


def _activity(net, names: np.ndarray):
    n = len(names)
    goods, places, last = [set() for _ in range(n)], [set() for _ in range(n)], np.full(n, 3650.0)
    if net.involvement is None or net.seizures is None or net.seizures.empty:
        return goods, places, last
    index = {name: k for k, name in enumerate(names)}
    joined = net.involvement.merge(net.seizures.rename(columns={"id": "seizure"}), on="seizure")
    newest = pd.to_datetime(net.seizures["date"]).max()
    for person, country, date, commodities_ in joined[["id", "country", "date", "commodities"]].itertuples(
            index=False):
        k = index.get(person)
        if k is None:
            continue
        goods[k].update(commodities_)
        if isinstance(country, str):
            places[k].add(country)
        if pd.notna(date):
            last[k] = min(last[k], (newest - pd.Timestamp(date)).days)
    return goods, places, last


def fit_model(net, seed: int = 0, hide: float = 0.2, negatives_per_positive: int = 10) -> LinkModel:
    """Learn from the network's own history: hide a share of its ties, learn to find them again."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    a = adjacency(net.graph)
    train, hidden = _hide(a, hide, seed)
    pairs = top_pairs(score_matrix(train, "common_neighbours", hops=2), None, None)
    hidden_set = set(zip(*hidden))
    labels = np.array([(x, y) in hidden_set for x, y in zip(pairs["i"], pairs["j"])])
    if labels.sum() < 3:
        raise ValueError("too few ties to learn from: need at least a few hidden ties that the rest predicts")
    rng = np.random.default_rng(seed)
    negatives = np.flatnonzero(~labels)
    negatives = rng.choice(negatives, min(len(negatives), negatives_per_positive * labels.sum()), replace=False)
    chosen = np.sort(np.r_[np.flatnonzero(labels), negatives])
    x = pair_features(net, train, pairs.iloc[chosen], seed)
    estimator = CalibratedClassifierCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                                       method="sigmoid", cv=3)
    estimator.fit(x, labels[chosen])
    return LinkModel(estimator, seed)


# --- evaluation -----------------------------------------------------------------------------------
def _hide(a: sp.csr_matrix, fraction: float, seed: int):
    """Split the ties: (adjacency without the hidden ones, (i, j) arrays of the hidden ones with i < j)."""
    upper = sp.triu(a, k=1).tocoo()
    order = np.random.default_rng(seed).permutation(len(upper.data))
    hidden = order[: max(1, int(round(fraction * len(order))))]
    mask = np.ones(len(order), dtype=bool)
    mask[hidden] = False
    keep_i, keep_j = upper.row[mask], upper.col[mask]
    n = a.shape[0]
    train = sp.csr_matrix((np.ones(2 * mask.sum()), (np.r_[keep_i, keep_j], np.r_[keep_j, keep_i])), shape=(n, n))
    return train, (upper.row[hidden], upper.col[hidden])


def _metrics(scores: sp.csr_matrix | None, positives: set, negatives: np.ndarray, k: int, train: sp.csr_matrix,
             seed: int) -> dict:
    """AUC and AP over the hidden ties against sampled untied pairs (a pair a method does not reach
    scores 0); precision@k over the method's own top k. ``scores=None`` is the random baseline: uniform
    scores for every pair, and the expected precision of k pairs drawn from all untied pairs."""
    from sklearn.metrics import average_precision_score, roc_auc_score
    pos = np.array(sorted(positives))
    pairs = np.r_[pos, negatives]
    labels = np.r_[np.ones(len(pos)), np.zeros(len(negatives))]
    if scores is None:
        values = np.random.default_rng(seed).random(len(pairs))
        n = train.shape[0]
        precision = len(positives) / (n * (n - 1) / 2 - train.nnz / 2)
    else:
        values = np.asarray(scores[pairs[:, 0], pairs[:, 1]]).ravel() + np.asarray(
            scores[pairs[:, 1], pairs[:, 0]]).ravel()
        ranked = top_pairs(scores, None, k)
        precision = sum((x, y) in positives for x, y in zip(ranked["i"], ranked["j"])) / k
    return {"auc": roc_auc_score(labels, values), "average_precision": average_precision_score(labels, values),
            f"precision_at_{k}": precision}


def evaluate(net, methods: tuple[str, ...] = METHODS, fraction: float = 0.1, seeds=range(5), k: int = 10,
             temporal: bool = False, negatives: int = 5_000, include_model: bool = True) -> pd.DataFrame:
    """Hide ties, score, and report AUC-ROC, average precision and precision@k (mean ± sd over seeds).

    Random hold-out hides ``fraction`` of the ties per seed. ``temporal=True`` instead hides every tie
    first seen (its earliest record) in the last ``fraction`` of the time span, among people already
    present before it. Negatives: up to ``negatives`` sampled untied pairs (all of them when fewer).
    A ``random`` row gives the baseline; ``model`` the supervised model trained on the training graph.
    """
    a = adjacency(net.graph)
    rows = []
    for seed in seeds:
        if temporal:
            train, hidden, cut = _temporal_split(net, a, fraction)
        else:
            (train, hidden), cut = _hide(a, fraction, seed), None
        positives = set(zip(hidden[0].tolist(), hidden[1].tolist()))
        if not positives:
            raise ValueError("no ties to hide: the network is too small or has no dates")
        negative_pairs = _negatives(a, negatives, seed)
        trained = _restricted(net, train, cut)
        candidates = list(methods) + (["model"] if include_model else []) + ["random"]
        for method in candidates:
            if method == "random":
                scores = None
            elif method == "model":
                try:
                    model = fit_model(trained, seed=seed)
                except ValueError:  # too few ties to learn from in this split: no row rather than a guess
                    continue
                pairs = top_pairs(score_matrix(train, "common_neighbours"), None, None)
                values = model.estimator.predict_proba(pair_features(trained, train, pairs, seed))[:, 1]
                scores = sp.csr_matrix((values, (pairs["i"], pairs["j"])), shape=a.shape)
            else:
                scores = score_matrix(train, method)
            rows.append({"method": method, "seed": seed,
                         **_metrics(scores, positives, negative_pairs, k, train, seed)})
        if temporal:
            break  # a temporal split has one cut: seeds do not vary it
    table = pd.DataFrame(rows)
    metrics = [c for c in table.columns if c not in ("method", "seed")]
    summary = table.groupby("method", sort=False)[metrics].agg(["mean", "std"])
    summary.columns = [f"{m}_{stat}" for m, stat in summary.columns]
    summary.attrs = {"split": "temporal" if temporal else f"random hold-out {fraction:.0%}",
                     "seeds": len(table["seed"].unique()), "positives": len(positives)}
    return summary.reset_index()


def _negatives(a: sp.csr_matrix, count: int, seed: int) -> np.ndarray:
    n = a.shape[0]
    total = n * (n - 1) // 2 - int(a.nnz // 2)
    if total <= count:
        upper = np.triu(np.ones((n, n), dtype=bool), k=1) & ~(a.toarray() > 0)
        return np.column_stack(np.nonzero(upper))
    rng = random.Random(seed)
    found = set()
    while len(found) < count:
        i, j = sorted(rng.sample(range(n), 2))
        if a[i, j] == 0:
            found.add((i, j))
    return np.array(sorted(found))


def _temporal_split(net, a: sp.csr_matrix, fraction: float):
    if net.records is None:
        raise ValueError("a temporal split needs record dates (a network built from a store)")
    dates = pd.Series(pd.to_datetime(net.records["record_date"]).to_numpy(), index=net.records["id"])
    first = net.edges["sources"].map(lambda rs: dates.reindex(rs).min())
    cut = first.quantile(1 - fraction)
    index = {name: i for i, name in enumerate(net.graph.vs["name"])}
    early = net.edges[first < cut]
    present = set(early["source"]) | set(early["target"])
    late = net.edges[(first >= cut) & net.edges["source"].isin(present) & net.edges["target"].isin(present)]
    n = a.shape[0]
    i = early["source"].map(index).to_numpy()
    j = early["target"].map(index).to_numpy()
    train = sp.csr_matrix((np.ones(2 * len(i)), (np.r_[i, j], np.r_[j, i])), shape=(n, n))
    li, lj = late["source"].map(index).to_numpy(), late["target"].map(index).to_numpy()
    return train, (np.minimum(li, lj), np.maximum(li, lj)), cut


def _restricted(net, train: sp.csr_matrix, cut=None):
    """The network with only the training ties and what was known then.

    Seizure-derived attributes (shared commodity and country, recency) would leak a hidden tie's own
    seizure in a random hold-out, so they are dropped there; a temporal split keeps the seizures before
    the cut-off.
    """
    names = np.array(net.graph.vs["name"])
    upper = sp.triu(train, k=1).tocoo()
    keep = pd.DataFrame({"source": names[upper.row], "target": names[upper.col]})
    edges = net.edges.merge(keep, on=["source", "target"])
    seizures = involvement = None
    if cut is not None and net.seizures is not None:
        seizures = net.seizures[pd.to_datetime(net.seizures["date"]) < cut]
        involvement = net.involvement[net.involvement["seizure"].isin(seizures["id"])]
    return type(net)(net.kind, net.nodes, edges, dict(net.description), seizures, involvement, net.records,
                     directed=net.directed)
