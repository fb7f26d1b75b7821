"""Case packages: the case around named suspects, sent to another agency with its provenance, signed.

A package (``.ngpkg``) is a zip file holding Parquet tables and a signed manifest:

- ``nodes/<Label>.parquet``: the case's nodes of each label with every schema property (``Record`` and
  ``Mention`` included: the records behind the case, with their agency, record id and grading, and what
  each record said);
- ``asserts.parquet``: which record asserts which node (``record``, ``label``, ``id``);
- ``relationships/<TYPE>.parquet``: ``from``, ``to``, ``from_label``, ``to_label``, the type's properties
  and ``sources`` (the records behind each relationship);
- ``manifest.json``: format, netgraph and schema version, scope (suspects, radius, date window, ties),
  release level, what was withheld, recipient, sender key, creation time, counts, and the SHA-256, size and
  rows of every file; ``manifest.sig``: the Ed25519 signature of ``manifest.json`` (base64).

The case is what a court chart at the same release level shows (:func:`~netgraph.views.chart.case_scope`):
the people within ``radius`` steps of the suspects, their seizures and other events (with what was seized,
where, how it was carried and documented, and what followed), phones, accounts, organisations and
nationalities, from the records of the date window whose handling code is at most the release level. Every
node and relationship keeps only those records as its sources, and a record above the level never enters
the package (checked again before writing). ``pseudonymise=True`` replaces every person but the suspects by
a keyed pseudonym (``person:pseudonym:…``, "Person 3F9A…"; passport and birth date left out), the same in
every package from one sender to one recipient.

Importing verifies the signature against keys the receiver trusts and every file's SHA-256, then writes the
facts through the store's own merge (:meth:`GraphStore.write`), so either kind of store takes a package and a
second import changes nothing. Records keep the sender's ids, agency and grading in the sender's namespace: their
``source`` and key carry ``@`` and the sender's key (``record:CEN@3f9a…:T-2``, and so do the seizures and other
events keyed by a record, ``seizure:CEN@3f9a…:T-2``; a record the sender had imported
keeps its origin), so they never merge with, nor add facts to, a record loaded here (one with the same source and
id is reported); the ones new to the store get ``package``: the manifest's SHA-256. Every export and import
(refusals included) is an ``Exchange`` node: the audit log (:func:`package_log`).

>>> done = export_package(store, ["Wang Wei"], "case.ngpkg", key="keys/vn.key", recipient="CN-GX-ASB",
...                       radius=2, release_level=2)                                   # doctest: +SKIP
>>> report = import_package(other, "case.ngpkg", trusted=["keys/vn.pub"])            # doctest: +SKIP
>>> print(report.summary())                                                          # doctest: +SKIP
"""
from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import hmac
import io
import json
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..analysis.ties import PERSON_LINKS, memberships
from ..resolution.linkage import resolve
from ..resources import NetgraphError, netgraph_version
from ..schema import ASSERTED, ASSERTED_REL_TYPES, EVENT_LABELS, NODE_TYPES, REL_TYPES
from ..store.base import GraphStore
from ..store.batch import GraphBatch
from ..store.bulk import ARROW_TYPES
from ..views.chart import case_scope
from ..views.release import RECORD_ONLY
from .keys import fingerprint, load_private, load_public, pseudonym_key, verifies

FORMAT, FORMAT_VERSION = "netgraph-case-package", 1
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
ASSERTS_FILE = "asserts.parquet"
MAX_MANIFEST_BYTES = 16 * 2 ** 20
MAX_FILE_BYTES = 8 * 2 ** 30  # a package file larger than this (unpacked) is refused before it is read
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's timestamp: the creation time is in the manifest
ORIGIN = re.compile(r"@[0-9a-f]{16}$")  # ends the source of a record received in a package: whose key sent it
LOG_COLUMNS = ["at", "direction", "user", "recipient", "sender_key", "release_level", "scope", "manifest_sha256",
               "file", "status", "summary", "netgraph_version", "id"]


class PackageError(NetgraphError):
    """A package that cannot be made or imported; the message names the file and what is wrong."""


class PackageRefused(PackageError):
    """A package whose signature, key or file hashes do not verify: nothing of it was written."""


def schema_version() -> str:
    """A digest of the data model (labels, types and their properties): equal on both sides, the tables mean
    the same."""
    model = {"nodes": {n.label: n.all_properties for n in NODE_TYPES.values()},
             "relationships": {r.type: [r.pairs, r.all_properties] for r in REL_TYPES.values()}}
    return hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class CasePackage:
    """What :func:`export_package` wrote: the file, its manifest, the manifest's SHA-256 and the tables."""
    path: Path
    manifest: dict
    manifest_sha256: str
    nodes: dict[str, pd.DataFrame]  # label → schema properties
    asserts: pd.DataFrame  # record, label, id
    relationships: dict[str, pd.DataFrame]  # type → from, to, from_label, to_label, properties, sources


