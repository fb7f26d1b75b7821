"""A one-mode network with its evidence, and the measures analysts call on it.

>>> import netgraph as ng
>>> store = ng.open_store("demo-out/sample.lbdb")                 # doctest: +SKIP
>>> net = ng.person_network(store, date_from="2020-01-01")          # doctest: +SKIP
>>> net.broker_report().head()                                     # doctest: +SKIP
>>> net.communities(); net.group_profiles()                        # doctest: +SKIP
>>> net.disruption(k=5)                                            # what if the top five are arrested  # doctest: +SKIP
"""
from __future__ import annotations

import html
from functools import cached_property
from itertools import chain
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from ..resources import netgraph_version
from ..schema import OTHER_LINKS, SEIZURE_EVENT
from ..store.base import GraphStore
from . import brokers, measures, reads
from . import communities as comm
from . import disruption as attacks
from . import leads as leads_module
from .edgelist import DEFAULT_LAYER, NetworkInputError, edge_table, igraph_tables, networkx_tables
from .grouping import gather, isin, positions, sorted_sets, split, unique
from .projection import Filters
from .reads import relationships
from .ties import (
    Evidence,
    Scope,
    co_membership,
    crowded_hubs,
    event_kinds,
    link_kinds,
    location_flow_edges,
    memberships,
    organization_ties,
    record_dates,
    restrict,
    tie_graph,
    with_ends,
    with_evidence,
)

MAX_HUB_PEOPLE = 100  # a hub shared by more people ties no one (see person_network)
NODE_LABEL = {"person": "Person", "organization": "Organization", "location": "Location"}


