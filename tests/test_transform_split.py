"""``compile_rows`` gives byte-identical output on every sample, on the C4ADS file and on generated records.

The SHA-256 of everything ``Compiled`` holds (each node and relationship chunk as the transform made it,
the merged tables, rejects, the records loaded and the place conflicts) is compared with the digests in
``tests/data/compiled_digests.json``. They are regenerated on purpose only, when a change to the transform
(or to what it reads: mappings, vocabularies, gazetteer, species) is meant to change its output, saying so
in the commit:

    .venv/bin/python -m tests.test_transform_split
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from netgraph.ingest.mapping import load_mapping
from netgraph.ingest.tables import read_table
from netgraph.ingest.transform import Compiled, compile_rows

from .conftest import DATA, ROOT, SAMPLES, SHARED

DIGESTS = DATA / "compiled_digests.json"
C4ADS = SHARED / "seizures" / "c4ads_air_seizures.csv"
GENERATED_ROWS = 2_000
CASES = {  # name → (file, mapping, rows per chunk: None for one chunk)
    "air_manifest_sample": (SAMPLES / "air_manifest_sample.csv", "air_manifest", None),
    "cen_customs_sample": (SAMPLES / "cen_customs_sample.csv", "cen_customs", None),
    "cen_customs_sample_json": (SAMPLES / "cen_customs_sample.json", "cen_customs", None),
    "vn_agency_sample": (SAMPLES / "vn_agency_sample.xlsx", "vn_agency", None),
    "tiny_cen": (DATA / "tiny_cen.csv", "cen_customs", None),
    "tiny_vn": (DATA / "tiny_vn.csv", "vn_agency", None),
    "guangxi_court": (DATA / "guangxi_court.csv", "cn_court", None),
    "generated_cen": (None, "cen_customs", None),
    "c4ads": (C4ADS, "c4ads_air", None),
    "c4ads_in_chunks": (C4ADS, "c4ads_air", 300),  # earlier chunks' records passed on, as load_file does
}


def _frame(frame: pd.DataFrame) -> bytes:
    """A table as bytes: its columns, their dtypes and its cells as CSV (index included)."""
    head = repr([(str(c), str(t)) for c, t in frame.dtypes.items()]) + "\n"
    return (head + frame.to_csv(lineterminator="\n")).encode("utf-8")


def digest(compiled: Compiled) -> str:
    """SHA-256 of everything ``compiled`` holds, serialised deterministically."""
    sha, batch = hashlib.sha256(), compiled.batch
    for label in batch.labels():
        sha.update(f"node {label}\n".encode())
        for chunk in batch._nodes[label]:
            sha.update(_frame(chunk if isinstance(chunk, pd.DataFrame) else pd.DataFrame(chunk)))
        sha.update(_frame(batch.node_frame(label)) + _frame(batch.asserts_frame(label)))
    for key in batch.rel_keys():
        sha.update(f"rel {key}\n".encode())
        for chunk in batch._rels[key]:
            sha.update(_frame(chunk if isinstance(chunk, pd.DataFrame) else pd.DataFrame(chunk)))
        sha.update(_frame(batch.rel_frame(key)))
    sha.update(_frame(compiled.rejects))
    sha.update(json.dumps(list(compiled.records.items()), default=str).encode())
    sha.update(json.dumps(compiled.place_conflicts, default=repr).encode())
    return sha.hexdigest()


def _generated(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_records import generate, write_csv
    path = folder / "generated_cen.csv"
    write_csv(generate(GENERATED_ROWS, seed=0), path)
    return path


def compiled_digest(name: str, folder: Path) -> str:
    """The digest of compiling case ``name`` (see ``CASES``) the way ``load_file`` does."""
    path, mapping_name, chunk = CASES[name]
    path = path or _generated(folder)
    mapping = load_mapping(mapping_name)
    frame = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet).frame
    step = chunk or max(len(frame), 1)
    sha, loaded = hashlib.sha256(), {}
    for start in range(0, len(frame), step):
        compiled = compile_rows(frame.iloc[start:start + step], mapping, path.name, loaded)
        loaded.update(compiled.records)
        sha.update(digest(compiled).encode())
    return sha.hexdigest() if chunk else digest(compiled)


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_output_is_unchanged(name, tmp_path):
    path = CASES[name][0]
    if path is not None and not path.exists():
        if path.is_relative_to(SHARED):
            pytest.skip(f"{path} not present (../shared is beside the project in CI)")
        pytest.fail(f"{path} is missing")
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert compiled_digest(name, tmp_path) == expected[name], (
        f"compile_rows gives other output for {name}: if the change is meant to change it, regenerate "
        f"{DIGESTS.name} (python -m tests.test_transform_split) and say so in the commit")


if __name__ == "__main__":  # regenerate the digests (on purpose only: see the docstring)
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        found = {name: compiled_digest(name, Path(folder)) for name in CASES
                 if CASES[name][0] is None or CASES[name][0].exists()}
    missing = set(CASES) - set(found)
    if missing:
        sys.exit(f"not regenerated: {sorted(missing)} missing (../shared/data beside the project?)")
    DIGESTS.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=2))