# --- export -------------------------------------------------------------------------------------------------
def export_package(store: GraphStore, suspects: list[str], out: str | Path, key, recipient: str, radius: int = 1,
                   date_from=None, date_to=None, release_level: int = 3, via: tuple[str, ...] = PERSON_LINKS,
                   pseudonymise: bool = False, user: str | None = None) -> CasePackage:
    """Write the case around ``suspects`` (ids or exact names) to the package ``out``, signed with ``key`` (an
    Ed25519 private key or its file), for ``recipient``; log the export in ``store``. See the module doc.

    >>> done = export_package(store, ["Wang Wei"], "case.ngpkg", "keys/vn.key", "CN-GX-ASB", radius=2,
    ...                       release_level=2)                                    # doctest: +SKIP
    >>> done.manifest["withheld"]                                                 # doctest: +SKIP
    {'records': 2, 'entities': 1, 'ties': 1}
    """
    private = key if isinstance(key, Ed25519PrivateKey) else load_private(key)
    if not recipient or not recipient.strip():
        raise PackageError("name the recipient (the agency the package is for)")
    scope = case_scope(store, list(suspects), radius, date_from, date_to, release_level, via)
    nodes, asserts, rels, left_out = case_tables(scope)
    if pseudonymise:
        persons = scope.view.node_properties("Person")
        named = persons.loc[persons["id"].isin(scope.suspects) | persons["resolved_id"].isin(scope.suspects), "id"]
        nodes, asserts, rels = _pseudonymise(nodes, asserts, rels, set(named), pseudonym_key(private, recipient))
    _check_released(nodes["Record"], release_level)
    files = {f"nodes/{label}.parquet": _parquet(frame, NODE_TYPES[label].all_properties)
             for label, frame in sorted(nodes.items())}
    files[ASSERTS_FILE] = _parquet(asserts, {"record": "STRING", "label": "STRING", "id": "STRING"})
    for rel_type, frame in sorted(rels.items()):
        files[f"relationships/{rel_type}.parquet"] = _parquet(frame, _rel_types(rel_type))
    records = nodes["Record"]
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "netgraph_version": netgraph_version(),
        "schema_version": schema_version(), "created_at": _now(), "created_by": user or _user(),
        "sender_key": fingerprint(private.public_key()), "recipient": recipient.strip(),
        "scope": {"suspects": scope.suspects, "radius": radius, "date_from": _iso(date_from),
                  "date_to": _iso(date_to), "via": list(via)},
        "release_level": release_level, "pseudonymised": pseudonymise,
        "withheld": {k: v for k, v in scope.redaction.items() if k != "level"},
        "properties_left_out": {label: {"nodes": n, "properties": list(RECORD_ONLY[label])}
                                for label, n in left_out.items()},
        "counts": {"nodes": {label: len(f) for label, f in sorted(nodes.items())},
                   "relationships": {t: len(f) for t, f in sorted(rels.items())},
                   "agencies": sorted({a for a in records["agency"] if isinstance(a, str)})},
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "rows": rows}
                  for name, (data, rows) in sorted(files.items())},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    signature = base64.b64encode(private.sign(text)) + b"\n"
    out = Path(out)
    _write_zip(out, {MANIFEST: text, SIGNATURE: signature, **{n: data for n, (data, _) in files.items()}})
    digest = hashlib.sha256(text).hexdigest()
    log_exchange(store, "export", manifest, digest, out.name, "done", user=manifest["created_by"])
    return CasePackage(out, manifest, digest, nodes, asserts, rels)