class Network:
    """Nodes (``id``, ``name`` and attributes) and weighted edges that keep their supporting records.

    Build one from the store with :func:`person_network`, :func:`organization_network` or
    :func:`location_network`, or from any network with :meth:`from_edges`, :meth:`from_networkx` or
    :meth:`from_igraph`. Ties given without evidence get none: ``records`` 0, empty ``sources`` and ``hubs``,
    ``via`` the one layer ``tie``, ``weight`` 1 where missing. ``directed``: by default only location flows.
    """

    def __init__(self, kind: str, nodes: pd.DataFrame, edges: pd.DataFrame, description: dict,
                 seizures: pd.DataFrame | None = None, involvement: pd.DataFrame | None = None,
                 records: pd.DataFrame | None = None, evidence: Evidence | None = None,
                 directed: bool | None = None):
        self.kind, self.description = kind, description
        self.directed = kind == "location" if directed is None else directed
        self.nodes = nodes.sort_values("id", ignore_index=True)
        self._edges = edges.reset_index(drop=True) if evidence is not None else _without_evidence(edges)
        self._evidence = evidence  # via, hubs, sources of each row of _edges, as codes (see ties.Evidence)
        self.seizures = seizures  # id, date, country, weight_kg, pieces, commodities
        self.involvement = involvement  # node id → seizure id
        self.records = records  # the store's Record nodes (provenance and grading), for tooltips and charts
        self.store = None  # set for location networks, whose route analyses read the store
        self._membership: dict[tuple, list[int]] = {}

    def __repr__(self) -> str:
        return f"<Network {self.kind}: {len(self.nodes)} nodes, {len(self._edges)} edges>"

    def _repr_html_(self) -> str:
        """A Jupyter cell's summary: size, pieces, evidence, scope and the most connected nodes."""
        graph = self._undirected()
        pieces = len(graph.connected_components())
        degree = pd.Series(graph.degree(), index=self.nodes["name"]).sort_values(ascending=False, kind="stable")
        evidence = "" if self.records is None else f", {len(self.records)} records"
        if self.seizures is not None:
            evidence += f", {len(self.seizures)} seizures"
        scope = "; ".join(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
                          for key, value in self.description.items() if value not in (None, [], ()))
        top = "".join(f"<tr><td>{html.escape(str(name))}</td><td>{ties}</td></tr>"
                      for name, ties in degree.head(5).items() if ties)
        return (f"<div><b>{html.escape(self.kind)} network</b>: {len(self.nodes)} nodes, {len(self._edges)} ties, "
                f"{pieces} component{'s' * (pieces != 1)}, {sum(d == 0 for d in graph.degree())} isolated"
                f"{evidence}<br><small>{html.escape(scope)}</small>"
                + (f"<table><tr><th>most connected</th><th>ties</th></tr>{top}</table>" if top else "") + "</div>")

    @property
    def edges(self) -> pd.DataFrame:
        """One row per tie: source, target, weight, records, via, hubs, sources (lists), in graph edge order.

        A projected network keeps via, hubs and sources as codes until this is first read (millions of ties
        make millions of lists); :meth:`ties` and :meth:`edge_rows` read without making them all."""
        if self._evidence is not None:
            self._edges, self._evidence = with_evidence(self._edges, self._evidence), None
        return self._edges

    @edges.setter
    def edges(self, frame: pd.DataFrame) -> None:
        self._edges, self._evidence = frame.reset_index(drop=True), None
        self.__dict__.pop("graph", None)

    @property
    def ties(self) -> pd.DataFrame:
        """The edges without making their evidence lists: source, target, weight, records and any columns
        already made (``via``, ``hubs``, ``sources`` only if :attr:`edges` was read or given them)."""
        self._edges = with_ends(self._edges, self._evidence)
        return self._edges

    def edge_rows(self, rows) -> pd.DataFrame:
        """Rows of :attr:`edges` (a boolean mask or positions), with their evidence, making lists only for
        those rows."""
        rows = np.asarray(rows)
        positions = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64)
        if self._evidence is None:
            return self._edges.iloc[positions]
        return with_evidence(self.ties.iloc[positions], self._evidence, positions)

    def source_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge's records as (offsets, codes, names), sorted within each edge (for hashing and
        counting without making lists): edge i's are ``names[codes[offsets[i]:offsets[i + 1]]]``."""
        if self._evidence is not None:
            return (*self._evidence.csr("sources"), self._evidence.names["sources"])
        return brokers.source_codes(self._edges["sources"])

    def records_of(self, ids: list[str]) -> dict[str, list[str]]:
        """The sorted records behind each of ``ids``' ties (all its ties), for those that have any. On codes:
        a drawn hub's ties can be millions."""
        ties = self.ties
        source, target = positions(ties["source"], ids), positions(ties["target"], ids)
        rows = np.flatnonzero((source >= 0) | (target >= 0))
        if self._evidence is not None:
            shared = self._evidence.shared
            offsets, codes = shared.union(rows) if shared is not None else \
                _rows_of(*self._evidence.csr("sources"), rows)
            names = self._evidence.names["sources"]
        else:
            offsets, codes, names = brokers.source_codes(ties["sources"].iloc[rows])
        owner = np.repeat(np.arange(len(rows)), np.diff(offsets))
        width = max(len(names), 1)
        keys = []
        for end in (source[rows][owner], target[rows][owner]):
            keys.append(end[end >= 0] * width + codes[end >= 0])
        entries = unique(np.concatenate(keys))
        node, record = np.divmod(entries, width)
        lists = split(np.asarray(names, dtype=object)[record].tolist(), np.bincount(node, minlength=len(ids)))
        return {i: rs for i, rs in zip(ids, lists) if rs}

    def link_kinds(self) -> set:
        """The kinds of link (``via``) that tie any pair."""
        if self._evidence is not None:
            return self._evidence.present("via")
        return set(chain.from_iterable(self._edges["via"])) if "via" in self._edges else set()

    @cached_property
    def graph(self) -> ig.Graph:
        """The network as an undirected (location flows: directed) weighted igraph Graph."""
        ends = None if self._evidence is None else self._evidence.ends
        if ends is not None and not (len(ends[2]) == len(self.nodes) and (ends[2] == self.nodes["id"]).all()):
            ends = None  # the evidence numbers people otherwise than the nodes: look the ids up
        graph = tie_graph(self.nodes["id"], self._edges if ends else self.ties, self.directed, ends and ends[:2])
        graph.vs["display_name"] = self.nodes["name"].tolist()
        return graph

    def to_networkx(self) -> nx.Graph:
        """The same network as a NetworkX Graph (DiGraph if directed) with node and edge attributes."""
        graph = nx.DiGraph() if self.directed else nx.Graph()
        graph.add_nodes_from((row["id"], {k: v for k, v in row.items() if k != "id"})
                             for row in self.nodes.to_dict("records"))
        graph.add_edges_from((r["source"], r["target"], {k: v for k, v in r.items() if k not in ("source", "target")})
                             for r in self.edges.to_dict("records"))
        return graph

    # --- networks from anything -------------------------------------------------------------------
    @classmethod
    def from_edges(cls, edges, nodes=None, kind: str = "person", directed: bool = False, weight: str | None = None,
                   layer: str | None = None) -> "Network":
        """A network from an edge list: a DataFrame or a CSV/XLSX/JSON file with ``source``, ``target``, an
        optional weight column (``weight`` unless named) and layer column (``layer`` or ``kind`` unless
        named); ``nodes``: a node list (``id``, optional ``name`` and attributes) whose untied nodes stay as
        isolates. Rows of a pair add up; see :mod:`netgraph.analysis.edgelist`.

        >>> net = Network.from_edges(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"]}))
        >>> net, net.edges["weight"].tolist()
        (<Network person: 3 nodes, 2 edges>, [1.0, 1.0])
        """
        if kind not in NODE_LABEL:
            raise NetworkInputError(f"kind must be one of {sorted(NODE_LABEL)}, not {kind!r}", "from_edges")
        table = edge_table(edges, nodes, directed, weight, layer)
        return cls(kind, table.nodes, table.edges, table.description, directed=directed)

    @classmethod
    def from_networkx(cls, graph: nx.Graph, kind: str = "person", weight: str = "weight",
                      layer: str = "layer") -> "Network":
        """A network from a NetworkX (Multi)(Di)Graph: node attributes become node columns (``name`` the
        label), edge attributes ``weight`` (default 1) and ``layer`` are kept; node ids become text.

        >>> Network.from_networkx(nx.karate_club_graph())
        <Network person: 34 nodes, 78 edges>
        """
        edges, nodes = networkx_tables(graph, weight, layer)
        return cls.from_edges(edges, nodes, kind, graph.is_directed())

    @classmethod
    def from_igraph(cls, graph: ig.Graph, kind: str = "person", weight: str = "weight",
                    layer: str = "layer") -> "Network":
        """A network from an igraph Graph: vertex ``name`` (else the index, as text) is the id, other vertex
        attributes node columns; edge attributes ``weight`` and ``layer`` are kept.

        >>> Network.from_igraph(ig.Graph.Famous("Zachary"))
        <Network person: 34 nodes, 78 edges>
        """
        edges, nodes = igraph_tables(graph, weight, layer)
        return cls.from_edges(edges, nodes, kind, graph.is_directed())

    def to_edges(self) -> pd.DataFrame:
        """The ties as an edge list :meth:`from_edges` reads back: source, target, layer, weight, one row per
        tie and layer; a network that keeps no weight per layer (one from the store) gives source, target,
        weight, one row per tie."""
        edges = self.edges
        if "layer_weights" not in edges:
            return edges[["source", "target", "weight"]].copy()
        long = edges[["source", "target", "via", "layer_weights"]].explode(["via", "layer_weights"])
        long = long.rename(columns={"via": "layer", "layer_weights": "weight"})
        return long.astype({"weight": float}).reset_index(drop=True)

    def without_isolates(self) -> "Network":
        """The network without its untied nodes."""
        degree = np.asarray(self.graph.degree())
        return self.subnetwork(self.nodes["id"].to_numpy()[degree > 0].tolist())

    # --- layers -----------------------------------------------------------------------------------
    def layers(self) -> pd.DataFrame:
        """One row per layer (kind of tie, ``via``): ties, nodes tied in it, and its total weight (where the
        network keeps a weight per layer, as networks from edge lists do; else NaN)."""
        edges = self.edges
        weights = edges["layer_weights"] if "layer_weights" in edges else edges["via"].map(lambda v: [np.nan] * len(v))
        long = pd.DataFrame({"source": edges["source"], "target": edges["target"], "layer": edges["via"],
                             "weight": weights}).explode(["layer", "weight"])
        rows = [{"layer": layer, "ties": len(part), "nodes": len(set(part["source"]) | set(part["target"])),
                 "weight": float(part["weight"].astype(float).sum(min_count=1))}
                for layer, part in long.groupby("layer", sort=True)]
        return pd.DataFrame(rows, columns=["layer", "ties", "nodes", "weight"])

    def layer(self, *names: str) -> "Network":
        """The network of the ties in the layers ``names`` only, each weighing its weight there (summed over
        ``names``); every node stays. Every method works on it: ``net.layer("communication").centrality()``.

        Networks from the store keep no weight per kind of link: build those with
        ``person_network(store, via=(...))`` instead."""
        edges = self.edges
        if "layer_weights" not in edges:
            raise NetworkInputError("this network keeps no weight per layer; for a network from the store, "
                                    "choose the kinds of link with person_network(store, via=(...))", "layer")
        unknown = sorted(set(names) - set(self.layers()["layer"]))
        if not names or unknown:
            raise NetworkInputError(f"no layer(s) {unknown}; the layers are {self.layers()['layer'].tolist()}",
                                    "layer")
        wanted = set(names)
        kept = [[(v, w) for v, w in zip(via, weights) if v in wanted]
                for via, weights in zip(edges["via"], edges["layer_weights"])]
        rows = np.flatnonzero([bool(k) for k in kept])
        out = edges.iloc[rows].copy()
        out["via"] = [[v for v, _ in kept[i]] for i in rows]
        out["layer_weights"] = [[w for _, w in kept[i]] for i in rows]
        out["weight"] = [float(sum(w for _, w in kept[i])) for i in rows]
        return Network(self.kind, self.nodes, out, {**self.description, "layers": list(names)}, self.seizures,
                       self.involvement, self.records, directed=self.directed)

    def _with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Put ``id``, ``name`` in front of a per-vertex frame (vertices are in ``self.nodes`` order)."""
        out = self.nodes[["id", "name"]].copy()
        for column in frame.columns.drop("id"):
            out[column] = frame[column].to_numpy()
        out.attrs = dict(frame.attrs)
        return out

    # --- measures ---------------------------------------------------------------------------------
    def centrality(self, weighted: bool = True, betweenness_k: int | None = None, seed: int = 0,
                   which: tuple[str, ...] = measures.MEASURES, path_k: int | None = None,
                   ids: list[str] | None = None) -> pd.DataFrame:
        """Degree, strength, betweenness (exact, or sampled from ``betweenness_k`` sources with ``seed``),
        closeness, harmonic, eigenvector, PageRank, k-core (or the ones in ``which``); one row per node.

        Closeness and harmonic are exact up to ``measures.PATH_MEASURES_MAX_NODES`` nodes, estimated from
        sampled sources above (``path_k`` sources; see :func:`netgraph.analysis.measures.path_measures`);
        ``frame.attrs["methods"]`` says which. ``ids``: only these nodes' rows, in that order (closeness and
        harmonic are then computed for them alone)."""
        graph = self._undirected()
        if ids is None:
            return self._with_names(measures.centrality(graph, weighted, betweenness_k, seed, which, path_k))
        vertices = pd.Index(self.nodes["id"]).get_indexer(ids)
        if (vertices < 0).any():
            raise KeyError(f"not in the network: {sorted(set(ids) - set(self.nodes['id']))[:5]}")
        frame = measures.centrality(graph, weighted, betweenness_k, seed, which, path_k, vertices.tolist())
        frame.insert(1, "name", self.nodes["name"].to_numpy()[vertices])
        return frame

    def _undirected(self) -> ig.Graph:
        """The graph with directions dropped (weights of both directions summed), for undirected measures."""
        return self.graph.as_undirected(mode="collapse", combine_edges="sum") if self.graph.is_directed() \
            else self.graph

    def default_group(self) -> str:
        """The grouping brokerage roles use unless told: nationality where known, else community."""
        return "nationality" if "nationality" in self.nodes and self.nodes["nationality"].notna().any() \
            else "community"

    def brokerage(self, group: str | None = None, weighted: bool = True) -> pd.DataFrame:
        """Burt's constraint and effective size, Gould–Fernandez roles with groups from node column
        ``group`` (nationality, organization, agency, or ``community``; default :meth:`default_group`),
        articulation points and bridges."""
        group = group or self.default_group()
        if group == "community":
            groups = self.communities()["community"].tolist()
        elif group in self.nodes:
            groups = self.nodes[group].where(self.nodes[group].notna(), None).tolist()
        else:
            raise KeyError(f"no node attribute {group!r}; have {sorted(self.nodes.columns)} or 'community'")
        graph = self.graph
        frame = measures.constraint_and_effective_size(graph, weighted)
        frame = frame.merge(measures.gould_fernandez(graph, groups), on="id")
        frame = frame.merge(measures.cut_points(graph), on="id")
        return self._with_names(frame)

    def bridges(self) -> pd.DataFrame:
        """Ties whose removal splits a component, with their evidence."""
        found = measures.bridges(self.graph)
        return found.merge(self.edges, on=["source", "target"], how="left")

    def communities(self, method: str = "leiden", seed: int = 0, resolution: float = 1.0,
                    iterations: int = 2) -> pd.DataFrame:
        """Community of every node (``leiden`` by default; also louvain, label_propagation, components)."""
        key = (method, seed, resolution, iterations)
        if key not in self._membership:
            self._membership[key] = comm.detect(self.graph.as_undirected() if self.graph.is_directed()
                                                else self.graph, method, seed, resolution, iterations=iterations)
        frame = self._with_names(pd.DataFrame({"id": self.graph.vs["name"], "community": self._membership[key]}))
        frame.attrs["modularity"] = comm.modularity(self.graph, self._membership[key], resolution=resolution) \
            if not self.graph.is_directed() else None
        return frame

    def disruption(self, k: int = 5, measure: str = "betweenness", remove: list[str] | None = None,
                   betweenness_k: int | None = None, seed: int = 0, recalculate: bool = False,
                   weighted: bool = True) -> pd.DataFrame:
        """Remove ``k`` people chosen by ``measure`` (or the ``remove`` list, in order) and report, after each
        removal, components, largest component and ``lcc_fraction`` (its share of the original), average
        distance, fragmentation, distance-weighted fragmentation and efficiency.

        ``measure``: degree, betweenness, pagerank, eigenvector, collective_influence, kpp (Borgatti's key
        player set), random, or another :meth:`centrality` column; ranked once on the intact network, or
        again after every removal with ``recalculate=True`` (the sequential attack); ``weighted``: use tie
        weights (degree becomes strength). Ties: smallest id; see :mod:`netgraph.analysis.disruption`. On big
        networks pass ``betweenness_k`` (sampled sources); above 5,000 nodes average distance and efficiency
        are estimated (``attrs["methods"]`` says so).

        >>> net.disruption(k=10, measure="betweenness", recalculate=True)   # doctest: +SKIP
        """
        graph = self._undirected()
        chosen = None
        if remove is None:
            remove, chosen = attacks.attack(graph, k, measure, recalculate, weighted, betweenness_k, seed)
        result = attacks.remove_and_measure(graph, remove, chosen, seed)
        names = dict(zip(self.nodes["id"], self.nodes["name"]))
        result.insert(2, "removed_name", result["removed"].map(names))
        result.attrs.update({"measure": None if chosen is None else measure, "recalculate": recalculate,
                             "weighted": weighted, "seed": seed})
        return result

    def attack_curves(self, strategies=attacks.STRATEGIES[:-1], k: int = 10, recalculate: bool = True,
                      weighted: bool = True, runs: int = 20, seed: int = 0, betweenness_k: int | None = None,
                      plot: bool | str | Path = False) -> pd.DataFrame:
        """Attack curves of ``strategies`` (measures of :meth:`disruption`, sequential by default; ``kpp`` only
        if named) against a random-removal baseline (``runs`` seeded orders, mean and ``*_sd``): one row per
        strategy and step. ``plot=True`` draws ``lcc_fraction`` with matplotlib, ``plot="attack.png"`` also
        saves it.

        >>> curves = net.attack_curves(["degree", "betweenness", "kpp"], k=10, plot=True)   # doctest: +SKIP
        """
        curves = attacks.attack_curves(self._undirected(), strategies, k, recalculate, weighted, runs, seed,
                                       betweenness_k)
        names = dict(zip(self.nodes["id"], self.nodes["name"]))
        curves.insert(3, "removed_name", curves["removed"].map(names))
        if plot is not False:
            ax = attacks.plot_attack_curves(curves)
            ax.set_title(f"Sequential attacks, {len(self.nodes)} nodes" if recalculate else
                         f"Attacks ranked once, {len(self.nodes)} nodes")
            if plot is not True:
                ax.figure.savefig(plot, bbox_inches="tight")
        return curves

    def group_profiles(self, method: str = "leiden", seed: int = 0, resolution: float = 1.0) -> pd.DataFrame:
        """One row per community: members, countries, commodities, date span, seizures, quantities, brokers."""
        return brokers.group_profiles(self, self.communities(method, seed, resolution))

    def broker_report(self, group: str | None = None, method: str = "leiden", seed: int = 0,
                      betweenness_k: int | None = None, top: int | None = None) -> pd.DataFrame:
        """The ranked broker report with plain-language reasons (see :mod:`netgraph.analysis.brokers`)."""
        return brokers.broker_report(self, group or self.default_group(), method, seed, betweenness_k, top)

    def leads(self, k: int = 50, method: str = "adamic_adar", hops: int = 2, persons: list[str] | None = None,
              per_person: int | None = None, model=None) -> pd.DataFrame:
        """Ranked leads (suspected missing ties) with reasons; see :mod:`netgraph.analysis.leads`.

        ``method``: one of ``netgraph.analysis.leads.METHODS``; or pass ``model=netgraph.analysis.leads.fit_model(net)``.
        ``persons`` + ``per_person``: the best ``per_person`` leads of each of those people.
        """
        return leads_module.leads(self, k, method, hops, persons, per_person, model)

    # --- route analyses (location networks) ----------------------------------------------------------
    def _route_args(self) -> dict:
        if self.kind != "location" or self.store is None:
            raise TypeError("routes, hubs and route shifts are for location networks from the store "
                            "(ng.location_network)")
        return {"level": self.description["level"], "date_from": self.description["date_from"],
                "date_to": self.description["date_to"]}

    def routes(self, by_commodity: bool = False) -> pd.DataFrame:
        """Legs with seizures, weight and pieces (see :func:`netgraph.space_time.routes.flows`)."""
        from ..space_time import routes as route_analysis  # the facade reaches up; routes never imports Network
        args = self._route_args()
        return route_analysis.flows(self.store, by_commodity=by_commodity, **args)

    def hubs(self) -> pd.DataFrame:
        """Places ranked by seizures passing through (see :func:`netgraph.space_time.routes.hubs`)."""
        from ..space_time import routes as route_analysis
        args = self._route_args()
        return route_analysis.hubs(self.store, **args)

    def route_shift(self, period_a: tuple, period_b: tuple) -> dict:
        """New and vanished legs, hubs rising and falling between two periods."""
        from ..space_time import routes as route_analysis
        level = self._route_args()["level"]
        return route_analysis.route_shift(self.store, period_a, period_b, level)

    def to_html(self, path, **options):
        """Write the interactive, self-contained HTML graph (see :func:`netgraph.views.html.network_html`)."""
        from ..views.html import write_html  # the facade reaches up; views never import Network
        return write_html(self, path, **{"records": self.records, **options})

    def show(self, height: int = 800, **options):
        """Display the interactive graph inline in Jupyter."""
        from IPython.display import HTML

        from ..views.html import network_html
        page = network_html(self, **{"records": self.records, **options})
        return HTML(f'<div><iframe srcdoc="{html.escape(page)}" style="width:100%;height:{height}px;border:0"></iframe>'
                    '</div>')  # an iframe on its own makes IPython suggest IFrame, which cannot hold a page

    def subnetwork(self, ids) -> "Network":
        """The network induced by the node ``ids`` (with the same evidence, seizures and records)."""
        keep = set(ids)
        missing = keep - set(self.nodes["id"])
        if missing:
            raise KeyError(f"not in the network: {sorted(missing)}")
        keep = list(keep)
        ties = self.ties
        inside = np.flatnonzero(isin(ties["source"], keep) & isin(ties["target"], keep))
        evidence = None if self._evidence is None else self._evidence.take(inside)
        involvement = None if self.involvement is None else self.involvement[isin(self.involvement["id"], keep)]
        return Network(self.kind, self.nodes[isin(self.nodes["id"], keep)], ties.iloc[inside],
                       dict(self.description), self.seizures, involvement, self.records, evidence, self.directed)

    def method_stamp(self, **parameters) -> dict:
        """What an export must record: netgraph version, network, parameters and input hash."""
        return {"netgraph_version": netgraph_version(), "network": self.kind, **self.description,
                "parameters": parameters, "input_sha256": brokers.input_hash(self)}

    def write_back(self, store: GraphStore, frame: pd.DataFrame, prefix: str = "ng_") -> list[str]:
        """Write the numeric columns of ``frame`` (keyed by ``id``) onto the nodes as ``prefix + column``."""
        columns = [c for c in frame.columns if c != "id" and pd.api.types.is_numeric_dtype(frame[c])]
        renamed = frame[["id", *columns]].rename(columns={c: prefix + c for c in columns})
        store.write_properties(NODE_LABEL[self.kind], renamed)
        return [prefix + c for c in columns]


def _without_evidence(edges: pd.DataFrame) -> pd.DataFrame:
    """``edges`` with the evidence columns a network's methods read, empty where missing."""
    edges = edges.reset_index(drop=True)
    missing = {"weight": lambda: 1.0, "records": lambda: 0, "via": lambda: [DEFAULT_LAYER], "hubs": list,
               "sources": list}
    missing = {c: make for c, make in missing.items() if c not in edges}
    if not missing:
        return edges
    return edges.assign(**{c: [make() for _ in range(len(edges))] for c, make in missing.items()})


