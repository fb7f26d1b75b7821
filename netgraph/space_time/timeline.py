"""Time: the network period by period, and the timeline of a case.

:func:`snapshots` builds the person network of each period (month ``M``, quarter ``Q`` or year ``Y``) and
says who appeared and disappeared, which brokers persist, and how stable the groups are: each group of a
period is matched with the group of the previous period that shares most members (Jaccard overlap).
:func:`case_timeline` lists a case's events by date — seizures, arrests, prosecutions, convictions — with
the people in them; the court chart prints it.

>>> snapshots(store, freq="Y")[["period", "people", "new", "gone", "group_stability"]]   # doctest: +SKIP
"""
from __future__ import annotations

import pandas as pd

from ..analysis.network import person_network
from ..store.base import GraphStore

FREQUENCIES = {"M": "M", "Q": "Q", "Y": "Y"}
EVENT_ORDER = {"seizure": 0, "arrest": 1, "prosecution": 2, "conviction": 3}


def snapshots(store: GraphStore, freq: str = "Y", top_brokers: int = 10, seed: int = 0,
              via: tuple[str, ...] = ("seizure", "phone", "organization", "conveyance")) -> pd.DataFrame:
    """One row per period: people, ties, groups, new and gone people, persistent brokers, group stability."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {sorted(FREQUENCIES)}")
    dates = pd.to_datetime(store.node_frame("Seizure")["date"]).dropna()
    if dates.empty:
        return pd.DataFrame()
    periods = pd.period_range(dates.min(), dates.max(), freq=FREQUENCIES[freq])
    rows, previous, previous_groups, previous_brokers = [], set(), [], set()
    for period in periods:
        net = person_network(store, via=via, date_from=period.start_time.date(), date_to=period.end_time.date())
        people = set(net.nodes["id"])
        groups, brokers = [], set()
        if people:
            membership = net.communities(seed=seed)
            groups = [set(g["id"]) for _, g in membership.groupby("community")]
            ranked = net.centrality(which=("betweenness",)).sort_values(["betweenness", "id"],
                                                                          ascending=[False, True])
            brokers = set(ranked["id"].head(top_brokers))
        stability = [max((len(g & h) / len(g | h) for h in previous_groups), default=0.0) for g in groups]
        rows.append({"period": str(period), "people": len(people), "ties": len(net.edges), "groups": len(groups),
                     "new": len(people - previous), "gone": len(previous - people),
                     "persistent_brokers": sorted(brokers & previous_brokers),
                     "group_stability": round(sum(stability) / len(stability), 3) if stability and previous_groups
                     else None})
        previous, previous_groups, previous_brokers = people, groups, brokers
    names = store.node_frame("Person").set_index("id")["name"]
    table = pd.DataFrame(rows)
    table["persistent_brokers"] = table["persistent_brokers"].map(lambda ids: [names.get(i, i) for i in ids])
    return table


def case_timeline(store: GraphStore, people: list[str]) -> pd.DataFrame:
    """Events involving ``people`` (person ids, resolved or not) by date: date, event, seizure, place,
    commodities and who was involved."""
    persons = store.node_frame("Person").set_index("id")
    resolved = persons["resolved_id"].fillna(pd.Series(persons.index, index=persons.index))
    wanted = set(people) | set(persons.index[resolved.isin(set(people))])
    involved = store.edge_frame("INVOLVED_IN")
    involved = involved[involved["source_label"] == "Person"]
    seizure_ids = set(involved.loc[involved["source"].isin(wanted), "target"])
    who = involved[involved["target"].isin(seizure_ids)].assign(
        name=lambda f: f["source"].map(resolved).map(persons["name"])).groupby("target")["name"].agg(
        lambda n: sorted(set(n)))
    seizures = store.node_frame("Seizure").set_index("id").loc[sorted(seizure_ids)]
    at = store.edge_frame("AT").set_index("source")["target"].map(store.node_frame("Location").set_index("id")["name"])
    seized = store.edge_frame("SEIZED")
    goods = seized.assign(c=seized["target"].map(store.node_frame("Commodity").set_index("id")["name"])).groupby(
        "source")["c"].agg(lambda c: sorted(set(c)))
    rows = [{"date": pd.Timestamp(s.date).date(), "event": "seizure", "seizure": sid, "place": at.get(sid),
             "commodities": goods.get(sid, []), "people": who.get(sid, [])} for sid, s in seizures.iterrows()]
    followed = store.edge_frame("FOLLOWED_BY")
    after: dict[str, list] = {}
    for source, target, label in zip(followed["source"].tolist(), followed["target"].tolist(),
                                     followed["target_label"].tolist()):
        after.setdefault(source, []).append((source, target, label))
    outcomes = {label: store.node_frame(label).set_index("id").to_dict("index")
                for label in ("Arrest", "Prosecution", "Conviction")}
    pending = [edge for sid in seizure_ids for edge in after.get(sid, [])]
    seizure_of = {}  # an outcome → the seizure it followed
    while pending:
        source, target, label = pending.pop()
        seizure = source if source in seizure_ids else seizure_of.get(source, source)
        seizure_of[target] = seizure
        node = outcomes[label][target]
        detail = f" ({int(node['people'])} arrested)" if label == "Arrest" and pd.notna(node.get("people")) else \
            (f" ({node['sentence']})" if label == "Conviction" and isinstance(node.get("sentence"), str) else "")
        rows.append({"date": pd.Timestamp(node["date"]).date(), "event": label.lower() + detail, "seizure": seizure,
                     "place": None, "commodities": [], "people": who.get(seizure, []), "outcome": target})
        pending += after.get(target, [])
    frame = pd.DataFrame(rows, columns=["date", "event", "seizure", "place", "commodities", "people", "outcome"])
    stage = frame["event"].str.split(" ").str[0].map(EVENT_ORDER)
    return frame.assign(stage=stage).sort_values(["date", "seizure", "stage"], ignore_index=True).drop(
        columns=["outcome", "stage"])
