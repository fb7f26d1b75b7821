"""Projections of the stored graph into igraph and NetworkX, with provenance-based filters."""
import datetime as dt

import pytest

import netgraph as ng
from netgraph.analysis.projection import subgraph

from .conftest import DATA


@pytest.fixture
def tiny(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    return store


def test_whole_graph_as_igraph_and_networkx_agree(tiny):
    sub = subgraph(tiny)
    g, nxg = sub.to_igraph(), sub.to_networkx()
    assert g.vcount() == nxg.number_of_nodes() == len(sub.nodes)
    assert g.ecount() == nxg.number_of_edges() == len(sub.edges)
    assert sorted(g.vs["name"]) == sorted(nxg.nodes)
    hung = g.vs.find(name="person:nguyễn văn hùng")
    assert hung["label"] == "Person" and hung["display_name"] == "Nguyễn Văn Hùng"
    assert nxg.nodes["person:nguyễn văn hùng"]["label"] == "Person"
    uses = [e for e in g.es.select(_source=hung.index) if e["type"] == "USES"][0]
    assert uses["weight"] == 2 and len(uses["sources"]) == 2


def test_labels_and_types_restrict_the_projection(tiny):
    sub = subgraph(tiny, labels=["Person", "Seizure"], rel_types=["INVOLVED_IN"])
    assert set(sub.nodes["label"]) == {"Person", "Seizure"}
    assert set(sub.edges["type"]) == {"INVOLVED_IN"}
    assert len(sub.edges) == 6  # 7 INVOLVED_IN less the organisation's


def test_date_window_keeps_only_facts_with_records_inside_it(tiny):
    sub = subgraph(tiny, date_from="2021-04-01", date_to=dt.date(2022, 12, 31))
    seizures = set(sub.nodes.loc[sub.nodes["label"] == "Seizure", "id"])
    assert seizures == {"seizure:CEN:T-2", "seizure:CEN:T-3"}
    edge = sub.edges[(sub.edges["source"] == "person:nguyễn văn hùng") & (sub.edges["type"] == "USES")]
    assert edge["sources"].tolist() == [["record:CEN:T-2"]] and edge["weight"].tolist() == [1.0]


def test_minimum_grading_filters_by_reliability_and_validity(tiny):
    only_a1 = subgraph(tiny, min_reliability="A", min_validity=1)
    assert set(only_a1.nodes.loc[only_a1.nodes["label"] == "Seizure", "id"]) == {"seizure:CEN:T-2"}
    b_or_better = subgraph(tiny, min_reliability="B")
    assert "seizure:CEN:T-3" not in set(b_or_better.nodes["id"])  # graded C
    with pytest.raises(ValueError, match="min_reliability"):
        subgraph(tiny, min_reliability="Z")


def test_input_hash_is_stable_and_sensitive(tiny):
    assert subgraph(tiny).input_hash() == subgraph(tiny).input_hash()
    assert subgraph(tiny).input_hash() != subgraph(tiny, date_to="2021-12-31").input_hash()
