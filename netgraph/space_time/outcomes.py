"""Enforcement outcomes: did seizures lead to arrests, prosecutions and convictions, and did cooperation
with another country's agency help? The figures cooperation programmes measure themselves by.

>>> outcomes(store, by=("agency", "year"))        # doctest: +SKIP
"""
from __future__ import annotations

import pandas as pd

from ..store.base import GraphStore

GROUPINGS = ("agency", "year", "country", "place", "joint")


def outcome_table(store: GraphStore) -> pd.DataFrame:
    """One row per seizure: agency, year, country, place (where it was seized), joint (partner country or
    ''), people arrested, and whether it was followed by an arrest, a prosecution and a conviction."""
    seizures = store.node_frame("Seizure").set_index("id")
    followed = store.edge_frame("FOLLOWED_BY")
    from_seizure = followed[followed["source_label"] == "Seizure"]
    arrests = store.node_frame("Arrest").set_index("id")["people"]
    prosecution = from_seizure.loc[from_seizure["target_label"] == "Prosecution"].set_index("source")["target"]
    convicted = set(followed.loc[followed["target_label"] == "Conviction", "source"])
    arrest_of = from_seizure.loc[from_seizure["target_label"] == "Arrest"].set_index("source")["target"]
    at = store.edge_frame("AT").set_index("source")["target"]
    places = store.node_frame("Location").set_index("id")["name"]
    table = pd.DataFrame({
        "seizure": seizures.index, "agency": seizures["agency"].fillna("(unknown)").to_numpy(),
        "year": pd.to_datetime(seizures["date"]).dt.year.to_numpy(),
        "country": seizures["country"].fillna("??").to_numpy(),
        "place": seizures.index.map(at).map(places).fillna("(unknown)"),
        "joint": seizures["joint_with"].fillna("").to_numpy()})
    table["arrest"] = table["seizure"].isin(arrest_of.index)
    table["people_arrested"] = table["seizure"].map(arrest_of).map(arrests).fillna(0).astype(int)
    table["prosecution"] = table["seizure"].isin(prosecution.index)
    table["conviction"] = table["seizure"].map(prosecution).isin(convicted)
    return table


def outcomes(store: GraphStore, by: tuple[str, ...] = ("agency", "year")) -> pd.DataFrame:
    """Per group: seizures, seizures followed by arrests, people arrested, prosecutions, convictions,
    the conversion rates between them, and joint cross-border cases."""
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}; choose from {GROUPINGS}")
    table = outcome_table(store)
    grouped = table.groupby(list(by), dropna=False)
    out = grouped.agg(seizures=("seizure", "count"), with_arrests=("arrest", "sum"),
                      people_arrested=("people_arrested", "sum"), prosecutions=("prosecution", "sum"),
                      convictions=("conviction", "sum"), joint_cases=("joint", lambda j: int((j != "").sum())))
    out["arrest_rate"] = (out["with_arrests"] / out["seizures"]).round(3)
    out["prosecution_rate"] = (out["prosecutions"] / out["with_arrests"].where(out["with_arrests"] > 0)).round(3)
    out["conviction_rate"] = (out["convictions"] / out["prosecutions"].where(out["prosecutions"] > 0)).round(3)
    return out.reset_index()