def _scope(date_from, date_to, countries, commodities, min_reliability, min_validity, max_handling=None) -> Scope:
    return Scope(Filters(date_from, date_to, min_reliability, min_validity, max_handling), tuple(countries),
                 tuple(commodities))


def _describe(scope: Scope, **extra) -> dict:
    f = scope.filters
    return {"date_from": str(f.date_from) if f.date_from else None, "date_to": str(f.date_to) if f.date_to else None,
            "min_reliability": f.min_reliability, "min_validity": f.min_validity, "max_handling": f.max_handling,
            "countries": list(scope.countries), "commodities": list(scope.commodities), **extra}


def person_network(store: GraphStore, via: tuple[str, ...] | None = None, date_from=None, date_to=None,
                   countries: tuple[str, ...] = (), commodities: tuple[str, ...] = (),
                   min_reliability: str | None = None, min_validity: int | None = None,
                   half_life_days: float | None = None, max_handling: int | None = None,
                   resolved: bool = True, max_hub_people: int | None = MAX_HUB_PEOPLE) -> Network:
    """People tied by shared seizures, phones, accounts, organisations or conveyances, or by shared events of
    the other kinds the store holds (meetings, calls, …): ``via`` chooses among them (default: all, see
    :func:`~netgraph.analysis.ties.link_kinds`).

    A hub shared by more than ``max_hub_people`` people (a ferry, a flight number used for years) ties no one
    (see :func:`~netgraph.analysis.ties.crowded_hubs`); its people stay nodes, and the network's description
    lists the hubs left out (``hubs_left_out``). ``None`` ties everyone on every hub.

    With ``resolved`` (the default), people that entity resolution merged are one node, named after the
    cluster's canonical spelling (see :mod:`netgraph.resolution.linkage`); without a resolution nothing changes.

    Filters keep only the evidence of records in the date window, at or above the grading, with a
    handling code at most ``max_handling`` (a release level), and of seizures in ``countries`` (ISO
    codes) with ``commodities`` (names, taxa or products).
    """
    scope = _scope(date_from, date_to, countries, commodities, min_reliability, min_validity, max_handling)
    eligible = scope.records(store)
    persons = store.node_properties("Person").set_index("id")
    entity = persons["resolved_id"].fillna(pd.Series(persons.index, index=persons.index)) if resolved \
        else pd.Series(persons.index, index=persons.index)
    seizure_nodes = _seizure_nodes(store, eligible)
    events = event_kinds(store, seizure_nodes)
    every_kind = link_kinds(store, None, events)
    via = every_kind if via is None else link_kinds(store, tuple(via), events)
    members = restrict(memberships(store, via, events), eligible)
    members["person"] = members["person"].map(entity)
    crowded = crowded_hubs(members, max_hub_people)
    tying = members[~members["hub"].isin(crowded["hub"])] if len(crowded) else members
    edges, evidence = co_membership(tying, record_dates(store) if half_life_days else None, half_life_days)
    ids = sorted(members["person"].unique().tolist())
    every_event = [k for k in every_kind if k not in OTHER_LINKS]
    involved = members[members["kind"].isin(every_event)] if set(every_event) <= set(via) else restrict(
        memberships(store, tuple(every_event), events), eligible).assign(person=lambda f: f["person"].map(entity))
    involvement = involved.rename(columns={"person": "id", "hub": "seizure"})[["id", "seizure", "sources"]]
    nodes = pd.DataFrame({"id": ids, "name": persons.loc[ids, "name"].to_numpy() if ids else [],
                          "nationality": persons.loc[ids, "nationality"].to_numpy() if ids else []})
    if ids:
        nodes = nodes.merge(_first_organization(store, eligible, entity), on="id", how="left")
    else:  # no one: an empty network
        nodes = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("id", "name", "nationality", "organization")})
    nodes = nodes.merge(_main_agency(seizure_nodes, involvement), on="id", how="left")
    seizures = _seizure_table(store, restrict(seizure_nodes, eligible))
    left_out = {"max_hub_people": max_hub_people, "hubs_left_out": len(crowded),
                "largest_hubs_left_out": [f"{h} ({k}, {n} people)" for h, k, n in crowded.head(5).itertuples(False)]}
    return Network("person", nodes, edges, _describe(scope, via=list(via), half_life_days=half_life_days, **left_out),
                   seizures, involvement, reads.records(store), evidence)


