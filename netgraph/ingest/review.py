"""Review instead of guessing: the places, species and organisations a store holds that were read with low
confidence or not at all, with their counts and candidates, and the analyst's decisions that loads apply.

A decisions file is a CSV of ``kind`` (place, species, organisation), ``text`` (as the review lists it),
``decision`` and optional ``decided_by`` and ``note``. A place's decision is a place as the gazetteer reads it
(``Yulin, Shaanxi``, ``HAN``) or ``none`` (keep it as written, unplaced); a species' is a taxon of
``loaders/vocab/commodities.yaml`` or ``none``; an organisation's the name it stands for.
``load_file(..., decisions=FILE)`` applies them (:func:`vocab.decided`): a decided place says ``resolved_by:
analyst: <decided_by>`` on its node, an organisation's spelling becomes the company decided, and the facts the
load's records held under the old reading go.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import fuzz, process

from ..resources import NetgraphError
from ..schema import REL_TYPES
from ..store.base import GraphStore
from . import gazetteer, species, vocab
from .legal_forms import company_key
from .vocab import normalise

KINDS = {"place": "Location", "species": "Commodity", "organisation": "Organization"}
COLUMNS = ["kind", "text", "decision", "decided_by", "note"]
ANALYST = "analyst"  # how a decided place's ``resolved_by`` begins
UNCERTAIN_HOW = ("spelling-corrected",)  # species readings to review (see species.CommodityRef.how)
ENTRY = r"[;\n]"  # a commodity cell's entries, as the shipped mappings separate them
SURE_BELOW = 0.95  # a gazetteer confidence (0–1) below this is listed for review
SURE_HOW = {"exact", "alias", "airport code"}  # how the gazetteer found a place (resolved_by) when sure of it


class DecisionsError(NetgraphError, ValueError):
    """A review decisions file that cannot be applied: names its file, row and column."""


@dataclass(frozen=True)
class Decision:
    kind: str
    text: str
    decision: str
    decided_by: str = ""
    note: str = ""

    @property
    def none(self) -> bool:
        return self.decision.casefold() == "none"

    @property
    def how(self) -> str:
        """What a decided place's ``resolved_by`` says."""
        return f"{ANALYST}: {self.decided_by or 'unnamed'}" + (f" ({self.note})" if self.note else "")


@dataclass
class Decisions:
    """An analyst's decisions by kind and folded text; ``applied`` collects, during a load, (label, text,
    key read before, key decided) for each one applied."""
    path: str
    by_kind: dict[str, dict[str, Decision]]
    applied: set = field(default_factory=set)

    def get(self, kind: str, *texts: str) -> Decision | None:
        found = self.by_kind.get(kind, {})
        return next((found[t] for t in map(normalise, texts) if t in found), None)

    def place(self, text: str, ref: vocab.PlaceRef, kind: str | None = None) -> vocab.PlaceRef:
        """The place an analyst decided ``text`` (read as ``ref``) is; ``ref`` if none was decided."""
        d = self.get("place", ref.key, ref.name, text)
        if d is None:
            return ref
        if d.none:
            key = ref.key if ref.lat is None else f"place:{ref.country or '?'}:unplaced:{normalise(text)}"
            new = vocab.PlaceRef(key, text.strip(), kind or "place", ref.country, resolved_by=d.how)
        else:
            new = replace(vocab.read_place(d.decision, "name", kind), resolved_by=d.how)
        self.applied.add(("Location", d.text, ref.key, new.key))
        return new

    def commodity(self, text: str, ref: species.CommodityRef) -> species.CommodityRef:
        """The commodity an analyst decided ``text`` names; ``ref`` if none was decided."""
        d = self.get("species", text)
        if d is None:
            return ref
        if d.none:
            new = species.CommodityRef(species.UNMATCHED + normalise(text), ref.written, None, ref.product, None,
                                       ref.written, ANALYST, note=d.note)
        else:
            taxon = _taxon(d.decision)
            new = species.combined(taxon, ref.product or species.default_product(taxon), ref.written, ANALYST,
                                   ref.product is None, d.note)
        self.applied.add(("Commodity", d.text, ref.key, new.key))
        return new

    def organisation(self, text: str) -> str:
        """The name an analyst decided ``text`` stands for (``none``: as written), folded as keys are."""
        d = self.get("organisation", text)
        if d is None or d.none:
            return normalise(text)
        new = normalise(d.decision)
        self.applied.add(("Organization", d.text, "org:" + normalise(text), "org:" + new))
        return new

    def digest(self) -> str:
        """SHA-256 of the decisions, so that a load with other decisions is no repeat of an earlier one."""
        rows = sorted((k, t, d.decision) for k, found in self.by_kind.items() for t, d in found.items())
        return hashlib.sha256(repr(rows).encode()).hexdigest()


