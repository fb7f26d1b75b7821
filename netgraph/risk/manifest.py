"""A generated air-cargo manifest to score: consignments on real C4ADS seizure routes mixed with ordinary
traffic, some tied to known offenders, by a stated, seeded rule (every name and number invented).

The rule, for ``n`` consignments from ``seed``:

* ``route_share`` of them (*on a seizure route*) copy the airport (as the inspection airport), origin,
  transit, destination and airline of a C4ADS seizure drawn at random (among those with an origin and a destination), declare a cover good
  (handicrafts, wood carvings, …) and weigh 5–60 kg;
* ``party_share`` (*tied to an offender*) are ordinary consignments whose consignee phone is the phone of an
  offender of the CEN sample (drawn at random), or whose consignee is a company of that sample;
* the rest (*ordinary*) fly ordinary lanes between busy airports with ordinary goods (machine parts, fresh
  flowers, garments, …), 50–2,000 kg, between invented companies (none used twice) with invented phones; a quarter of the
  ordinary ones fly a lane a seizure flew (real risk lanes carry lawful trade too).

Dates fall in January–March 2026. ``generate_manifest`` returns the manifest with a ``rule`` column that
names which rule made each line (the sample file in ``loaders/samples/`` is written without it: a manifest
does not say which lines are risky).

>>> manifest = generate_manifest(c4ads_rows, cen_rows, n=120, seed=2026)     # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd

from .indicators import airline_code

COLUMNS = ["AWB", "Flight date", "Flight", "Inspection airport", "Inspection city", "Origin", "Transit", "Destination",
           "Shipper", "Shipper phone", "Consignee", "Consignee phone", "Description of goods", "Gross weight (kg)",
           "Pieces"]
COVER_GOODS = ["handicrafts", "wood carvings", "decorative tiles", "personal effects", "dried seafood",
               "ceramic ornaments", "herbal tea", "leather goods"]
ORDINARY_GOODS = ["machine parts", "fresh flowers", "garments", "electronic components", "pharmaceuticals",
                  "printed matter", "spare parts", "textiles", "coffee beans", "medical supplies"]
ORDINARY_LANES = [  # (inspection airport: the arrival, its city, origin, destination, airline)
    ("Frankfurt Airport", "Frankfurt, Germany", "Chicago, USA", "Frankfurt, Germany", "LH"),
    ("Heathrow Airport", "London, UK", "Singapore, Singapore", "London, UK", "SQ"),
    ("Sydney Airport", "Sydney, Australia", "Auckland, New Zealand", "Sydney, Australia", "QF"),
    ("Narita International Airport", "Tokyo, Japan", "Seoul, South Korea", "Tokyo, Japan", "KE"),
    ("Charles de Gaulle Airport", "Paris, France", "Montreal, Canada", "Paris, France", "AF"),
    ("Schiphol Airport", "Amsterdam, Netherlands", "Nairobi, Kenya", "Amsterdam, Netherlands", "KQ"),
    ("Dubai International Airport", "Dubai, UAE", "Mumbai, India", "Dubai, UAE", "EK"),
    ("Changi Airport", "Singapore, Singapore", "Sydney, Australia", "Singapore, Singapore", "SQ"),
]
COMPANY_WORDS = (["Global", "Pacific", "Atlas", "Northern", "Summit", "Harbour", "Meridian", "Crescent", "Delta",
                  "Orchid", "Savanna", "Lotus"],
                 ["Logistics", "Traders", "Freight", "Imports", "Supply", "Exports", "Distribution", "Commerce"],
                 ["Ltd", "LLC", "GmbH", "Pte Ltd", "Co.", "S.A."])
COUNTRY_CODES = ["+44", "+49", "+65", "+971", "+254", "+66", "+852", "+86", "+33", "+1"]


def _clean(value) -> str:
    return "" if pd.isna(value) else " ".join(str(value).split())


def _companies(rng: random.Random) -> list[str]:
    """Every invented company name, shuffled: each consignment takes new ones, so two consignments share a
    company only where the rule ties them to an offender's."""
    first, second, form = COMPANY_WORDS
    names = [f"{a} {b} {c}" for a in first for b in second for c in form]
    rng.shuffle(names)
    return names


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(COUNTRY_CODES)} {rng.randrange(10 ** 8, 10 ** 9)}"


def _flight(rng: random.Random, airline: str) -> str:
    code = airline_code(airline) if airline else None
    if code and len(code) == 2:
        return f"{code} {rng.randrange(100, 1000)}"
    return airline