def organization_network(store: GraphStore, date_from=None, date_to=None, countries=(), commodities=(),
                         min_reliability=None, min_validity=None, half_life_days=None) -> Network:
    """Organisations tied by shared people (works for, directs) or shared seizures."""
    scope = _scope(date_from, date_to, countries, commodities, min_reliability, min_validity)
    edges, evidence = organization_ties(store, scope, half_life_days)
    eligible = scope.records(store)
    orgs = restrict(reads.node_frame(store, "Organization"), eligible)
    nodes = orgs[["id", "name", "country"]].reset_index(drop=True)
    involved = store.edge_frame("INVOLVED_IN")
    involved = restrict(involved[involved["source_label"] == "Organization"], eligible)
    involvement = involved.rename(columns={"source": "id", "target": "seizure"})[["id", "seizure"]]
    seizures = _seizure_table(store, restrict(_seizure_nodes(store, eligible), eligible))
    return Network("organization", nodes, edges, _describe(scope, half_life_days=half_life_days), seizures,
                   involvement, reads.records(store), evidence)


def location_network(store: GraphStore, level: str = "place", date_from=None, date_to=None, countries=(),
                     commodities=(), min_reliability=None, min_validity=None) -> Network:
    """Places (or countries, ``level="country"``) tied by consecutive legs of seizure routes (directed)."""
    scope = _scope(date_from, date_to, countries, commodities, min_reliability, min_validity)
    edges = location_flow_edges(store, level, scope)
    locations = store.node_properties("Location").set_index("id")
    ids = sorted(set(edges["source"]) | set(edges["target"]))
    nodes = pd.DataFrame({"id": ids, "name": locations.loc[ids, "name"].to_numpy() if ids else [],
                          "kind": locations.loc[ids, "kind"].to_numpy() if ids else [],
                          "country": locations.loc[ids, "country"].to_numpy() if ids else []})
    net = Network("location", nodes, edges, _describe(scope, level=level), records=reads.records(store))
    net.store = store  # route analyses read quantities and commodities from it
    return net