def case_tables(scope) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, pd.DataFrame], dict[str, int]]:
    """The case's facts in the release view of ``scope``: node tables by label (``Record`` and ``Mention``
    included), the ASSERTS pairs (record, label, id), relationship tables by type, and how many nodes of each
    label lost their record-only properties because a record outside the view also asserts them."""
    store = scope.view  # holds only what releasable records assert
    persons = store.node_properties("Person")
    entity = persons["resolved_id"].where(persons["resolved_id"].notna(), persons["id"])
    people = set(persons.loc[entity.isin(set(scope.case.nodes["id"])), "id"])
    edges = store.edges()
    src = (edges["source_label"] + "\x00" + edges["source"]).to_numpy(dtype=object)  # label NUL id
    dst = (edges["target_label"] + "\x00" + edges["target"]).to_numpy(dtype=object)
    outwards = (edges["source_label"].isin(["Person", *EVENT_LABELS]) | (edges["type"] == "LOCATED_IN")) \
        & (edges["target_label"] != "Person")  # from people and events outwards, from a place to its country
    took_part = (edges["source_label"] == "Organization") & edges["target_label"].isin(EVENT_LABELS)
    outwards, took_part = outwards.to_numpy(), took_part.to_numpy()
    keep = {f"Person\x00{p}" for p in people}
    frontier = set(keep)
    while frontier:  # never to another person, never back from a place, a phone or a company
        ahead = list(frontier)
        found = set(dst[outwards & pd.Series(src).isin(ahead).to_numpy()]) | \
            set(src[took_part & pd.Series(dst).isin(ahead).to_numpy()])  # the companies in the case's seizures
        frontier = found - keep
        keep |= frontier
    inside = pd.Series(src).isin(list(keep)).to_numpy() & pd.Series(dst).isin(list(keep)).to_numpy()
    edges = edges[inside].reset_index(drop=True)
    keep = {tuple(k.split("\x00", 1)) for k in keep}
    own = edges["type"].map(lambda t: REL_TYPES[t].sources)
    cited = {r for ss in edges.loc[own, "sources"] for r in ss}
    person_frame = store.node_frame("Person")
    cited |= {r for p, ss in zip(person_frame["id"], person_frame["sources"]) if p in people for r in ss}
    records = store.records()
    also_withheld = {}
    nodes, pairs = {}, []
    for label in sorted({label for label, _ in keep}):
        frame = person_frame if label == "Person" else store.node_frame(label)
        frame = frame[frame["id"].isin([i for lab, i in keep if lab == label])].copy()
        also_withheld[label] = [i for i in frame["id"] if i in store.left_out.get(label, ())]
        frame["sources"] = [[s for s in ss if s in cited] for ss in frame["sources"]]
        frame = frame[frame["sources"].map(len) > 0]
        if label == "Person":
            frame["resolved_id"] = None  # the sender's resolution; the receiver resolves its own people
        pairs += [(r, label, i) for i, ss in zip(frame["id"], frame["sources"]) for r in ss]
        nodes[label] = frame.drop(columns="sources").reset_index(drop=True)
    kept = {(label, i) for label, frame in nodes.items() for i in frame["id"]}
    edges = edges[[a in kept and b in kept for a, b in zip(zip(edges["source_label"], edges["source"]),
                                                            zip(edges["target_label"], edges["target"]))]]
    edges = edges.assign(sources=[[s for s in ss if s in cited] for ss in edges["sources"]])
    edges = edges[edges["sources"].map(len) > 0]
    records = records[records["id"].isin(cited)].drop(columns="sources").assign(package=None)
    nodes["Record"] = records.reset_index(drop=True)
    mentions = store.node_frame("Mention")
    mentions = mentions[mentions["record"].isin(cited)]
    refers = store.edge_frame("REFERS_TO")
    refers = refers[refers["source"].isin(mentions["id"].tolist()) &
                    np.array([(label, i) in kept for label, i in zip(refers["target_label"], refers["target"])],
                             dtype=bool)]
    refers = refers.assign(sources=[[s for s in ss if s in cited] for ss in refers["sources"]])
    nodes["Mention"] = mentions[mentions["id"].isin(refers["source"].tolist())].drop(columns="sources") \
        .reset_index(drop=True)
    rels = {}
    for rel_type, part in pd.concat([edges, refers], ignore_index=True).groupby("type", sort=True):
        columns = list(_rel_types(rel_type))
        part = part.rename(columns={"source": "from", "target": "to", "source_label": "from_label",
                                    "target_label": "to_label"})
        rels[rel_type] = part.reindex(columns=columns).sort_values(["from", "to"], ignore_index=True)
    asserts = pd.DataFrame(pairs, columns=["record", "label", "id"]).sort_values(["label", "id", "record"],
                                                                                  ignore_index=True)
    left_out = {label: len(ids) for label, ids in sorted(also_withheld.items()) if label in RECORD_ONLY and ids}
    return nodes, asserts, rels, left_out


def _pseudonymise(nodes, asserts, rels, named: set, secret: bytes):
    """Every person but the ``named`` (the suspects and the spellings resolved to them) under a keyed
    pseudonym."""
    persons = nodes.get("Person", pd.DataFrame(columns=["id"]))
    hidden = [p for p in persons["id"] if p not in named]
    code = {p: _keyed(secret, p) for p in hidden}
    alias = {p: f"person:pseudonym:{c}" for p, c in code.items()}
    label = {p: f"Person {c[:8].upper()}" for p, c in code.items()}
    if len(persons):
        persons = persons.copy()
        mask = persons["id"].isin(alias)
        persons.loc[mask, "name"] = persons.loc[mask, "id"].map(label)
        persons.loc[mask, ["passport", "birth_date"]] = None
        persons["id"] = persons["id"].map(lambda p: alias.get(p, p))
        nodes["Person"] = persons
    asserts = asserts.assign(id=[alias.get(i, i) if lab == "Person" else i
                                 for lab, i in zip(asserts["label"], asserts["id"])])
    refers = rels.get("REFERS_TO")
    if refers is not None and len(refers):
        about = {m: p for m, p, lab in zip(refers["from"], refers["to"], refers["to_label"])
                 if lab == "Person" and p in alias}
        mentions = nodes["Mention"].copy()
        mask = mentions["id"].isin(about)
        shown = mentions.loc[mask, "id"].map(lambda m: label[about[m]])
        mentions.loc[mask, "name"] = shown
        mentions.loc[mask, "text"] = shown
        new_ids = {m: f"mention:pseudonym:{_keyed(secret, m)}" for m in about}
        mentions["id"] = mentions["id"].map(lambda m: new_ids.get(m, m))
        nodes["Mention"] = mentions
        rels["REFERS_TO"] = refers.assign(**{"from": refers["from"].map(lambda m: new_ids.get(m, m))})
    for rel_type, frame in rels.items():
        frame = frame.copy()
        for end in ("from", "to"):
            people = frame[f"{end}_label"] == "Person"
            frame.loc[people, end] = frame.loc[people, end].map(lambda p: alias.get(p, p))
        rels[rel_type] = frame.sort_values(["from", "to"], ignore_index=True)
    return nodes, asserts.sort_values(["label", "id", "record"], ignore_index=True), rels


