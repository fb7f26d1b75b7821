"""Routes: which legs, places and commodities carry the trade, and how that shifts between periods.

A seizure's route is its stops in order (origin, transits, destination, by ``position``); a *leg* joins two
consecutive stops. At ``level="country"`` stops are lifted to their countries and consecutive stops in
the same country merge, so Hà Nội → Móng Cái → Dongxing is one leg, VN → CN. A consignment is counted
once on every leg it travelled: listing several transit countries adds legs, never quantity to a leg.

>>> legs(store, level="country").head()          # doctest: +SKIP
>>> hubs(store).head()                           # doctest: +SKIP
>>> route_shift(store, ("2019-01-01", "2021-12-31"), ("2022-01-01", "2024-12-31"))   # doctest: +SKIP
"""
from __future__ import annotations

import pandas as pd

from ..analysis.measures import centrality
from ..analysis.projection import Filters
from ..analysis.ties import Scope, location_flow_edges, tie_graph
from ..schema import ROUTE_TYPES
from ..store.base import GraphStore

LEG_COLUMNS = ["seizure", "date", "leg", "source", "target", "weight_kg", "pieces"]


def stops(store: GraphStore, level: str = "country", date_from=None, date_to=None) -> pd.DataFrame:
    """Every seizure's stops in order: seizure, position, place (a place or ``country:XX`` key), role."""
    if level not in ("place", "country"):
        raise ValueError("level must be 'place' or 'country'")
    frames = [store.edge_frame(t).assign(role=t) for t in ROUTE_TYPES]
    route = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else \
        pd.DataFrame(columns=["source", "target", "position", "role", "sources"])
    eligible = Scope(Filters(date_from, date_to)).records(store)
    if eligible is not None:
        route = route[route["sources"].map(lambda rs: any(r in eligible for r in rs))]
    if level == "country":
        countries = store.node_frame("Location").set_index("id")["country"]
        lifted = route["target"].map(countries).map(lambda c: f"country:{c}" if isinstance(c, str) else None)
        route = route.assign(target=lifted.fillna(route["target"]))
    route = route.rename(columns={"source": "seizure", "target": "place"})
    return route.sort_values(["seizure", "position"], ignore_index=True)[["seizure", "position", "place", "role"]]


def legs(store: GraphStore, level: str = "country", date_from=None, date_to=None) -> pd.DataFrame:
    """One row per leg travelled: seizure, date, leg number, source, target, and the seizure's weight and
    count (the consignment that travelled it)."""
    route = stops(store, level, date_from, date_to)
    seizures = store.node_frame("Seizure").set_index("id")
    rows = []
    for seizure, group in route.groupby("seizure", sort=True):
        places = [p for i, p in enumerate(group["place"]) if i == 0 or p != group["place"].iloc[i - 1]]
        for leg, (a, b) in enumerate(zip(places, places[1:]), start=1):
            rows.append((seizure, leg, a, b))
    frame = pd.DataFrame(rows, columns=["seizure", "leg", "source", "target"])
    frame["date"] = pd.to_datetime(frame["seizure"].map(seizures["date"])).dt.date
    frame["weight_kg"] = frame["seizure"].map(seizures["weight_kg"])
    frame["pieces"] = frame["seizure"].map(seizures["pieces"])
    return frame[LEG_COLUMNS]


def flows(store: GraphStore, level: str = "country", by_commodity: bool = False, date_from=None,
          date_to=None) -> pd.DataFrame:
    """Legs summed: source, target (and commodity), seizures, weight_kg, pieces, with place names.
    By commodity, quantities are those the records attribute to that commodity."""
    travelled = legs(store, level, date_from, date_to)
    keys = ["source", "target"]
    if by_commodity:
        seized = store.edge_frame("SEIZED")[["source", "target", "weight_kg", "pieces"]]
        names = store.node_frame("Commodity").set_index("id")["name"]
        seized = seized.assign(commodity=seized["target"].map(names)).drop(columns="target")
        travelled = travelled.drop(columns=["weight_kg", "pieces"]).merge(
            seized.rename(columns={"source": "seizure"}), on="seizure")
        keys.append("commodity")
    out = travelled.groupby(keys, as_index=False).agg(seizures=("seizure", "nunique"),
                                                      weight_kg=("weight_kg", "sum"), pieces=("pieces", "sum"))
    return _named(store, out).sort_values(["seizures", *keys], ascending=[False, *[True] * len(keys)],
                                          ignore_index=True)


