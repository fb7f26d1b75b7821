"""Risk indicators from past seizures: per dimension (route, airport, airline, concealment, commodity …) how
many seizures fall on each value, how much was seized, the trend, and the lift; which combinations recur.

Seizure records hold no denominators (the flights and consignments that were *not* seized), so a
"seizure rate" here is a value's share of the seizures where that dimension is known, and a lift is an
observed count over the count expected if nothing concentrated:

* a single value's ``lift``: its seizures over the mean seizures per value of its dimension (1 = an ordinary
  value; a leg with lift 8 carries eight times the seizures of the average leg);
* a combination's ``lift``: P(A and B) / (P(A) P(B)) over the seizures (association-rule lift; 1 = the two
  occur together as often as chance would have them).

``trend`` is the least-squares slope of the value's yearly share of seizures, in percentage points per year.
Only events of kind ``seizure`` count: consignments, meetings and other kinds a mapping declared never do.

>>> table = indicator_table(store)                                     # doctest: +SKIP
>>> candidates(store, min_seizures=5).head()                        # doctest: +SKIP
"""
from __future__ import annotations

import re
from functools import cache
from itertools import combinations as _combinations

import numpy as np
import pandas as pd

from ..ingest.vocab import normalise, read_vocab
from ..schema import ROUTE_TYPES, SEIZURE_EVENT
from ..store.base import GraphStore

#: dimensions an indicator can name, in the order tables list them
DIMENSIONS = ("origin_country", "transit_country", "destination_country", "origin_place", "transit_place",
              "destination_place", "leg", "seizure_country", "seizure_place", "airport", "airline", "concealment",
              "declared_goods", "detection", "commodity", "month")
#: dimensions whose recurring combinations are looked for
COMBINED = ("leg", "airline", "concealment", "commodity", "detection")
#: dimensions a drafted profile can target before an inspection (detection is known only after one)
TARGETABLE = ("origin_country", "transit_country", "destination_country", "leg", "airport", "airline", "concealment",
              "declared_goods", "commodity")
FACT_COLUMNS = ["event", "date", "year", "dimension", "value", "name"]


@cache
def _airlines() -> dict[str, str]:
    return {normalise(str(name)): str(code) for code, names in read_vocab("airlines").items() for name in names}


def word_pattern(terms: list[str]) -> re.Pattern:
    """Any of ``terms`` as words (case-insensitive; a term may end inside a word: 'carving' finds 'carvings')."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t.casefold()) for t in terms) + ")")


@cache
def _concealment_words() -> list[tuple[str, re.Pattern]]:
    return [(kind, word_pattern(words)) for kind, words in read_vocab("concealment").items()]


def airline_code(text) -> str | None:
    """The airline a record names (name, misspelling or flight number), as its IATA code where
    ``loaders/vocab/airlines.yaml`` knows it, else the text normalised.

    >>> airline_code("Kenyan Airlines"), airline_code("KQ 584 from Lubumbashi"), airline_code("Air Zonk")
    ('KQ', 'KQ', 'air zonk')
    """
    if not isinstance(text, str) or not normalise(text):
        return None
    key = normalise(text)
    names = _airlines()
    if key in names:
        return names[key]
    prefix = re.match(r"(?:flight\s+)?([a-z0-9]{2})\s?\d{1,4}\b", key)
    if prefix and prefix.group(1) in names:
        return names[prefix.group(1)]
    return key


def concealment_kinds(text) -> list[str]:
    """The kinds of concealment a description names (``loaders/vocab/concealment.yaml``), else the text.

    >>> concealment_kinds("Placed Inside Luggage"), concealment_kinds("Pouches sewn into pants")
    (['luggage'], ['on the body'])
    """
    if not isinstance(text, str) or not normalise(text):
        return []
    lowered = text.casefold()
    kinds = [kind for kind, pattern in _concealment_words() if pattern.search(lowered)]
    return kinds or [normalise(text)]


def events(store: GraphStore, kinds: tuple[str, ...] = (SEIZURE_EVENT,), date_from=None, date_to=None) -> pd.DataFrame:
    """The events of these kinds (``Seizure`` nodes; ``seizure`` unless a mapping declared another) in the
    date window: id, name, event, date, year, weight_kg, pieces, records (sorted), and the event's fields."""
    frame = store.node_frame("Seizure")
    if not len(frame):
        return frame.assign(year=pd.Series(dtype="Int64"), records=pd.Series(dtype=object))
    frame = frame[frame["event"].fillna(SEIZURE_EVENT).isin(kinds)].copy()
    dates = pd.to_datetime(frame["date"], errors="coerce")
    keep = pd.Series(True, index=frame.index)
    if date_from is not None:
        keep &= dates >= pd.Timestamp(date_from)
    if date_to is not None:
        keep &= dates <= pd.Timestamp(date_to)
    frame = frame[keep].assign(date=dates[keep].dt.date, year=dates[keep].dt.year.astype("Int64"))
    frame["records"] = frame["sources"].map(sorted)
    return frame.sort_values("id", ignore_index=True)