def _keyed(secret: bytes, value: str) -> str:
    """A keyed pseudonym code (HMAC-SHA-256, 80 bits shown)."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def _check_released(records: pd.DataFrame, level: int) -> None:
    """Refuse to write a package holding a record above the release level (a guard; none should reach it)."""
    handling = pd.to_numeric(records["handling"], errors="coerce")
    above = records.loc[handling > level, "id"]
    if len(above):
        raise PackageError(f"{len(above)} record(s) above release level {level} reached the package; nothing "
                           "was written (report this)")


# --- files --------------------------------------------------------------------------------------------------
def _rel_types(rel_type: str) -> dict[str, str]:
    props = REL_TYPES[rel_type].properties
    return {"from": "STRING", "to": "STRING", "from_label": "STRING", "to_label": "STRING", **props,
            "sources": "STRING[]"}


def _parquet(frame: pd.DataFrame, types: dict[str, str]) -> tuple[bytes, int]:
    """The frame as Parquet bytes, typed by the schema, and its number of rows."""
    columns = {}
    for column, kind in types.items():
        values = frame[column].tolist() if column in frame else [None] * len(frame)
        values = [None if v is None or (not isinstance(v, (list, np.ndarray)) and pd.isna(v)) else v for v in values]
        if kind == "INT64":
            values = [None if v is None else int(v) for v in values]
        elif kind == "DATE":
            values = [None if v is None else pd.Timestamp(v).date() for v in values]
        elif kind == "STRING[]":
            values = [None if v is None else [str(x) for x in v] for v in values]
        columns[column] = pa.array(values, ARROW_TYPES[kind])
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink, compression="zstd")
    return sink.getvalue(), len(frame)


def _write_zip(out: Path, entries: dict[str, bytes]) -> None:
    """Write the entries (sorted by name, fixed timestamps) to ``out`` atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.compress_type = zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name])
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- verification and import ------------------------------------------------------------------------------
@dataclass
class VerifiedPackage:
    """A package whose signature and files verified: its manifest, the manifest's SHA-256 and the files."""
    path: Path
    manifest: dict
    manifest_sha256: str
    files: dict[str, bytes]

    def table(self, name: str) -> pd.DataFrame:
        return pq.read_table(pa.BufferReader(self.files[name])).to_pandas(date_as_object=True,
                                                                          integer_object_nulls=True)


