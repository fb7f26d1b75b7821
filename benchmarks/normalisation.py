"""Normalisation quality, one part at a time: how often a normalised value is right.

    python benchmarks/normalisation.py

``species()``: the labelled strings of ``tests/data/species_eval.csv`` (seizure-record styles: binomials,
abbreviations, typos, plurals, en/vi/zh names, products; the true taxon, empty where a string names none
precisely) read by ``netgraph.ingest.species.commodity``. Precision: of the strings given a taxon, the share
given the labelled one; coverage: of the strings that name a taxon, the share given it. Then the C4ADS
air-seizure file's commodity texts (``../shared/data``, when present): how each entry was read, and the
spelling-corrected ones to review.

``places()``: the labelled place strings of ``tests/data/places_eval.csv`` (town and province with a comma,
a space or a line break, typos, Vietnamese and Chinese names, names several places bear; ``country`` the
record's country where it gives one; the true point, written for this from knowledge and checked against
GeoNames) read by ``netgraph.ingest.vocab.resolve_place``. Coverage: the share placed; precision: of those,
the share within 50 km of the true point; and the province check: no string that names a province placed
outside it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "species_eval.csv"
PLACES_EVAL = ROOT / "tests" / "data" / "places_eval.csv"
NEAR_KM = 50.0  # a placed string is right within this distance of its true point
C4ADS = ROOT.parent / "shared" / "data" / "seizures" / "c4ads_air_seizures.csv"


def species() -> dict:
    """Taxon precision and coverage on the labelled strings; per style; the strings read wrong or not at all."""
    from netgraph.ingest.species import commodity

    table = pd.read_csv(EVAL, dtype=str, keep_default_na=False)
    refs = table["text"].map(commodity)
    table["got"], table["how"] = refs.map(lambda r: r.taxon or ""), refs.map(lambda r: r.how)
    given, named = table["got"] != "", table["taxon"] != ""
    right = given & (table["got"] == table["taxon"])
    by_style = table.assign(right=right, named=named).groupby("style")[["named", "right"]].sum()
    return {"strings": len(table), "naming a taxon": int(named.sum()), "given a taxon": int(given.sum()),
            "right": int(right.sum()), "precision": right.sum() / given.sum(), "coverage": right.sum() / named.sum(),
            "coverage by style": (by_style["right"] / by_style["named"]).dropna().round(3).to_dict(),
            "wrong": table.loc[given & ~right, ["text", "taxon", "got", "how"]].values.tolist(),
            "not read": table.loc[named & ~given, ["text", "taxon", "how"]].values.tolist()}


def places() -> dict:
    """Coverage and precision (placed within ``NEAR_KM``) on the labelled place strings; per style; the strings
    placed far off, placed outside the province they name, or left unplaced (with the reason)."""
    from netgraph.ingest import gazetteer
    from netgraph.ingest.vocab import resolve_place

    table = pd.read_csv(PLACES_EVAL, dtype=str, keep_default_na=False)
    refs = [resolve_place(t, default_country=c or None) for t, c in zip(table["text"], table["country"])]
    placed = pd.Series([r is not None and r.lat is not None for r in refs])
    km = pd.Series([gazetteer._km(float(a), float(b), r.lat, r.lon) if p else None
                    for a, b, r, p in zip(table["lat"], table["lon"], refs, placed)], dtype=float)
    right = placed & (km <= NEAR_KM)
    named = [gazetteer.province(p, c or None) if p else None for p, c in zip(table["province"], table["country"])]
    admin1 = gazetteer._province_admin1()
    outside = [i for i, (p, r) in enumerate(zip(named, refs)) if p and placed[i] and "," in table["text"][i]
               and admin1.get(p.code) != admin1.get(r.province)]
    by_style = table.assign(placed=placed, right=right).groupby("style")[["placed", "right"]].sum()
    by_style["strings"] = table.groupby("style").size()
    return {"strings": len(table), "placed": int(placed.sum()), "within 50 km": int(right.sum()),
            "coverage": placed.mean(), "precision": right.sum() / placed.sum(),
            "by style (strings, placed, within 50 km)": by_style[["strings", "placed", "right"]].to_dict("index"),
            "resolved by": pd.Series([r.resolved_by for r in refs if r is not None]).value_counts().to_dict(),
            "far off": [(table["text"][i], f"{km[i]:.0f} km", refs[i].name, refs[i].province, refs[i].resolved_by)
                        for i in table.index[placed & ~right]],
            "outside the province named": [(table["text"][i], refs[i].name, refs[i].province) for i in outside],
            "unplaced": [(table["text"][i], refs[i].note if refs[i] else None) for i in table.index[~placed]]}


def c4ads_species() -> dict | None:
    """How the C4ADS file's commodity entries were read (entries, by ``how``), and its spelling corrections."""
    if not C4ADS.exists():
        return None
    from netgraph.ingest.species import commodity

    frame = pd.read_csv(C4ADS, encoding="cp1252", dtype=str)
    entries = frame["Species"].fillna(frame["Database"]).dropna().str.split(";").explode().str.strip()
    entries = entries[entries != ""]
    refs = entries.map(commodity)
    corrected = sorted({(t, r.taxon) for t, r in zip(entries, refs) if r.how == "spelling-corrected"})
    return {"entries": len(entries), "distinct": entries.nunique(),
            "how": refs.map(lambda r: r.how).value_counts().to_dict(), "spelling-corrected": corrected,
            "uncertain": sorted({(t, r.note) for t, r in zip(entries, refs) if r.note})}


def main() -> None:
    for name, part in (("species", species), ("species on C4ADS", c4ads_species), ("places", places)):
        result = part()
        print(f"== {name}")
        for key, value in (result or {"skipped": "data not found"}).items():
            if isinstance(value, list):
                print(f"{key}: {len(value)}")
                for item in value:
                    print("   ", " | ".join(map(str, item)))
            else:
                print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
