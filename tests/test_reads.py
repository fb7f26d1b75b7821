"""Projections near raw keep their results: lean store reads answer as the store's own reads, the person
network's deferred evidence equals the lists, and person_network / subgraph / memberships equal plain
computations from the store's own frames."""
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

import netgraph as ng
from netgraph.analysis import reads
from netgraph.analysis.brokers import input_hash
from netgraph.analysis.network import Network
from netgraph.analysis.ties import (
    EDGE_FIELDS,
    PERSON_LINKS,
    co_membership,
    co_membership_edges,
    memberships,
    with_evidence,
)
from netgraph.schema import ASSERTED_REL_TYPES, NODE_TYPES, REL_TYPES

from .conftest import DATA
from .test_scale import assert_same_edges, random_members, reference_edges


@pytest.fixture
def tiny(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    return store


@pytest.mark.parametrize("arrow", [False, True])
def test_lean_reads_answer_as_the_store_reads(sample_store, tiny, arrow, monkeypatch):
    for store in (sample_store, tiny):
        if not arrow:  # a store without Arrow answers (Neo4j) is read through query(); LadybugDB has both
            monkeypatch.setattr(store, "query_arrow", None)
        for label in NODE_TYPES:
            pd.testing.assert_frame_equal(reads.node_frame(store, label), store.node_frame(label))
        pd.testing.assert_frame_equal(reads.records(store), store.records())
        labels = [label for label in NODE_TYPES if label not in ("Record", "Mention", "Load")]
        pd.testing.assert_frame_equal(reads.nodes(store, labels), store.nodes(labels))
        pd.testing.assert_frame_equal(reads.nodes(store, ["Record", "Person"]), store.nodes(["Record", "Person"]))
        for rel_type, spec in REL_TYPES.items():
            whole = store.edge_frame(rel_type)
            lean = reads.relationships(store, rel_type)
            if not arrow:  # read as Python objects, a column without a single value has no type to infer: object
                whole = whole.astype({c: object for c in whole if whole[c].isna().all() and lean[c].dtype == object})
            pd.testing.assert_frame_equal(lean, whole)
            for a, b in spec.pairs:  # one pair of labels, without properties, unordered
                part = reads.relationships(store, rel_type, from_label=a, to_label=b, properties=False,
                                           ordered=False)
                expected = whole[(whole["source_label"] == a) & (whole["target_label"] == b)]
                assert sorted(map(tuple, part[["source", "target"]].to_numpy().tolist())) == \
                    sorted(map(tuple, expected[["source", "target"]].to_numpy().tolist()))
                keyed = dict(zip(zip(part["source"], part["target"]), part["sources"]))
                assert all(keyed[(s, t)] == rs for s, t, rs in expected[["source", "target", "sources"]].itertuples(
                    index=False))
        assert "sources" not in reads.relationships(store, "SEIZED", sources=False)


def test_every_lean_read_parses_as_neo4j_5_cypher():
    from .test_neo4j import lint
    statements = reads.statements()
    errors = {s: e for s, e in zip(statements, lint(statements)) if e}
    assert not errors, errors
    assert len(statements) > 50


def plain_memberships(store, via) -> pd.DataFrame:
    """Person → hub links from the store's own frames, in plain Python (the definition)."""
    links = defaultdict(set)
    involved = store.edge_frame("INVOLVED_IN")
    involved = involved[involved["source_label"] == "Person"]
    rows = []
    if "seizure" in via:
        rows += [(r.source, r.target, "seizure", r.sources) for r in involved.itertuples()]
    uses = store.edge_frame("USES")
    for kind, label in (("phone", "Phone"), ("account", "Account")):
        if kind in via:
            rows += [(r.source, r.target, kind, r.sources) for r in uses.itertuples()
                     if r.source_label == "Person" and r.target_label == label]
    if "organization" in via:
        for rel in ("WORKS_FOR", "DIRECTS"):
            rows += [(r.source, r.target, "organization", r.sources) for r in store.edge_frame(rel).itertuples()]
    if "conveyance" in via:
        carried = defaultdict(list)
        for r in store.edge_frame("CONVEYED_BY").itertuples():
            carried[r.source].append(r)
        rows += [(p.source, c.target, "conveyance", [*p.sources, *c.sources]) for p in involved.itertuples()
                 for c in carried[p.target]]
    for person, hub, kind, sources in rows:
        links[(person, hub, kind)].update(sources)
    return pd.DataFrame([(*k, sorted(v)) for k, v in sorted(links.items())],
                        columns=["person", "hub", "kind", "sources"])


def test_memberships_equal_a_plain_reading_of_the_store(sample_store, tiny):
    for store in (sample_store, tiny):
        for via in (PERSON_LINKS, ("seizure",), ("conveyance", "phone"), ("organization",)):
            got = memberships(store, via)
            expected = plain_memberships(store, via)
            assert list(got.columns) == ["person", "hub", "kind", "sources"]
            assert got.to_dict("records") == expected.to_dict("records"), via


def test_a_store_without_links_gives_an_empty_network(tiny):
    assert list(memberships(tiny, ("account",)).columns) == ["person", "hub", "kind", "sources"]
    net = ng.person_network(tiny, via=("account",))
    assert len(net.nodes) == 0 and len(net.edges) == 0 and list(net.edges.columns) == EDGE_FIELDS
    assert net.graph.vcount() == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_many_kinds_of_link_take_the_sorting_path(seed):
    members, _ = random_members(seed)
    members["kind"] = [f"kind{int(h[4:]) % 70:02d}" for h in members["hub"]]  # 70 kinds: more than fit in bits
    members.loc[::7, "kind"] = "zz-other"  # and some hubs with two kinds
    assert_same_edges(co_membership_edges(members), reference_edges(members))


@pytest.mark.parametrize("seed", [0, 3])
def test_deferred_evidence_gives_the_same_lists_for_any_rows(seed):
    members, dates = random_members(seed)
    full = co_membership_edges(members)
    for half_life in (None, 200.0):
        edges, evidence = co_membership(members, dates if half_life else None, half_life)
        assert (evidence.shared is None) == bool(half_life)  # the union waits unless ages weigh records
        rows = np.random.default_rng(seed).permutation(len(edges))[:300]
        part = with_evidence(edges.iloc[rows], evidence, rows)
        expected = co_membership_edges(members, dates if half_life else None, half_life).iloc[rows]
        pd.testing.assert_frame_equal(part, expected)
        taken = evidence.take(rows)
        assert taken.frame().to_dict("list") == expected[["via", "hubs", "sources"]].to_dict("list")
    edges, evidence = co_membership(members)
    assert evidence.present("via") == {k for vs in full["via"] for k in vs}
    offsets, codes = evidence.csr("sources")
    assert evidence.shared is None  # taken once, then kept
    assert [evidence.names["sources"][codes[a:b]].tolist() for a, b in zip(offsets[:-1], offsets[1:])] == \
        full["sources"].tolist()


def test_person_network_reads_evidence_only_when_asked(sample_store):
    net = ng.person_network(sample_store)
    assert net._evidence is not None and set(net.ties.columns) == {"source", "target", "weight", "records"}
    digest, graph_edges = input_hash(net), net.graph.get_edgelist()
    kinds = net.link_kinds()
    rows = np.flatnonzero(net.ties["weight"].to_numpy() > 1)
    some = net.edge_rows(rows)
    ids = net.nodes["id"].iloc[::3].tolist()
    sub = net.subnetwork(ids)
    edges = net.edges  # makes every list
    assert net._evidence is None and list(edges.columns) == EDGE_FIELDS
    pd.testing.assert_frame_equal(some, edges.iloc[rows])
    assert kinds == {k for vs in edges["via"] for k in vs} == net.link_kinds()
    assert input_hash(net) == digest
    plain = Network("person", net.nodes, edges, net.description)
    assert input_hash(plain) == digest and plain.graph.get_edgelist() == graph_edges
    assert plain.graph.es["weight"] == net.graph.es["weight"]
    pd.testing.assert_frame_equal(sub.edges, plain.subnetwork(ids).edges)


def test_subgraph_equals_the_store_frames_made_into_igraph(sample_store, tiny):
    for store in (sample_store, tiny):
        for options in ({}, {"labels": ["Person", "Phone", "Seizure"], "rel_types": ["USES", "INVOLVED_IN"]},
                        {"date_from": "2021-04-01"}):
            sub = ng.subgraph(store, **options)
            labels = options.get("labels") or [label for label in NODE_TYPES
                                               if label not in ("Record", "Mention", "Load")]
            nodes, edges = store.nodes(labels), store.edges(options.get("rel_types") or list(ASSERTED_REL_TYPES))
            if options.get("date_from"):
                records = store.records()
                dates = pd.to_datetime(records["record_date"])
                kept = set(records.loc[dates.notna() & (dates >= "2021-04-01"), "id"])
                nodes = nodes.assign(sources=[[r for r in rs if r in kept] for rs in nodes["sources"]])
                nodes = nodes[nodes["sources"].map(len) > 0]
                edges = edges.assign(sources=[[r for r in rs if r in kept] for rs in edges["sources"]])
                edges = edges[edges["sources"].map(len) > 0]
            ids = set(nodes["id"])
            edges = edges[[s in ids and t in ids for s, t in zip(edges["source"], edges["target"])]]
            assert sub.nodes["id"].tolist() == nodes["id"].tolist()
            assert sub.nodes["sources"].tolist() == nodes["sources"].tolist()
            assert sub.edges[["source", "target", "type"]].values.tolist() == \
                edges[["source", "target", "type"]].values.tolist()
            assert sub.edges["sources"].tolist() == edges["sources"].tolist()
            graph = sub.to_igraph()
            index = {v: i for i, v in enumerate(nodes["id"])}
            assert graph.get_edgelist() == [(index[s], index[t]) for s, t in zip(edges["source"], edges["target"])]
            assert graph.vs["name"] == nodes["id"].tolist() and graph.vs["label"] == nodes["label"].tolist()
            assert graph.es["weight"] == [float(len(rs)) for rs in edges["sources"]]