def verify_package(path: str | Path, trusted) -> VerifiedPackage:
    """Open ``path`` and check it: a zip holding a manifest signed by one of the ``trusted`` public keys
    (keys or ``.pub`` files) and exactly the files the manifest lists, each with its SHA-256. Raises
    :class:`PackageRefused` saying what failed; nothing is written.

    >>> verify_package("case.ngpkg", trusted=["keys/vn.pub"]).manifest["recipient"]   # doctest: +SKIP
    'CN-GX-ASB'
    """
    path = Path(path)
    keys = {fingerprint(k): k for k in (k if isinstance(k, Ed25519PublicKey) else load_public(k)
                                        for k in ([trusted] if isinstance(trusted, (str, Path)) else trusted or ()))}
    if not keys:
        raise PackageRefused(f"{path.name}: give the sender's public key (--trust SENDER.pub) to verify the package")
    if not path.is_file():
        raise PackageError(f"no package at {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise PackageRefused(f"{path.name}: a file name appears twice in the package; it was altered")
            for required in (MANIFEST, SIGNATURE):
                if required not in names:
                    raise PackageRefused(f"{path.name}: {required} is missing; this is not a complete netgraph "
                                         "case package")
            sizes = {i.filename: i.file_size for i in infos}
            if sizes[MANIFEST] > MAX_MANIFEST_BYTES or sizes[SIGNATURE] > 4096:
                raise PackageRefused(f"{path.name}: {MANIFEST} or {SIGNATURE} is far larger than any netgraph writes")
            text, signature = _read(archive, path, MANIFEST), _read(archive, path, SIGNATURE)
            try:
                manifest = json.loads(text.decode("utf-8"))
                sender = manifest["sender_key"]
            except (ValueError, KeyError, TypeError):
                raise PackageRefused(f"{path.name}: {MANIFEST} cannot be read as a netgraph manifest; it was "
                                     "altered or is not a case package") from None
            if sender not in keys:
                raise PackageRefused(f"{path.name}: signed with key {str(sender)[:16]}…, which is not among the "
                                     f"trusted keys ({', '.join(k[:16] + '…' for k in sorted(keys))}); ask the "
                                     "sender for their public key, and check its fingerprint with them")
            try:
                raw_signature = base64.b64decode(signature.strip(), validate=True)
            except ValueError:
                raw_signature = b""
            if not verifies(keys[sender], raw_signature, text):
                raise PackageRefused(f"{path.name}: the signature of {MANIFEST} does not verify with the sender's "
                                     f"key {sender[:16]}…; the package was altered after it was signed")
            if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
                raise PackageRefused(f"{path.name}: format {manifest.get('format')!r} version "
                                     f"{manifest.get('format_version')!r}; this netgraph reads {FORMAT!r} "
                                     f"version {FORMAT_VERSION}")
            listed = manifest.get("files") or {}
            missing = sorted(set(listed) - set(names))
            if missing:
                raise PackageRefused(f"{path.name}: {missing[0]} (listed in the manifest) is missing; the package is "
                                     "incomplete or was altered")
            extra = sorted(set(names) - set(listed) - {MANIFEST, SIGNATURE})
            if extra:
                raise PackageRefused(f"{path.name}: holds {extra[0]}, which the signed manifest does not list; it "
                                     "was altered")
            files = {}
            for name, expected in sorted(listed.items()):
                if sizes[name] != expected.get("bytes") or sizes[name] > MAX_FILE_BYTES:
                    raise PackageRefused(f"{path.name}: {name} is {sizes[name]} bytes, the manifest says "
                                         f"{expected.get('bytes')}; it was altered")
                data = _read(archive, path, name)
                if hashlib.sha256(data).hexdigest() != expected.get("sha256"):
                    raise PackageRefused(f"{path.name}: {name} does not match its SHA-256 in the manifest; it "
                                         "was altered")
                files[name] = data
    except zipfile.BadZipFile:
        raise PackageRefused(f"{path.name}: not a readable zip file; it is damaged or not a case package") from None
    return VerifiedPackage(path, manifest, hashlib.sha256(text).hexdigest(), files)


def _read(archive: zipfile.ZipFile, path: Path, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):  # e.g. a CRC that does not match
        raise PackageRefused(f"{path.name}: {name} cannot be read intact (damaged or altered)") from None


@dataclass
class ImportReport:
    """What :func:`import_package` found new (and what resolution links to people the store held)."""
    package: str
    manifest_sha256: str
    sender_key: str
    recipient: str
    release_level: int
    agencies: list[str]
    records_new: int
    records_known: int
    people_new: pd.DataFrame  # id, name
    people_known: int
    seizures_new: pd.DataFrame  # id, name, date
    ties_new: dict[str, int]  # relationship type → relationships new to the store
    people_tied: pd.DataFrame  # a, b: pairs of people (one of them imported) tied now and not before
    ties_more_evidence: dict[str, int]  # type → relationships the store held that gained records
    linked: pd.DataFrame  # imported person, local person (and names): resolution puts them together
    collisions: pd.DataFrame  # record (imported), local: a record held here with its source and id, kept apart
    withheld: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.records_new or len(self.people_new) or len(self.seizures_new) or any(self.ties_new.values())
                    or any(self.ties_more_evidence.values()) or len(self.people_tied))

    def summary(self) -> str:
        lines = [f"{self.package}: signed by key {self.sender_key[:16]}… for {self.recipient}, release level "
                 f"{self.release_level}; agencies {', '.join(self.agencies) or 'none named'}",
                 f"records: {self.records_new} new, {self.records_known} already held, {len(self.collisions)} "
                 "with the id of a record held here (kept apart)",
                 f"people: {len(self.people_new)} new, {self.people_known} already held",
                 f"seizures and other events: {len(self.seizures_new)} new",
                 f"pairs of people newly tied (a shared seizure, phone, account, organisation or conveyance): "
                 f"{len(self.people_tied)}",
                 "ties new: " + (", ".join(f"{t} {n}" for t, n in self.ties_new.items() if n) or "none"),
                 "ties with new evidence: " + (", ".join(f"{t} {n}" for t, n in self.ties_more_evidence.items() if n)
                                               or "none")]
        for row in self.collisions.itertuples(index=False):
            lines.append(f"  record {row.record} kept apart from {row.local} held here (same source and id)")
        for row in self.people_new.itertuples(index=False):
            lines.append(f"  new person: {row.name} ({row.id})")
        for row in self.linked.itertuples(index=False):
            lines.append(f"  resolution links {row.imported_name} ({row.imported}) to {row.local_name} ({row.local}) "
                         "held here")
        if self.withheld:
            lines.append("withheld by the sender: " + ", ".join(f"{k} {v}" for k, v in self.withheld.items()))
        if not self.changed:
            lines.append("nothing new: the store held all of it already")
        lines += self.notes
        return "\n".join(lines)


