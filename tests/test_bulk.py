"""A file of several chunks loaded into an empty store is written table by table (netgraph/store/bulk.py):
the store must hold exactly what the chunk-by-chunk path writes, rejects and reports included."""
from __future__ import annotations

import pandas as pd
import pytest

import netgraph as ng
from netgraph.ingest import load
from netgraph.schema import NODE_TYPES, REL_TYPES
from netgraph.store import bulk

from .conftest import DATA, SAMPLES, shared_file

CASES = {"cen sample": (SAMPLES / "cen_customs_sample.csv", "cen_customs", 40),
         "vn sample": (SAMPLES / "vn_agency_sample.xlsx", "vn_agency", 25),
         "tiny with a bad row": (DATA / "tiny_cen.csv", "cen_customs", 2)}


def assert_same_store(a, b) -> None:
    assert a.counts() == b.counts()
    for label in NODE_TYPES:
        if label != "Load":  # the Load node names the rejects file, which differs
            pd.testing.assert_frame_equal(a.node_frame(label), b.node_frame(label), obj=label)
    for rel_type in REL_TYPES:
        pd.testing.assert_frame_equal(a.edge_frame(rel_type), b.edge_frame(rel_type), obj=rel_type)


def load_both(tmp_path, monkeypatch, path, mapping, chunk):
    with ng.open_store(tmp_path / "one.lbdb") as whole:
        report = ng.load_file(path, mapping, whole, rejects_dir=tmp_path / "one", progress=False)
        monkeypatch.setattr(load, "CHUNK_ROWS", chunk)
        spilled = []
        monkeypatch.setattr(bulk.BulkLoad, "_spill", lambda self, where, table, spill=bulk.BulkLoad._spill:
                            spilled.append(where) or spill(self, where, table))  # counts the chunks spilled
        with ng.open_store(tmp_path / "chunked.lbdb") as chunked:
            chunked_report = ng.load_file(path, mapping, chunked, rejects_dir=tmp_path / "chunked", progress=False)
            assert spilled.count(("node", "Record")) == -(-report.read // chunk) > 1  # it took the bulk path
            assert_same_store(whole, chunked)
    return report, chunked_report


@pytest.mark.parametrize("case", CASES)
def test_a_bulk_load_writes_what_the_chunk_by_chunk_load_writes(case, tmp_path, monkeypatch):
    report, chunked = load_both(tmp_path, monkeypatch, *CASES[case])
    assert (chunked.read, chunked.loaded, chunked.rejected, chunked.facts) == \
        (report.read, report.loaded, report.rejected, report.facts)
    if report.rejects_file:
        assert pd.read_csv(chunked.rejects_file, dtype=str).equals(pd.read_csv(report.rejects_file, dtype=str))


def test_a_real_file_loads_the_same_in_bulk(tmp_path, monkeypatch):
    load_both(tmp_path, monkeypatch, shared_file("seizures", "c4ads_air_seizures.csv"), "c4ads_air", 100)


def test_a_bulk_load_that_fails_leaves_the_store_empty_and_the_load_incomplete(store, monkeypatch):
    monkeypatch.setattr(load, "CHUNK_ROWS", 100)
    copy = type(store)._copy

    def failing_copy(self, table, ends, path):  # the store refuses the relationships: after every node table
        if ends:
            raise RuntimeError("Copy exception: simulated")
        copy(self, table, ends, path)
    monkeypatch.setattr(type(store), "_copy", failing_copy)
    with pytest.raises(RuntimeError, match="simulated"):
        ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    assert store.counts() == {"Load": 1}
    assert store.node_properties("Load")["status"].tolist() == ["incomplete"]
    monkeypatch.setattr(type(store), "_copy", copy)
    report = ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
    assert store.node_properties("Load")["status"].tolist() == ["complete"]
    assert store.counts()["Record"] == report.loaded == 311