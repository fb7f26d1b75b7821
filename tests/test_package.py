"""Case packages (issue #21): a round trip between stores keeps the sender's provenance and carries no
withheld record; a package altered in any way, or signed by a key the receiver does not trust, is refused."""
import base64
import datetime as dt
import json
import os
import stat
import zipfile

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.exchange import (
    PackageRefused,
    export_package,
    import_package,
    new_keys,
    package_log,
    verify_package,
    write_interchange,
)
from netgraph.exchange.keys import KeyFileError, load_private
from netgraph.schema import ASSERTED, ASSERTED_REL_TYPES, NODE_TYPES, REL_TYPES
from netgraph.store.batch import GraphBatch
from netgraph.views.chart import case_scope

from .conftest import DATA
from .test_neo4j import (  # noqa: F401 (real_database and server: fixtures, asked for by name)
    HOSTILE,
    REAL_URI,
    TaggedStore,
    non_temporal_batch,
    real_database,
    remove_tagged,
    server,
)

LEVEL, SUSPECT = 2, "Wang Wei"


def load_tiny(path):
    store = ng.open_store(path)
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "tiny_vn.csv", "vn_agency", store, progress=False)
    return store


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    """A sender's store, its keys and the package it exported at release level 2."""
    folder = tmp_path_factory.mktemp("sender")
    keys = new_keys(folder / "vn-agency")
    store = load_tiny(folder / "sender.lbdb")
    done = export_package(store, [SUSPECT], folder / "case.ngpkg", keys.private, "CN-GX-ASB", radius=2,
                          release_level=LEVEL)
    yield store, keys, done
    store.close()


def facts(store) -> dict:
    """Every node and relationship the store holds but the audit log, comparable across stores."""
    out = {label: store.node_frame(label).astype(str).values.tolist() for label in NODE_TYPES if label != "Exchange"}
    out.update({t: store.edge_frame(t).astype(str).values.tolist() for t in REL_TYPES})
    return out


def sent_as(done):
    """A key as the sender of ``done`` has it, from the key the receiver keeps (the sender's namespace taken out)."""
    return lambda key: key.replace("@" + done.manifest["sender_key"][:16], "")


def check_round_trip(sender, receiver, done, import_twice):
    """What an import of ``done`` must give in ``receiver``: the case's facts with the sender's provenance, in
    the sender's namespace, and no withheld record; a second import changes nothing."""
    report = import_package(receiver, done.path, [done.path.parent / "vn-agency.pub"], link=False)
    back = sent_as(done)
    records = sender.records().set_index("id")
    withheld = set(records.index[records["handling"].notna() & (records["handling"] > LEVEL)])
    assert withheld, "the test data must hold records above the release level"
    got = receiver.records().set_index("id")
    assert set(got.index.map(back)) == set(done.nodes["Record"]["id"]) and len(got) == report.records_new
    assert not set(got.index.map(back)) & withheld
    assert (got["handling"].isna() | (got["handling"] <= LEVEL)).all()
    assert (got["source"] == got.index.str.split(":").str[1]).all() and (got.index != got.index.map(back)).all()
    for column in ("source", "file", "row", "record_id", "agency", "record_date", "reliability", "validity", "handling"):
        theirs = records.loc[got.index.map(back), column].astype(str).tolist()
        assert got[column].astype(str).map(back).tolist() == theirs, column
    assert set(got["package"]) == {done.manifest_sha256}  # received, never passed off as loaded here
    for label in NODE_TYPES:  # no fact rests on a withheld record; each stands in the sender's store too
        if NODE_TYPES[label].sources_from is None:
            continue
        theirs = sender.node_frame(label).set_index("id")["sources"]
        for key, sources in zip(*receiver.node_frame(label)[["id", "sources"]].to_numpy().T):
            assert sources and set(sources) <= set(got.index), (label, key)
            assert {back(s) for s in sources} <= set(theirs[back(key)]), (label, key)
    for rel_type in [*ASSERTED_REL_TYPES, "REFERS_TO"]:
        theirs = {(a, b): set(s) for a, b, s in sender.edge_frame(rel_type)[["source", "target", "sources"]].to_numpy()}
        for a, b, sources in receiver.edge_frame(rel_type)[["source", "target", "sources"]].to_numpy():
            assert set(sources) and set(sources) <= set(got.index), (rel_type, a, b)
            assert {back(s) for s in sources} <= theirs[(back(a), back(b))], (rel_type, a, b)
    # the expected subgraph: the people of the released case around the suspect, tied as the sender ties them
    scope = case_scope(sender, [SUSPECT], radius=2, release_level=LEVEL)
    received = ng.person_network(receiver)
    assert set(received.nodes["id"]) == set(scope.case.nodes["id"]) == set(report.people_new["id"])
    pairs = lambda net: {(frozenset((a, b)), tuple(sorted(map(back, s)))) for a, b, s in  # noqa: E731
                         net.edges[["source", "target", "sources"]].to_numpy()}
    assert pairs(received) == pairs(scope.case)
    assert {frozenset(p) for p in report.people_tied[["a", "b"]].to_numpy()} == {p for p, _ in pairs(received)}
    assert report.seizures_new["id"].tolist() == sorted(receiver.node_properties("Seizure")["id"])
    if not import_twice:
        return report
    before = facts(receiver)
    again = import_package(receiver, done.path, [done.path.parent / "vn-agency.pub"], link=False)
    assert facts(receiver) == before and not again.changed and again.people_tied.empty
    assert again.records_known == len(got) and again.people_known == len(report.people_new)
    log = package_log(receiver)
    assert log["direction"].tolist() == ["import", "import"] and set(log["status"]) == {"done"}
    assert set(log["manifest_sha256"]) == {done.manifest_sha256} and set(log["release_level"]) == {LEVEL}
    return report