def import_package(store: GraphStore, path: str | Path, trusted, link: bool = True,
                   user: str | None = None) -> ImportReport:
    """Verify the package at ``path`` against the ``trusted`` public keys, merge it into ``store`` and log the
    import; with ``link``, report the imported people that entity resolution would put together with people
    the store held (nothing is written for that: run `netgraph resolve` to keep it).

    >>> report = import_package(store, "case.ngpkg", trusted=["keys/vn.pub"])   # doctest: +SKIP
    >>> report.people_new                                                        # doctest: +SKIP
    """
    path = Path(path)
    try:
        package = verify_package(path, trusted)
        batch, tables, keys = _batch(package)
    except PackageError as exc:
        log_exchange(store, "import", {}, None, path.name, f"refused: {exc}", user=user)
        raise
    manifest = package.manifest
    records = tables["Record"]
    held = set(store.stored_records([*records["id"], *keys["base"]])["id"])
    known_records = set(records["id"]) & held
    collisions = keys.loc[keys["base"].isin(held) & (keys["base"] != keys["id"]), ["id", "base"]]
    new_records = [r for r in records["id"] if r not in known_records]
    if new_records:  # the records new here came with this package (the ones held already stay as they were)
        batch.add_nodes("Record", pd.DataFrame({"id": new_records, "package": package.manifest_sha256,
                                                "record": new_records}))
    persons_before = set(store.node_properties("Person")["id"]) if "Person" in tables else set()
    events_before = set(store.node_properties("Seizure")["id"]) if "Seizure" in tables else set()
    rel_frames = {t: f for t, f in tables.items() if t in REL_TYPES}
    before = {t: _tie_sources(store.edge_frame(t), t) for t in rel_frames if t in ASSERTED_REL_TYPES}
    people = tables.get("Person", pd.DataFrame(columns=["id", "name"]))
    tied_before = _tied(store, set(people["id"])) if persons_before else set()
    store.write(batch)
    tied = sorted(tuple(sorted(p)) for p in _tied(store, set(people["id"])) - tied_before)
    events = tables.get("Seizure", pd.DataFrame(columns=["id", "name", "date"]))
    ties_new, ties_more = {}, {}
    for rel_type, held in before.items():
        frame = rel_frames[rel_type]
        mine = _tie_sources(frame.rename(columns={"from": "source", "to": "target"}), rel_type)
        ties_new[rel_type] = sum(k not in held for k in mine)
        ties_more[rel_type] = sum(k in held and not mine[k] <= held[k] for k in mine)
    report = ImportReport(path.name, package.manifest_sha256, manifest["sender_key"], manifest.get("recipient", ""),
                          manifest.get("release_level"), manifest.get("counts", {}).get("agencies", []),
                          len(new_records), len(known_records),
                          people.loc[~people["id"].isin(persons_before), ["id", "name"]].reset_index(drop=True),
                          int(people["id"].isin(persons_before).sum()),
                          events.loc[~events["id"].isin(events_before), ["id", "name", "date"]].reset_index(drop=True),
                          ties_new, pd.DataFrame(tied, columns=["a", "b"]), ties_more, _empty_links(),
                          collisions.set_axis(["record", "local"], axis=1).reset_index(drop=True),
                          manifest.get("withheld", {}))
    if link and len(people):
        report.linked = _linked(store, set(people["id"]), persons_before - set(people["id"]), report.notes)
    summary = {"records_new": report.records_new, "people_new": len(report.people_new),
               "seizures_new": len(report.seizures_new), "ties_new": sum(ties_new.values()),
               "ties_more_evidence": sum(ties_more.values()), "people_tied": len(tied), "linked": len(report.linked),
               "records_kept_apart": len(collisions)}
    log_exchange(store, "import", manifest, package.manifest_sha256, path.name, "done", summary, user)
    return report