def hubs(store: GraphStore, level: str = "place", date_from=None, date_to=None) -> pd.DataFrame:
    """Places ranked by the seizures that passed through them: in, out, transit (in and out), and
    betweenness in the flow network."""
    travelled = legs(store, level, date_from, date_to)
    inbound = travelled.groupby("target")["seizure"].nunique().rename("seizures_in")
    outbound = travelled.groupby("source")["seizure"].nunique().rename("seizures_out")
    both = travelled.melt(id_vars="seizure", value_vars=["source", "target"], value_name="place")
    through = both.groupby("place")["seizure"].nunique().rename("seizures")
    passing = set(zip(travelled["seizure"], travelled["target"])) & set(zip(travelled["seizure"], travelled["source"]))
    transit = pd.Series([p for _, p in passing], dtype=object).value_counts().rename("seizures_transit")
    frame = pd.concat([through, inbound, outbound, transit], axis=1).fillna(0).astype(int)
    frame.index.name = "place"
    flow = location_flow_edges(store, level, Scope(Filters(date_from, date_to)))
    graph = tie_graph(sorted(set(flow["source"]) | set(flow["target"])), flow, directed=True)
    graph = graph.as_undirected(mode="collapse", combine_edges="sum")  # as Network.centrality does
    between = centrality(graph, which=("betweenness",)).set_index("id")["betweenness"]
    frame["betweenness"] = frame.index.map(between).fillna(0.0)
    frame = frame.reset_index().sort_values(["seizures_transit", "seizures", "place"],
                                            ascending=[False, False, True], ignore_index=True)
    names = _place_names(store)
    frame.insert(1, "name", frame["place"].map(names))
    return frame


def commodity_routes(store: GraphStore, date_from=None, date_to=None) -> pd.DataFrame:
    """Commodity × route (first country → last country of each seizure's route): seizures, weight, pieces."""
    route = stops(store, "country", date_from, date_to)
    ends = route.groupby("seizure")["place"].agg(["first", "last"])
    ends = ends[ends["first"] != ends["last"]]
    seized = store.edge_frame("SEIZED")[["source", "target", "weight_kg", "pieces"]]
    names = store.node_frame("Commodity").set_index("id")["name"]
    joined = seized.assign(commodity=seized["target"].map(names)).merge(ends, left_on="source", right_index=True)
    out = joined.groupby(["commodity", "first", "last"], as_index=False).agg(
        seizures=("source", "nunique"), weight_kg=("weight_kg", "sum"), pieces=("pieces", "sum"))
    out["route"] = out["first"].str.removeprefix("country:") + " → " + out["last"].str.removeprefix("country:")
    return out.sort_values(["commodity", "seizures", "route"], ascending=[True, False, True], ignore_index=True)[
        ["commodity", "route", "seizures", "weight_kg", "pieces"]]


def route_shift(store: GraphStore, period_a: tuple, period_b: tuple, level: str = "country") -> dict:
    """Compare two periods (each a (from, to) pair): legs new in B, legs gone since A, and hubs rising or
    falling (change in seizures through each place)."""
    a, b = (flows(store, level, date_from=p[0], date_to=p[1]) for p in (period_a, period_b))
    keys = ["source", "target"]
    both = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    new = both[both["_merge"] == "right_only"]
    gone = both[both["_merge"] == "left_only"]
    hubs_a = hubs(store, level, *period_a).set_index("place")["seizures"]
    hubs_b = hubs(store, level, *period_b).set_index("place")["seizures"]
    change = pd.concat([hubs_a.rename("seizures_a"), hubs_b.rename("seizures_b")], axis=1).fillna(0).astype(int)
    change["change"] = change["seizures_b"] - change["seizures_a"]
    change = change.reset_index().rename(columns={"index": "place"})
    change.insert(1, "name", change["place"].map(_place_names(store)))
    return {"new_legs": _named(store, new[keys + ["seizures_b"]].rename(columns={"seizures_b": "seizures"})),
            "vanished_legs": _named(store, gone[keys + ["seizures_a"]].rename(columns={"seizures_a": "seizures"})),
            "hubs": change.sort_values(["change", "place"], ascending=[False, True], ignore_index=True)}


def _place_names(store: GraphStore) -> pd.Series:
    return store.node_frame("Location").set_index("id")["name"]


def _named(store: GraphStore, frame: pd.DataFrame) -> pd.DataFrame:
    names = _place_names(store)
    return frame.assign(source_name=frame["source"].map(names), target_name=frame["target"].map(names))