def facts(store: GraphStore, kinds: tuple[str, ...] = (SEIZURE_EVENT,), date_from=None, date_to=None,
          chosen: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (event, dimension, value): event, date, year, dimension, value, name (for display).

    Places are Location keys (``place:KE:nairobi``), countries ISO codes, a leg ``KE>TH`` (consecutive
    countries of the route, repeats merged as in :mod:`netgraph.space_time.routes`; a stop without a country,
    such as a region, left out), the place of seizure (or inspection) and, if it is one, its airport; an
    airline its IATA code
    (:func:`airline_code`), a concealment its kinds (:func:`concealment_kinds`), a commodity its name, a
    month ``01``…``12``; declared goods (the record's commodity text) only for events that are not seizures
    (a seizure's text says what was found, not what was declared). ``chosen``: the events, if read already (:func:`events`)."""
    chosen = events(store, kinds, date_from, date_to) if chosen is None else chosen
    ids = pd.Index(chosen["id"])
    locations = store.node_frame("Location").set_index("id")
    place_names, place_country = locations["name"], locations["country"]
    country_names = place_names[place_names.index.str.startswith("country:")]
    country_names.index = country_names.index.str.removeprefix("country:")
    parts = []

    def add(event, dimension, value, name=None):
        frame = pd.DataFrame({"event": np.asarray(event, dtype=object), "value": np.asarray(value, dtype=object)})
        frame["name"] = frame["value"] if name is None else np.asarray(name, dtype=object)
        frame = frame[frame["value"].notna() & frame["event"].isin(ids)]
        parts.append(frame.assign(dimension=dimension))

    route = _route(store, ids, place_country)
    for role, name in zip(range(3), ("origin", "transit", "destination")):
        mine = route[route["role"] == role]
        add(mine["source"], f"{name}_country", mine["country"], mine["country"].map(country_names))
        places = mine[~mine["target"].str.startswith("country:")]
        add(places["source"], f"{name}_place", places["target"], places["target"].map(place_names))
    stops = _country_stops(route)
    following = stops.shift(-1)
    legs = stops[following["source"] == stops["source"]]
    after = following.loc[legs.index, "country"]
    leg = legs["country"] + ">" + after
    add(legs["source"], "leg", leg, legs["country"].map(country_names).fillna(legs["country"]) + " → "
        + after.map(country_names).fillna(after))
    add(chosen["id"], "seizure_country", chosen["country"], chosen["country"].map(country_names))
    at = store.edge_frame("AT")
    if len(at):
        at = at[~at["target"].str.startswith("country:")]
        add(at["source"], "seizure_place", at["target"], at["target"].map(place_names))
        at = at[at["target"].map(locations["kind"]) == "airport"]
        add(at["source"], "airport", at["target"], at["target"].map(place_names))
    conveyed = store.edge_frame("CONVEYED_BY")
    if len(conveyed):
        conveyed = conveyed[conveyed["target_label"] == "Flight"]
        flights = store.node_frame("Flight").set_index("id")["name"]
        written = conveyed["target"].map(flights)
        code = written.map(airline_code)
        add(conveyed["source"], "airline", code, code.where(code.str.len() != 2, code + " (" + written + ")"))
    concealed = chosen[["id", "concealment"]].assign(kind=chosen["concealment"].map(concealment_kinds)).explode("kind")
    add(concealed["id"], "concealment", concealed["kind"])
    declaring = chosen[chosen["event"].fillna(SEIZURE_EVENT) != SEIZURE_EVENT]  # a seizure's text is what was found
    declared = declaring["commodity_text"].map(lambda t: normalise(t) if isinstance(t, str) and normalise(t) else None)
    add(declaring["id"], "declared_goods", declared, declaring["commodity_text"])
    detection = chosen["detection_method"].map(lambda t: normalise(t) if isinstance(t, str) and normalise(t) else None)
    add(chosen["id"], "detection", detection, chosen["detection_method"])
    seized = store.edge_frame("SEIZED")
    if len(seized):
        goods = store.node_frame("Commodity").set_index("id")["name"]
        add(seized["source"], "commodity", seized["target"].map(goods))
    months = pd.to_datetime(chosen["date"]).dt.strftime("%m")
    add(chosen["id"], "month", months)
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["event", "dimension", "value"])
    when = chosen.set_index("id")
    out["date"] = out["event"].map(when["date"])
    out["year"] = out["event"].map(when["year"])
    out["name"] = out["name"].where(out["name"].notna(), out["value"]).astype(str)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out = out.assign(_d=out["dimension"].map(order)).sort_values(["_d", "value", "event"], ignore_index=True)
    return out[FACT_COLUMNS]


def _route(store: GraphStore, ids: pd.Index, place_country: pd.Series) -> pd.DataFrame:
    """The route stops of events ``ids``: source (event), target (place), position, role (0 origin, 1 transit,
    2 destination), country (ISO code, where known)."""
    route = []
    for role in ROUTE_TYPES:
        edges = store.edge_frame(role)
        if len(edges):
            route.append(edges[["source", "target", "position"]].assign(role=ROUTE_TYPES.index(role)))
    route = pd.concat(route, ignore_index=True) if route else pd.DataFrame(
        columns=["source", "target", "position", "role"])
    route = route[route["source"].isin(ids)]
    country = route["target"].map(place_country)
    country = country.where(country.notna(), route["target"].str.extract(r"^country:(\w+)$")[0])
    return route.assign(country=country)


def _country_stops(route: pd.DataFrame) -> pd.DataFrame:
    """Stops in order with consecutive stops in one country merged."""
    stops = route.dropna(subset=["country"]).sort_values(["source", "position", "role"], kind="stable")
    new = (stops["source"] != stops["source"].shift()) | (stops["country"] != stops["country"].shift())
    return stops[new]


def country_routes(store: GraphStore, ids) -> pd.Series:
    """Each event's route as its countries in order, ``>KE>AE>TH>`` (empty if it has none)."""
    ids = pd.Index(ids)
    locations = store.node_frame("Location").set_index("id")
    stops = _country_stops(_route(store, ids, locations["country"]))
    joined = stops.groupby("source", sort=False)["country"].agg(">".join)
    return (">" + joined.reindex(ids) + ">").fillna("")


def indicator_table(store: GraphStore, date_from=None, date_to=None, dimensions: tuple[str, ...] = DIMENSIONS,
               found: pd.DataFrame | None = None, chosen: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (dimension, value) of the seizures in the window: seizures, share (of the seizures where
    the dimension is known), weight_kg, pieces, lift (seizures over the mean per value of the dimension),
    trend (slope of the yearly share, percentage points per year), first_year, last_year, records.

    >>> indicator_table(store).query("dimension == 'leg'").head(3)      # doctest: +SKIP
    """
    chosen = events(store, date_from=date_from, date_to=date_to) if chosen is None else chosen
    found = facts(store, chosen=chosen) if found is None else found
    found = found[found["dimension"].isin(dimensions)]
    columns = ["dimension", "value", "name", "seizures", "share", "weight_kg", "pieces", "lift", "trend",
               "first_year", "last_year", "records"]
    if found.empty:
        return pd.DataFrame(columns=columns)
    by_event = chosen.set_index("id")
    found = found.assign(weight_kg=found["event"].map(by_event["weight_kg"]),
                         pieces=found["event"].map(by_event["pieces"]))
    keys = ["dimension", "value"]
    out = found.groupby(keys, sort=False).agg(name=("name", "first"), seizures=("event", "nunique"),
                                              weight_kg=("weight_kg", "sum"), pieces=("pieces", "sum"),
                                              first_year=("year", "min"), last_year=("year", "max")).reset_index()
    known = found.groupby("dimension")["event"].nunique()
    out["share"] = out["seizures"] / out["dimension"].map(known)
    out["lift"] = out["seizures"] / out["dimension"].map(out.groupby("dimension")["seizures"].mean())
    out["trend"] = _trend(found, keys).reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy()
    records = found.assign(records=found["event"].map(by_event["records"]))[[*keys, "records"]].explode("records")
    lists = records.dropna().groupby(keys)["records"].agg(lambda r: sorted(set(r)))
    out["records"] = lists.reindex(pd.MultiIndex.from_frame(out[keys])).to_list()
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out = out.assign(_d=out["dimension"].map(order)).sort_values(["_d", "seizures", "value"],
                                                                 ascending=[True, False, True], ignore_index=True)
    return out[columns]


def _trend(found: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Least-squares slope of each value's yearly share of the seizures (where its dimension is known), in
    percentage points per year; NaN with fewer than two years."""
    dated = found.dropna(subset=["year"])
    if dated.empty:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=keys))
    counts = dated.groupby([*keys, "year"])["event"].nunique().unstack("year", fill_value=0)
    totals = dated.groupby(["dimension", "year"])["event"].nunique().unstack("year", fill_value=0)
    totals = totals.reindex(columns=counts.columns, fill_value=0)
    per_year = totals.reindex(counts.index.get_level_values("dimension")).to_numpy(dtype=float)
    share = np.divide(counts.to_numpy(dtype=float), per_year, out=np.full(per_year.shape, np.nan), where=per_year > 0)
    years = np.asarray(counts.columns, dtype=float)
    seen = ~np.isnan(share)
    x = np.where(seen, years, np.nan)
    n = seen.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = x - np.nanmean(x, axis=1, keepdims=True)
        dy = share - np.nanmean(share, axis=1, keepdims=True)
        slope = np.nansum(dx * dy, axis=1) / np.nansum(dx * dx, axis=1)
    slope[n < 2] = np.nan
    return pd.Series(100 * slope, index=counts.index)


def combinations(store: GraphStore, size: int = 2, dimensions: tuple[str, ...] = COMBINED, min_seizures: int = 3,
                 date_from=None, date_to=None, found: pd.DataFrame | None = None,
                 chosen: pd.DataFrame | None = None) -> pd.DataFrame:
    """Values of ``size`` different dimensions that recur together on at least ``min_seizures`` seizures:
    conditions (dimension → value), indicator (in words), seizures, share (of all seizures in the window),
    lift (P(all) over the product of each value's P), weight_kg, records.

    >>> combinations(store, size=3, min_seizures=3).head()         # doctest: +SKIP
    """
    chosen = events(store, date_from=date_from, date_to=date_to) if chosen is None else chosen
    found = facts(store, chosen=chosen) if found is None else found
    columns = ["conditions", "indicator", "seizures", "share", "lift", "weight_kg", "records"]
    found = found[found["dimension"].isin(dimensions)]
    total = len(chosen)
    if found.empty or total == 0:
        return pd.DataFrame(columns=columns)
    single = found.groupby(["dimension", "value"])["event"].nunique()
    common = single[single >= min_seizures].index  # a combination is never more frequent than its parts
    found = found.set_index(["dimension", "value"]).loc[lambda f: f.index.isin(common)].reset_index()
    found = found.assign(item=found["dimension"] + "=" + found["value"].astype(str))
    names = dict(zip(found["item"], found["dimension"] + " " + found["name"]))
    p = (found.groupby("item")["event"].nunique() / total).to_dict()
    by_event = chosen.set_index("id")
    rows = []
    for dims in _combinations([d for d in dimensions if d in set(found["dimension"])], size):
        frame = None
        for i, dim in enumerate(dims):
            part = found.loc[found["dimension"] == dim, ["event", "item"]].rename(columns={"item": f"i{i}"})
            frame = part if frame is None else frame.merge(part, on="event")
        if frame is None or frame.empty:
            continue
        items = [f"i{i}" for i in range(size)]
        grouped = frame.groupby(items)["event"].agg(lambda e: sorted(set(e)))
        grouped = grouped[grouped.map(len) >= min_seizures]
        for combo, evs in grouped.items():
            expected = float(np.prod([p[c] for c in combo]))
            rows.append({"conditions": dict(c.split("=", 1) for c in combo),
                         "indicator": " & ".join(names[c] for c in combo), "seizures": len(evs),
                         "share": len(evs) / total, "lift": len(evs) / total / expected,
                         "weight_kg": float(by_event.loc[evs, "weight_kg"].sum()),
                         "records": sorted({r for rs in by_event.loc[evs, "records"] for r in rs})})
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["seizures", "lift", "indicator"], ascending=[False, False, True], ignore_index=True)