def test_round_trip_into_an_empty_store_then_again(sent, tmp_path):
    sender, keys, done = sent
    with ng.open_store(tmp_path / "receiver.lbdb") as receiver:
        report = check_round_trip(sender, receiver, done, import_twice=True)
    assert "withheld by the sender" in report.summary() and "nothing new" not in report.summary()
    manifest = done.manifest
    assert manifest["release_level"] == LEVEL and manifest["recipient"] == "CN-GX-ASB"
    assert manifest["withheld"]["records"] >= 1  # Wang Wei's T-3 (handling code 5) is in his full case
    assert manifest["withheld"] == {k: v for k, v in case_scope(sender, [SUSPECT], 2, release_level=LEVEL)
                                    .redaction.items() if k != "level"}
    assert set(manifest["files"]) == {n for n in zipfile.ZipFile(done.path).namelist()
                                      if n not in ("manifest.json", "manifest.sig")}
    exported = package_log(sender)
    assert exported["direction"].iloc[-1] == "export" and exported["manifest_sha256"].iloc[-1] == done.manifest_sha256
    assert json.loads(exported["scope"].iloc[-1])["radius"] == 2 and exported["recipient"].iloc[-1] == "CN-GX-ASB"


@pytest.mark.skipif(not REAL_URI, reason="needs a real Neo4j 5: set NETGRAPH_TEST_NEO4J_URI")
def test_round_trip_into_neo4j(sent, request):
    """The same round trip into a real Neo4j 5's default database (what it writes is tagged and removed)."""
    sender, keys, done = sent
    store = TaggedStore(request.getfixturevalue("real_database"))
    try:
        check_round_trip(sender, store, done, import_twice=True)
    finally:
        remove_tagged(store, store.tag, True)
        store.close()


