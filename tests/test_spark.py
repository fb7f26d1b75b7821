"""The load on Spark (netgraph/ingest/spark.py) in local mode: the same node, ASSERTS, relationship and reject
tables as the embedded load, row for row; into a store, the same graph. One local session for every test."""
from __future__ import annotations

import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

import netgraph as ng
from netgraph.ingest.load import CHUNK_ROWS
from netgraph.ingest.mapping import load_mapping
from netgraph.ingest.tables import read_table
from netgraph.ingest.transform import compile_rows
from netgraph.schema import REL_TYPES
from netgraph.store.bulk import BulkLoad

from .conftest import DATA, SAMPLES
from .test_bulk import assert_same_store

pytest.importorskip("pyspark")
spark_module = pytest.importorskip("netgraph.ingest.spark")


@pytest.fixture(scope="session")
def spark():
    session = spark_module.session("local[2]", config={"spark.sql.shuffle.partitions": "2",
                                                       "spark.default.parallelism": "2"})
    yield session
    session.stop()


def embedded_tables(path, mapping, folder, chunk=CHUNK_ROWS) -> dict[tuple[str, str], pd.DataFrame]:
    """The tables load_file copies into an empty store (compile per chunk, BulkLoad's DuckDB merge)."""
    mapping = load_mapping(mapping)
    frame = read_table(path, mapping.encoding, mapping.delimiter, mapping.sheet).frame
    sink, loaded = BulkLoad(folder), {}
    for start in range(0, len(frame), chunk):
        done = compile_rows(frame.iloc[start:start + chunk], mapping, path.name, loaded)
        loaded.update(done.records)
        sink(done.batch)
    return {tuple(out.name.removesuffix(".parquet").split(".", 1)): pq.read_table(out).to_pandas()
            for _, _, out in sink.tables()}


def keys(kind: str, name: str) -> list[str]:
    if kind == "node":
        return ["id"]
    return ["from", "to", *([] if kind == "asserts" else REL_TYPES[name.split(".")[0]].identity)]


def assert_same_tables(result, expected: dict) -> None:
    assert {(kind, name) for kind, name, _ in result.tables} == set(expected)
    for (kind, name), want in expected.items():
        got = result.frame(kind, name)
        assert list(got.columns) == list(want.columns)
        order = keys(kind, name)
        got = got.sort_values(order, ignore_index=True).astype(object)
        want = want.sort_values(order, ignore_index=True).astype(object)
        for column in got.columns:  # lists (sources) and dates compare as Python values
            assert [_plain(v) for v in got[column]] == [_plain(v) for v in want[column]], f"{kind}.{name}.{column}"


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return None if value is None or (isinstance(value, float) and value != value) else value


CASES = {"cen sample": (SAMPLES / "cen_customs_sample.csv", "cen_customs", 100)}  # vn: the command's test


@pytest.mark.parametrize("case", CASES)
def test_the_spark_load_writes_the_embedded_tables_and_graph(case, spark, tmp_path):
    path, mapping, chunk = CASES[case]
    result = spark_module.spark_load(spark, path, mapping, tmp_path / "spark", rows_per_chunk=chunk)
    assert result.chunks > 1
    assert_same_tables(result, embedded_tables(path, mapping, tmp_path / "spill"))
    with ng.open_store(tmp_path / "embedded.lbdb") as embedded, ng.open_store(tmp_path / "spark.lbdb") as store:
        report = ng.load_file(path, mapping, embedded, rejects_dir=tmp_path / "embedded", progress=False)
        gained = spark_module.copy_tables(store, result)
        assert_same_store(embedded, store)
        assert gained == report.facts
        assert (result.read, result.loaded, result.rejected) == (report.read, report.loaded, report.rejected)
        loads = [s.node_properties("Load").drop(columns=["rejects_file", "finished"]) for s in (embedded, store)]
        pd.testing.assert_frame_equal(*loads)
    if report.rejects_file:
        assert pd.read_csv(result.rejects_file, dtype=str).equals(pd.read_csv(report.rejects_file, dtype=str))


