"""Normalisation quality, one part at a time: how often a normalised value is right.

    python benchmarks/normalisation.py

``species()``: the labelled strings of ``tests/data/species_eval.csv`` (seizure-record styles: binomials,
abbreviations, typos, plurals, en/vi/zh names, products; the true taxon, empty where a string names none
precisely) read by ``netgraph.ingest.species.commodity``. Precision: of the strings given a taxon, the share
given the labelled one; coverage: of the strings that name a taxon, the share given it. Then the C4ADS
air-seizure file's commodity texts (``../shared/data``, when present): how each entry was read, and the
spelling-corrected ones to review.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "species_eval.csv"
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
    for name, part in (("species", species), ("species on C4ADS", c4ads_species)):
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