def test_a_package_goes_into_the_neo4j_store_over_bolt(request, tmp_path):
    """The Neo4j store's own write path over a Bolt connection (FalkorDB standing in for the transport, so the
    facts have no dates; a real Neo4j 5 when NETGRAPH_TEST_NEO4J_URI names one)."""
    keys = new_keys(tmp_path / "k")
    with ng.open_store(tmp_path / "s.lbdb") as embedded:
        embedded.write(non_temporal_batch())
        done = export_package(embedded, ["P1"], tmp_path / "c.ngpkg", keys.private, "CN-GX-ASB", release_level=3)
    bolt = request.getfixturevalue("server")
    store = TaggedStore(bolt)
    try:
        report = import_package(store, done.path, [keys.public], link=False)
        first = store.counts()
        assert sorted(report.people_new["id"]) == sorted(done.nodes["Person"]["id"]) and len(report.people_tied)
        fp = done.manifest["sender_key"][:16]  # keys not of the form record:SOURCE:ID go under the namespace too
        assert sorted(store.records()["id"]) == sorted(f"record:TEST@{fp}:" + done.nodes["Record"]["id"].str[7:])
        again = import_package(store, done.path, [keys.public], link=False)
        assert not again.changed and store.counts() == {**first, "Exchange": 2}
        assert package_log(store)["manifest_sha256"].tolist() == [done.manifest_sha256] * 2
    finally:
        if bolt.real:  # a FalkorDB server lives for this test only
            remove_tagged(store, store.tag, True)
        store.close()


def rewritten(path, out, change=None, drop=None):
    """A copy of the package with one entry's content changed, or one entry left out (a valid zip)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info)
            if info.filename == change:
                data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:]
            target.writestr(info, data)
    return out


def flipped(path, out, entry):
    """A copy of the package file with one byte changed in the middle of ``entry``'s stored bytes."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(entry)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x20
    out.write_bytes(bytes(data))
    return out