def _batch(package: VerifiedPackage) -> tuple[GraphBatch, dict[str, pd.DataFrame], pd.DataFrame]:
    """The package's facts as one batch (for the store's own merge), its tables by label and type, and its
    records' keys (:func:`_namespaced`); every record, and every fact citing it, in its origin's namespace."""
    name = package.path.name
    tables, asserts = _tables(package)
    keys = _namespaced(tables["Record"], package.manifest["sender_key"])
    record = dict(zip(keys["sent"], keys["id"]))
    origin = dict(zip(tables["Record"]["source"].fillna("").astype(str), keys["source"]))
    tables["Record"] = tables["Record"].assign(id=keys["id"].to_numpy(), source=keys["source"].to_numpy())
    asserts = asserts.assign(record=_renamed(name, record, asserts["record"], ASSERTS_FILE))
    event = {i: _event_key(i, origin) for label in EVENT_LABELS if label in tables for i in tables[label]["id"]}
    for label in EVENT_LABELS:  # a seizure keyed by its source and record id: the record's namespace
        if label in tables:
            tables[label] = tables[label].assign(id=tables[label]["id"].map(event))
    asserts = asserts.assign(id=[event.get(i, i) if lab in EVENT_LABELS else i
                                 for i, lab in zip(asserts["id"], asserts["label"])])
    mention = {}
    if "Mention" in tables:
        mentions = tables["Mention"]
        new = _renamed(name, record, mentions["record"], "nodes/Mention.parquet")
        mention = {m: _mention_key(m, old, r) for m, old, r in zip(mentions["id"], mentions["record"], new)}
        tables["Mention"] = mentions.assign(id=mentions["id"].map(mention), record=new)
    batch = GraphBatch()
    for kind, frame in tables.items():
        if kind in REL_TYPES:
            frame = frame.assign(sources=[None if s is None else _renamed(name, record, s, f"{kind} sources")
                                          for s in frame["sources"]])
            if kind == "REFERS_TO":
                frame = frame.assign(**{"from": _renamed(name, mention, frame["from"], "REFERS_TO")})
            for end in ("from", "to"):
                frame = frame.assign(**{end: [event.get(i, i) if lab in EVENT_LABELS else i
                                              for i, lab in zip(frame[end], frame[f"{end}_label"])]})
            tables[kind] = frame
            spec = REL_TYPES[kind]
            for (a, b), part in frame.groupby(["from_label", "to_label"], sort=True):
                part = part.assign(record=part["sources"].map(lambda s: s if s is not None else [None]))
                batch.add_rels((kind, a, b), part.explode("record")[["from", "to", *spec.properties, "record"]])
        elif kind == "Record":
            batch.add_nodes(kind, frame.assign(record=frame["id"], package=None))
        elif kind == "Mention":
            batch.add_nodes(kind, frame)
        elif NODE_TYPES[kind].sources_from == ASSERTED:
            pairs = asserts[asserts["label"] == kind][["id", "record"]]
            batch.add_nodes(kind, frame.merge(pairs, on="id", how="left"))
    return batch, tables, keys


def _tables(package: VerifiedPackage) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The package's tables by label and type, checked against the schema, and its ASSERTS pairs."""
    tables, name = {}, package.path.name
    asserts = package.table(ASSERTS_FILE) if ASSERTS_FILE in package.files else pd.DataFrame(
        columns=["record", "label", "id"])
    for file in sorted(package.files):
        if file.startswith("nodes/"):
            label = file.removeprefix("nodes/").removesuffix(".parquet")
            if label not in NODE_TYPES or label in ("Load", "Exchange"):
                raise PackageError(f"{name}: {file}: no node label {label!r} can be imported")
            tables[label] = package.table(file)
            _check_columns(name, file, tables[label], NODE_TYPES[label].all_properties)
        elif file.startswith("relationships/"):
            rel_type = file.removeprefix("relationships/").removesuffix(".parquet")
            if rel_type not in ASSERTED_REL_TYPES and rel_type != "REFERS_TO":
                raise PackageError(f"{name}: {file}: no relationship type {rel_type!r} can be imported")
            tables[rel_type] = package.table(file)
            _check_columns(name, file, tables[rel_type], _rel_types(rel_type))
            for a, b in tables[rel_type][["from_label", "to_label"]].drop_duplicates().to_numpy():
                if (a, b) not in REL_TYPES[rel_type].pairs:
                    raise PackageError(f"{name}: {file}: {rel_type} does not go from {a} to {b}")
        elif file != ASSERTS_FILE:
            raise PackageError(f"{name}: {file} is not a table this netgraph reads")
    if "Record" not in tables:
        raise PackageError(f"{name}: the package holds no records")
    return tables, asserts


def _namespaced(records: pd.DataFrame, sender_key: str) -> pd.DataFrame:
    """Each record's key as sent (``sent``); in its origin's namespace (``id``, ``source``: the sender's source
    and ``@`` the first 16 hex digits of the sender's key, or the origin a record the sender had imported
    already carries); and as a record loaded here would be keyed (``base``)."""
    sent = records["id"].astype(str)
    source = records["source"].fillna("").astype(str)
    relayed = source.str.contains(ORIGIN)
    origin = source.where(relayed, source + "@" + sender_key[:16])
    rest = pd.Series([k.removeprefix("record:").removeprefix(f"{s}:") for k, s in zip(sent, source)],
                     index=records.index)
    base = ("record:" + source.str.replace(ORIGIN, "", regex=True) + ":" + rest).where(relayed, sent)
    return pd.DataFrame({"sent": sent, "id": "record:" + origin + ":" + rest, "source": origin, "base": base})


def _event_key(key: str, origin: dict) -> str:
    """An event's key (``seizure:CEN:T-2``) in the namespace of its source's origin (``seizure:CEN@3f9a…:T-2``),
    so that it never merges with an event of a record loaded here."""
    kind, source, rest = (key.split(":", 2) + ["", ""])[:3]
    return f"{kind}:{origin[source]}:{rest}" if source in origin and rest else key


