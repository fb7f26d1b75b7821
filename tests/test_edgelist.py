"""Networks from edge lists, NetworkX and igraph graphs: every method works on them, round trips keep them,
layers keep their weights, isolates stay, and bad input is named by file, row and column."""
import re

import igraph as ig
import networkx as nx
import pandas as pd
import pytest

import netgraph as ng
from netgraph.analysis import measures
from netgraph.analysis.matrices import matrix_network

from .conftest import DATA, ROOT, shared_file


def calls() -> pd.DataFrame:
    return pd.DataFrame({"source": ["anna", "ben", "ben", "cleo", "anna", "dev", "eve"],
                         "target": ["ben", "anna", "cleo", "dev", "cleo", "eve", "eve"],
                         "weight": [2, 1, 1, 3, 1, 1, 5],
                         "layer": ["call", "call", "meeting", "call", "kinship", "meeting", "call"]})


def test_a_network_of_bare_ties_gives_leads_without_records():
    """Issue 15: ``ng.Network(kind, nodes, edges, {})`` then ``leads()`` failed with KeyError: 'sources'."""
    nodes = pd.DataFrame({"id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"]})
    edges = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "d"]})
    net = ng.Network("person", nodes, edges, {})
    leads = net.leads(k=5, method="common_neighbours")
    assert {frozenset(p) for p in leads[["source", "target"]].values} == {frozenset("ac"), frozenset("bd")}
    assert leads["records"].map(len).eq(0).all()
    assert net.edges["sources"].map(len).eq(0).all() and net.edges["weight"].eq(1.0).all()
    assert set(net.to_networkx().edges) == {("a", "b"), ("b", "c"), ("a", "d")}


def test_from_edges_adds_up_rows_keeps_layers_and_isolates(tmp_path):
    path = tmp_path / "calls.csv"
    calls().to_csv(path, index=False)
    nodes = pd.DataFrame({"id": ["anna", "ben", "cleo", "dev", "eve", "finn"], "nationality": list("VVCCLL")})
    net = ng.Network.from_edges(path, nodes=nodes)
    assert net.description["self_ties_dropped"] == 1 and net.description["edge_list"] == "calls.csv"
    edges = net.edges.set_index(["source", "target"])
    assert edges.loc[("anna", "ben"), "weight"] == 3.0  # both directions add up
    assert edges.loc[("anna", "cleo"), "via"] == ["kinship"]
    assert edges.loc[("ben", "cleo"), "via"] == ["meeting"]
    assert list(net.nodes["id"]) == ["anna", "ben", "cleo", "dev", "eve", "finn"]  # finn: no tie, kept
    assert net.nodes.set_index("id").loc["finn", "name"] == "finn"
    assert len(net.without_isolates().nodes) == 5
    layers = net.layers().set_index("layer")
    assert layers.loc["call", "ties"] == 2 and layers.loc["call", "weight"] == 6.0
    assert layers.loc["meeting", "nodes"] == 4


def test_isolates_count_in_normalised_measures():
    graph = nx.path_graph(4)
    graph.add_nodes_from([10, 11])
    net = ng.Network.from_networkx(graph)
    ours = net.centrality(weighted=False).set_index("id")
    reference = nx.betweenness_centrality(graph)
    assert ours["betweenness"].to_dict() == pytest.approx({str(k): v for k, v in reference.items()})
    assert ours.loc["10", "degree"] == 0 and len(ours) == 6


def test_a_layer_is_a_network_with_that_layers_weights():
    net = ng.Network.from_edges(calls())
    call = net.layer("call")
    assert len(call.nodes) == len(net.nodes)
    assert call.edges[["source", "target", "weight"]].values.tolist() == [["anna", "ben", 3.0], ["cleo", "dev", 3.0]]
    alone = ng.Network.from_edges(calls()[calls()["layer"] == "call"], nodes=net.nodes)
    same = [m for m in measures.MEASURES if m != "eigenvector"]  # two equal pairs: eigenvector is ambiguous
    pd.testing.assert_frame_equal(call.centrality(which=same), alone.centrality(which=same))
    both = net.layer("call", "meeting")
    assert both.edges.set_index(["source", "target"])["via"].to_dict()[("ben", "cleo")] == ["meeting"]
    with pytest.raises(ng.NetworkInputError, match="no layer"):
        net.layer("telepathy")


def test_to_edges_round_trip_with_layers_and_direction():
    for directed in (False, True):
        net = ng.Network.from_edges(calls(), directed=directed)
        again = ng.Network.from_edges(net.to_edges(), nodes=net.nodes, directed=directed)
        pd.testing.assert_frame_equal(again.edges, net.edges)
        assert again.graph.is_directed() == directed


def test_from_networkx_round_trip():
    graph = nx.relabel_nodes(nx.les_miserables_graph(), lambda v: v.lower())
    nx.set_node_attributes(graph, {v: len(v) % 3 for v in graph}, "group")
    net = ng.Network.from_networkx(graph)
    back = net.to_networkx()
    assert set(back.nodes) == set(graph.nodes)
    assert {v: d["group"] for v, d in back.nodes(data=True)} == dict(graph.nodes(data="group"))
    assert {frozenset((a, b)): w for a, b, w in back.edges(data="weight")} == {
        frozenset((a, b)): float(w) for a, b, w in graph.edges(data="weight")}
    from_ig = ng.Network.from_igraph(net.graph)
    pd.testing.assert_frame_equal(from_ig.edges, net.edges)
    multi = nx.MultiGraph([("a", "b", {"layer": "call", "weight": 2}), ("a", "b", {"layer": "meeting"})])
    tie = ng.Network.from_networkx(multi).edges.iloc[0]
    assert tie["via"] == ["call", "meeting"] and tie["layer_weights"] == [2.0, 1.0] and tie["weight"] == 3.0