def test_tampered_packages_are_refused_and_nothing_is_written(sent, tmp_path):
    sender, keys, done = sent
    stranger = new_keys(tmp_path / "stranger")
    table = "nodes/Person.parquet"
    cases = [
        (flipped(done.path, tmp_path / "byte.ngpkg", table), [keys.public], "Person.parquet"),
        (flipped(done.path, tmp_path / "byte-manifest.ngpkg", "manifest.json"), [keys.public], "manifest"),
        (rewritten(done.path, tmp_path / "content.ngpkg", change=table), [keys.public],
         "Person.parquet does not match its SHA-256"),
        (rewritten(done.path, tmp_path / "manifest.ngpkg", change="manifest.json"), [keys.public], "manifest"),
        (rewritten(done.path, tmp_path / "removed.ngpkg", drop=table), [keys.public], "Person.parquet .*is missing"),
        (rewritten(done.path, tmp_path / "unsigned.ngpkg", drop="manifest.sig"), [keys.public], "manifest.sig is missing"),
        (done.path, [stranger.public], "not among the trusted keys"),
    ]
    # a manifest re-signed by another key that claims to be the sender's: its signature does not verify
    with zipfile.ZipFile(done.path) as source, zipfile.ZipFile(tmp_path / "forged.ngpkg", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "manifest.sig":
                data = base64.b64encode(load_private(stranger.private).sign(source.read("manifest.json")))
            target.writestr(info, data)
    cases.append((tmp_path / "forged.ngpkg", [keys.public], "signature of manifest.json does not verify"))
    (tmp_path / "not-a-zip.ngpkg").write_bytes(b"PK\x03\x04 not really")
    cases.append((tmp_path / "not-a-zip.ngpkg", [keys.public], "not a readable zip"))
    with ng.open_store(tmp_path / "receiver.lbdb") as receiver:
        for path, trusted, message in cases:
            with pytest.raises(PackageRefused, match=message):
                import_package(receiver, path, trusted, link=False)
        assert set(receiver.counts()) == {"Exchange"}  # only the log of the refusals
        log = package_log(receiver)
        assert len(log) == len(cases) and log["status"].str.startswith("refused: ").all()
    assert verify_package(done.path, [keys.public]).manifest_sha256 == done.manifest_sha256  # the original is fine


def test_pseudonymised_package_names_only_the_suspect(sent, tmp_path):
    sender, keys, done = sent
    first = export_package(sender, [SUSPECT], tmp_path / "a.ngpkg", keys.private, "CN-GX-ASB", radius=2,
                           release_level=LEVEL, pseudonymise=True)
    again = export_package(sender, [SUSPECT], tmp_path / "b.ngpkg", keys.private, "CN-GX-ASB", radius=2,
                           release_level=LEVEL, pseudonymise=True)
    other = export_package(sender, [SUSPECT], tmp_path / "c.ngpkg", keys.private, "TH-DNP", radius=2,
                           release_level=LEVEL, pseudonymise=True)
    others = [n for i, n in zip(done.nodes["Person"]["id"], done.nodes["Person"]["name"]) if n != SUSPECT]
    assert others
    package = verify_package(first.path, [keys.public])
    text = json.dumps({name: package.table(name).astype(str).values.tolist() for name in package.files},
                      ensure_ascii=False).casefold()
    written = write_interchange(first, tmp_path / "anon")
    text += "".join(p.read_text(encoding="utf-8-sig").casefold() for p in written)
    assert SUSPECT.casefold() in text
    for name in others:
        assert name.casefold() not in text  # no other name, in any table or format
    assert sorted(first.nodes["Person"]["id"]) == sorted(again.nodes["Person"]["id"])  # stable for a recipient
    assert first.manifest["files"] == again.manifest["files"]  # the same tables, byte for byte
    assert set(first.nodes["Person"]["id"]) & set(other.nodes["Person"]["id"]) == {f"person:{SUSPECT.lower()}"}
    assert first.manifest["pseudonymised"] and not done.manifest["pseudonymised"]


def test_interchange_formats_carry_provenance_and_neutralise_formulas(tmp_path):
    """Also: names written as Cypher or as formulas travel as data, never as statements or formulas."""
    rows = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    rows["Offenders"] = rows["Offenders"].str.replace("Emeka Okafor", "=HYPERLINK(\"http://x\")")
    rows["Offenders"] = rows["Offenders"].str.replace("Wang Wei", HOSTILE)
    rows.to_csv(tmp_path / "hostile.csv", index=False)
    keys = new_keys(tmp_path / "k")
    with ng.open_store(tmp_path / "s.lbdb") as store:
        ng.load_file(tmp_path / "hostile.csv", "cen_customs", store, progress=False)
        done = export_package(store, ["Nguyễn Văn Hùng"], tmp_path / "case.ngpkg", keys.private, "CN-GX-ASB",
                              release_level=5)
    written = write_interchange(done, tmp_path / "case")
    graph = nx.read_graphml(tmp_path / "case.graphml")
    gexf = nx.read_gexf(tmp_path / "case.gexf")
    assert graph.number_of_nodes() == gexf.number_of_nodes() == sum(
        len(f) for label, f in done.nodes.items() if label not in ("Record", "Mention"))
    assert graph.number_of_edges() == sum(len(f) for t, f in done.relationships.items() if t != "REFERS_TO")
    hung = graph.nodes["person:nguyễn văn hùng"]
    behind = sorted(done.asserts.loc[done.asserts["id"] == "person:nguyễn văn hùng", "record"])
    records = done.nodes["Record"].set_index("id").loc[behind]
    assert len(behind) >= 2 and hung["package"] == done.manifest_sha256 and hung["records"] == len(behind)
    assert hung["record_ids"] == "; ".join(sorted(records["record_id"])) and hung["sources"] == "; ".join(behind)
    assert hung["agencies"] == "; ".join(sorted(set(records["agency"])))
    entities = pd.read_csv(tmp_path / "case-i2-entities.csv", encoding="utf-8-sig", dtype=str)
    links = pd.read_csv(tmp_path / "case-i2-links.csv", encoding="utf-8-sig", dtype=str)
    assert {"id", "type", "label", "sources", "record_ids", "agencies"} <= set(entities.columns)
    assert {"from", "to", "type", "sources", "record_ids", "agencies"} <= set(links.columns)
    hostile = entities[entities["type"] == "Person"]["label"]
    assert hostile.str.startswith("'=HYPERLINK").any() and not hostile.str.startswith("=").any()
    assert len(written) == 4
    with ng.open_store(tmp_path / "r.lbdb") as receiver:
        import_package(receiver, done.path, [keys.public], link=False)
        assert HOSTILE in set(receiver.node_properties("Person")["name"])
        counts = receiver.counts()
        assert all(counts[label] == len(frame) for label, frame in done.nodes.items())


def test_import_reports_people_resolution_links_to_local_ones(sent, tmp_path):
    """The receiver knows one of the suspect's partners under another spelling, with the same phone."""
    sender, keys, done = sent
    rows = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).iloc[[0]]
    hung = done.nodes["Person"].set_index("name").loc["Nguyễn Văn Hùng"]
    rows = rows.assign(**{"Case ID": "GX-7", "Offenders": "NGUYEN VAN HUNG", "Offender nationality": "Vietnam",
                          "Offender phone": "0912 345 678", "Handling code": "1"})
    rows.to_csv(tmp_path / "local.csv", index=False)
    with ng.open_store(tmp_path / "receiver.lbdb") as receiver:
        ng.load_file(tmp_path / "local.csv", "cen_customs", receiver, progress=False)
        local = set(receiver.node_properties("Person")["id"])
        report = import_package(receiver, done.path, [keys.public])
        assert set(receiver.node_properties("Person")["id"]) == local | set(done.nodes["Person"]["id"])  # merged
    assert report.linked[["imported", "local"]].values.tolist() == [[hung["id"], "person:nguyen van hung"]]
    assert "resolution links Nguyễn Văn Hùng" in report.summary()


