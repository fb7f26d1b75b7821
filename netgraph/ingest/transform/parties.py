"""People and organisations named in a record, with the parallel cells that describe each name (nationality,
phone, passport, birth date, employer, account, role), and the conveyances (vehicles, vessels, flights)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import vocab
from ..legal_forms import legal_form_only, split_companies
from ..mapping import Party, Place
from ..vocab import normalise
from .common import _alnum, _is_null, _lookup, _map_unique, _money, _splitter
from .core import SITE
from .dates import _parse_date
from .places import Places

CONVEYANCE_BY_MODE = {"air": "Flight", "sea": "Vessel", "road": "Vehicle", "rail": "Vehicle"}
CONVEYANCE_KINDS = {"flight": "Flight", "vessel": "Vessel", "ship": "Vessel", "vehicle": "Vehicle",
                    "truck": "Vehicle", "car": "Vehicle"}
PARTY_ATTRIBUTES = ("nationality", "phone", "passport", "birth_date", "employer", "directs", "account", "role_column",
                    "fine")
BROADCAST = ("nationality", "role_column", "fine")  # one value for all the names of a cell
WHOLE = ("fine",)  # parallel cells whose entries hold a ',' of their own ("50,000 CNY")
COMPANIES = ("employer", "directs")  # parallel cells that name organisations
PARTY = 10 ** 4  # major of a party's facts: (party + 1) × PARTY + the name's position in its cell


class Parties(Places):
    """People, organisations (each name with its parallel cells) and conveyances."""

    def party(self, party: Party, label: str, index: int) -> None:
        separators = party.separators(self.m.list_separator)
        names = self.entries(party, separators, companies=label == "Organization")
        if party.required:
            self.error(~np.isin(np.arange(self.n), names["row"].to_numpy()), party.column, "required value is empty")
        count = names.groupby("row").size().reindex(range(self.n), fill_value=0)
        values = {a: self._align(count, getattr(party, a), separators, a in BROADCAST, a in COMPANIES, a in WHOLE)
                  for a in PARTY_ATTRIBUTES if getattr(party, a)}
        names["major"] = (index + 1) * PARTY + names["item"]
        ahead = ["row", "item", "major"]
        problems, countries = [], None
        companies = [(names, party.column)] if label == "Organization" else []
        for attr in COMPANIES:
            if attr in values:
                companies.append((values[attr].merge(names[ahead], on=["row", "item"]), getattr(party, attr)))
        for found, column in companies:  # a legal form alone ("Ltd", "有限公司") names no company
            bare = found[_map_unique(found["text"], legal_form_only).to_numpy(dtype=bool)]
            problems.append(bare.assign(order=bare["major"] * SITE, column=column, reason=bare["text"].map(
                lambda t: f"{t!r} is a legal form alone, not the name of a company (loaders/vocab/legal_forms.yaml)")))
        if "nationality" in values:
            given = values["nationality"].merge(names[ahead], on=["row", "item"])
            given = self.places(Place(column=party.nationality), given, minor=given["sub"], major=given["major"])
            valid = given["ref"].map(lambda r: r is not None and r.kind == "country").to_numpy(dtype=bool)
            bad = given[~valid]
            problems.append(bad.assign(order=bad["major"] * SITE + bad["sub"], column=party.nationality,
                                       reason=bad["text"].map(lambda t: f"unknown nationality {t!r}")))
            countries = given[valid]
        props = {}
        if label == "Person":
            born = _first(values.get("birth_date"), names)
            parsed = _map_unique(born, lambda t: _parse_date(t, tuple(self.m.date_formats)) if t else None)
            bad = names[(born != "").to_numpy() & parsed.isna().to_numpy()]
            expected = ", ".join(self.m.date_formats)
            problems.append(bad.assign(order=bad["major"] * SITE + SITE - 1, column=party.birth_date,
                                       reason=born[bad.index].map(lambda t: f"unparseable date {t!r} (expected {expected})")))
            first_country = pd.Series(dtype=object) if countries is None else countries.sort_values(
                ["row", "item", "sub"]).drop_duplicates(["row", "item"]).set_index(["row", "item"])["ref"]
            props = {"passport": _first(values.get("passport"), names).replace("", None).to_numpy(),
                     "birth_date": parsed.to_numpy(),
                     "nationality": _lookup(first_country, names).map(lambda r: r.country if r else None).to_numpy()}
        fines = {}
        if "fine" in values:
            fined = values["fine"].merge(names[ahead], on=["row", "item"])
            parsed = _map_unique(fined["text"], lambda t: _money(t, party.currency))
            bad = fined[parsed.map(lambda p: isinstance(p, str)).to_numpy(dtype=bool) | (fined["sub"] > 0).to_numpy()]
            problems.append(bad.assign(order=bad["major"] * SITE + SITE - 1, column=party.fine, reason=[
                f"fine {p}" if isinstance(p, str) else "several fines for one name; give one per name, separated "
                "like the names" for p in parsed[bad.index]]))
            good = parsed[fined["sub"] == 0].set_axis(pd.MultiIndex.from_frame(fined.loc[fined["sub"] == 0,
                                                                                         ["row", "item"]]))
            given = _lookup(good, names)
            fines = {"fine": given.map(lambda p: p[0] if isinstance(p, tuple) else None).to_numpy(dtype=object),
                     "fine_currency": given.map(lambda p: p[1] if isinstance(p, tuple) else None).to_numpy(dtype=object)}
        self.row_error(pd.concat(problems, ignore_index=True) if problems else pd.DataFrame())
        prefix, keyer = ("person", normalise) if label == "Person" else ("org", vocab.organisation)
        names["key"] = prefix + ":" + _map_unique(names["text"], keyer)
        self.entity(label, names, party.column, props, major=names["major"])
        role = party.role
        if "role_column" in values:  # one role per name (or one for all), else the mapping's
            role = _first(values["role_column"], names).map(normalise).replace("", party.role).to_numpy()
        self.rel("INVOLVED_IN", (label, "Seizure"), self.to_seizure(names, names["key"]).assign(role=role, **fines),
                 major=names["major"])
        node = names.set_index(["row", "item"])["key"]
        if label == "Person" and countries is not None:
            self.rel("NATIONAL_OF", ("Person", "Location"), pd.DataFrame({
                "row": countries["row"], "from": _lookup(node, countries).to_numpy(),
                "to": countries["ref"].map(lambda r: r.key)}), countries["sub"], countries["major"])
        for attr, target, rel_type, keyer in (("phone", "Phone", "USES", _phone), ("account", "Account", "USES", _alnum),
                                              ("employer", "Organization", "WORKS_FOR", vocab.organisation),
                                              ("directs", "Organization", "DIRECTS", vocab.organisation)):
            if attr not in values:
                continue
            given = values[attr].merge(names[ahead], on=["row", "item"])
            given["key"] = target.lower().replace("organization", "org") + ":" + _map_unique(given["text"], keyer)
            self.entity(target, given, getattr(party, attr), minor=given["sub"], major=given["major"])
            self.rel(rel_type, (label, target), pd.DataFrame({"row": given["row"], "from": _lookup(node, given).to_numpy(),
                                                              "to": given["key"]}), given["sub"], given["major"])

    def _align(self, count: pd.Series, column: str, separators: tuple[str, ...], broadcast: bool,
               companies: bool = False, whole: bool = False) -> pd.DataFrame:
        """Split a parallel cell (at the names' separators) so that entry i belongs to name i; several values
        per name use ',' (``companies``: not inside a legal form; ``whole``: not at all). Returns row, item (the
        name), sub (position among that name's values), text."""
        cell = self.cells(column, lines=any("\n" in s or "\r" in s for s in separators))
        split = self.split(cell.where(cell != "", None), separators, strip=False, companies=companies).dropna()
        groups = pd.DataFrame({"row": split.index.to_numpy(), "cell": split.to_numpy(dtype=object)})
        groups["group"] = groups.groupby("row").cumcount()
        sizes = groups.groupby("row").size().reindex(range(self.n), fill_value=0)
        names = count.to_numpy()
        bad = (sizes > 0) & (count != 1) & (sizes != count) & ~(broadcast & (sizes == 1))
        sep = " or ".join(repr(s) for s in separators)
        self.error(bad, column, [f"{v} values cannot be matched to {k} names; give one per name, separated by {sep}"
                                 for v, k in zip(sizes, count)])
        several = _map_unique(groups["cell"], lambda c: split_companies(c, _splitter((",",)))) if companies \
            else groups["cell"].map(lambda c: [c]) if whole else groups["cell"].str.split(",", regex=False)
        values = groups.assign(text=several).explode("text")
        values["text"] = values["text"].astype(object).fillna("").str.strip()
        values = values[~_is_null(values["text"])]
        values["sub"] = values.groupby(["row", "group"]).cumcount()
        single = values[names[values["row"]] == 1].assign(item=0)
        single["sub"] = single.groupby("row").cumcount()
        paired = values[(names[values["row"]] != 1) & (sizes.to_numpy()[values["row"]] == names[values["row"]])]
        paired = paired.assign(item=paired["group"])
        spread = values[(names[values["row"]] > 1) & broadcast & (sizes.to_numpy()[values["row"]] == 1)]
        spread = spread.loc[spread.index.repeat(names[spread["row"]])]
        spread = spread.assign(item=spread.groupby(["row", "sub"]).cumcount())
        return pd.concat([single, paired, spread])[["row", "item", "sub", "text"]].reset_index(drop=True)

    def conveyance(self, mode: pd.Series) -> None:
        f = self.m.fields
        found = self.entries(f.conveyance)
        if found.empty:
            return
        kind = self.text(f.conveyance_kind)
        label = [CONVEYANCE_KINDS.get(normalise(k)) if k else CONVEYANCE_BY_MODE.get(m or "")
                 for k, m in zip(kind, mode)]
        found["label"] = np.asarray(label, dtype=object)[found["row"].to_numpy()]
        unknown = found[found["label"].isna()]
        self.row_error(unknown.assign(order=unknown["item"], column=f.conveyance.column, reason=[
            f"cannot tell whether {t!r} is a vehicle, vessel or flight (transport mode {mode[r]!r}, kind "
            f"{kind[r]!r})" for t, r in zip(unknown["text"], unknown["row"])]))
        found = found[found["label"].notna()]
        for label in ("Vehicle", "Vessel", "Flight"):
            mine = found[found["label"] == label].copy()
            if mine.empty:
                continue
            keyed = _map_unique(mine["text"], normalise if label == "Vessel" else _alnum)
            mine["key"] = label.lower() + ":" + keyed
            self.entity(label, mine, f.conveyance.column or "conveyance", minor=mine["item"])
            self.rel("CONVEYED_BY", ("Seizure", label), self.from_seizure(mine, mine["key"]), mine["item"])


def _first(given: pd.DataFrame | None, names: pd.DataFrame) -> pd.Series:
    """The first value each name has (``''`` if none), aligned with ``names``."""
    if given is None or given.empty:
        return pd.Series([""] * len(names), index=names.index, dtype=object)
    first = given.sort_values(["row", "item", "sub"]).drop_duplicates(["row", "item"]).set_index(["row", "item"])
    return _lookup(first["text"], names).fillna("")


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return ("+" if text.strip().startswith("+") else "") + digits
