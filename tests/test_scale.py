"""Scale work keeps results: vectorised co-membership ties equal a plain loop; path measures are exact up
to the threshold and estimated (and labelled so) above it; the HTML view measures only what it draws."""
import datetime as dt
import hashlib
import html
import json
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from netgraph.analysis import measures
from netgraph.analysis.brokers import input_hash
from netgraph.analysis.network import Network
from netgraph.analysis.synthetic import trafficking_network
from netgraph.analysis.ties import EDGE_FIELDS, co_membership_edges, memberships, record_dates
from netgraph.views import html as html_view
from netgraph.views.html import network_html

from .test_html import embedded


def reference_edges(members: pd.DataFrame, dates: pd.Series | None = None, half_life: float | None = None) -> list:
    """Co-membership ties by the definition, in plain Python: every two distinct people on a hub."""
    on_hub = defaultdict(list)
    for row in members.itertuples(index=False):
        on_hub[row.hub].append(row)
    ties = {}
    for rows in on_hub.values():
        for a in rows:
            for b in rows:
                if a.person < b.person:
                    via, hubs, records = ties.setdefault((a.person, b.person), (set(), set(), set()))
                    via.update([a.kind, b.kind])
                    hubs.add(a.hub)
                    records.update(a.sources)
                    records.update(b.sources)
    if half_life:
        known = {k: d for k, d in dates.items() if pd.notna(d)}
        newest = max(known.values())
    out = []
    for (source, target), (via, hubs, records) in sorted(ties.items()):
        records = sorted(records)
        if half_life:
            weight = sum(0.5 ** ((newest - known[r]).days / half_life) for r in records if r in known)
        else:
            weight = float(len(records))
        out.append({"source": source, "target": target, "weight": weight, "records": len(records),
                    "via": sorted(via), "hubs": sorted(hubs), "sources": records})
    return out


def assert_same_edges(edges: pd.DataFrame, expected: list) -> None:
    assert list(edges.columns) == EDGE_FIELDS
    assert list(edges.index) == list(range(len(expected)))
    got = edges.to_dict("records")
    assert [{k: v for k, v in r.items() if k != "weight"} for r in got] == \
        [{k: v for k, v in r.items() if k != "weight"} for r in expected]
    assert all(isinstance(r["records"], int) for r in got)
    assert edges["weight"].to_numpy() == pytest.approx([r["weight"] for r in expected], rel=1e-12, abs=0)


def random_members(seed: int, people: int = 300, hubs: int = 300, links: int = 1_000, records: int = 400):
    """Links with a skewed hub size (a few big hubs), repeated people on a hub (as after entity
    resolution), records shared between links, empty source lists and records without dates."""
    rng = np.random.default_rng(seed)
    hub = rng.zipf(2.0, links) % hubs
    kinds = np.array(["seizure", "phone", "account", "organization", "conveyance"])
    members = pd.DataFrame({
        "person": [f"person:{p}" for p in rng.integers(0, people, links)],
        "hub": [f"hub:{h:04d}" for h in hub],
        "kind": kinds[hub % len(kinds)],  # a hub is of one kind
        "sources": [sorted({f"record:{r}" for r in rng.integers(0, records, rng.integers(0, 4))})
                    for _ in range(links)]})
    days = rng.integers(0, 3_000, records + 50)
    dates = pd.Series([dt.date(2015, 1, 1) + dt.timedelta(days=int(d)) for d in days],
                      index=[f"record:{r}" for r in range(records + 50)], dtype=object)
    dates.iloc[::13] = None  # undated records weigh nothing
    return members, dates.drop([f"record:{r}" for r in range(0, records, 29)])  # some records unknown


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("half_life", [None, 365.0])
def test_co_membership_edges_equal_a_plain_loop_on_random_hubs(seed, half_life):
    members, dates = random_members(seed)
    edges = co_membership_edges(members, dates if half_life else None, half_life)
    expected = reference_edges(members, dates, half_life)
    assert len(expected) > 1_000
    assert_same_edges(edges, expected)