def test_what_a_withheld_record_alone_says_about_a_released_person_stays_out(tmp_path):
    """A node keeps the first value any record gave: a passport only a handling-5 record gives is not sent."""
    keys = new_keys(tmp_path / "k")
    with load_tiny(tmp_path / "s.lbdb") as store:
        secret = GraphBatch()
        secret.node("Record", "record:SB:X-9", {"name": "SB X-9", "source": "SB", "record_id": "X-9", "agency":
                                                "Special Branch", "handling": 5}, "record:SB:X-9")
        secret.node("Person", "person:wang wei", {"name": "Wang Wei", "passport": "E99887766",
                                                  "birth_date": dt.date(1980, 2, 3)}, "record:SB:X-9")
        store.write(secret)
        low = export_package(store, [SUSPECT], tmp_path / "low.ngpkg", keys.private, "CN-GX-ASB", release_level=LEVEL)
        high = export_package(store, [SUSPECT], tmp_path / "high.ngpkg", keys.private, "CN-GX-ASB", release_level=5)
    wang = low.nodes["Person"].set_index("id").loc["person:wang wei"]
    assert pd.isna(wang["passport"]) and pd.isna(wang["birth_date"]) and wang["nationality"] == "CN"  # NATIONAL_OF
    assert low.manifest["properties_left_out"]["Person"]["nodes"] >= 1
    assert "record:SB:X-9" not in set(low.nodes["Record"]["id"]) | set(low.asserts["record"])
    assert high.nodes["Person"].set_index("id").loc["person:wang wei", "passport"] == "E99887766"
    assert "Person" not in high.manifest["properties_left_out"]