def _taxon(text: str) -> str | None:
    """The taxon of the vocabulary a decision names (any case), or None."""
    return {t.casefold(): t for t in species.vocabulary()["taxa"]}.get(" ".join(text.split()).casefold())


def read_decisions(path: str | Path) -> Decisions:
    """An analyst's review decisions, checked: a mistake names the file, the row (as a spreadsheet numbers
    it, the header being row 1) and the column."""
    path = Path(path)
    if not path.is_file():
        raise DecisionsError(f"{path}: no such review decisions file (columns {','.join(COLUMNS)})")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise DecisionsError(f"{path}: review decisions need columns {COLUMNS[:3]} (missing {missing}); "
                             f"the file has {list(frame.columns)}")
    frame = frame.reindex(columns=COLUMNS, fill_value="").apply(lambda c: c.str.strip())
    by_kind: dict[str, dict[str, Decision]] = {}
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        d = Decision(row.kind.casefold(), row.text, row.decision, row.decided_by, row.note)

        def wrong(column: str, why: str):
            return DecisionsError(f"{path}: row {line}, column {column!r}: {why}")
        if d.kind not in KINDS:
            raise wrong("kind", f"{row.kind!r} is not one of {', '.join(KINDS)}")
        if not normalise(d.text):
            raise wrong("text", "empty: give the text as the review lists it")
        if not d.decision:
            raise wrong("decision", "empty: give " + {"place": "a place (e.g. 'Yulin, Shaanxi') or none",
                                                      "species": "a taxon or none",
                                                      "organisation": "the organisation's name"}[d.kind])
        if d.kind == "species" and not d.none and _taxon(d.decision) is None:
            close = process.extract(d.decision, list(species.vocabulary()["taxa"]), scorer=fuzz.WRatio, limit=3)
            raise wrong("decision", f"{d.decision!r} is not a taxon of loaders/vocab/commodities.yaml (closest: "
                                    f"{', '.join(c for c, *_ in close)}), nor none")
        if d.kind == "place" and not d.none:
            found = vocab.read_place(d.decision)
            if found is None or found.gazetteer_id is None or found.kind == "country":
                raise wrong("decision", f"the gazetteer knows no place {d.decision!r}: name one as it reads places "
                                        "('City, Province', 'City, Country', an airport code), or none")
        key = normalise(d.text)
        held = by_kind.setdefault(d.kind, {}).get(key)
        if held is not None and held.decision != d.decision:
            raise wrong("decision", f"{d.decision!r}, but an earlier row decided {d.kind} {d.text!r} is "
                                    f"{held.decision!r}")
        by_kind[d.kind][key] = d
    return Decisions(str(path), by_kind)