@pytest.mark.parametrize("half_life", [None, 180.0])
def test_co_membership_edges_equal_a_plain_loop_on_the_sample_store(sample_store, half_life):
    dates = record_dates(sample_store)
    for via in (("seizure",), ("seizure", "phone", "account", "organization", "conveyance")):
        members = memberships(sample_store, via)
        edges = co_membership_edges(members, dates if half_life else None, half_life)
        expected = reference_edges(members, dates, half_life)
        assert expected
        assert_same_edges(edges, expected)


def test_co_membership_edges_without_pairs():
    alone = pd.DataFrame({"person": ["a", "a", "b"], "hub": ["h1", "h1", "h2"], "kind": "seizure",
                          "sources": [["r1"], ["r2"], ["r3"]]})
    for members in (alone, alone.iloc[:0]):
        edges = co_membership_edges(members)
        assert list(edges.columns) == EDGE_FIELDS and edges.empty
    with pytest.raises(ValueError, match="record dates"):
        co_membership_edges(alone.assign(hub="h1"), None, 30.0)


def two_part_network(seed: int = 4) -> Network:
    """A synthetic network of about 1,600 nodes plus a separate chain of 30 and 15 isolated pairs."""
    net = trafficking_network(edges=8_000, seed=seed)
    extra = [f"z{i:03d}" for i in range(60)]
    chain = pd.DataFrame({"source": extra[:29], "target": extra[1:30], "weight": 1.0 + np.arange(29) % 3})
    pairs = pd.DataFrame({"source": extra[30::2], "target": extra[31::2], "weight": 2.0})
    extra_edges = pd.concat([chain, pairs], ignore_index=True)
    extra_edges = extra_edges.assign(records=extra_edges["weight"].astype(int), via=[["synthetic"]] * len(extra_edges),
                                     hubs=[[]] * len(extra_edges), sources=[[]] * len(extra_edges))
    edges = pd.concat([net.edges, extra_edges], ignore_index=True)
    nodes = pd.concat([net.nodes, pd.DataFrame({"id": extra, "name": extra})], ignore_index=True)
    return Network("person", nodes, edges, {})


def test_path_measures_are_exact_up_to_the_threshold_and_estimated_above(monkeypatch):
    net = two_part_network()
    n = len(net.nodes)
    exact = net.centrality(which=("closeness", "harmonic"))
    assert exact.attrs["methods"] == {"closeness": "exact", "harmonic": "exact"}
    assert n <= measures.PATH_MEASURES_MAX_NODES
    monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", 1_000)
    estimated = net.centrality(which=("closeness", "harmonic"), seed=3)
    k = measures.PATH_SAMPLE_SOURCES
    for m in ("closeness", "harmonic"):
        assert estimated.attrs["methods"][m] == (f"estimated from {k} sampled sources per component of more than "
                                                 f"{k} nodes, seed 3 (network of {n:,} nodes, above 1,000)")
    big = net.nodes["id"].str.startswith("p").to_numpy()
    for m in ("closeness", "harmonic"):
        # the small components are measured exactly; in the big one the estimate is close
        assert estimated.loc[~big, m].tolist() == exact.loc[~big, m].tolist()
        error = (estimated.loc[big, m] - exact.loc[big, m]).abs() / exact.loc[big, m]
        assert error.median() < 0.03 and error.max() < 0.25
        assert np.corrcoef(estimated.loc[big, m], exact.loc[big, m])[0, 1] > 0.95
    again = net.centrality(which=("closeness", "harmonic"), seed=3)
    pd.testing.assert_frame_equal(again, estimated)  # seeded: the same sources every time
    assert net.centrality(which=("closeness",), path_k=n).attrs["methods"] == {"closeness": "exact"}


