"""Targeting: score records that are not seizures (consignments of a manifest, passengers, companies) against
risk profiles and the network, with the reasons.

A record scores the sum of the scores of the profiles it matches that are valid on its date (or on
``as_of``); its reasons say which profiles matched and on what, and, where a party of it (shipper,
consignee, passenger, their phones) sits near a known offender, the chain of ties to that offender with
the records behind each tie. Only events of the chosen kinds are scored (``consignment`` by default); the
offenders are those of events of kind ``seizure``, so a scored record never counts as a seizure.

>>> scorer = Targeting(load_profiles()).fit(store)                   # doctest: +SKIP
>>> scorer.score().head()                                            # doctest: +SKIP
>>> scorer.explain("seizure:MANIFEST:548-79145394-000")              # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..store.base import GraphStore
from .indicators import airline_code, country_routes, events, facts, word_pattern
from .network import CONVICTED_WEIGHT, DAMPING, PartyGraph, network_risk, party_graph, path_to_offender
from .profiles import Profile, load_profiles

TARGET_COLUMNS = ["rank", "id", "name", "date", "route", "airline", "goods", "weight_kg", "score", "profiles",
                  "handling", "reasons", "network", "network_records", "records"]


class Targeting:
    """Score non-seizure events against risk profiles and the offender network (fit, score, explain).

    ``kinds``: the kinds of event to score; ``as_of``: the day on which profiles must be valid (default: each
    record's own date); ``damping`` and ``convicted_weight``: the network risk's (see
    :mod:`netgraph.risk.network`).
    """

    def __init__(self, profiles: list[Profile] | None = None, kinds: tuple[str, ...] = ("consignment",),
                 as_of: dt.date | str | None = None, damping: float = DAMPING,
                 convicted_weight: float = CONVICTED_WEIGHT):
        self.profiles = load_profiles() if profiles is None else list(profiles)
        self.kinds = tuple(kinds)
        self.as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        if not 0 < damping < 1:
            raise ValueError(f"damping must be between 0 and 1 (exclusive), not {damping!r}")
        self.damping, self.convicted_weight = damping, convicted_weight

    def fit(self, store: GraphStore) -> "Targeting":
        """Read the events to score, their facts, the party graph and every party's network risk."""
        self.events_ = events(store, self.kinds).set_index("id", drop=False)
        self.facts_ = facts(store, self.kinds, chosen=self.events_.reset_index(drop=True))
        self.routes_ = country_routes(store, self.events_.index)
        self.parties_: PartyGraph = party_graph(store)
        self.risk_ = network_risk(parties=self.parties_, damping=self.damping,
                                  convicted_weight=self.convicted_weight).set_index("id", drop=False)
        involvement = self.parties_.involvement
        self.involvement_ = involvement[involvement["event"].isin(self.events_.index)]
        phones = store.edge_frame("USES")
        self.phones_ = phones[phones["source"].isin(self.involvement_["party"])][["source", "target"]]
        self.matches_ = self._match()
        return self

    # --- matching --------------------------------------------------------------------------------
    def _dimension(self, dimension: str, terms: list[str], exact: bool = False) -> set:
        f = self.facts_[self.facts_["dimension"] == dimension]
        if exact:
            return set(f.loc[f["value"].astype(str).str.upper().isin([t.upper() for t in terms]), "event"])
        pattern = word_pattern(terms)
        hit = f["name"].str.casefold().str.contains(pattern) | f["value"].astype(str).str.casefold().str.contains(
            pattern)
        return set(f.loc[hit, "event"])

    def _party_names(self, label: str, terms: list[str]) -> set:
        nodes = self.parties_.nodes.set_index("id")
        inv = self.involvement_.assign(label=self.involvement_["party"].map(nodes["label"]),
                                       name=self.involvement_["party"].map(nodes["name"]).astype(str))
        inv = inv[inv["label"] == label]
        return set(inv.loc[inv["name"].str.casefold().str.contains(word_pattern(terms)), "event"])

    def _phones(self, terms: list[str]) -> set:
        wanted = {re.sub(r"\D", "", t) for t in terms} - {""}
        digits = self.phones_["target"].str.replace(r"\D", "", regex=True)
        parties = set(self.phones_.loc[digits.isin(wanted), "source"])
        return set(self.involvement_.loc[self.involvement_["party"].isin(parties), "event"])

    def _nearest(self) -> pd.DataFrame:
        """Per event: the party nearest a known offender (steps, party)."""
        inv = self.involvement_.assign(steps=self.involvement_["party"].map(self.risk_["steps"]),
                                       risk=self.involvement_["party"].map(self.risk_["risk"]))
        inv = inv.dropna(subset=["steps"]).sort_values(["event", "steps", "risk", "party"],
                                                       ascending=[True, True, False, True])
        return inv.drop_duplicates("event").set_index("event")[["party", "steps", "risk"]]

    def _condition(self, name: str, value) -> tuple[set, str]:
        """The events meeting one condition, and the condition in words."""
        ev = self.events_
        if name in ("origin", "transit", "destination"):
            return self._dimension(f"{name}_country", value, exact=True), f"{name} {', '.join(value)}"
        if name == "routes":
            hit = set()
            for route in value:
                hit |= set(self.routes_.index[self.routes_.str.contains(f">{route}>", regex=False)])
            return hit, f"route {' or '.join(r.replace('>', '→') for r in value)}"
        if name == "airports":
            return self._dimension("airport", value), f"airport {', '.join(value)}"
        if name == "airlines":
            codes = [airline_code(v) or v for v in value]
            return self._dimension("airline", codes, exact=True) | self._dimension("airline", value), \
                f"airline {', '.join(value)}"
        if name == "commodities":
            return self._dimension("commodity", value) | self._dimension("declared_goods", value), \
                f"goods {', '.join(value)}"
        if name == "declared_goods":
            return self._dimension("declared_goods", value), f"declared {', '.join(value)}"
        if name == "concealment":
            return self._dimension("concealment", value), f"concealment {', '.join(value)}"
        if name == "traders":
            return self._party_names("Organization", value), f"trader {', '.join(value)}"
        if name == "people":
            return self._party_names("Person", value), f"person {', '.join(value)}"
        if name == "phones":
            return self._phones(value), f"phone {', '.join(value)}"
        if name == "weight_kg":
            weight = ev["weight_kg"]
            keep = weight.notna()
            if value.min is not None:
                keep &= weight >= value.min
            if value.max is not None:
                keep &= weight <= value.max
            words = " and ".join(w for w in (f"≥ {value.min:g} kg" if value.min is not None else "",
                                             f"≤ {value.max:g} kg" if value.max is not None else "") if w)
            return set(ev.index[keep]), f"weight {words}"
        if name == "months":
            months = pd.to_datetime(ev["date"]).dt.month
            return set(ev.index[months.isin(value)]), f"month {', '.join(map(str, value))}"
        if name == "near_offenders":
            nearest = self._nearest()
            return set(nearest.index[nearest["steps"] <= value.steps]), \
                f"a party within {value.steps} step(s) of a known offender"
        raise ValueError(f"unknown condition {name!r}")  # the profile model allows no other

    def _match(self) -> pd.DataFrame:
        """One row per (event, matching profile): event, profile, score, handling, matched (conditions in
        words)."""
        rows = []
        dates = pd.Series(self.events_["date"].to_numpy(), index=self.events_.index)
        for profile in self.profiles:
            met, words = [], []
            for name in profile.conditions.given():
                hit, text = self._condition(name, getattr(profile.conditions, name))
                met.append(hit)
                words.append((text, hit))
            matched = set.intersection(*met) if profile.match == "all" else set.union(*met)
            for event in sorted(matched):
                day = self.as_of or dates.get(event)
                if day is None or pd.isna(day) or not profile.valid_on(day):
                    continue
                said = [text for text, hit in words if event in hit]
                rows.append((event, profile.name, profile.score, profile.handling, said))
        return pd.DataFrame(rows, columns=["event", "profile", "score", "handling", "matched"])

    # --- results ---------------------------------------------------------------------------------
    def score(self) -> pd.DataFrame:
        """The scored records, highest first: rank, id, name, date, route, airline, goods, weight_kg, score,
        profiles (matched), handling (the most restrictive of the matched profiles'), reasons, network (the
        chain to the nearest offender, if within the steps a matched profile asks for, else within 2),
        network_records (the records behind its ties), records (the scored record's own)."""
        ev = self.events_
        out = pd.DataFrame({"id": ev.index, "name": ev["name"].to_numpy(), "date": ev["date"].to_numpy()})
        out["route"] = self.routes_.reindex(ev.index).str.strip(">").str.replace(">", " → ").to_numpy()
        airline = self.facts_[self.facts_["dimension"] == "airline"].drop_duplicates("event").set_index("event")
        out["airline"] = out["id"].map(airline["name"])
        out["goods"] = ev["commodity_text"].to_numpy()
        out["weight_kg"] = ev["weight_kg"].to_numpy()
        m = self.matches_
        by = m.groupby("event")
        out["score"] = out["id"].map(by["score"].sum()).fillna(0.0)
        out["profiles"] = out["id"].map(by["profile"].agg(list)).map(lambda v: v if isinstance(v, list) else [])
        out["handling"] = out["id"].map(by["handling"].max()).astype("Int64")
        reasons = m.assign(text=m["profile"] + " (+" + m["score"].map("{:g}".format) + "): "
                           + m["matched"].map("; ".join))
        out["reasons"] = out["id"].map(reasons.groupby("event")["text"].agg(" | ".join)).astype(object).fillna("")
        nearest = self._nearest()
        asked = max([p.conditions.near_offenders.steps for p in self.profiles if p.conditions.near_offenders] or [2])
        chains = {e: self._chain(row.party) for e, row in nearest.iterrows() if row.steps <= asked}
        out["network"] = out["id"].map(lambda e: chains[e][0] if e in chains else "")
        out["network_records"] = out["id"].map(lambda e: chains[e][1] if e in chains else [])
        out["records"] = ev["records"].to_numpy()
        out = out.sort_values(["score", "id"], ascending=[False, True], ignore_index=True)
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out[TARGET_COLUMNS]

    def _chain(self, party: str) -> tuple[str, list[str]]:
        """The chain from ``party`` to its nearest offender in words, and the records behind its ties."""

        names = self.parties_.nodes.set_index("id")["name"]
        path = path_to_offender(self.parties_, party)
        if path.empty:
            return f"{names[party]} is a known offender", []
        words = [str(names[party])]
        for tie in path.itertuples():
            words.append(f"—[{', '.join(tie.via)}; {len(tie.sources)} record(s)]— {tie.target_name}")
        return " ".join(words) + " (offender)", sorted({r for rs in path["sources"] for r in rs})

    def explain(self, event: str) -> pd.DataFrame:
        """Why ``event`` scored what it did: one row per matched profile (profile, score, rationale, owner,
        valid_to, matched), and one per tie of its chain to the nearest offender (step, source_name,
        target_name, via, sources), or one row ``offender`` if a party of it is one."""

        if event not in self.events_.index:
            raise KeyError(f"{event!r} is not one of the scored records ({', '.join(self.kinds)})")
        by_name = {p.name: p for p in self.profiles}
        m = self.matches_[self.matches_["event"] == event]
        rows = [{"what": "profile", "profile": r.profile, "score": r.score, "rationale": by_name[r.profile].rationale,
                 "owner": by_name[r.profile].owner, "valid_to": by_name[r.profile].valid_to,
                 "matched": "; ".join(r.matched)} for r in m.itertuples()]
        nearest = self._nearest()
        if event in nearest.index and nearest.at[event, "steps"] == 0:
            party = nearest.at[event, "party"]
            rows.append({"what": "offender", "source_name": self.parties_.nodes.set_index("id").at[party, "name"],
                         "matched": "a party of this record is a known offender"})
        elif event in nearest.index:
            for tie in path_to_offender(self.parties_, nearest.at[event, "party"]).itertuples():
                rows.append({"what": "tie", "step": tie.step, "source_name": tie.source_name,
                             "target_name": tie.target_name, "via": ", ".join(tie.via), "sources": tie.sources})
        return pd.DataFrame(rows)


def target(store: GraphStore, profiles: list[Profile] | None = None, kinds: tuple[str, ...] = ("consignment",),
           as_of=None) -> pd.DataFrame:
    """The scored records of ``store`` (see :meth:`Targeting.score`)."""
    return Targeting(profiles, kinds, as_of).fit(store).score()