def retire(store: GraphStore, decisions: Decisions, records: list[str]) -> None:
    """What the load's ``records`` held under a reading a decision replaced goes: their ties to the node read
    before and their ``ASSERTS`` of it; the node too when no record asserts it any more. Decided places say
    so (``resolved_by``), also where the node was there before."""
    for label, _, old, new in sorted(decisions.applied):
        if old == new:
            continue
        for rel in (r for r in REL_TYPES.values() if r.sources and any(b == label for _, b in r.pairs)):
            store.query(f"WITH $records AS rs MATCH ()-[e:{rel.type}]->(n:{label} {{id: $old}}) "  # (LadybugDB: no
                        "WHERE all(s IN e.sources WHERE s IN rs) DELETE e", {"old": old, "records": records})  # $ in all)
        store.query(f"MATCH (r:Record)-[a:ASSERTS]->(n:{label} {{id: $old}}) WHERE r.id IN $records DELETE a",
                    {"old": old, "records": records})
        store.query(f"MATCH (n:{label} {{id: $old}}) WHERE NOT EXISTS {{ MATCH (:Record)-[:ASSERTS]->(n) }} "
                    "DETACH DELETE n", {"old": old})
    places = [{"id": new, "how": decisions.get("place", text).how} for label, text, _, new in decisions.applied
              if label == "Location"]
    if places:
        store.query("UNWIND $rows AS r MATCH (n:Location {id: r.id}) SET n.resolved_by = r.how", {"rows": places})


# --- what to review -------------------------------------------------------------------------------
def _uncertain_place(resolved_by, confidence) -> bool:
    """Whether a place's reading is in doubt: a confidence below ``SURE_BELOW`` where the gazetteer gives one,
    else a ``resolved_by`` other than a sure way of finding it (a choice among namesakes, a spelling corrected)."""
    if confidence is not None and not pd.isna(confidence):
        return float(confidence) < SURE_BELOW
    return isinstance(resolved_by, str) and resolved_by not in ("", *SURE_HOW)


def places(store: GraphStore) -> pd.DataFrame:
    """Every place (not a country) with its records and status: placed, uncertain, unplaced, or decided
    (an analyst's ``resolved_by``)."""
    frame = store.node_properties("Location")
    frame = frame[frame["kind"] != "country"]
    counts = store.query("MATCH (r:Record)-[:ASSERTS]->(n:Location) WHERE n.kind <> 'country' "
                         "RETURN n.id AS id, count(r) AS records")
    frame = frame.merge(counts, on="id", how="left").fillna({"records": 0})
    confidence = frame["confidence"] if "confidence" in frame else pd.Series(None, index=frame.index, dtype=object)
    decided = frame["resolved_by"].fillna("").str.startswith(ANALYST)
    doubt = [_uncertain_place(r, c) for r, c in zip(frame["resolved_by"], confidence)]
    frame["status"] = [("decided" if d else "uncertain" if u else "placed") if pd.notna(lat) else
                       ("decided" if d else "unplaced") for lat, d, u in zip(frame["lat"], decided, doubt)]
    return frame.assign(confidence=confidence, records=frame["records"].astype(int),
                        note=frame["note"] if "note" in frame else None)


def _place_candidates(name: str, country: str | None, unplaced: bool) -> str:
    """Places the name may be, each as a decision reads it: one per province of the country holding a place
    of that name; for a place the gazetteer did not find, the place of that name in another country."""
    if unplaced:
        found = gazetteer.lookup(name)
        return f"{name}, {vocab.country_name(found.country)}" if found and found.country != country else ""
    out = {}
    for sub in pycountry.subdivisions.get(country_code=country) or [] if country else []:
        found = gazetteer.lookup(name, country, sub.code)
        if found is not None and found.province == sub.code and found.lat is not None:
            out.setdefault(found.key, f"{name}, {sub.name}")
    return " | ".join(out.values())


def review_places(store: GraphStore) -> pd.DataFrame:
    """Uncertain and unplaced places: text (the node's name), id, country, status, records, how it was read
    (``resolved_by``, ``confidence``, ``note``, where the store holds them) and candidates, most records first."""
    frame = places(store)
    frame = frame[frame["status"].isin(["uncertain", "unplaced"])].copy()
    frame["candidates"] = [_place_candidates(n, c, s == "unplaced") for n, c, s in
                           zip(frame["name"], frame["country"], frame["status"])]
    frame = frame.rename(columns={"name": "text", "resolved_by": "how"})
    return frame[["text", "id", "country", "status", "records", "how", "confidence", "note", "candidates"]].sort_values(
        ["records", "text"], ascending=[False, True], ignore_index=True)