def test_keys_and_the_command_line(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["keys", "new", str(tmp_path / "agency")])
    assert made.exit_code == 0, made.output
    private, public = tmp_path / "agency.key", tmp_path / "agency.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    secret = [line for line in private.read_text().splitlines() if "-----" not in line]
    assert not any(part in made.output for part in secret)  # never printed
    assert runner.invoke(main, ["keys", "new", str(tmp_path / "agency")]).exit_code == 1  # never overwritten
    os.chmod(private, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_private(private)
    os.chmod(private, 0o600)
    with pytest.raises(KeyFileError, match="is a public key"):
        load_private(public)
    sender, receiver = tmp_path / "sender.lbdb", tmp_path / "receiver.lbdb"
    load_tiny(sender).close()
    out = tmp_path / "case.ngpkg"
    exported = runner.invoke(main, ["package", "export", "--db", str(sender), "--suspect", SUSPECT, "--radius", "2",
                                    "--release-level", str(LEVEL), "--recipient", "CN-GX-ASB", "--key", str(private),
                                    "--out", str(out), "--also", "graphml", "--also", "i2"])
    assert exported.exit_code == 0, exported.output
    nowhere = runner.invoke(main, ["package", "export", "--db", str(tmp_path / "none.lbdb"), "--suspect", SUSPECT,
                                   "--recipient", "X", "--key", str(private), "--out", str(tmp_path / "x.ngpkg")])
    assert nowhere.exit_code == 1 and "no netgraph database" in nowhere.output
    assert not (tmp_path / "none.lbdb").exists()
    assert (tmp_path / "case.graphml").exists() and (tmp_path / "case-i2-links.csv").exists()
    assert not (tmp_path / "case.gexf").exists()
    imported = runner.invoke(main, ["package", "import", str(out), "--db", str(receiver), "--trust", str(public)])
    assert imported.exit_code == 0, imported.output
    assert f"new person: {SUSPECT}" in imported.output and "records: 3 new" in imported.output
    refused = runner.invoke(main, ["package", "import", str(out), "--db", str(receiver), "--trust",
                                   str(new_keys(tmp_path / "other").public)])
    assert refused.exit_code == 1 and "not among the trusted keys" in refused.output
    assert "Traceback" not in refused.output
    log = runner.invoke(main, ["package", "log", "--db", str(receiver)])
    assert log.exit_code == 0 and log.output.count("import") == 2 and "refused" in log.output
    assert "export" in runner.invoke(main, ["package", "log", "--db", str(sender)]).output


def test_a_store_made_before_case_packages_opens_and_logs(tmp_path, sent):
    import ladybug
    path = tmp_path / "old.lbdb"
    load_tiny(path).close()
    db = ladybug.Database(str(path))  # as netgraph wrote it before case packages
    conn = ladybug.Connection(db)
    conn.execute("DROP TABLE Exchange")
    conn.execute("ALTER TABLE Record DROP package")
    conn.close()
    db.close()
    with ng.open_store(path, read_only=True) as store:
        assert package_log(store).empty and store.records()["package"].isna().all()
    with ng.open_store(path) as store:
        loaded = store.records()
        report = import_package(store, sent[2].path, [sent[1].public])
        assert report.records_new == len(sent[2].nodes["Record"]) and report.records_known == 0
        assert sorted(report.collisions["local"]) == sorted(sent[2].nodes["Record"]["id"])  # the same files
        assert len(package_log(store)) == 1
        after = store.records()
        assert after[after["id"].isin(loaded["id"])].astype(str).values.tolist() == loaded.astype(str).values.tolist()


def said_by(store, record) -> dict:
    """What ``record`` says in ``store``: its properties, its mentions, the nodes it asserts and the ties it is
    a source of."""
    out = {"record": store.stored_records([record]).astype(str).values.tolist(),
           "mentions": sorted(m for m, r in store.node_properties("Mention")[["id", "record"]].to_numpy()
                              if r == record)}
    out["asserts"] = sorted((label, i) for label in NODE_TYPES if NODE_TYPES[label].sources_from == ASSERTED
                            for i, ss in store.node_frame(label)[["id", "sources"]].to_numpy() if record in ss)
    out["ties"] = sorted((t, a, b) for t in [*ASSERTED_REL_TYPES, "REFERS_TO"]
                         for a, b, ss in store.edge_frame(t)[["source", "target", "sources"]].to_numpy()
                         if record in ss)
    return out


def test_a_package_record_with_the_id_of_a_local_record_adds_nothing_to_it(sent, tmp_path):
    """Issue 28, finding 4: the receiver loaded a record of its own whose id (CEN T-2) a record in the package
    has. The package's record lives in the sender's namespace, and the local one says what its file said."""
    sender, keys, done = sent
    fp = done.manifest["sender_key"][:16]
    rows = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).iloc[[0]]
    rows = rows.assign(**{"Case ID": "T-2", "Offenders": "Lê Văn Tám", "Offender nationality": "Vietnam",
                          "Offender phone": "0903 111 222", "Consignee company": "", "Document number": ""})
    rows.to_csv(tmp_path / "local.csv", index=False)
    db = tmp_path / "receiver.lbdb"
    with ng.open_store(db) as receiver:
        ng.load_file(tmp_path / "local.csv", "cen_customs", receiver, progress=False)
        before = said_by(receiver, "record:CEN:T-2")
    assert before["mentions"] and before["ties"]
    imported = CliRunner().invoke(main, ["package", "import", str(done.path), "--db", str(db), "--trust",
                                         str(keys.public), "--no-link"])
    assert imported.exit_code == 0, imported.output
    with ng.open_store(db) as receiver:
        assert said_by(receiver, "record:CEN:T-2") == before  # the local record says only what its file said
        involved = receiver.edge_frame("INVOLVED_IN")  # and its seizure is its own: no one of the package's in it
        local = involved[involved["target"] == "seizure:CEN:T-2"]
        assert set(local["source"]) == {"person:lê văn tám"}
        assert (involved["target"] == f"seizure:CEN@{fp}:T-2").any()
        assert f"record:CEN@{fp}:T-2 kept apart from record:CEN:T-2" in imported.output
        theirs = receiver.stored_records([f"record:CEN@{fp}:T-2"]).iloc[0]
        assert theirs["source"] == f"CEN@{fp}" and theirs["record_id"] == "T-2"
        assert theirs["package"] == done.manifest_sha256
        assert len(said_by(receiver, theirs["id"])["mentions"]) == (done.nodes["Mention"]["record"]
                                                                     == "record:CEN:T-2").sum()
        facts_once = facts(receiver)
        again = import_package(receiver, done.path, [keys.public], link=False)
        assert facts(receiver) == facts_once and not again.changed
        assert again.collisions.values.tolist() == [[f"record:CEN@{fp}:T-2", "record:CEN:T-2"]]
        assert again.records_known == len(done.nodes["Record"])


