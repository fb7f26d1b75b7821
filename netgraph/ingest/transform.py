"""Turn one source row into graph facts, following a mapping; a bad value rejects the row with a reason.

This is the only place that knows how a seizure record becomes nodes and relationships. Keys are
deterministic (built from the values, never from counters), so loading the same data twice creates
nothing new.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..store.batch import GraphBatch
from . import vocab
from .mapping import Column, Mapping, Party, Place, Quantity
from .vocab import normalise

NULL_TOKENS = {"", "unknown", "n/a", "na", "none", "null", "-", "?", "không rõ", "chưa rõ", "không xác định",
               "不详", "未知"}
ROUTE_SPLIT = re.compile(r"\s*[–—→>]\s*|\s+-\s+")
GRADING = re.compile(r"^([A-E])\s*[-/ ]?\s*([1-5])(?:\s*[-/ ]?\s*([1-5]))?$")
NUMBER_WITH_UNIT = re.compile(r"^(-?\s*\d[\d.,\s]*?)\s*([^\d\s.,][^\d]*)?$")
CONVEYANCE_BY_MODE = {"air": "Flight", "sea": "Vessel", "road": "Vehicle", "rail": "Vehicle"}
CONVEYANCE_KINDS = {"flight": "Flight", "vessel": "Vessel", "ship": "Vessel", "vehicle": "Vehicle",
                    "truck": "Vehicle", "car": "Vehicle"}


class RowRejected(ValueError):
    """A row cannot be loaded; ``column`` and ``reason`` say why."""

    def __init__(self, column: str | None, reason: str):
        super().__init__(f"{column}: {reason}" if column else reason)
        self.column, self.reason = column, reason


def record_key(mapping: Mapping, file_name: str, row: int, record_id: str | None) -> str:
    return f"record:{mapping.source}:{record_id}" if record_id else f"record:{mapping.source}:{file_name}#{row}"


def row_to_facts(row: dict[str, str], mapping: Mapping, file_name: str, batch: GraphBatch | None = None) -> GraphBatch:
    """Graph facts asserted by one row (a dict of column → text with ``__row__``), added to ``batch`` (a new
    one by default), or raise RowRejected, leaving ``batch`` as it was."""
    batch = GraphBatch() if batch is None else batch
    mark = batch.mark()
    try:
        return _RowReader(row, mapping, file_name, batch).facts()
    except RowRejected:
        batch.rollback(mark)
        raise


class _RowReader:
    def __init__(self, row: dict[str, str], mapping: Mapping, file_name: str, batch: GraphBatch):
        self.row, self.m, self.file_name = row, mapping, file_name
        self.batch = batch

    # --- cells ------------------------------------------------------------------------------------
    def text(self, spec: Column | None) -> str:
        if spec is None:
            return ""
        if spec.value is not None:
            return spec.value
        for column in spec.columns():
            value = self.row.get(column, "").strip()
            if value and normalise(value) not in NULL_TOKENS:
                return value
        if spec.required:
            raise RowRejected(spec.column, "required value is empty")
        return ""

    def items(self, text: str) -> list[str]:
        parts = [p.strip() for p in text.split(self.m.list_separator)] if text else []
        return [p for p in parts if normalise(p) not in NULL_TOKENS]

    def date(self, spec: Column) -> dt.date | None:
        text = self.text(spec)
        return self.parse_date(text, spec.column) if text else None

    def parse_date(self, text: str, column: str | None) -> dt.date:
        date = _parse_date(text, tuple(self.m.date_formats))
        if date is None:
            raise RowRejected(column, f"unparseable date {text!r} (expected {', '.join(self.m.date_formats)})")
        return date

    # --- the record -------------------------------------------------------------------------------
    def facts(self) -> GraphBatch:
        f = self.m.fields
        record_id = self.text(f.record_id) or None
        self.rec = record_key(self.m, self.file_name, int(self.row["__row__"]), record_id)
        date = self.date(f.date)
        if date is None:
            raise RowRejected(f.date.column, "no date")
        country = self.place(f.country) if f.country else None
        reliability, validity, handling = self.grading()
        self.batch.node("Record", self.rec, {
            "name": f"{self.m.source} {record_id or self.file_name + ' row ' + str(self.row['__row__'])}",
            "source": self.m.source, "file": self.file_name, "row": int(self.row["__row__"]),
            "record_id": record_id, "agency": self.text(f.agency) or None,
            "country": country.country if country else None, "record_date": date,
            "reliability": reliability, "validity": validity, "handling": handling}, self.rec)
        seizure_id = self.text(f.seizure_id) or record_id or f"{self.file_name}#{self.row['__row__']}"
        self.seizure = ("Seizure", f"seizure:{self.m.source}:{seizure_id}")
        mode = self.mode()
        commodities, weight, pieces = self.commodities()
        self.add("Seizure", self.seizure[1], {
            "name": f"Seizure {seizure_id} ({date.isoformat()})", "date": date,
            "agency": self.text(f.agency) or None, "country": country.country if country else None,
            "transport_mode": mode, "detection_method": self.text(f.detection_method) or None,
            "concealment": self.text(f.concealment) or None, "weight_kg": weight, "pieces": pieces,
            "joint_with": self.partner()})
        self.where(country)
        self.route()
        for ref, props in commodities:
            self.add("Commodity", ref.key, {"name": ref.name, "taxon": ref.taxon, "product": ref.product,
                                            "cites_appendix": ref.cites})
            self.link("SEIZED", self.seizure, ("Commodity", ref.key), props)
        self.conveyance(mode)
        self.outcomes(date)
        for doc in f.documents:
            for number in self.items(self.text(doc)):
                key = self.entity("Document", f"document:{normalise(doc.kind)}:{_alnum(number)}", number,
                                  doc.column or doc.kind, {"kind": doc.kind})
                self.link("DOCUMENTED_BY", self.seizure, ("Document", key))
        for party in self.m.people:
            self.party(party, "Person")
        for party in self.m.organizations:
            self.party(party, "Organization")
        return self.batch

    def add(self, label: str, key: str, props: dict) -> str:
        return self.batch.node(label, key, props, self.rec)

    def link(self, rel_type: str, src: tuple[str, str], dst: tuple[str, str], props: dict | None = None) -> None:
        self.batch.rel(rel_type, src, dst, props or {}, self.rec)

    def entity(self, label: str, key: str, text: str, field: str, props: dict | None = None) -> str:
        """Add an entity and the mention of it by this record; return the entity key."""
        self.add(label, key, {"name": text, **(props or {})})
        mention = f"mention:{self.rec.removeprefix('record:')}:{field}:{normalise(text)}"
        self.add("Mention", mention, {"name": text, "record": self.rec, "field": field, "text": text,
                                      "label": label})
        self.link("REFERS_TO", ("Mention", mention), (label, key))
        return key

    def grading(self) -> tuple[str | None, int | None, int | None]:
        f = self.m.fields
        reliability = self.text(f.reliability).upper() or None
        validity, handling = self.text(f.validity) or None, self.text(f.handling) or None
        if combined := self.text(f.grading):
            match = GRADING.match(combined.upper())
            if not match:
                raise RowRejected(f.grading.column, f"grading {combined!r} is not like 'B2' or 'B2-4'")
            reliability, validity, handling = match.group(1), match.group(2), match.group(3) or handling
        if reliability is not None and reliability not in "ABCDE":
            raise RowRejected(f.reliability.column, f"source reliability {reliability!r} is not A–E")
        return reliability, self._grade(validity, "validity"), self._grade(handling, "handling")

    def _grade(self, value: str | None, field: str) -> int | None:
        if value is None:
            return None
        if value not in {"1", "2", "3", "4", "5"}:
            raise RowRejected(getattr(self.m.fields, field).column, f"{field} {value!r} is not 1–5")
        return int(value)

    # --- places -----------------------------------------------------------------------------------
    def place(self, spec: Place, text: str | None = None, country: str | None = None) -> vocab.PlaceRef | None:
        text = self.text(spec) if text is None else text
        ref = vocab.resolve_place(text, spec.format, spec.kind, country) if text else None
        if ref is None:
            return None
        self.add("Location", ref.key, {"name": ref.name, "kind": ref.kind, "country": ref.country,
                                       "lat": ref.lat, "lon": ref.lon})
        if ref.country_key:
            country = vocab.country_place(ref.country)
            self.add("Location", country.key, {"name": country.name, "kind": "country", "country": ref.country})
            self.link("LOCATED_IN", ("Location", ref.key), ("Location", country.key))
        return ref

    def where(self, country: vocab.PlaceRef | None) -> None:
        code = country.country if country else None
        place = self.place(self.m.fields.place, country=code) if self.m.fields.place else None
        if place and country and place.country not in (None, country.country):
            raise RowRejected(self.m.fields.place.column,
                              f"place {place.name!r} is in {place.country}, not in {country.country}")
        target = place or country
        if target:
            self.link("AT", self.seizure, ("Location", target.key))

    def route(self) -> None:
        f = self.m.fields
        legs = {"ORIGIN": [], "TRANSIT": [], "DESTINATION": []}
        for rel_type, spec in (("ORIGIN", f.origin), ("TRANSIT", f.transit), ("DESTINATION", f.destination)):
            if spec:
                legs[rel_type] += [(spec, t) for t in self.items(self.text(spec))]
        if route := self.text(f.route):
            stops = [s for s in ROUTE_SPLIT.split(route) if normalise(s) not in NULL_TOKENS]
            spec = Place(column=f.route.column)
            if len(stops) == 1:
                legs["ORIGIN"].append((spec, stops[0]))
            else:
                legs["ORIGIN"].append((spec, stops[0]))
                legs["TRANSIT"] += [(spec, s) for s in stops[1:-1]]
                legs["DESTINATION"].append((spec, stops[-1]))
        order = 0
        for rel_type, stops in legs.items():
            for spec, text in stops:
                ref = self.place(spec, text)
                if ref:
                    order += 1
                    self.link(rel_type, self.seizure, ("Location", ref.key), {"position": order})

    # --- what was seized --------------------------------------------------------------------------
    def commodities(self):
        """Commodities with the quantities the row attributes to each, and the seizure's totals.

        A quantity list pairs with the commodity list by position when both have the same length (empty
        positions allowed: "5; " for "ivory; turtles"); with one commodity every quantity is its own;
        otherwise the quantities count only towards the seizure's totals.
        """
        f = self.m.fields
        refs = [r for r in (vocab.commodity(t) for t in self.items(self.text(f.commodity))) if r]
        totals = {"kg": None, "pieces": None}
        props = [{} for _ in refs]
        for spec in f.quantities:
            values = self.quantities(spec)
            for i, value in enumerate(values):
                if value is None:
                    continue
                amount, unit = value
                totals[unit] = (totals[unit] or 0.0) + amount
                if len(values) == len(refs) or len(refs) == 1:
                    key = "weight_kg" if unit == "kg" else "pieces"
                    target = props[i if len(values) == len(refs) else 0]
                    target[key] = (target.get(key) or 0.0) + amount
        return list(zip(refs, props)), totals["kg"], totals["pieces"]

    def quantities(self, spec: Quantity) -> list[tuple[float, str] | None]:
        """The quantities of a cell by position (None where a position is empty), in kg or pieces."""
        unit_text = self.row.get(spec.unit_column, "").strip() if spec.unit_column else ""
        text = self.text(spec)
        cells = [c.strip() for c in text.split(self.m.list_separator)] if text else []
        return [None if normalise(c) in NULL_TOKENS else self.quantity(spec, c, unit_text) for c in cells]

    def quantity(self, spec: Quantity, cell: str, unit_text: str) -> tuple[float, str]:
        match = NUMBER_WITH_UNIT.match(cell)
        amount = _number(match.group(1)) if match else None
        if amount is None:
            raise RowRejected(spec.column, f"quantity {cell!r} is not a number with an optional unit")
        if amount < 0:
            raise RowRejected(spec.column, f"negative quantity {cell!r}")
        written = (match.group(2) or unit_text or spec.unit or "").strip()
        if not written:
            raise RowRejected(spec.column, f"quantity {cell!r} has no unit and the mapping gives none")
        canonical = vocab.unit(written)
        if canonical is None:
            column = spec.unit_column if unit_text and not match.group(2) else spec.column
            raise RowRejected(column, f"unknown unit {written!r} in {cell!r}")
        return amount * canonical[1], canonical[0]

    def outcomes(self, seized_on: dt.date) -> None:
        """Arrests, prosecution and conviction that followed the seizure."""
        f = self.m.fields
        key = self.seizure[1].removeprefix("seizure:")
        arrested = self.text(f.arrested)
        if arrested and not arrested.isdigit():
            raise RowRejected(f.arrested.column, f"number arrested {arrested!r} is not a whole number")
        arrest_date = self.date(f.arrest_date) if f.arrest_date else None
        if (arrested and int(arrested) > 0) or arrest_date:
            node = self.add("Arrest", f"arrest:{key}", {"name": f"Arrests after {key}", "date": arrest_date or seized_on,
                                                        "people": int(arrested) if arrested else None})
            self.link("FOLLOWED_BY", self.seizure, ("Arrest", node))
        prosecuted = self.date(f.prosecution_date) if f.prosecution_date else None
        convicted = self.date(f.conviction_date) if f.conviction_date else None
        if convicted and not prosecuted:
            raise RowRejected(f.conviction_date.column, "a conviction without a prosecution date")
        for later, earlier, column in ((prosecuted, seized_on, f.prosecution_date), (convicted, prosecuted,
                                                                                       f.conviction_date)):
            if later and earlier and later < earlier:
                raise RowRejected(column.column, f"{later} is before {earlier}")
        if prosecuted:
            node = self.add("Prosecution", f"prosecution:{key}", {"name": f"Prosecution after {key}", "date": prosecuted})
            self.link("FOLLOWED_BY", self.seizure, ("Prosecution", node))
            if convicted:
                verdict = self.add("Conviction", f"conviction:{key}", {"name": f"Conviction after {key}",
                                                                        "date": convicted,
                                                                        "sentence": self.text(f.sentence) or None})
                self.link("FOLLOWED_BY", ("Prosecution", node), ("Conviction", verdict))

    def partner(self) -> str | None:
        """ISO code of the other country's agency the case was worked with, if any."""
        spec = self.m.fields.joint_with
        partner = self.text(spec) if spec else ""
        if not partner:
            return None
        ref = vocab.resolve_place(partner, spec.format)
        if ref is None or ref.kind != "country":
            raise RowRejected(spec.column, f"partner country {partner!r} is not a known country")
        return ref.country

    def mode(self) -> str | None:
        text = self.text(self.m.fields.transport_mode)
        if not text:
            return None
        return vocab.transport_mode(text, self.m.transport_modes) or normalise(text)

    def conveyance(self, mode: str | None) -> None:
        f = self.m.fields
        for text in self.items(self.text(f.conveyance)):
            kind = self.text(f.conveyance_kind)
            label = CONVEYANCE_KINDS.get(normalise(kind)) if kind else CONVEYANCE_BY_MODE.get(mode or "")
            if label is None:
                raise RowRejected(f.conveyance.column, f"cannot tell whether {text!r} is a vehicle, vessel or "
                                  f"flight (transport mode {mode!r}, kind {kind!r})")
            key = f"{label.lower()}:" + (normalise(text) if label == "Vessel" else _alnum(text))
            key = self.entity(label, key, text, f.conveyance.column or "conveyance")
            self.link("CONVEYED_BY", self.seizure, (label, key))

    # --- people and organisations -----------------------------------------------------------------
    def party(self, party: Party, label: str) -> None:
        names = self.items(self.row.get(party.column, ""))
        if party.required and not names:
            raise RowRejected(party.column, "required value is empty")
        prefix = "person" if label == "Person" else "org"
        columns = {a: getattr(party, a) for a in ("nationality", "phone", "passport", "birth_date", "employer",
                                                   "directs", "account") if getattr(party, a)}
        aligned = {a: self._align(names, c, broadcast=a == "nationality") for a, c in columns.items()}
        for i, name in enumerate(names):
            values = {a: v[i] for a, v in aligned.items()}
            countries = []
            for text in values.get("nationality", []):
                ref = self.place(Place(column=party.nationality), text)
                if ref is None or ref.kind != "country":
                    raise RowRejected(party.nationality, f"unknown nationality {text!r}")
                countries.append(ref)
            props = {}
            if label == "Person":
                born = _one(values.get("birth_date"))
                props = {"passport": _one(values.get("passport")),
                         "birth_date": self.parse_date(born, party.birth_date) if born else None,
                         "nationality": countries[0].country if countries else None}
            key = self.entity(label, f"{prefix}:{normalise(name)}", name, party.column, props)
            node = (label, key)
            self.link("INVOLVED_IN", node, self.seizure, {"role": party.role})
            if label == "Person":
                for ref in countries:
                    self.link("NATIONAL_OF", node, ("Location", ref.key))
            for text in values.get("phone", []):
                phone = self.entity("Phone", f"phone:{_phone(text)}", text, party.phone)
                self.link("USES", node, ("Phone", phone))
            for text in values.get("account", []):
                account = self.entity("Account", f"account:{_alnum(text)}", text, party.account)
                self.link("USES", node, ("Account", account))
            for rel_type, attr in (("WORKS_FOR", "employer"), ("DIRECTS", "directs")):
                for text in values.get(attr, []):
                    org = self.entity("Organization", f"org:{normalise(text)}", text, columns[attr])
                    self.link(rel_type, node, ("Organization", org))

    def _align(self, names: list[str], column: str, broadcast: bool) -> list[list[str]]:
        """Split a parallel cell so that entry i belongs to name i; several values per name use ','."""
        cell = self.row.get(column, "")
        values = [self._sub_items(v) for v in cell.split(self.m.list_separator)] if cell.strip() else []
        if not values:
            return [[] for _ in names]
        if len(names) == 1:
            return [[v for vs in values for v in vs]]
        if len(values) == len(names):
            return values
        if broadcast and len(values) == 1:
            return values * len(names)
        raise RowRejected(column, f"{len(values)} values cannot be matched to {len(names)} names; "
                                  f"give one per name, separated by {self.m.list_separator!r}")

    @staticmethod
    def _sub_items(cell: str) -> list[str]:
        return [p.strip() for p in cell.split(",") if normalise(p) not in NULL_TOKENS]


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_date(text: str, formats: tuple[str, ...]) -> dt.date | None:
    for fmt in dict.fromkeys([*formats, "%Y-%m-%d"]):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _one(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u00C0-\uFFFF]", "", text).upper()


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return ("+" if text.strip().startswith("+") else "") + digits


def _number(text: str) -> float | None:
    text = re.sub(r"\s", "", text)
    if "," in text and "." in text:
        text = text.replace("," if text.rfind(".") > text.rfind(",") else ".", "").replace(",", ".")
    elif "," in text:
        parts = text.split(",")
        text = text.replace(",", "") if all(len(p) == 3 for p in parts[1:]) else text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None