def test_a_record_id_an_earlier_chunk_loaded_is_rejected_as_the_embedded_load_rejects_it(spark, tmp_path):
    lines = (SAMPLES / "cen_customs_sample.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "twice.csv"  # the first record again at the end, and the second one in the middle
    path.write_text("\n".join([*lines[:150], lines[2], *lines[150:], lines[1]]) + "\n", encoding="utf-8")
    result = spark_module.spark_load(spark, path, "cen_customs", tmp_path / "spark", rows_per_chunk=60)
    assert result.recompiled == 2
    assert_same_tables(result, embedded_tables(path, "cen_customs", tmp_path / "spill"))
    with ng.open_store(tmp_path / "embedded.lbdb") as embedded:
        report = ng.load_file(path, "cen_customs", embedded, rejects_dir=tmp_path / "embedded", progress=False)
    want = pd.read_csv(report.rejects_file, dtype=str)
    assert want["reason"].str.startswith("duplicate record id: row 2 ").sum() == 1
    assert pd.read_csv(result.rejects_file, dtype=str).equals(want)


@pytest.mark.skipif(not os.environ.get("NETGRAPH_SPARK_100K"), reason="≈15 min on 2 cores: NETGRAPH_SPARK_100K=1 runs it")
def test_a_generated_set_of_100k_records_gives_the_same_tables(spark, tmp_path):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate_records import generate, write_csv
    path = tmp_path / "cen_100k.csv"
    write_csv(generate(100_000), path)
    result = spark_module.spark_load(spark, path, "cen_customs", tmp_path / "spark")
    assert result.chunks == 2 and result.read == 100_000
    assert_same_tables(result, embedded_tables(path, "cen_customs", tmp_path / "spill"))


def test_the_tables_go_to_neo4j_admin_files_and_to_a_store_that_holds_data(spark, tmp_path):
    from netgraph.store.neo4j_admin import write_admin_files, write_neo4j_admin
    path = SAMPLES / "cen_customs_sample.csv"
    result = spark_module.spark_load(spark, path, "cen_customs", tmp_path / "spark", rows_per_chunk=100)
    tiny = DATA / "tiny_cen.csv"
    with ng.open_store(tmp_path / "embedded.lbdb") as embedded, ng.open_store(tmp_path / "other.lbdb") as other:
        for store in (embedded, other):  # a store that holds data: the Spark tables go in by batched writes
            ng.load_file(tiny, "cen_customs", store, rejects_dir=tmp_path, progress=False)
        ng.load_file(path, "cen_customs", embedded, rejects_dir=tmp_path, progress=False)
        spark_module.copy_tables(other, result)
        assert_same_store(embedded, other)
    with ng.open_store(tmp_path / "fresh.lbdb") as fresh:
        ng.load_file(path, "cen_customs", fresh, rejects_dir=tmp_path, progress=False)
        files = write_neo4j_admin(fresh, tmp_path / "from-store")
    spark_files = write_admin_files(*spark_module.admin_frames(result), tmp_path / "from-spark")
    assert spark_files.counts == {k: v for k, v in files.counts.items() if k != "Load"}  # the tables hold no Load
    for label, file in files.node_files.items():
        if label == "Load":
            continue
        want = sorted(file.read_text(encoding="utf-8").splitlines())
        assert sorted(spark_files.node_files[label].read_text(encoding="utf-8").splitlines()) == want
    for key, file in files.relationship_files.items():
        want = sorted(file.read_text(encoding="utf-8").splitlines())
        assert sorted(spark_files.relationship_files[key].read_text(encoding="utf-8").splitlines()) == want


def test_a_file_without_a_required_column_is_refused_before_spark_runs(spark, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Commodity,Quantity\nivory,2\n", encoding="utf-8")
    with pytest.raises(ng.ingest.load.MissingColumnsError, match="missing required column"):
        spark_module.spark_load(spark, path, "cen_customs", tmp_path / "spark")
    assert not (tmp_path / "spark").exists()


def test_netgraph_load_engine_spark_builds_the_graph_the_embedded_load_builds(spark, tmp_path):
    from click.testing import CliRunner

    from netgraph.cli import main
    path = SAMPLES / "vn_agency_sample.xlsx"
    run = CliRunner().invoke(main, ["load", str(path), "-m", "vn_agency", "--db", str(tmp_path / "spark.lbdb"),
                                    "--engine", "spark", "--master", "local[2]"])
    assert run.exit_code == 0, run.output
    assert "Spark" in run.output and "added: " in run.output
    assert not spark.sparkContext._jsc.sc().isStopped()  # the session it found is still the test's
    with ng.open_store(tmp_path / "embedded.lbdb") as embedded, ng.open_store(tmp_path / "spark.lbdb") as store:
        ng.load_file(path, "vn_agency", embedded, progress=False)
        assert_same_store(embedded, store)


def test_entity_resolution_on_spark_links_what_the_duckdb_backend_links(spark):
    from netgraph.resolution.evaluate import evaluation_set
    from netgraph.resolution.linkage import match
    from netgraph.resolution.spark import spark_api
    rows, _ = evaluation_set(people=80, seed=3)  # feature rows of every mention
    on_duckdb, on_spark = match(rows), match(rows, api=spark_api(spark))
    assert len(on_duckdb.links) > 30 and on_duckdb.merged > 0
    pd.testing.assert_frame_equal(on_spark.clusters, on_duckdb.clusters)
    links = [r.links.drop(columns="agreed").assign(agreed=r.links["agreed"].map(tuple)) for r in (on_duckdb, on_spark)]
    pd.testing.assert_frame_equal(links[1], links[0], check_exact=False, atol=1e-6)


def test_netgraph_resolve_engine_spark_resolves_the_samples_as_the_embedded_engine(spark, tmp_path):
    from click.testing import CliRunner

    from netgraph.cli import main
    for engine in ("embedded", "spark"):
        with ng.open_store(tmp_path / f"{engine}.lbdb") as store:
            for name, mapping in (("cen_customs_sample.csv", "cen_customs"), ("vn_agency_sample.xlsx", "vn_agency")):
                ng.load_file(SAMPLES / name, mapping, store, rejects_dir=tmp_path, progress=False)
        run = CliRunner().invoke(main, ["resolve", "--db", str(tmp_path / f"{engine}.lbdb"), "--engine", engine])
        assert run.exit_code == 0, run.output
        assert "merged" in run.output
    with ng.open_store(tmp_path / "embedded.lbdb") as embedded, ng.open_store(tmp_path / "spark.lbdb") as store:
        assert embedded.edge_frame("SAME_AS")["source"].nunique() > 0
        assert_same_store(embedded, store)