def test_a_package_passed_on_keeps_each_record_s_origin(sent, tmp_path):
    """B imports A's package and sends the case on: A's records keep A's namespace (no nesting), B's own get
    B's; a store that took A's package too holds A's records once."""
    sender, a_keys, done = sent
    a, b_keys = done.manifest["sender_key"][:16], new_keys(tmp_path / "b")
    rows = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False).iloc[[0]]
    rows.assign(**{"Case ID": "GX-9", "Offenders": "Wang Wei; Lê Văn Tám", "Offender nationality": "China; Vietnam",
                   "Offender phone": "; 0903 111 222"}).to_csv(tmp_path / "b.csv", index=False)
    with ng.open_store(tmp_path / "b.lbdb") as b:
        ng.load_file(tmp_path / "b.csv", "cen_customs", b, progress=False)
        import_package(b, done.path, [a_keys.public], link=False)
        on = export_package(b, [SUSPECT], tmp_path / "on.ngpkg", b_keys.private, "TH-DNP", radius=2,
                            release_level=LEVEL)
    b_fp = on.manifest["sender_key"][:16]
    with ng.open_store(tmp_path / "c.lbdb") as c:
        import_package(c, done.path, [a_keys.public], link=False)
        report = import_package(c, on.path, [b_keys.public], link=False)
        held = set(c.records()["id"])
    from_a = {k.replace("record:CEN:", f"record:CEN@{a}:").replace("record:VN-AGENCY:", f"record:VN-AGENCY@{a}:")
              for k in done.nodes["Record"]["id"]}
    assert from_a <= set(on.nodes["Record"]["id"])  # sent on as B holds them
    assert held == from_a | {f"record:CEN@{b_fp}:GX-9"} and report.records_new == 1
    assert report.records_known == len(from_a) and report.collisions.empty