def candidates(store: GraphStore, min_seizures: int = 5, min_lift: float = 1.5, date_from=None, date_to=None,
               dimensions: tuple[str, ...] = TARGETABLE, sizes: tuple[int, ...] = (2, 3)) -> pd.DataFrame:
    """A ranked list of candidate indicators a profile could target: single values of the targetable
    dimensions and recurring combinations (of ``sizes`` dimensions), each on at least ``min_seizures``
    seizures with a lift of at least ``min_lift``; ranked by seizures, then lift. Columns: rank, indicator,
    conditions, size, seizures, share, lift, trend (single values), weight_kg, records.

    >>> candidates(store).head(10)                                 # doctest: +SKIP
    """
    chosen = events(store, date_from=date_from, date_to=date_to)
    found = facts(store, chosen=chosen)
    singles = indicator_table(store, found=found, chosen=chosen, dimensions=dimensions)
    singles = singles.assign(conditions=[{d: v} for d, v in zip(singles["dimension"], singles["value"])],
                             indicator=singles["dimension"] + " " + singles["name"].astype(str), size=1)
    parts = [singles]
    for size in sizes:
        combos = combinations(store, size, tuple(d for d in COMBINED if d in dimensions),
                              min_seizures, found=found, chosen=chosen)
        parts.append(combos.assign(size=size, trend=np.nan))
    columns = ["indicator", "conditions", "size", "seizures", "share", "lift", "trend", "weight_kg", "records"]
    out = pd.concat([p[columns] for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
        pd.DataFrame(columns=columns)
    out = out[(out["seizures"] >= min_seizures) & (out["lift"] >= min_lift)]
    out = out.sort_values(["seizures", "lift", "indicator"], ascending=[False, False, True], ignore_index=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
