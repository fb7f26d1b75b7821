"""Generate the sample air-cargo manifest (loaders/samples/air_manifest_sample.csv) from a fixed seed.

    python loaders/samples/generate_manifest.py     # needs ../shared/data/seizures beside the project

The rule is netgraph.risk.manifest's: consignments on real C4ADS seizure routes with cover goods, consignments
tied to offenders of the CEN sample by a phone or a company, and ordinary traffic. The file is written without
the column that says which rule made each line.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from netgraph.risk.manifest import COLUMNS, generate_manifest, read_c4ads

HERE = Path(__file__).resolve().parent
C4ADS = HERE.parents[1].parent / "shared" / "data" / "seizures" / "c4ads_air_seizures.csv"
SEED, N = 2026, 120


def main() -> None:
    cen = pd.read_csv(HERE / "cen_customs_sample.csv", dtype=str)
    manifest = generate_manifest(read_c4ads(C4ADS), cen, n=N, seed=SEED)
    path = HERE / "air_manifest_sample.csv"
    manifest[COLUMNS].to_csv(path, index=False)  # input data, written as the other samples are
    print(f"wrote {path}: {len(manifest)} consignments ({manifest['rule'].value_counts().to_dict()})")


if __name__ == "__main__":
    main()