def _first_organization(store: GraphStore, eligible, entity: pd.Series) -> pd.DataFrame:
    """Each (resolved) person's first organisation: the ones they direct before the ones they work for."""
    links = pd.concat([store.edge_frame(r) for r in ("DIRECTS", "WORKS_FOR")], ignore_index=True)
    links = restrict(links, eligible)
    links["source"] = links["source"].map(entity)
    orgs = store.node_properties("Organization").set_index("id")["name"]
    first = links.sort_values(["source", "type", "target"]).drop_duplicates("source")
    return pd.DataFrame({"id": first["source"], "organization": first["target"].map(orgs)})


def _seizure_nodes(store: GraphStore, eligible) -> pd.DataFrame:
    """All Seizure nodes: their properties, and their records (``sources``) only when something is filtered."""
    return store.node_properties("Seizure") if eligible is None else reads.node_frame(store, "Seizure")


def _main_agency(seizure_nodes: pd.DataFrame, involvement: pd.DataFrame) -> pd.DataFrame:
    seizures = seizure_nodes[["id", "agency"]].rename(columns={"id": "seizure"})
    joined = involvement.merge(seizures, on="seizure").dropna(subset=["agency"])
    if joined.empty:
        return pd.DataFrame(columns=["id", "agency"])
    counts = joined.groupby(["id", "agency"]).size().reset_index(name="n")
    counts = counts.sort_values(["id", "n", "agency"], ascending=[True, False, True]).drop_duplicates("id")
    return counts[["id", "agency"]]


def _seizure_table(store: GraphStore, seizure_nodes: pd.DataFrame) -> pd.DataFrame:
    seized = relationships(store, "SEIZED", properties=False, sources=False, ordered=False)
    names = store.node_properties("Commodity").set_index("id")["name"]
    goods = sorted_sets(seized["source"], seized["target"].map(names))
    table = seizure_nodes[["id", "event", "date", "country", "weight_kg", "pieces"]].copy()
    table["event"] = table["event"].fillna(SEIZURE_EVENT)
    table["date"] = pd.to_datetime(table["date"]).dt.date
    table["commodities"] = [c if isinstance(c, list) else [] for c in goods.reindex(table["id"].to_numpy())]
    return table.reset_index(drop=True)


def _rows_of(offsets: np.ndarray, codes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR layout (offsets, codes) of ``rows`` of another."""
    at, counts = gather(offsets, rows)
    return np.r_[0, np.cumsum(counts)], codes[at]