def species_entries(store: GraphStore) -> pd.DataFrame:
    """Each commodity entry of each stored seizure's text (split at ';' and line breaks): seizure, text, key,
    and how the vocabulary reads it (``how``, ``note``, ``taxon``)."""
    texts = store.query("MATCH (s:Seizure) WHERE s.commodity_text IS NOT NULL RETURN s.id AS seizure, "
                        "s.commodity_text AS text")
    entries = texts.assign(text=texts["text"].str.split(ENTRY)).explode("text")
    entries["text"] = entries["text"].str.strip()
    entries["key"] = entries["text"].map(normalise)
    entries = entries[entries["key"] != ""].reset_index(drop=True)
    refs = entries["text"].map(species.commodity)
    return entries.assign(how=refs.map(lambda r: r.how), note=refs.map(lambda r: r.note),
                          taxon=refs.map(lambda r: r.taxon))


def _uncertain_species(entries: pd.DataFrame) -> pd.Series:
    return entries["taxon"].notna() & (entries["how"].isin(UNCERTAIN_HOW) | (entries["note"] != ""))


def _unmatched(store: GraphStore) -> pd.DataFrame:
    """Seizure and text of every tie to a commodity stored as unmatched."""
    found = store.query("MATCH (s:Seizure)-[:SEIZED]->(c:Commodity) WHERE c.id STARTS WITH $prefix "
                        "RETURN s.id AS seizure, c.name AS text", {"prefix": species.UNMATCHED})
    return found.assign(key=found["text"].map(normalise))


def _species_candidates(text: str) -> str:
    """The taxa whose names come closest to a text (scientific, English), as a decision names them."""
    taxa = species.vocabulary()["taxa"]
    names = {n: t for t, e in taxa.items() for n in [t, *(e.get("en") or [])]}
    found = process.extract(text, list(names), scorer=fuzz.WRatio, limit=8, score_cutoff=60)
    return " | ".join(list(dict.fromkeys(names[n] for n, *_ in found))[:3])


def review_species(store: GraphStore, decisions: Decisions | None = None) -> pd.DataFrame:
    """Unmatched commodity texts (stored as ``commodity:unmatched:…``) and uncertain readings (spelling
    corrected, or with a note) not yet decided: text, status, seizures, how, note, candidates."""
    unmatched = _unmatched(store)
    unmatched = unmatched.groupby("key").agg(text=("text", "first"), seizures=("seizure", "nunique")).reset_index()
    refs = unmatched["text"].map(species.commodity)
    unmatched = unmatched.assign(status="unmatched", how=refs.map(lambda r: r.how), note=refs.map(lambda r: r.note))
    entries = species_entries(store)
    doubt = entries[_uncertain_species(entries) & ~entries["key"].isin(unmatched["key"])]
    doubt = doubt.groupby("key").agg(text=("text", "first"), seizures=("seizure", "nunique"), how=("how", "first"),
                                     note=("note", "first")).reset_index().assign(status="uncertain")
    frame = _undecided(pd.concat([unmatched, doubt], ignore_index=True), decisions, "species", "text")
    frame = frame.assign(candidates=frame["text"].map(_species_candidates))
    return frame[["text", "status", "seizures", "how", "note", "candidates"]].sort_values(
        ["seizures", "text"], ascending=[False, True], ignore_index=True)


def review_organisations(store: GraphStore, decisions: Decisions | None = None) -> pd.DataFrame:
    """Organisation names in doubt: spellings that fold to one company (``company_key``), and names one record
    gives that are close to another company's (a typo?): text, id, status, records, candidates."""
    frame = store.node_properties("Organization")[["id", "name"]]
    counts = store.query("MATCH (r:Record)-[:ASSERTS]->(n:Organization) RETURN n.id AS id, count(r) AS records")
    frame = frame.merge(counts, on="id", how="left").fillna({"records": 0}).astype({"records": int})
    frame["key"] = frame["name"].map(company_key)
    frame = frame.sort_values(["records", "name"], ascending=[False, True], ignore_index=True)
    spellings = frame.groupby("key")["name"].agg(list)
    frame["status"] = ["several spellings" if len(spellings[k]) > 1 else "" for k in frame["key"]]
    frame["candidates"] = [" | ".join(n for n in spellings[k] if n != name) for k, name in zip(frame["key"],
                                                                                             frame["name"])]
    keys = list(spellings.index)
    for i in frame.index[(frame["records"] == 1) & (frame["status"] == "")]:
        close = [k for k, *_ in process.extract(frame.at[i, "key"], keys, scorer=fuzz.ratio, limit=4,
                                                 score_cutoff=88) if k != frame.at[i, "key"]]
        if close:
            frame.loc[i, ["status", "candidates"]] = "close to another", " | ".join(spellings[k][0] for k in close)
    frame = _undecided(frame[frame["status"] != ""].rename(columns={"name": "text"}), decisions, "organisation",
                       "text")
    return frame[["text", "id", "status", "records", "candidates"]].reset_index(drop=True)