def test_betweenness_is_sampled_above_the_threshold_unless_a_sample_is_given(monkeypatch):
    net = two_part_network()
    n = len(net.nodes)
    assert net.centrality(which=("betweenness",)).attrs["methods"] == {"betweenness": "exact"}
    monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", 1_000)
    auto = net.centrality(which=("betweenness",), seed=4)
    k = measures.sample_sources(n, len(net.edges))
    assert auto.attrs["methods"]["betweenness"] == (f"estimated from {k} sampled sources, seed 4 (network of {n:,} "
                                                    "nodes, above 1,000)")
    given = net.centrality(which=("betweenness",), seed=4, betweenness_k=k)
    assert auto["betweenness"].tolist() == given["betweenness"].tolist()  # the same seeded sample
    assert net.centrality(which=("betweenness",), betweenness_k=n).attrs["methods"] == {"betweenness": "exact"}
    monkeypatch.setattr(measures, "SAMPLE_WORK", 100 * len(net.edges))  # a bigger network: fewer sources
    assert net.centrality(which=("betweenness",)).attrs["betweenness_sources"] == 100


def test_measures_of_chosen_nodes_equal_their_rows_of_the_whole(monkeypatch):
    net = two_part_network()
    ids = [net.nodes["id"].iloc[i] for i in (1_500, 3, 1_620, 700, 1_650)]
    for threshold in (measures.PATH_MEASURES_MAX_NODES, 1_000):  # exact, then estimated
        monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", threshold)
        everyone = net.centrality(betweenness_k=100)
        whole = everyone.set_index("id").loc[ids].reset_index()
        part = net.centrality(betweenness_k=100, ids=ids)
        assert part.attrs["methods"] == everyone.attrs["methods"]
        assert list(part.columns) == list(whole.columns) and part["id"].tolist() == ids
        pd.testing.assert_frame_equal(part.drop(columns=["pagerank", "eigenvector"]),
                                      whole.drop(columns=["pagerank", "eigenvector"]))
        for m in ("pagerank", "eigenvector"):  # iterative: equal to rounding
            assert part[m].to_numpy() == pytest.approx(whole[m].to_numpy(), rel=1e-9)
    with pytest.raises(KeyError, match="not in the network"):
        net.centrality(ids=["nobody"])


def test_broker_report_ranks_the_same_and_says_how_paths_were_measured(monkeypatch):
    net = two_part_network()
    exact = net.broker_report(betweenness_k=100)
    assert exact.attrs["methods"] == {"betweenness": "estimated from 100 sampled sources, seed 0",
                                      "closeness": "exact", "harmonic": "exact"}
    monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", 1_000)
    estimated = net.broker_report(betweenness_k=100)
    assert estimated.attrs["methods"]["harmonic"].startswith("estimated from 200 sampled sources")
    same = [c for c in exact.columns if c not in ("closeness", "harmonic")]
    pd.testing.assert_frame_equal(estimated[same], exact[same])  # the rank never used closeness or harmonic


def test_broker_report_on_nodes_without_a_group_label():
    net = trafficking_network(edges=2_000, seed=1)  # planted brokers have no nationality (NaN)
    assert net.nodes["nationality"].isna().any()
    report = net.broker_report(betweenness_k=50, top=20)
    assert report["reasons"].str.contains("across").any() and not report["reasons"].str.contains("nan").any()


def stamp(page: str) -> dict:
    return json.loads(html.unescape(re.search(r'<div id="ng-stamp">(.*?)</div>', page).group(1)))


def test_html_reduces_first_then_measures_only_the_drawn_nodes(monkeypatch):
    net = two_part_network()
    asked = []
    original = measures.path_measures

    def spy(graph, lengths, k=None, seed=0, vertices=None, which=("closeness", "harmonic")):
        asked.append((which, graph.vcount() if vertices is None else len(vertices)))
        return original(graph, lengths, k, seed, vertices, which)
    monkeypatch.setattr(measures, "path_measures", spy)
    page = network_html(net, max_nodes=300)
    assert asked == []  # pagerank sizes the nodes: no closeness or harmonic at all
    assert stamp(page)["measures"] == {"betweenness": "exact"}
    drawn = [n["id"] for n in embedded(page, "nodes")]
    assert 0 < len(drawn) <= 300
    page = network_html(net, max_nodes=300, size_by="closeness")
    assert asked == [(("closeness",), len(drawn))]  # for the drawn nodes only
    whole = net.centrality(which=("degree", "closeness")).set_index("id").loc[drawn]
    sizes = pd.Series({n["id"]: n["size"] for n in embedded(page, "nodes")}).loc[drawn]
    span = whole["closeness"].max() - whole["closeness"].min()
    assert sizes.to_numpy() == pytest.approx((10 + 30 * (whole["closeness"] - whole["closeness"].min()) / span)
                                             .to_numpy(), rel=1e-12)
    tooltips = {n["id"]: n["title"] for n in embedded(page, "nodes")}
    assert all(f"degree: {whole.at[i, 'degree']}\n" in tooltips[i] for i in drawn)  # degree in the whole network


