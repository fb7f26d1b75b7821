"""The POLE+ data model of netgraph: node labels, relationship types and their properties.

An event's ``date`` is its first possible day (``date_precision``: known to the day, month or year; a range
ends at ``date_end``); where its record gives several dates, ``date`` is the earliest and ``dates`` lists
every one as written, in ISO 8601 at its own precision (``2013``, ``2013-05``, ``2013-03-10/2013-03-12``).

Every node has ``id`` (a deterministic key) and ``name`` (for display). Provenance: a ``Record`` is one row
of one source file and carries the provenance and intelligence grading of everything it asserts. A
relationship lists its records in ``sources`` (bounded by the records of one tie). A node's records are
``ASSERTS`` relationships from each ``Record`` to it, one per record, so a hub that most records name (a
country, an airport, a commodity) holds no list that grows with the data; stores give them back as the
node's ``sources`` when read; so does ``LOCATED_IN``, whose records are those of the place it starts from.
A ``Mention`` keeps what the record said, apart from the entity it is attached
to (``REFERS_TO``), so that entity resolution can merge and split entities without losing what the records
said.

Both stores create their schema from this module; nothing else names a label or a type.

>>> NODE_TYPES["Person"].properties["nationality"]
'STRING'
>>> ("Person", "Seizure") in REL_TYPES["INVOLVED_IN"].pairs
True
>>> ("Record", "Location") in REL_TYPES["ASSERTS"].pairs
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

COMMON_NODE_PROPERTIES = {"id": "STRING", "name": "STRING"}
ASSERTED = "asserts"  # a node whose records are ASSERTS relationships from them


@dataclass(frozen=True)
class NodeType:
    label: str
    doc: str
    properties: dict[str, str] = field(default_factory=dict)
    #: where the node's records come from: ASSERTS relationships, or the property that names its one record
    #: (a Record is its own; a Mention names it), or None (a Load is bookkeeping, asserted by no record)
    sources_from: str | None = ASSERTED
    #: properties that a later fact may change: "max" keeps the highest value (a handling code is never
    #: lowered by a load), "last" takes the latest non-null one; any other property keeps its first value
    merge: dict[str, str] = field(default_factory=dict)

    @property
    def all_properties(self) -> dict[str, str]:
        return {**COMMON_NODE_PROPERTIES, **self.properties}


@dataclass(frozen=True)
class RelType:
    type: str
    doc: str
    pairs: tuple[tuple[str, str], ...]
    properties: dict[str, str] = field(default_factory=dict)
    identity: tuple[str, ...] = ()  # properties that, with both ends, make a relationship distinct
    #: whether it lists the records behind it in ``sources``; if not, its records are those of its from-node
    #: (ASSERTS is itself provenance: its record; a place lies in its country for every record naming the place)
    sources: bool = True

    @property
    def all_properties(self) -> dict[str, str]:
        return {**self.properties, "sources": "STRING[]"} if self.sources else dict(self.properties)


ENTITY_LABELS = ("Person", "Organization", "Phone", "Vehicle", "Vessel", "Flight", "Account", "Document")
CONVEYANCE_LABELS = ("Vehicle", "Vessel", "Flight")
EVENT_LABELS = ("Seizure", "Arrest", "Prosecution", "Conviction")
SEIZURE_EVENT = "seizure"  # the kind of event a Seizure node is unless its mapping says otherwise
OTHER_LINKS = ("phone", "account", "organization", "conveyance")  # kinds of person link that are not events

_NODES = [
    NodeType("Person", "A natural person named in a record (one node per spelling as loaded; "
             "``resolved_id`` names the person entity resolution assigns it to).",
             {"nationality": "STRING", "passport": "STRING", "birth_date": "DATE", "resolved_id": "STRING"}),
    NodeType("Organization", "A company, trading house or shipping agent.", {"kind": "STRING", "country": "STRING"}),
    NodeType("Location", "A country (ISO-3166 alpha-2 in `country`), province, city, port, airport, border "
             "crossing or region; `province`: its ISO 3166-2 subdivision, `gazetteer_id`: where its coordinates "
             "come from (geonames:…, icao:…, iso3166-2:…, curated), `resolved_by`: how the text was placed (exact, "
             "alias, airport code, province-constrained, most populous, spelling-corrected, file coordinates; "
             "unplaced: no coordinates), `confidence`: how sure (0–1), `note`: the choice made, or why the text "
             "stays unplaced.",
             {"kind": "STRING", "country": "STRING", "lat": "DOUBLE", "lon": "DOUBLE", "province": "STRING",
              "gazetteer_id": "STRING", "resolved_by": "STRING", "confidence": "DOUBLE", "note": "STRING"}),
    NodeType("Phone", "A telephone number as written, lightly normalised."),
    NodeType("Vehicle", "A road vehicle, keyed by plate."),
    NodeType("Vessel", "A ship or boat."),
    NodeType("Flight", "A flight, as the record names it: a flight number or, failing that, the airline."),
    NodeType("Account", "A bank or payment account."),
    NodeType("Document", "A permit, bill of lading or airway bill.", {"kind": "STRING"}),
    NodeType("Seizure", "An event that a record reports (``event``: its kind, ``seizure`` unless the mapping "
             "declares another, e.g. meeting, call, transaction, summit; ``commodity_text``: what was seized, as the "
             "record wrote it; ``value``: its declared worth, in ``value_currency`` (ISO 4217); ``purpose``: what it was "
             "for, in the words of loaders/vocab/purposes.yaml (sale, food, medicine, pet, ornament …) or as written).",
             {"event": "STRING", "date": "DATE", "date_end": "DATE", "date_precision": "STRING", "dates": "STRING[]",
              "agency": "STRING", "country": "STRING",
              "transport_mode": "STRING", "detection_method": "STRING", "concealment": "STRING",
              "weight_kg": "DOUBLE", "pieces": "DOUBLE",
              "joint_with": "STRING", "commodity_text": "STRING",
              "value": "DOUBLE", "value_currency": "STRING", "purpose": "STRING"}),
    NodeType("Arrest", "The arrests that followed a seizure (``people``: how many).",
             {"date": "DATE", "dates": "STRING[]", "people": "INT64"}),
    NodeType("Prosecution", "A prosecution that followed a seizure: the court case (``case_number`` as the "
             "court wrote it; ``judgement_date`` and its ``judgement_date_precision``: day, month or year).",
             {"date": "DATE", "dates": "STRING[]", "case_number": "STRING", "judgement_date": "DATE", "judgement_date_precision": "STRING"}),
    NodeType("Conviction", "A conviction that followed a prosecution.",
             {"date": "DATE", "dates": "STRING[]", "sentence": "STRING"}),
    NodeType("Commodity", "A taxon and product, e.g. Manis javanica / scales (``cites_appendix``: I, II, III or "
             "I/II where split). Text that names no known taxon is kept as written, keyed "
             "``commodity:unmatched:<text>``, with no taxon.",
             {"taxon": "STRING", "product": "STRING", "cites_appendix": "STRING"}),
    NodeType("Record", "One row of one source (and the rows continuing it, where its mapping says so): "
             "provenance and intelligence grading of what it asserts (``package``: the SHA-256 of the manifest of the case package that brought it from another agency; "
             "empty for records loaded here; ``rows``: where records continue over several rows, the rows of the "
             "record that loaded, e.g. '12, 13, 15'; its seizure ``<id>#k`` is its k-th row of the file; "
             "``record_date`` is the first day it may be, ``record_date_end`` the last where that is another day "
             "(a date known to the year or month, or a range), ``record_date_precision`` day, month or year).",
             {"source": "STRING", "file": "STRING", "row": "INT64", "record_id": "STRING", "agency": "STRING",
              "country": "STRING", "record_date": "DATE", "record_date_end": "DATE", "record_date_precision": "STRING",
              "reliability": "STRING", "validity": "INT64",
              "handling": "INT64", "package": "STRING", "rows": "STRING"}, sources_from="id",
             merge={"handling": "max", "reliability": "last", "validity": "last"}),
    NodeType("Mention", "What one record said about an entity, as written.",
             {"record": "STRING", "field": "STRING", "text": "STRING", "label": "STRING"}, sources_from="record"),
    NodeType("Load", "One load of one file with one mapping (``status``: ``incomplete`` until its last row is "
             "written; loading the file again completes it; ``options_sha256``: of the mapping's content and the "
             "encoding and delimiter asked for; ``finished``: when it completed, UTC ISO 8601).",
             {"file": "STRING", "mapping": "STRING", "file_sha256": "STRING", "encoding": "STRING",
              "read": "INT64", "loaded": "INT64", "rejected": "INT64", "rejects_file": "STRING",
              "conflicts": "INT64", "conflicts_file": "STRING", "status": "STRING", "netgraph_version": "STRING",
              "options_sha256": "STRING", "finished": "STRING"},
             sources_from=None, merge=dict.fromkeys(("read", "loaded", "rejected", "rejects_file", "conflicts",
                                                     "conflicts_file", "status", "netgraph_version",
                                                     "options_sha256", "finished"), "last")),
    NodeType("Exchange", "One export or import of a case package (audit log): ``direction``, ``at`` (UTC, ISO "
             "8601), ``user``, ``recipient``, ``sender_key`` (the signing key's fingerprint), ``scope`` (JSON), "
             "``release_level``, ``manifest_sha256``, ``file``, ``status`` (done, or why an import was refused), "
             "``summary`` (JSON counts).",
             {"direction": "STRING", "at": "STRING", "user": "STRING", "recipient": "STRING", "sender_key": "STRING",
              "scope": "STRING", "release_level": "INT64", "manifest_sha256": "STRING", "file": "STRING",
              "status": "STRING", "summary": "STRING", "netgraph_version": "STRING"}, sources_from=None),
]
NODE_TYPES: dict[str, NodeType] = {n.label: n for n in _NODES}

_ROUTE_PAIRS = (("Seizure", "Location"),)
_RELS = [
    RelType("INVOLVED_IN", "A person or organisation took part in a seizure in a role "
            "(suspect, courier, owner, consignor, consignee, buyer…); ``fine``: the fine the court imposed on them, "
            "in ``fine_currency`` (ISO 4217).",
            (("Person", "Seizure"), ("Organization", "Seizure")),
            {"role": "STRING", "fine": "DOUBLE", "fine_currency": "STRING"}, ("role",)),
    RelType("SEIZED", "What a seizure took, with weight (kg) and count (pieces) where the record attributes "
            "them to this commodity (otherwise only the Seizure holds the totals).",
            (("Seizure", "Commodity"),), {"weight_kg": "DOUBLE", "pieces": "DOUBLE"}),
    RelType("AT", "Where a seizure took place.", _ROUTE_PAIRS),
    RelType("ORIGIN", "A route leg: where the consignment came from (position = place in the route, from 1).",
            _ROUTE_PAIRS, {"position": "INT64"}, ("position",)),
    RelType("TRANSIT", "A route leg: where the consignment passed through.", _ROUTE_PAIRS, {"position": "INT64"},
            ("position",)),
    RelType("DESTINATION", "A route leg: where the consignment was going.", _ROUTE_PAIRS, {"position": "INT64"},
            ("position",)),
    RelType("USES", "A person or organisation uses a phone or an account.",
            (("Person", "Phone"), ("Person", "Account"), ("Organization", "Phone"), ("Organization", "Account"))),
    RelType("WORKS_FOR", "A person works for an organisation.", (("Person", "Organization"),)),
    RelType("DIRECTS", "A person directs an organisation.", (("Person", "Organization"),)),
    RelType("NATIONAL_OF", "A person's nationality.", (("Person", "Location"),)),
    RelType("CONVEYED_BY", "The vehicle, vessel or flight that carried the consignment.",
            tuple(("Seizure", c) for c in CONVEYANCE_LABELS)),
    RelType("DOCUMENTED_BY", "A document that accompanied the consignment.", (("Seizure", "Document"),)),
    RelType("LOCATED_IN", "A place lies in a larger place (city in country); its records are the place's (a "
            "tie every record naming a place would list has no ``sources`` of its own).", (("Location", "Location"),),
            sources=False),
    RelType("FOLLOWED_BY", "An enforcement outcome that followed a seizure or another outcome.",
            (("Seizure", "Arrest"), ("Seizure", "Prosecution"), ("Prosecution", "Conviction"))),
    RelType("REFERS_TO", "A mention refers to the entity it is attached to.",
            tuple(("Mention", label) for label in ENTITY_LABELS)),
    RelType("SAME_AS", "Entity resolution linked two spellings as one person: score, threshold, the fields "
            "that agreed and who decided (model, rule or analyst).", (("Person", "Person"),),
            {"score": "DOUBLE", "threshold": "DOUBLE", "agreed": "STRING[]", "decided_by": "STRING"}),
    RelType("ASSERTS", "A record asserts a node (the node's provenance; relationships list theirs in "
            "``sources``).", tuple(("Record", n.label) for n in _NODES if n.sources_from == ASSERTED),
            sources=False),
    RelType("SUSPECTED_LINK", "A lead from link prediction: NOT asserted by any record. Its sources are the "
            "records behind the ties that suggest it.", (("Person", "Person"),),
            {"method": "STRING", "score": "DOUBLE", "created": "DATE", "netgraph_version": "STRING"}, ("method",)),
]
REL_TYPES: dict[str, RelType] = {r.type: r for r in _RELS}

ROUTE_TYPES = ("ORIGIN", "TRANSIT", "DESTINATION")
# relationships that records assert about the world (not bookkeeping, not leads)
ASSERTED_REL_TYPES = tuple(t for t in REL_TYPES if t not in ("REFERS_TO", "ASSERTS", "SAME_AS", "SUSPECTED_LINK"))
RELIABILITY_GRADES = ("A", "B", "C", "D", "E")  # A = always reliable … E = untested
RESTRICTED_HANDLING = (4, 5)  # 5x5x5 handling codes that forbid dissemination outside the originator


def check_label(label: str) -> str:
    """Return ``label`` if the schema has it, else raise ``ValueError`` (labels are never user data)."""
    if label not in NODE_TYPES:
        raise ValueError(f"unknown node label {label!r}; known: {', '.join(NODE_TYPES)}")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if the schema has it, else raise ``ValueError``."""
    if rel_type not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}; known: {', '.join(REL_TYPES)}")
    return rel_type


def describe() -> str:
    """The data model as Markdown (used by the README and ``netgraph schema``)."""
    lines = ["| label | properties | meaning |", "|---|---|---|"]
    for n in _NODES:
        lines.append(f"| `{n.label}` | {', '.join(n.all_properties)} | {n.doc} |")
    lines += ["", "| relationship | from → to | properties | meaning |", "|---|---|---|---|"]
    for r in _RELS:
        pairs = "; ".join(f"{a}→{b}" for a, b in r.pairs)
        lines.append(f"| `{r.type}` | {pairs} | {', '.join(r.all_properties)} | {r.doc} |")
    return "\n".join(lines)