def generate_manifest(c4ads: pd.DataFrame, cen: pd.DataFrame, n: int = 120, route_share: float = 0.2,
                      party_share: float = 0.1, seed: int = 2026) -> pd.DataFrame:
    """The manifest (``COLUMNS`` and ``rule``) made by the module's rule from the C4ADS air-seizure rows
    (``c4ads_air_seizures.csv`` as read, headers stripped) and the CEN sample's rows (for offenders' phones
    and companies).

    >>> c4 = pd.DataFrame({"Location": ["Suvarnabhumi Airport"], "City, Country": ["Bangkok, Thailand"],
    ...                    "Origin": ["Nairobi, Kenya"], "Transit": [None], "Destination": ["Bangkok, Thailand"],
    ...                    "Airline": ["Kenya Airways"]})
    >>> cen = pd.DataFrame({"Offender phone": ["+84 912 345 678"], "Consignee company": ["Eko Global Trading Ltd"]})
    >>> generate_manifest(c4, cen, n=10)["rule"].value_counts().to_dict()
    {'ordinary': 7, 'on a seizure route': 2, 'tied to an offender': 1}
    """
    rng = random.Random(seed)
    routes = c4ads[c4ads["Origin"].map(_clean).astype(bool) & c4ads["Destination"].map(_clean).astype(bool)]
    routes = routes.reset_index(drop=True)
    phones = sorted({p.strip() for cell in cen["Offender phone"].dropna() for p in str(cell).split(";") if p.strip()})
    companies = sorted({_clean(c) for c in cen["Consignee company"].dropna() if _clean(c)})
    n_route, n_party = round(n * route_share), round(n * party_share)
    rules = ["on a seizure route"] * n_route + ["tied to an offender"] * n_party
    rules += ["ordinary"] * (n - len(rules))
    rng.shuffle(rules)
    start = dt.date(2026, 1, 1)
    names = _companies(rng)
    if 2 * n > len(names):
        raise ValueError(f"at most {len(names) // 2} consignments (each takes two invented company names)")
    rows = []
    for i, rule in enumerate(rules):
        risky_lane = rule == "on a seizure route" or (rule == "ordinary" and rng.random() < 0.25)
        if risky_lane and len(routes):
            seizure = routes.iloc[rng.randrange(len(routes))]
            lane = (_clean(seizure["Location"]), _clean(seizure["City, Country"]), _clean(seizure["Origin"]),
                    _clean(seizure["Transit"]), _clean(seizure["Destination"]), _clean(seizure["Airline"]))
        else:
            arrival, city, origin, destination, airline = rng.choice(ORDINARY_LANES)
            lane = (arrival, city, origin, "", destination, airline)
        arrival, city, origin, transit, destination, airline = lane
        if rule == "on a seizure route":
            goods, weight = rng.choice(COVER_GOODS), round(rng.uniform(5, 60), 1)
        else:
            goods, weight = rng.choice(ORDINARY_GOODS), round(rng.uniform(50, 2000), 1)
        shipper, consignee = names.pop(), names.pop()
        shipper_phone, consignee_phone = _phone(rng), _phone(rng)
        if rule == "tied to an offender":
            if phones and (not companies or rng.random() < 0.6):
                consignee_phone = rng.choice(phones)
            else:
                consignee = rng.choice(companies)
        rows.append({"AWB": f"{rng.randrange(100, 1000)}-{rng.randrange(10 ** 7, 10 ** 8)}",
                     "Flight date": (start + dt.timedelta(days=rng.randrange(90))).isoformat(),
                     "Flight": _flight(rng, airline), "Inspection airport": arrival, "Inspection city": city,
                     "Origin": origin, "Transit": transit, "Destination": destination, "Shipper": shipper,
                     "Shipper phone": shipper_phone, "Consignee": consignee, "Consignee phone": consignee_phone,
                     "Description of goods": goods, "Gross weight (kg)": weight,
                     "Pieces": rng.randrange(1, 40), "rule": rule})
        rows[-1]["AWB"] = f"{rows[-1]['AWB']}-{i:03d}"  # unique whatever the draw
    return pd.DataFrame(rows, columns=[*COLUMNS, "rule"])


def read_c4ads(path: str | Path) -> pd.DataFrame:
    """``c4ads_air_seizures.csv`` as the generator reads it (Windows-1252, headers stripped)."""
    frame = pd.read_csv(path, encoding="cp1252", dtype=str)
    return frame.rename(columns=str.strip)