def betweenness_runs(monkeypatch) -> list[int]:
    """The number of sampled sources of every betweenness computation from now on (the real one runs)."""
    runs, original = [], measures.betweenness

    def counted(graph, lengths, sources, seed):
        runs.append(sources)
        return original(graph, lengths, sources, seed)
    monkeypatch.setattr(measures, "betweenness", counted)
    return runs


def test_html_above_the_threshold_samples_once_and_says_so(monkeypatch):
    net = two_part_network()
    monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", 1_000)
    runs = betweenness_runs(monkeypatch)
    page = network_html(net, max_nodes=300, size_by="harmonic")
    assert runs == [200]  # the sample that chose the drawn nodes also fills their tooltips
    assert stamp(page)["measures"] == {
        "betweenness": "estimated from 200 sampled sources, seed 0",
        "harmonic": f"estimated from 200 sampled sources per component of more than 200 nodes, seed 0 (network of "
                    f"{len(net.nodes):,} nodes, above 1,000)"}
    assert "Reduced for display" in page


def test_input_hash_is_the_digest_of_each_row_as_json():
    weird = ["plain", 'a"b', "back\\slash", "new\nline", "tab\t", "\x01", "Nguyễn Văn Hùng", "王伟", "], [", "\u2028",
             "🐘", ""]
    ids = [f"person:{i}:{w}" for i, w in enumerate(weird)]
    names = pd.Series([*weird[:-3], None, float("nan"), 3], dtype=object)
    edges = pd.DataFrame({"source": ids[:-1], "target": ids[1:], "weight": 1.0,
                          "sources": [[w, 'record:"x"', "record:b"] if i % 3 else [] for i, w in enumerate(weird[:-1])]})
    edges["sources"] = [np.array(s, dtype=object) if i % 4 == 0 else s for i, s in enumerate(edges["sources"])]
    for nodes in (pd.DataFrame({"id": ids, "name": names}),
                  pd.DataFrame({"id": ids, "name": pd.Series(weird[:-3] + [None] * 3, dtype="str")})):
        net = Network("person", nodes, edges, {})
        digest = hashlib.sha256()
        for row in net.nodes[["id", "name"]].itertuples(index=False):
            digest.update(json.dumps(list(row), ensure_ascii=False).encode())
        for row in net.edges.itertuples(index=False):
            digest.update(json.dumps([row.source, row.target, sorted(row.sources)], ensure_ascii=False).encode())
        assert input_hash(net) == digest.hexdigest()


def test_html_ranks_a_network_of_many_ties_from_fewer_sources_and_says_so(monkeypatch):
    assert html_view.ranking_sources(100_000, 500_000) == 20  # 200 sources took 44 s there
    assert html_view.ranking_sources(3_000, 15_000) == 200 and html_view.ranking_sources(50, 10**9) == 10
    assert html_view.ranking_sources(5, 10) == 5
    net = two_part_network()
    monkeypatch.setattr(measures, "PATH_MEASURES_MAX_NODES", 1_000)
    monkeypatch.setattr(html_view, "RANKING_WORK", 400_000)
    k = html_view.ranking_sources(len(net.nodes), len(net.edges))
    assert 10 < k < 200
    runs = betweenness_runs(monkeypatch)
    page = network_html(net, max_nodes=300)
    assert runs == [k] and stamp(page)["measures"]["betweenness"] == f"estimated from {k} sampled sources, seed 0"
    ranking = net.centrality(which=("betweenness",), betweenness_k=k).sort_values(["betweenness", "id"],
                                                                               ascending=[False, True])
    drawn = {n["id"] for n in embedded(page, "nodes")}
    assert ranking["id"].iloc[0] in drawn and "Reduced for display" in page