def test_from_igraph_without_names_numbers_the_nodes():
    net = ng.Network.from_igraph(ig.Graph.Famous("Zachary"))
    assert net.nodes["id"].tolist() == sorted(str(i) for i in range(34))
    assert net.graph.ecount() == 78 and net.edges["weight"].eq(1.0).all()


def test_directed_edge_lists_stay_directed():
    net = ng.Network.from_edges(pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"]}), directed=True)
    assert net.graph.is_directed() and net.to_networkx().is_directed()
    assert net.centrality()["degree"].tolist() == [2, 2, 2]  # measures read it undirected
    assert len(net.leads(k=3)) == 0 and len(net.disruption(k=1)) == 2


@pytest.mark.parametrize("rows,message", [
    ("source,weight\na,1\n", r"calls\.csv: missing column\(s\) \['target'\]"),
    ("source,target,weight\na,b,1\nb,c,-2\n", r"calls\.csv, row 3, column 'weight': a weight must be a positive number"),
    ("source,target,weight\na,b,1\n,c,2\n", r"calls\.csv, row 3, column 'source': empty id"),
    ("source,target,weight\na,b,heavy\n", r"calls\.csv, row 2, column 'weight'"),
])
def test_bad_edge_lists_name_file_row_and_column(tmp_path, rows, message):
    path = tmp_path / "calls.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(ng.NetworkInputError, match=message) as caught:
        ng.Network.from_edges(path)
    assert "heavy" not in str(caught.value)  # the message never quotes the file's contents


def test_bad_node_lists_and_arguments():
    with pytest.raises(ng.NetworkInputError, match="nodes, row 1, column 'id': an id listed twice"):
        ng.Network.from_edges(calls(), nodes=pd.DataFrame({"id": ["anna", "anna"]}))
    with pytest.raises(ng.NetworkInputError, match="4 id\\(s\\) that ties name are not in the node list"):
        ng.Network.from_edges(calls(), nodes=pd.DataFrame({"id": ["anna"]}))
    with pytest.raises(ng.NetworkInputError, match="no weight column 'calls'"):
        ng.Network.from_edges(calls(), weight="calls")
    with pytest.raises(ng.NetworkInputError, match="kind must be one of"):
        ng.Network.from_edges(calls(), kind="planet")


def test_every_method_works_on_a_covert_edge_list(tmp_path):
    matrix = matrix_network(shared_file("covert", "luciaetal_montagna.csv"))
    net = ng.Network.from_edges(matrix.to_edges(), nodes=matrix.nodes)
    pd.testing.assert_frame_equal(net.centrality(), matrix.centrality())
    report = net.broker_report()
    assert len(report) == len(net.nodes) and report["reasons"].map(len).gt(0).all()
    assert len(net.group_profiles()) == net.communities()["community"].nunique()
    leads = net.leads(k=10)
    assert len(leads) == 10 and leads["shared_contacts"].map(len).gt(0).all()
    assert len(net.disruption(k=3, measure="kpp")) == 4
    net.to_html(tmp_path / "network.html")
    assert "N12" in (tmp_path / "network.html").read_text(encoding="utf-8")
    assert len(net.method_stamp()["input_sha256"]) == 64


def test_store_networks_have_layers_but_no_weight_per_layer(store):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    net = ng.person_network(store)
    layers = net.layers().set_index("layer")
    assert layers.loc["seizure", "ties"] == net.edges["via"].map(lambda v: "seizure" in v).sum()
    assert layers["weight"].isna().all()
    with pytest.raises(ng.NetworkInputError, match=r"person_network\(store, via="):
        net.layer("phone")
    edges = net.to_edges()  # one row per tie: read back, the weights are the same
    assert list(edges.columns) == ["source", "target", "weight"]
    again = ng.Network.from_edges(edges, nodes=net.nodes[["id", "name"]])
    assert again.edges["weight"].tolist() == net.edges["weight"].tolist()
    assert len(again.nodes) == len(net.nodes)  # lê văn tám, alone on a seizure, stays an isolate


def test_an_empty_edge_list_with_nodes_is_a_network_of_isolates():
    net = ng.Network.from_edges(pd.DataFrame({"source": [], "target": []}), nodes=pd.DataFrame({"id": ["a", "b"]}))
    assert len(net.nodes) == 2 and len(net.edges) == 0
    assert net.centrality()["degree"].tolist() == [0, 0]
    assert net.disruption(k=1, measure="degree")["fragmentation"].tolist() == [1.0, 0.0]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Analysing any network"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs(tmp_path, monkeypatch):
    graph = nx.relabel_nodes(nx.les_miserables_graph(), lambda v: v.lower())
    nx.to_pandas_edgelist(graph).to_csv(tmp_path / "calls.csv", index=False)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)
    for made in ("attack.png", "network.html"):
        assert (tmp_path / made).stat().st_size > 0
    assert isinstance(namespace["net"], ng.Network) and len(namespace["net"].nodes) == 77