def _mention_key(mention: str, sent: str, record: str) -> str:
    """A mention's key under its record's key in the namespace (``mention:<record key>:…``)."""
    prefix = "mention:" + record.removeprefix("record:") + ":"
    return mention if mention.startswith(prefix) else \
        prefix + mention.removeprefix("mention:" + sent.removeprefix("record:") + ":").removeprefix("mention:")


def _renamed(name: str, keys: dict, values, what: str) -> list:
    """``values`` by their new keys; refuses a key the package does not hold (it would name one held here)."""
    missing = [v for v in values if v not in keys]
    if missing:
        raise PackageError(f"{name}: {what} names {missing[0]!r}, which the package does not hold")
    return [keys[v] for v in values]


def _check_columns(name: str, file: str, frame: pd.DataFrame, types: dict) -> None:
    unknown = sorted(set(frame.columns) - set(types))
    missing = sorted(set(types) - set(frame.columns))
    if unknown or missing:
        raise PackageError(f"{name}: {file}: columns {unknown or missing} are not this netgraph's schema "
                           f"({'unknown' if unknown else 'missing'}); the sender's netgraph may be newer")


def _tie_sources(frame: pd.DataFrame, rel_type: str) -> dict[tuple, set]:
    """Each relationship (ends and identity) → its records."""
    identity = REL_TYPES[rel_type].identity
    keys = zip(frame["source"], frame["target"], *[frame[p].map(_plain) for p in identity])
    return {k: set(s) if s is not None else set() for k, s in zip(keys, frame["sources"])}


def _plain(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(int(value)) \
        if isinstance(value, (float, np.floating, int, np.integer)) else str(value)


def _tied(store: GraphStore, people: set) -> set[frozenset]:
    """Pairs of people, one of them in ``people``, that share a seizure or other event, a phone, an account, an
    organisation or a conveyance in ``store`` (the ties of :func:`~netgraph.analysis.network.person_network`)."""
    if not people:
        return set()
    member = memberships(store)
    hubs = member.loc[member["person"].isin(list(people)), "hub"].unique().tolist()
    pairs = set()
    for _, members in member[member["hub"].isin(hubs)].groupby("hub")["person"]:
        members = set(members)
        pairs |= {frozenset((a, b)) for a in members & people for b in members if a != b}
    return pairs


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(columns=["imported", "imported_name", "local", "local_name"])


def _linked(store: GraphStore, imported: set, local: set, notes: list) -> pd.DataFrame:
    """Imported people that entity resolution clusters with people the store held before the import."""
    if not local:
        return _empty_links()
    try:
        clusters = resolve(store, write=False).clusters
    except Exception as exc:  # resolution is a report here: its failure leaves the import as it is
        notes.append(f"entity resolution could not run ({type(exc).__name__}); run `netgraph resolve`")
        return _empty_links()
    names = store.node_properties("Person").set_index("id")["name"]
    root = dict(zip(clusters["id"], clusters["resolved_id"]))
    members: dict[str, list] = {}
    for person, cluster in root.items():
        members.setdefault(cluster, []).append(person)
    rows = sorted({(p, q) for p in imported for q in members.get(root.get(p), []) if q in local})
    return pd.DataFrame([(p, names.get(p, ""), q, names.get(q, "")) for p, q in rows],
                        columns=["imported", "imported_name", "local", "local_name"])


# --- the audit log ----------------------------------------------------------------------------------------
def log_exchange(store: GraphStore, direction: str, manifest: dict, manifest_sha256: str | None, file: str,
                 status: str, summary: dict | None = None, user: str | None = None) -> str:
    """Write one ``Exchange`` node (an export or an import, done or refused); return its id."""
    at = _now()
    key = f"exchange:{direction}:{at}:{uuid.uuid4().hex[:12]}"
    props = {"name": f"{direction} {file}", "direction": direction, "at": at, "user": user or _user(),
             "recipient": manifest.get("recipient"), "sender_key": manifest.get("sender_key"),
             "scope": json.dumps(manifest["scope"], ensure_ascii=False, sort_keys=True) if "scope" in manifest
             else None, "release_level": manifest.get("release_level"), "manifest_sha256": manifest_sha256,
             "file": file, "status": status[:2000],
             "summary": json.dumps(summary or manifest.get("counts") or {}, ensure_ascii=False, sort_keys=True),
             "netgraph_version": netgraph_version()}
    batch = GraphBatch()
    batch.node("Exchange", key, props, None)
    store.write(batch)
    return key


def package_log(store: GraphStore) -> pd.DataFrame:
    """Every export and import of a case package logged in ``store``, oldest first.

    >>> package_log(store)[["at", "direction", "recipient", "release_level", "status"]]   # doctest: +SKIP
    """
    frame = store.node_properties("Exchange")
    return frame.reindex(columns=LOG_COLUMNS).sort_values(["at", "id"], ignore_index=True)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def _iso(value) -> str | None:
    return None if value is None else str(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