def _undecided(frame: pd.DataFrame, decisions: Decisions | None, kind: str, *columns: str) -> pd.DataFrame:
    """The rows of ``frame`` no decision of ``kind`` names (by any of ``columns``)."""
    if decisions is None:
        return frame
    return frame[np.array([decisions.get(kind, *texts) is None for texts in zip(*(frame[c] for c in columns))],
                          dtype=bool)]


def review(store: GraphStore, kind: str, decisions: Decisions | None = None) -> pd.DataFrame:
    """What to review of one kind (place, species, organisation), decided values left out."""
    if kind == "place":
        return _undecided(review_places(store), decisions, "place", "id", "text").reset_index(drop=True)
    return review_species(store, decisions) if kind == "species" else review_organisations(store, decisions)


def decision_status(store: GraphStore, decisions: Decisions, kind: str) -> pd.DataFrame:
    """The decisions of one kind and whether the store shows them: ``applied``, ``waiting`` (a load with these
    decisions is still to come), ``not in this store``."""
    rows = list(decisions.by_kind.get(kind, {}).values())
    if kind == "place":
        held = places(store)
        held["text"] = held["name"].map(normalise)
    elif kind == "species":
        unmatched, entries = _unmatched(store), species_entries(store)
    status = []
    held_orgs = set(store.node_properties("Organization")["id"]) if kind == "organisation" else set()
    for d in rows:
        if kind == "organisation":
            old, new = "org:" + normalise(d.text), "org:" + normalise(d.decision)
            status.append("waiting for a load with these decisions" if old in held_orgs and old != new and not d.none
                          else "applied" if new in held_orgs or (d.none and old in held_orgs) else "not in this store")
            continue
        if kind == "place":
            target = None if d.none else vocab.read_place(d.decision).key
            mine = held[(held["id"] == d.text) | (held["text"] == normalise(d.text)) | (held["id"] == target)]
            waiting, seen = mine["status"].isin(["uncertain", "unplaced"]).any(), (mine["status"] == "decided").any()
        else:
            key = normalise(d.text)
            waiting = not d.none and (unmatched["key"] == key).any()
            seen = (entries["key"] == key).any() or (unmatched["key"] == key).any()
        status.append("waiting for a load with these decisions" if waiting else "applied" if seen
                      else "not in this store")
    return pd.DataFrame({"text": [d.text for d in rows], "decision": [d.decision for d in rows],
                         "decided_by": [d.decided_by for d in rows], "status": status})


def summary(store: GraphStore) -> dict[str, dict[str, int]]:
    """Places (not countries) placed, uncertain, unplaced and decided by an analyst; seizures whose commodities
    are all matched, some uncertain, some unmatched."""
    held = places(store)["status"].value_counts()
    entries, unmatched = species_entries(store), set(_unmatched(store)["seizure"])
    seized = set(store.query("MATCH (s:Seizure)-[:SEIZED]->(:Commodity) RETURN DISTINCT s.id AS id")["id"])
    doubt = set(entries.loc[_uncertain_species(entries), "seizure"]) - unmatched
    return {"places": {s: int(held.get(s, 0)) for s in ("placed", "uncertain", "unplaced", "decided")},
            "species": {"matched": len(seized - unmatched - doubt), "uncertain": len(doubt & seized),
                        "unmatched": len(unmatched)}}
