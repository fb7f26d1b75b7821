"""Turn a table of source rows into graph facts, following a mapping, column by column.

This is the only place that knows how a seizure record becomes nodes and relationships. The mapping is
applied to whole columns: cells are cleaned and split with vectorised string operations, each distinct
value is looked up once (places, commodities, units, dates), and every fact comes out as a table row
tagged with the source row it came from. A row with a bad value is rejected with the first reason a
reader going left to right through the record would meet (file, row, column, reason) and contributes
no fact at all. Keys are deterministic (built from the values, never from counters), so loading the
same data twice creates nothing new.

>>> from netgraph.ingest.mapping import load_mapping
>>> rows = pd.DataFrame({"__row__": [2], "Case ID": ["T-1"], "Date of seizure": ["2021-03-04"],
...     "Country of seizure": ["Vietnam"], "Commodity": ["pangolin scales"], "Quantity": ["12"], "Unit": ["kg"]})
>>> facts = compile_rows(rows, load_mapping("cen_customs"), "x.csv")
>>> facts.batch.node_frame("Seizure")[["id", "weight_kg"]].values.tolist()
[['seizure:CEN:T-1', 12.0]]
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from ..store.batch import GraphBatch
from . import gazetteer, species, vocab
from .legal_forms import legal_form_only, split_companies
from .mapping import Column, DateColumn, Mapping, Party, Place, Quantity
from .vocab import normalise

NULL_TOKENS = {"", "unknown", "n/a", "na", "none", "null", "-", "?", "không rõ", "chưa rõ", "không xác định",
               "不详", "未知"}
ROUTE_SPLIT = re.compile(r"[–—→>]|(?<=\s)-(?=\s)")  # parts are stripped; no \s* to backtrack through long spaces
GRADING = re.compile(r"^([A-E])\s*[-/ ]?\s*([1-5])(?:\s*[-/ ]?\s*([1-5]))?$")
WHOLE_PART = re.compile(r"([0-9]{1,4})(?:\.0+)?")  # a year, month or day; a spreadsheet may write 3 as 3.0
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only ("²".isdigit()); well inside int64
MAX_QUANTITY_CHARS = 200  # a longer cell is no quantity (and NUMBER_WITH_UNIT backtracks over long runs of spaces)
NUMBER_WITH_UNIT = re.compile(r"^(-?\s*\d[\d.,\s]*?)\s*([^\d\s.,][^\d]*)?$")
# a weight per piece ("400g each"); the regexes below never backtrack through a run of spaces (ends are stripped)
EACH = re.compile(r"\b(?:each|apiece|per\s+(?:piece|item|animal|head|individual|specimen))\.?$", re.IGNORECASE)
DATE_RANGE = re.compile(r"(?<=\s)(?:to|until|till)(?=\s)|[–—~～至到]|(?<=\s)-(?=\s)", re.IGNORECASE)  # 'A to B', 'A–B'
LINE_BREAK = re.compile(r"[\r\n]+")
MAX_PATTERN_CHARS = 2_000  # a longer entry is not matched against a mapping's pattern (its row is rejected)
LOCATION_PROPS = ("name", "kind", "country", "lat", "lon", "province", "gazetteer_id", "resolved_by",  # PlaceRef's
                  "confidence", "note")
CONVEYANCE_BY_MODE = {"air": "Flight", "sea": "Vessel", "road": "Vehicle", "rail": "Vehicle"}
CONVEYANCE_KINDS = {"flight": "Flight", "vessel": "Vessel", "ship": "Vessel", "vehicle": "Vehicle",
                    "truck": "Vehicle", "car": "Vehicle"}
PARTY_ATTRIBUTES = ("nationality", "phone", "passport", "birth_date", "employer", "directs", "account", "role_column")
BROADCAST = ("nationality", "role_column")  # one value for all the names of a cell
COMPANIES = ("employer", "directs")  # parallel cells that name organisations
# Facts of one record keep the order a reader going through it would make them in (the first value of a
# property wins): order = major, site (where in the record), minor (entry in a list), packed in one int64.
MAJOR, SITE = 10 ** 12, 10 ** 6
PARTY = 10 ** 4  # major of a party's facts: (party + 1) × PARTY + the name's position in its cell


@dataclass
class Compiled:
    """The facts of the rows that loaded, and the rows that did not: row (position in the table), column,
    reason."""
    batch: GraphBatch
    rejects: pd.DataFrame
    records: dict[str, int]  # key of every record that loaded → its spreadsheet row
    place_conflicts: list[dict] = field(default_factory=list)  # the file's coordinates far from the gazetteer's


def compile_rows(frame: pd.DataFrame, mapping: Mapping, file_name: str,
                 loaded: dict[str, int] | None = None) -> Compiled:
    """Apply ``mapping`` to ``frame`` (cells as text, ``__row__`` the spreadsheet row).

    A record is one row: a row whose record id an earlier row of the file has (in ``frame``, or in
    ``loaded``: the records earlier chunks loaded, key → row) is rejected as a duplicate, never merged.
    """
    return _Compiler(frame, mapping, file_name).run(loaded or {})


def record_key(source: str, file_name: str, rows: pd.Series, record_ids: pd.Series) -> pd.Series:
    by_position = f"record:{source}:{file_name}#" + rows.astype(str)
    return ("record:" + source + ":" + record_ids).where(record_ids != "", by_position)


class _Compiler:
    def __init__(self, frame: pd.DataFrame, mapping: Mapping, file_name: str):
        self.frame = frame.reset_index(drop=True)
        self.m, self.file_name, self.n = mapping, file_name, len(frame)
        self.blank = pd.Series([""] * self.n, dtype=object)
        self.rows = self.frame["__row__"].astype(int)
        self.errors: list[tuple[np.ndarray, pd.Series, pd.Series]] = []  # in reading order: first one wins
        self.nodes: dict[str, list[pd.DataFrame]] = defaultdict(list)
        self.rels: dict[tuple, list[pd.DataFrame]] = defaultdict(list)
        self.site = 0  # where a fact is made, in the order a reader of one record makes them
        self._cells: dict[tuple[str, bool], pd.Series] = {}
        self.place_conflicts: list[dict] = []

    # --- cells ------------------------------------------------------------------------------------
    def cells(self, column: str | None, lines: bool = False) -> pd.Series:
        """A column's cells, stripped ('' where the file lacks the column); a line break inside a cell reads
        as a space unless ``lines`` (line breaks separate the field's entries)."""
        if not column or column not in self.frame:
            return self.blank
        if (column, lines) not in self._cells:
            if (column, True) not in self._cells:
                self._cells[column, True] = self.frame[column].astype(object).fillna("").str.strip()
            cells = self._cells[column, True]
            if not lines:
                values = cells.to_numpy(dtype=object)
                joined = "".join(values)  # one scan: most columns hold no line break
                if "\n" in joined or "\r" in joined:
                    broken = np.fromiter((("\n" in v or "\r" in v) for v in values), dtype=bool, count=len(values))
                    cells = cells.where(~broken, _map_unique(cells[broken], _one_line))
                self._cells[column, False] = cells
        return self._cells[column, lines]

    def raw(self, spec: Column | Party | None, lines: bool = False) -> pd.Series:
        """The field's cell per row: its first column with a non-empty, non-null cell, or its constant, or its
        default ('' where none)."""
        if spec is None:
            return self.blank
        if getattr(spec, "value", None) is not None:
            return pd.Series([spec.value] * self.n, dtype=object)
        out = self.blank
        for column in reversed([c for c in (spec.column, getattr(spec, "fallback", None)) if c]):
            cells = self.cells(column, lines)
            out = cells.where(~_is_null(cells), out)
        if getattr(spec, "default", None) is not None:
            out = out.where(out != "", spec.default)
        return out

    def text(self, spec: Column | None) -> pd.Series:
        """The field's value per row ('' where none): its cell (see ``raw``), or, where the field has a
        ``separator`` or a ``pattern``, the values of its entries joined by '; '; after its value map."""
        if spec is None:
            return self.blank
        if spec.separator is not None or spec.pattern is not None:  # entries (a required one checked there)
            found = self.entries(spec, spec.separators(()))
            out = found.groupby("row")["text"].agg("; ".join).reindex(range(self.n), fill_value="")
            return out.astype(object).reset_index(drop=True)
        out = self.raw(spec)
        if spec.map:
            out = _map_unique(out, _value_map(spec))
        if spec.required:
            self.error(out == "", spec.column, "required value is empty")
        return out

    def entries(self, spec: Column | Party, separators: tuple[str, ...] | None = None,
                split: re.Pattern | None = None, companies: bool = False) -> pd.DataFrame:
        """The non-null values of a list field: row, item (position among them), text. Its cells are split at
        its separators (or at ``split``; ``companies``: not inside a legal form), each entry matched by its
        pattern and looked up in its value map."""
        if spec is None:
            return self.items(self.blank)
        if separators is None:
            separators = spec.separators(self.m.list_separator)
        text = self.raw(spec, lines=any("\n" in s or "\r" in s for s in separators))
        if spec.required and not isinstance(spec, Party):  # a party checks that it names someone
            self.error(text == "", spec.column, "required value is empty")
        found = self.items(text, separators, split, companies)
        if spec.pattern is not None:
            found = self.extract(found, spec)
        if spec.map:
            found["text"] = _map_unique(found["text"], _value_map(spec)).to_numpy(dtype=object)
            found = found[~_is_null(found["text"])].reset_index(drop=True)
            found["item"] = found.groupby("row").cumcount()
        return found

    def items(self, text: pd.Series, separator: str | tuple[str, ...] | None = None,
              split: re.Pattern | None = None, companies: bool = False) -> pd.DataFrame:
        """The non-null entries of list cells: row, item (position among the kept entries), text."""
        kept = self.split(text, separator, split, companies=companies)
        kept = kept[~_is_null(kept)]
        out = pd.DataFrame({"row": kept.index.to_numpy(), "text": kept.to_numpy(dtype=object)})
        out["item"] = out.groupby("row").cumcount()
        return out

    def split(self, text: pd.Series, separator: str | tuple[str, ...] | None = None,
              split: re.Pattern | None = None, strip: bool = True, companies: bool = False) -> pd.Series:
        """Every entry of list cells, stripped, indexed by row (an empty cell gives one empty entry): cells
        split at ``split``, else at the separators (the mapping's list separator if None; () for none); a list
        of ``companies`` is never split inside a legal form ("Co., Ltd")."""
        separators = _separators(self.m.list_separator if separator is None else separator)
        if split is None and not separators:
            return text.astype(object)
        if companies:
            pattern = split or _splitter(separators)
            parts = _map_unique(text, lambda t: split_companies(t, pattern) if isinstance(t, str) else t)
        elif split is None and len(separators) == 1:
            parts = text.str.split(separators[0], regex=False)
        else:
            parts = text.str.split(split or _splitter(separators), regex=True)
        parts = parts.explode()
        return parts.astype(object).fillna("").str.strip() if strip else parts

    def extract(self, found: pd.DataFrame, spec: Column | Party) -> pd.DataFrame:
        """Entries replaced by the group of the field's pattern they hold; an entry without it rejects its row."""
        taken = _map_unique(found["text"], lambda t: _group(spec.pattern, spec.group, t))
        bad = taken.isna().to_numpy()
        missed = found[bad]
        self.row_error(missed.assign(order=missed["item"], column=spec.column, reason=[
            f"{t!r} does not match the pattern the mapping gives for this column (no {spec.group!r} in it)"
            for t in missed["text"]]))
        found = found[~bad].assign(text=taken[~bad].to_numpy(dtype=object))
        found = found[found["text"] != ""].reset_index(drop=True)
        found["item"] = found.groupby("row").cumcount()
        return found

    def error(self, mask, column, reason) -> None:
        """Rows where ``mask`` holds are rejected (unless an earlier reason rejects them)."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.errors.append((mask, self._per_row(column), self._per_row(reason)))

    def _per_row(self, value) -> pd.Series:
        if isinstance(value, (pd.Series, list, np.ndarray)):
            return pd.Series(value, dtype=object).reset_index(drop=True)
        return pd.Series([value] * self.n, dtype=object)

    def row_error(self, found: pd.DataFrame) -> None:
        """Errors found on entries (row, column, reason, ordered by ``order``): the first of each row."""
        if found.empty:
            return
        first = found.sort_values(["row", "order"], kind="stable").drop_duplicates("row")
        mask = np.zeros(self.n, dtype=bool)
        mask[first["row"].to_numpy()] = True
        column = pd.Series([None] * self.n, dtype=object)
        reason = pd.Series([None] * self.n, dtype=object)
        column.iloc[first["row"].to_numpy()] = first["column"].to_numpy()
        reason.iloc[first["row"].to_numpy()] = first["reason"].to_numpy()
        self.errors.append((mask, column, reason))

    # --- dates ------------------------------------------------------------------------------------
    def dates(self, spec: DateColumn | None) -> pd.Series:
        """Dates of a field (None where empty; a range's first day); an unparseable one rejects its row."""
        return self.when(spec)[0]

    def when(self, spec: DateColumn | None) -> tuple[pd.Series, pd.Series, pd.Series]:
        """A date field per row: (first day, last day where a range, precision: day, month or year)."""
        if spec is None:
            return tuple(pd.Series([None] * self.n, dtype=object) for _ in range(3))
        if spec.year is not None:
            return self.date_parts(spec)
        text = self.text(spec)
        formats = tuple(self.m.date_formats)
        return self._dated(text, lambda t: _parse_when(t, formats) if t else None, spec.column)

    def date_parts(self, spec: DateColumn) -> tuple[pd.Series, pd.Series, pd.Series]:
        """A date built from year, month and day columns (month and day may be empty: a coarser date)."""
        parts = [self.cells(c) if c else self.blank for c in (spec.year, spec.month, spec.day)]
        parts = [p.where(~_is_null(p), "") for p in parts]
        if spec.required:
            self.error(parts[0] == "", spec.year, "required value is empty")
        return self._dated(pd.Series(list(zip(*parts)), dtype=object), _date_from_parts,
                           (spec.year, spec.month, spec.day))

    def _dated(self, keys: pd.Series, parse, column) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(first day, last day, precision) per row from ``parse`` of each distinct key: a tuple of them, None,
        or (why not, column or index of ``column``); a reason rejects its row."""
        codes, uniques = pd.factorize(keys.to_numpy(dtype=object), use_na_sentinel=False)
        parsed = [parse(k) for k in uniques]
        out = [np.array([p[i] if p is not None and not isinstance(p[0], str) else None for p in parsed],
                        dtype=object)[codes] for i in range(3)]
        reasons = np.array([p[0] if p is not None and isinstance(p[0], str) else None for p in parsed],
                           dtype=object)[codes]
        bad = pd.notna(reasons)
        if bad.any():
            where = column if not isinstance(column, tuple) else np.array(
                [column[p[1]] if p is not None and isinstance(p[0], str) else None for p in parsed], dtype=object)[codes]
            self.error(bad, where, reasons)
        return tuple(pd.Series(o, dtype=object) for o in out)

    # --- facts ------------------------------------------------------------------------------------
    def node(self, label: str, frame: pd.DataFrame, minor=None, major=None, site: int | None = None) -> None:
        """Nodes of ``label``: a frame with ``row``, ``id`` and properties; ``minor`` and ``major`` order
        them within the record (see ``MAJOR``)."""
        self.nodes[label].append(self._tag(frame, minor, major, site))

    def rel(self, rel_type: str, ends: tuple[str, str], frame: pd.DataFrame, minor=None, major=None,
            site: int | None = None) -> None:
        """Relationships: a frame with ``row``, ``from``, ``to`` and properties."""
        self.rels[(rel_type, *ends)].append(self._tag(frame, minor, major, site))

    def next_site(self) -> int:
        self.site += 1
        return self.site

    def _tag(self, frame: pd.DataFrame, minor, major, site) -> pd.DataFrame:
        site = self.next_site() if site is None else site
        order = np.int64(site * SITE)
        for part, scale in ((minor, 1), (major, MAJOR)):
            if part is not None:
                order = order + np.asarray(part, dtype=np.int64) * scale
        return frame.assign(order=order)

    def entity(self, label: str, found: pd.DataFrame, field: str, props: dict | None = None,
               minor=None, major=None) -> None:
        """Entities (``found``: row, key, text) and the mention of each by its record."""
        self.node(label, pd.DataFrame({"row": found["row"], "id": found["key"], "name": found["text"],
                                       **(props or {})}), minor, major)
        rec = self.rec.to_numpy(dtype=object)[found["row"].to_numpy()]
        mention = ("mention:" + pd.Series(rec, index=found.index).str.removeprefix("record:") + ":" + field + ":"
                   + _map_unique(found["text"], normalise))
        self.node("Mention", pd.DataFrame({"row": found["row"], "id": mention, "name": found["text"], "record": rec,
                                           "field": field, "text": found["text"], "label": label}), minor, major)
        self.rel("REFERS_TO", ("Mention", label), pd.DataFrame({"row": found["row"], "from": mention,
                                                                "to": found["key"]}), minor, major)

    def places(self, spec: Place, found: pd.DataFrame, default_country: pd.Series | None = None,
               minor=None, major=None, site: int | None = None) -> pd.DataFrame:
        """Resolve place texts (``found``: row, text, …) and add their Location nodes (and the countries they
        lie in); return ``found`` with ``ref`` (None where the text names no place)."""
        country = np.full(len(found), None, dtype=object)
        if default_country is not None:  # codes, None where unknown (never NaN: it would read as a country)
            codes = default_country.to_numpy(dtype=object)[found["row"].to_numpy()]
            country[:] = [c if isinstance(c, str) else None for c in codes]
        codes, keys = pd.factorize(pd.Series(list(zip(found["text"], country)), dtype=object).to_numpy(dtype=object))
        refs = np.empty(len(keys), dtype=object)
        refs[:] = [vocab.resolve_place(t, spec.format, spec.kind, c) if t else None for t, c in keys]
        found = found.assign(ref=refs[codes])
        if spec.lat and spec.lon:
            found = self.coordinates(spec, found)
            codes, refs = pd.factorize(found["ref"].to_numpy(dtype=object), use_na_sentinel=False)
        hit = found["ref"].notna().to_numpy()
        site = self.next_site() if site is None else site
        # each attribute of each distinct place, then taken for every row that names it
        attrs = {a: np.array([getattr(r, a) if r is not None else None for r in refs], dtype=object)[codes[hit]]
                 for a in ("key", *LOCATION_PROPS, "country_key")}
        rows = found["row"].to_numpy()[hit]
        self.node("Location", pd.DataFrame({"row": rows, "id": attrs["key"],
                                            **{a: attrs[a] for a in LOCATION_PROPS}}),
                  _pick(minor, hit), _pick(major, hit), site)
        inside = np.flatnonzero(hit)[pd.notna(attrs["country_key"])]
        if len(inside):
            within = pd.notna(attrs["country_key"])
            code = attrs["country"][within]
            mask = np.zeros(len(found), dtype=bool)
            mask[inside] = True
            self.node("Location", pd.DataFrame({"row": rows[within], "id": attrs["country_key"][within],
                                                "name": [vocab.country_place(c).name for c in code],
                                                "kind": "country", "country": code}),
                      _pick(minor, mask), _pick(major, mask), site)
            self.rel("LOCATED_IN", ("Location", "Location"), pd.DataFrame({
                "row": rows[within], "from": attrs["key"][within], "to": attrs["country_key"][within]}),
                _pick(minor, mask), _pick(major, mask), site)
        return found

    def coordinates(self, spec: Place, found: pd.DataFrame) -> pd.DataFrame:
        """The file's coordinates win: a place the gazetteer put more than ``CONFLICT_KM`` away from them, or
        could not place, becomes a Location at them (``resolved_by`` file coordinates; a conflict reported)."""
        rows, point = found["row"].to_numpy(), {}
        for axis, column, limit in (("latitude", spec.lat, 90), ("longitude", spec.lon, 180)):
            text = self.cells(column)
            value = _map_unique(text, _degrees).astype(float)
            bad = (text != "") & ~(value.abs() <= limit)
            self.error(bad, column, "'" + text + f"' is not a {axis} (decimal degrees or DMS, within ±{limit})")
            point[axis] = value.where(~bad).to_numpy()[rows]
        refs = found["ref"].to_numpy(dtype=object).copy()
        for i, (ref, lat, lon) in enumerate(zip(refs, point["latitude"], point["longitude"])):
            if ref is None or np.isnan(lat) or np.isnan(lon):
                continue
            km = gazetteer._km(lat, lon, ref.lat, ref.lon) if ref.lat is not None else None
            if km is not None and km <= CONFLICT_KM:
                continue
            note = f"the gazetteer placed it at {ref.name} ({ref.gazetteer_id}), {km:.0f} km away" if km else None
            if km is not None:
                self.place_conflicts.append({"row": int(self.rows[found["row"].iat[i]]), "column": spec.column,
                                             "text": found["text"].iat[i], "lat": lat, "lon": lon,
                                             "gazetteer": ref.name, "gazetteer_id": ref.gazetteer_id, "km": round(km)})
            refs[i] = replace(ref, key=f"{ref.key}@{lat:.2f},{lon:.2f}", lat=lat, lon=lon, gazetteer_id=None,
                              resolved_by="file coordinates", confidence=1.0, note=note)
        return found.assign(ref=refs)

    # --- the record -------------------------------------------------------------------------------
    def run(self, loaded: dict[str, int]) -> Compiled:
        f, m, rows = self.m.fields, self.m, pd.Series(np.arange(self.n))
        for column in m.known_columns():  # the reader decodes bytes invalid in the file's encoding as U+FFFD
            self.error(self.cells(column, lines=True).str.contains("\ufffd", regex=False), column,
                       "undecodable bytes (shown as \ufffd) in this cell; fix them, or name the file's encoding")
        record_id = self.text(f.record_id)
        self.rec = record_key(m.source, self.file_name, self.rows, record_id)
        date, date_end, precision = self.when(f.date)
        self.error(date.isna(), f.date.column or f.date.year, "no date")  # where no reason came first
        country = pd.Series([None] * self.n, dtype=object)
        if f.country:
            found = self.places(f.country, pd.DataFrame({"row": rows, "text": self.text(f.country)}))
            country = found["ref"]
        country_code = country.map(lambda r: r.country if r is not None else None)
        reliability, validity, handling = self.grading()
        agency = self.text(f.agency)
        described = record_id.where(record_id != "", self.file_name + " row " + self.rows.astype(str))
        self.node("Record", pd.DataFrame({
            "row": rows, "id": self.rec, "name": m.source + " " + described, "source": m.source,
            "file": self.file_name, "row_in_file": self.rows, "record_id": record_id.replace("", None),
            "agency": agency.replace("", None), "country": country_code, "record_date": date,
            "reliability": reliability, "validity": validity, "handling": handling}))
        seizure_id = self.text(f.seizure_id)
        seizure_id = seizure_id.where(seizure_id != "", record_id)
        seizure_id = seizure_id.where(seizure_id != "", self.file_name + "#" + self.rows.astype(str))
        self.seizure = "seizure:" + m.source + ":" + seizure_id
        mode = self.mode()
        commodities, weight, pieces = self.commodities()
        self.node("Seizure", pd.DataFrame({
            "row": rows, "id": self.seizure, "event": m.event,
            "name": m.event.replace("_", " ").capitalize() + " " + seizure_id + " ("
            + date.map(lambda d: d.isoformat() if d else "") + ")",
            "date": date, "date_end": date_end, "date_precision": precision,
            "agency": self.text(f.agency).replace("", None), "country": country_code,
            "transport_mode": mode, "detection_method": self.text(f.detection_method).replace("", None),
            "concealment": self.text(f.concealment).replace("", None), "weight_kg": weight, "pieces": pieces,
            "joint_with": self.partner(), "commodity_text": self.commodity_text.replace("", None)}))
        self.where(country, country_code)
        self.route()
        refs = commodities["ref"]
        self.node("Commodity", pd.DataFrame({"row": commodities["row"], "id": refs.map(lambda r: r.key),
                                             "name": refs.map(lambda r: r.name), "taxon": refs.map(lambda r: r.taxon),
                                             "product": refs.map(lambda r: r.product),
                                             "cites_appendix": refs.map(lambda r: r.cites)}), commodities["item"])
        self.rel("SEIZED", ("Seizure", "Commodity"), pd.DataFrame({
            "row": commodities["row"], "from": self.seizure.to_numpy(dtype=object)[commodities["row"].to_numpy()],
            "to": refs.map(lambda r: r.key), "weight_kg": commodities["weight_kg"],
            "pieces": commodities["pieces"]}), commodities["item"])
        self.conveyance(mode)
        self.outcomes(date)
        for doc in f.documents:
            found = self.entries(doc)
            found["key"] = "document:" + normalise(doc.kind) + ":" + _map_unique(found["text"], _alnum)
            self.entity("Document", found, doc.column or doc.kind, {"kind": doc.kind}, minor=found["item"])
            self.rel("DOCUMENTED_BY", ("Seizure", "Document"), self.from_seizure(found, found["key"]), found["item"])
        for index, party in enumerate(m.people):
            self.party(party, "Person", index)
        for index, party in enumerate(m.organizations):
            self.party(party, "Organization", len(m.people) + index)
        return self.finish(loaded)

    def from_seizure(self, found: pd.DataFrame, to: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"row": found["row"], "from": self.seizure.to_numpy(dtype=object)[found["row"].to_numpy()],
                             "to": to})

    def grading(self) -> tuple[pd.Series, pd.Series, pd.Series]:
        f = self.m.fields
        reliability = self.text(f.reliability).str.upper()
        validity, handling = self.text(f.validity), self.text(f.handling)
        combined = self.text(f.grading)
        if f.grading is not None:
            match = combined.str.upper().str.extract(GRADING)
            bad = (combined != "") & match[0].isna()
            self.error(bad, f.grading.column, combined.map(lambda c: f"grading {c!r} is not like 'B2' or 'B2-4'"))
            given = combined != ""
            reliability = reliability.where(~given, match[0].fillna(""))
            validity = validity.where(~given, match[1].fillna(""))
            handling = handling.where(~given | match[2].isna(), match[2].fillna(""))
        bad = (reliability != "") & ~reliability.isin(list("ABCDE"))
        self.error(bad, f.reliability.column if f.reliability else None,
                   reliability.map(lambda r: f"source reliability {r!r} is not A–E"))
        return (reliability.replace("", None), self._grade(validity, "validity"), self._grade(handling, "handling"))

    def _grade(self, value: pd.Series, field: str) -> pd.Series:
        bad = (value != "") & ~value.isin(["1", "2", "3", "4", "5"])
        spec = getattr(self.m.fields, field)
        self.error(bad, spec.column if spec else None, value.map(lambda v: f"{field} {v!r} is not 1–5"))
        return pd.Series([int(v) if v in ("1", "2", "3", "4", "5") else None for v in value], dtype=object)

    def mode(self) -> pd.Series:
        text = self.text(self.m.fields.transport_mode)
        extra = self.m.transport_modes
        return _map_unique(text, lambda t: (vocab.transport_mode(t, extra) or normalise(t)) if t else None)

    def partner(self) -> pd.Series:
        """ISO code of the other country's agency the case was worked with, if any."""
        spec = self.m.fields.joint_with
        if spec is None:
            return pd.Series([None] * self.n, dtype=object)
        partner = self.text(spec)
        refs = _map_unique(partner, lambda t: vocab.resolve_place(t, spec.format) if t else None)
        known = refs.map(lambda r: r is not None and r.kind == "country")
        self.error((partner != "") & ~known, spec.column,
                   partner.map(lambda p: f"partner country {p!r} is not a known country"))
        return refs.map(lambda r: r.country if r is not None and r.kind == "country" else None)

    # --- places -----------------------------------------------------------------------------------
    def where(self, country: pd.Series, country_code: pd.Series) -> None:
        spec = self.m.fields.place
        target = country
        if spec:
            found = self.places(spec, pd.DataFrame({"row": np.arange(self.n), "text": self.text(spec)}), country_code)
            place = found["ref"]
            clash = [p is not None and c is not None and p.country not in (None, c.country)
                     for p, c in zip(place, country)]
            self.error(clash, spec.column, [f"place {p.name!r} is in {p.country}, not in {c.country}" if k else None
                                            for p, c, k in zip(place, country, clash)])
            target = place.where(place.notna(), country)
        hit = target.notna().to_numpy()
        self.rel("AT", ("Seizure", "Location"), pd.DataFrame({
            "row": np.flatnonzero(hit), "from": self.seizure[hit].to_numpy(),
            "to": target[hit].map(lambda r: r.key).to_numpy()}))

    def route(self) -> None:
        f = self.m.fields
        stops = []
        for group, spec in enumerate((f.origin, f.transit, f.destination)):
            if spec:
                found = self.entries(spec)
                stops.append(found.assign(group=group, part=0, spec=id(spec)))
        if f.route:
            separators = f.route.separators(())
            found = self.entries(f.route, separators, _route_splitter(separators))
            last = found.groupby("row")["item"].transform("size") - 1
            found["group"] = np.where(found["item"] == 0, 0, np.where(found["item"] == last, 2, 1))
            stops.append(found.assign(part=1, spec=-1))
        stops = pd.concat(stops, ignore_index=True) if stops else pd.DataFrame()
        if stops.empty:
            return
        stops = stops.sort_values(["row", "group", "part", "item"], kind="stable")
        stops["stop"] = stops.groupby("row").cumcount()
        specs = {id(s): s for s in (f.origin, f.transit, f.destination) if s}
        specs[-1] = Place(column=f.route.column) if f.route else None
        site = self.next_site()
        resolved = [self.places(specs[key], part, minor=part["stop"], site=site)
                    for key, part in stops.groupby("spec", sort=False)]
        stops = pd.concat(resolved).sort_values(["row", "stop"])
        stops = stops[stops["ref"].notna()].copy()
        stops["position"] = stops.groupby("row").cumcount() + 1
        site = self.next_site()
        for group, rel_type in enumerate(("ORIGIN", "TRANSIT", "DESTINATION")):
            legs = stops[stops["group"] == group]
            frame = self.from_seizure(legs, legs["ref"].map(lambda r: r.key)).assign(position=legs["position"])
            self.rel(rel_type, ("Seizure", "Location"), frame, legs["stop"], site=site)

    # --- what was seized --------------------------------------------------------------------------
    def commodities(self) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
        """Commodities (row, item, ref, weight_kg, pieces attributed to each) and each seizure's totals.

        A quantity list pairs with the commodity list by position when both have the same length (empty
        positions allowed: "5; " for "ivory; turtles"); with one commodity every quantity is its own;
        otherwise the quantities count only towards the seizure's totals.
        """
        f = self.m.fields
        self.commodity_text = self.text(f.commodity)
        found = self.entries(f.commodity)
        forms = self.text(f.form).to_numpy(dtype=object)[found["row"].to_numpy()]
        found["ref"] = _map_unique(pd.Series(list(zip(found["text"], forms)), index=found.index),
                                   lambda p: vocab.commodity(*p))
        found = found[found["ref"].notna()].reset_index(drop=True)
        found["ref"], heads = species.fill_taxa(found["row"].to_numpy(), found["ref"].to_numpy())  # "X; live; frozen"
        amounts = [self.quantities(spec, index) for index, spec in enumerate(f.quantities)]
        cells = [pair for a in amounts for pair in zip(a["row"].tolist(), a["cells"].tolist())]
        found = found[species.heads_kept(found["row"].to_numpy(), heads, cells)].reset_index(drop=True)
        found["item"] = found.groupby("row").cumcount()
        counts = found.groupby("row").size().reindex(range(self.n), fill_value=0).to_numpy()
        amounts = pd.concat(amounts, ignore_index=True) if amounts else pd.DataFrame(
            columns=["row", "spec", "position", "cells", "amount", "unit"])
        amounts = self.per_piece(amounts[amounts["amount"].notna()].astype({"amount": float}))
        totals = amounts.groupby(["row", "unit"])["amount"].sum().unstack()
        weight = pd.Series(totals["kg"] if "kg" in totals else pd.Series(dtype=float)).reindex(range(self.n))
        pieces = pd.Series(totals["pieces"] if "pieces" in totals else pd.Series(dtype=float)).reindex(range(self.n))
        refs = counts[amounts["row"].to_numpy()] if len(amounts) else np.array([], dtype=int)
        target = np.where(amounts["cells"].to_numpy() == refs, amounts["position"].to_numpy(),
                          np.where(refs == 1, 0, -1)) if len(amounts) else np.array([], dtype=int)
        owned = amounts.assign(item=target)[target >= 0] if len(amounts) else amounts.assign(item=[])
        shares = owned.groupby(["row", "item", "unit"])["amount"].sum().unstack()
        for unit, column in (("kg", "weight_kg"), ("pieces", "pieces")):
            values = shares[unit] if unit in shares else pd.Series(dtype=float)
            found[column] = _lookup(values, found).to_numpy()
        return found, _none_for_nan(weight), _none_for_nan(pieces)

    def quantities(self, spec: Quantity, index: int) -> pd.DataFrame:
        """The quantities of a field by position: row, position, cells (how many), cell, amount and unit (kg or
        pieces; None where a position is empty), each (a weight per piece, "400g each")."""
        separators = spec.separators(self.m.list_separator)
        lines = any("\n" in s or "\r" in s for s in separators)
        text = self.raw(spec, lines)
        if spec.required:
            self.error(text == "", spec.column, "required value is empty")
        cells = self.split(text, separators)
        cells = cells[(text != "").to_numpy()[cells.index.to_numpy()]]
        frame = pd.DataFrame({"row": cells.index.to_numpy(), "cell": cells.to_numpy(dtype=object)})
        frame["position"] = frame.groupby("row").cumcount()
        frame["cells"] = frame.groupby("row")["row"].transform("size")
        if spec.pattern is not None or spec.map:
            frame = self._read_cells(frame, spec)
        frame["unit_text"] = self.units(spec, frame, separators, lines)
        given = frame[~_is_null(frame["cell"])]
        keys = pd.Series(list(zip(given["cell"], given["unit_text"])), index=given.index, dtype=object)
        aliases = {normalise(k): v for k, v in spec.units.items()}
        parsed = _map_unique(keys, lambda k: _quantity(k[0], k[1], spec, aliases))
        bad = parsed.map(lambda p: isinstance(p, tuple) and p[0] is None)
        errors = given[bad].assign(order=given.loc[bad, "position"], column=parsed[bad].map(lambda p: p[2]),
                                   reason=parsed[bad].map(lambda p: p[1]))
        self.row_error(errors)
        good = parsed[~bad]
        frame["amount"], frame["unit"], frame["spec"], frame["each"] = None, None, index, False
        frame.loc[good.index, "amount"] = good.map(lambda p: p[0])
        frame.loc[good.index, "unit"] = good.map(lambda p: p[1])
        frame.loc[good.index, "each"] = good.map(lambda p: p[2])
        return frame[["row", "spec", "position", "cells", "cell", "amount", "unit", "each"]]

    def _read_cells(self, frame: pd.DataFrame, spec: Column) -> pd.DataFrame:
        """Cells (row, position, cell) read through the field's pattern and value map, keeping positions."""
        given = ~_is_null(frame["cell"])
        if spec.pattern is not None:
            taken = _map_unique(frame["cell"][given], lambda t: _group(spec.pattern, spec.group, t))
            missed = frame[given][taken.isna().to_numpy()]
            self.row_error(missed.assign(order=missed["position"], column=spec.column, reason=[
                f"{t!r} does not match the pattern the mapping gives for this column (no {spec.group!r} in it)"
                for t in missed["cell"]]))
            frame.loc[taken.index, "cell"] = taken.fillna("").to_numpy(dtype=object)
        if spec.map:
            frame["cell"] = _map_unique(frame["cell"], _value_map(spec)).to_numpy(dtype=object)
        return frame

    def units(self, spec: Quantity, frame: pd.DataFrame, separators: tuple[str, ...], lines: bool) -> np.ndarray:
        """The unit cell of each quantity (row, position of ``frame``): split like the quantities, one unit per
        quantity or one for all; '' where none."""
        if not spec.unit_column:
            return np.full(len(frame), "", dtype=object)
        cells = self.cells(spec.unit_column, lines)
        per_row = cells.to_numpy(dtype=object)[frame["row"].to_numpy()]
        several = np.zeros(self.n, dtype=bool)
        for separator in separators:
            several |= cells.str.contains(separator, regex=False).to_numpy(dtype=bool)
        if not several.any():
            return per_row
        split = self.split(cells[several], separators)
        units = pd.DataFrame({"row": split.index.to_numpy(), "unit": split.to_numpy(dtype=object)})
        units["position"] = units.groupby("row").cumcount()
        count = units.groupby("row").size()
        quantities = frame.groupby("row").size().reindex(count.index, fill_value=0)
        clash = count.index[(count != quantities).to_numpy() & (quantities > 0).to_numpy()]
        mask = np.zeros(self.n, dtype=bool)
        mask[clash.to_numpy()] = True
        sep = " or ".join(repr(s) for s in separators)
        self.error(mask, spec.unit_column, [f"{count.get(r, 0)} units cannot be matched to {quantities.get(r, 0)} "
                                            f"quantities; give one per quantity, or one for all, separated by {sep}"
                                            if m else None for r, m in enumerate(mask)])
        at = frame[["row", "position"]].merge(units, on=["row", "position"], how="left")["unit"].to_numpy(dtype=object)
        inside = several[frame["row"].to_numpy()]
        per_row[inside] = [u if isinstance(u, str) else "" for u in at[inside]]
        return per_row

    def per_piece(self, amounts: pd.DataFrame) -> pd.DataFrame:
        """Weights given per piece ("400g each") times the pieces the row gives: those at the same position of a
        pieces list as long as the weights, else all the row's pieces; a row that gives none is rejected."""
        if "each" not in amounts or not amounts["each"].astype(bool).any():
            return amounts
        each = amounts["each"].astype(bool).to_numpy()
        counted = amounts[(amounts["unit"] == "pieces").to_numpy() & ~each]
        total = counted.groupby("row")["amount"].sum()
        same = counted.drop_duplicates(["row", "position", "cells"]).set_index(["row", "position", "cells"])["amount"]
        mine = amounts[each]
        at = pd.MultiIndex.from_arrays([mine["row"], mine["position"], mine["cells"]])
        pieces = pd.Series(same.reindex(at).to_numpy(dtype=float), index=mine.index)
        pieces = pieces.fillna(mine["row"].map(total))
        missing = mine[pieces.isna().to_numpy()]
        columns = [q.column for q in self.m.fields.quantities]
        self.row_error(missing.assign(order=missing["position"], column=[columns[i] for i in missing["spec"]], reason=[
            f"{c!r} is a weight per piece, but the row gives no number of pieces" for c in missing["cell"]]))
        amounts = amounts.copy()
        amounts.loc[mine.index, "amount"] = (mine["amount"] * pieces).to_numpy()
        return amounts[amounts["amount"].notna()]

    def outcomes(self, seized_on: pd.Series) -> None:
        """Arrests, prosecution and conviction that followed the seizure."""
        f = self.m.fields
        key = self.seizure.str.removeprefix("seizure:")
        arrested = self.text(f.arrested)
        whole = np.array([bool(WHOLE_NUMBER.fullmatch(a)) for a in arrested], dtype=bool)
        self.error((arrested != "") & ~whole, f.arrested.column if f.arrested else None,
                   arrested.map(lambda a: f"number arrested {a!r} is not a whole number (0 to 999999999)"))
        arrest_date = self.dates(f.arrest_date) if f.arrest_date else pd.Series([None] * self.n, dtype=object)
        people = pd.Series([int(a) if w else None for a, w in zip(arrested, whole)], dtype=object)
        made = pd.Series([bool(p) for p in people]) | arrest_date.notna()
        rows = np.flatnonzero(made)
        arrest = "arrest:" + key[made]
        self.node("Arrest", pd.DataFrame({"row": rows, "id": arrest.to_numpy(), "name": ("Arrests after " + key[made]).to_numpy(),
                                          "date": arrest_date.where(arrest_date.notna(), seized_on)[made].to_numpy(),
                                          "people": people[made].astype(object).to_numpy()}))
        self.rel("FOLLOWED_BY", ("Seizure", "Arrest"), pd.DataFrame({"row": rows, "from": self.seizure[made].to_numpy(),
                                                                     "to": arrest.to_numpy()}))
        none = pd.Series([None] * self.n, dtype=object)
        prosecuted = self.dates(f.prosecution_date) if f.prosecution_date else none
        convicted = self.dates(f.conviction_date) if f.conviction_date else none
        self.error(convicted.notna() & prosecuted.isna(), f.conviction_date.column if f.conviction_date else None,
                   "a conviction without a prosecution date")
        for later, earlier, spec in ((prosecuted, seized_on, f.prosecution_date), (convicted, prosecuted,
                                                                                   f.conviction_date)):
            before = [bool(a and b and a < b) for a, b in zip(later, earlier)]
            self.error(before, spec.column if spec else None,
                       [f"{a} is before {b}" if x else None for a, b, x in zip(later, earlier, before)])
        sentence = self.text(f.sentence)
        sentenced = (sentence != "").to_numpy()  # a sentence is a conviction, dated or not (a court extract)
        made = prosecuted.notna() | sentenced
        rows = np.flatnonzero(made)
        prosecution = ("prosecution:" + key[made]).to_numpy()
        self.node("Prosecution", pd.DataFrame({"row": rows, "id": prosecution,
                                               "name": ("Prosecution after " + key[made]).to_numpy(),
                                               "date": prosecuted[made].to_numpy()}))
        self.rel("FOLLOWED_BY", ("Seizure", "Prosecution"), pd.DataFrame({
            "row": rows, "from": self.seizure[made].to_numpy(), "to": prosecution}))
        made = (prosecuted.notna() & convicted.notna()) | sentenced
        rows = np.flatnonzero(made)
        conviction = ("conviction:" + key[made]).to_numpy()
        self.node("Conviction", pd.DataFrame({"row": rows, "id": conviction,
                                              "name": ("Conviction after " + key[made]).to_numpy(),
                                              "date": convicted[made].to_numpy(),
                                              "sentence": sentence.replace("", None)[made].to_numpy()}))
        self.rel("FOLLOWED_BY", ("Prosecution", "Conviction"), pd.DataFrame({
            "row": rows, "from": ("prosecution:" + key[made]).to_numpy(), "to": conviction}))

    def conveyance(self, mode: pd.Series) -> None:
        f = self.m.fields
        found = self.entries(f.conveyance)
        if found.empty:
            return
        kind = self.text(f.conveyance_kind)
        label = [CONVEYANCE_KINDS.get(normalise(k)) if k else CONVEYANCE_BY_MODE.get(m or "")
                 for k, m in zip(kind, mode)]
        found["label"] = np.asarray(label, dtype=object)[found["row"].to_numpy()]
        unknown = found[found["label"].isna()]
        self.row_error(unknown.assign(order=unknown["item"], column=f.conveyance.column, reason=[
            f"cannot tell whether {t!r} is a vehicle, vessel or flight (transport mode {mode[r]!r}, kind "
            f"{kind[r]!r})" for t, r in zip(unknown["text"], unknown["row"])]))
        found = found[found["label"].notna()]
        for label in ("Vehicle", "Vessel", "Flight"):
            mine = found[found["label"] == label].copy()
            if mine.empty:
                continue
            keyed = _map_unique(mine["text"], normalise if label == "Vessel" else _alnum)
            mine["key"] = label.lower() + ":" + keyed
            self.entity(label, mine, f.conveyance.column or "conveyance", minor=mine["item"])
            self.rel("CONVEYED_BY", ("Seizure", label), self.from_seizure(mine, mine["key"]), mine["item"])

    # --- people and organisations -----------------------------------------------------------------
    def party(self, party: Party, label: str, index: int) -> None:
        separators = party.separators(self.m.list_separator)
        names = self.entries(party, separators, companies=label == "Organization")
        if party.required:
            self.error(~np.isin(np.arange(self.n), names["row"].to_numpy()), party.column, "required value is empty")
        count = names.groupby("row").size().reindex(range(self.n), fill_value=0)
        values = {a: self._align(count, getattr(party, a), separators, a in BROADCAST, a in COMPANIES)
                  for a in PARTY_ATTRIBUTES if getattr(party, a)}
        names["major"] = (index + 1) * PARTY + names["item"]
        ahead = ["row", "item", "major"]
        problems, countries = [], None
        companies = [(names, party.column)] if label == "Organization" else []
        for attr in COMPANIES:
            if attr in values:
                companies.append((values[attr].merge(names[ahead], on=["row", "item"]), getattr(party, attr)))
        for found, column in companies:  # a legal form alone ("Ltd", "有限公司") names no company
            bare = found[_map_unique(found["text"], legal_form_only).to_numpy(dtype=bool)]
            problems.append(bare.assign(order=bare["major"] * SITE, column=column, reason=bare["text"].map(
                lambda t: f"{t!r} is a legal form alone, not the name of a company (loaders/vocab/legal_forms.yaml)")))
        if "nationality" in values:
            given = values["nationality"].merge(names[ahead], on=["row", "item"])
            given = self.places(Place(column=party.nationality), given, minor=given["sub"], major=given["major"])
            valid = given["ref"].map(lambda r: r is not None and r.kind == "country").to_numpy(dtype=bool)
            bad = given[~valid]
            problems.append(bad.assign(order=bad["major"] * SITE + bad["sub"], column=party.nationality,
                                       reason=bad["text"].map(lambda t: f"unknown nationality {t!r}")))
            countries = given[valid]
        props = {}
        if label == "Person":
            born = self._first(values.get("birth_date"), names)
            parsed = _map_unique(born, lambda t: _parse_date(t, tuple(self.m.date_formats)) if t else None)
            bad = names[(born != "").to_numpy() & parsed.isna().to_numpy()]
            expected = ", ".join(self.m.date_formats)
            problems.append(bad.assign(order=bad["major"] * SITE + SITE - 1, column=party.birth_date,
                                       reason=born[bad.index].map(lambda t: f"unparseable date {t!r} (expected {expected})")))
            first_country = pd.Series(dtype=object) if countries is None else countries.sort_values(
                ["row", "item", "sub"]).drop_duplicates(["row", "item"]).set_index(["row", "item"])["ref"]
            props = {"passport": self._first(values.get("passport"), names).replace("", None).to_numpy(),
                     "birth_date": parsed.to_numpy(),
                     "nationality": _lookup(first_country, names).map(lambda r: r.country if r else None).to_numpy()}
        self.row_error(pd.concat(problems, ignore_index=True) if problems else pd.DataFrame())
        prefix, keyer = ("person", normalise) if label == "Person" else ("org", vocab.organisation)
        names["key"] = prefix + ":" + _map_unique(names["text"], keyer)
        self.entity(label, names, party.column, props, major=names["major"])
        role = party.role
        if "role_column" in values:  # one role per name (or one for all), else the mapping's
            role = self._first(values["role_column"], names).map(normalise).replace("", party.role).to_numpy()
        self.rel("INVOLVED_IN", (label, "Seizure"), self.to_seizure(names, names["key"]).assign(role=role),
                 major=names["major"])
        node = names.set_index(["row", "item"])["key"]
        if label == "Person" and countries is not None:
            self.rel("NATIONAL_OF", ("Person", "Location"), pd.DataFrame({
                "row": countries["row"], "from": _lookup(node, countries).to_numpy(),
                "to": countries["ref"].map(lambda r: r.key)}), countries["sub"], countries["major"])
        for attr, target, rel_type, keyer in (("phone", "Phone", "USES", _phone), ("account", "Account", "USES", _alnum),
                                              ("employer", "Organization", "WORKS_FOR", vocab.organisation),
                                              ("directs", "Organization", "DIRECTS", vocab.organisation)):
            if attr not in values:
                continue
            given = values[attr].merge(names[ahead], on=["row", "item"])
            given["key"] = target.lower().replace("organization", "org") + ":" + _map_unique(given["text"], keyer)
            self.entity(target, given, getattr(party, attr), minor=given["sub"], major=given["major"])
            self.rel(rel_type, (label, target), pd.DataFrame({"row": given["row"], "from": _lookup(node, given).to_numpy(),
                                                              "to": given["key"]}), given["sub"], given["major"])

    def to_seizure(self, found: pd.DataFrame, source: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"row": found["row"], "from": source,
                             "to": self.seizure.to_numpy(dtype=object)[found["row"].to_numpy()]})

    def _align(self, count: pd.Series, column: str, separators: tuple[str, ...], broadcast: bool,
               companies: bool = False) -> pd.DataFrame:
        """Split a parallel cell (at the names' separators) so that entry i belongs to name i; several values
        per name use ',' (``companies``: not inside a legal form). Returns row, item (the name), sub (position
        among that name's values), text."""
        cell = self.cells(column, lines=any("\n" in s or "\r" in s for s in separators))
        split = self.split(cell.where(cell != "", None), separators, strip=False, companies=companies).dropna()
        groups = pd.DataFrame({"row": split.index.to_numpy(), "cell": split.to_numpy(dtype=object)})
        groups["group"] = groups.groupby("row").cumcount()
        sizes = groups.groupby("row").size().reindex(range(self.n), fill_value=0)
        names = count.to_numpy()
        bad = (sizes > 0) & (count != 1) & (sizes != count) & ~(broadcast & (sizes == 1))
        sep = " or ".join(repr(s) for s in separators)
        self.error(bad, column, [f"{v} values cannot be matched to {k} names; give one per name, separated by {sep}"
                                 for v, k in zip(sizes, count)])
        several = _map_unique(groups["cell"], lambda c: split_companies(c, _splitter((",",)))) if companies \
            else groups["cell"].str.split(",", regex=False)
        values = groups.assign(text=several).explode("text")
        values["text"] = values["text"].astype(object).fillna("").str.strip()
        values = values[~_is_null(values["text"])]
        values["sub"] = values.groupby(["row", "group"]).cumcount()
        single = values[names[values["row"]] == 1].assign(item=0)
        single["sub"] = single.groupby("row").cumcount()
        paired = values[(names[values["row"]] != 1) & (sizes.to_numpy()[values["row"]] == names[values["row"]])]
        paired = paired.assign(item=paired["group"])
        spread = values[(names[values["row"]] > 1) & broadcast & (sizes.to_numpy()[values["row"]] == 1)]
        spread = spread.loc[spread.index.repeat(names[spread["row"]])]
        spread = spread.assign(item=spread.groupby(["row", "sub"]).cumcount())
        return pd.concat([single, paired, spread])[["row", "item", "sub", "text"]].reset_index(drop=True)

    def _first(self, given: pd.DataFrame | None, names: pd.DataFrame) -> pd.Series:
        """The first value each name has (``''`` if none), aligned with ``names``."""
        if given is None or given.empty:
            return pd.Series([""] * len(names), index=names.index, dtype=object)
        first = given.sort_values(["row", "item", "sub"]).drop_duplicates(["row", "item"]).set_index(["row", "item"])
        return _lookup(first["text"], names).fillna("")

    # --- the result -------------------------------------------------------------------------------
    def finish(self, loaded: dict[str, int]) -> Compiled:
        rejected = np.zeros(self.n, dtype=bool)
        column = pd.Series([None] * self.n, dtype=object)
        reason = pd.Series([None] * self.n, dtype=object)
        for mask, col, why in self.errors:
            new = mask & ~rejected
            column[new], reason[new] = col[new], why[new]
            rejected |= mask
        duplicate, first = self._duplicates(~rejected, loaded)
        column[duplicate] = self.m.fields.record_id.column if self.m.fields.record_id else None
        reason[duplicate] = [f"duplicate record id: row {row} has the same one (a record is one row; "
                             "rows sharing an id are not merged)" for row in first]
        rejected |= duplicate
        keep = ~rejected
        batch = GraphBatch()
        for label, frames in self.nodes.items():
            facts = _ordered([f for f in frames if len(f)], keep)
            if facts is None:
                continue
            if label == "Record":
                facts = facts.rename(columns={"row_in_file": "row"})
            facts["record"] = self.rec.to_numpy(dtype=object)[facts["_row"].to_numpy()]
            batch.add_nodes(label, facts.drop(columns=["_row", "order"]))
        for key, frames in self.rels.items():
            facts = _ordered([f for f in frames if len(f)], keep)
            if facts is not None:
                facts["record"] = self.rec.to_numpy(dtype=object)[facts["_row"].to_numpy()]
                batch.add_rels(key, facts.drop(columns=["_row", "order"]))
        rejects = pd.DataFrame({"row": np.flatnonzero(rejected), "column": column[rejected].fillna("").to_numpy(),
                                "reason": reason[rejected].to_numpy()})
        return Compiled(batch, rejects, dict(zip(self.rec.to_numpy(dtype=object)[keep], self.rows.to_numpy()[keep])),
                        self.place_conflicts)

    def _duplicates(self, kept: np.ndarray, loaded: dict[str, int]) -> tuple[np.ndarray, list[int]]:
        """Rows (of those ``kept``) whose record an earlier kept row or an earlier chunk has, and that row."""
        keys = pd.Series(self.rec.to_numpy(dtype=object)[kept])
        rows = self.rows.to_numpy()[kept]
        earlier = keys.duplicated().to_numpy() | keys.isin(loaded.keys()).to_numpy()
        first = {**dict(zip(keys[::-1], rows[::-1])), **{k: loaded[k] for k in keys[earlier] if k in loaded}}
        mask = np.zeros(self.n, dtype=bool)
        mask[np.flatnonzero(kept)[earlier]] = True
        return mask, [int(first[k]) for k in keys[earlier]]


def _ordered(frames: list[pd.DataFrame], keep: np.ndarray) -> pd.DataFrame | None:
    """Facts of the rows kept, in reading order (row, then where in the record they were made)."""
    if not frames:
        return None
    facts = pd.concat([f.rename(columns={"row": "_row"}) for f in frames], ignore_index=True)
    facts = facts[keep[facts["_row"].to_numpy()]]
    if facts.empty:
        return None
    return facts.sort_values(["_row", "order"], kind="stable", ignore_index=True)


def _pick(order, mask: np.ndarray):
    """The entries of an order (None, or one per entry) where ``mask`` holds."""
    return None if order is None else np.asarray(order, dtype=np.int64)[mask]


def _lookup(values: pd.Series, at: pd.DataFrame) -> pd.Series:
    """``values`` (indexed by row and item) at the rows and items of ``at``, aligned with ``at`` (None where
    there is none)."""
    table = pd.DataFrame({"row": values.index.get_level_values(0), "item": values.index.get_level_values(1),
                          "value": values.to_numpy(dtype=object)}) if len(values) else pd.DataFrame(
        {"row": pd.Series(dtype=int), "item": pd.Series(dtype=int), "value": pd.Series(dtype=object)})
    found = at[["row", "item"]].astype("int64").merge(table.astype({"row": "int64", "item": "int64"}),
                                                      on=["row", "item"], how="left")["value"]
    return pd.Series(found.to_numpy(dtype=object), index=at.index, dtype=object).where(found.notna().to_numpy(),
                                                                                          None)


def _map_unique(values: pd.Series, func) -> pd.Series:
    """``func`` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(u) for u in uniques]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _is_null(values: pd.Series) -> np.ndarray:
    return _map_unique(values, lambda v: normalise(v) in NULL_TOKENS).to_numpy(dtype=bool)


DMS = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*[°d:\s]\s*(?:(\d+(?:\.\d+)?)\s*['′m:\s]\s*)?"
                 r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|s)?\s*)?([NSEWnsew])?")
CONFLICT_KM = 50.0  # the file's coordinates and the gazetteer's this far apart are a conflict, reported


def _degrees(text: str) -> float:
    """Degrees of a coordinate as written: ``21.4835``, ``-4.3``, ``21°28'53"N``, ``21 28.9 N`` (NaN if none)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = DMS.fullmatch(text) or re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*°?()()\s*([NSEWnsew])", text)
    if not m:
        return math.nan
    d, minutes, seconds, hemisphere = m.groups()
    value = abs(float(d)) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    return -value if d.startswith("-") or (hemisphere or "").upper() in ("S", "W") else value


def _none_for_nan(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_date(text: str, formats: tuple[str, ...]) -> dt.date | None:
    found = _parse_one(text, formats)
    return found[0] if found else None


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_one(text: str, formats: tuple[str, ...]) -> tuple[dt.date, str] | None:
    """(date, precision) of a date as written in one of ``formats``: a format without a day gives the first
    of the month (precision ``month``), without a month the first of the year (``year``)."""
    for fmt in dict.fromkeys([*formats, "%Y-%m-%d"]):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day, _precision(fmt)
    return None


def _precision(fmt: str) -> str:
    if re.search(r"%[dj]", fmt):
        return "day"
    return "month" if re.search(r"%[mbB]", fmt) else "year"


@lru_cache(maxsize=vocab.CELL_CACHE)
def _parse_when(text: str, formats: tuple[str, ...]) -> tuple:
    """(first day, last day or None, precision) of a date or a range of two ('A to B', 'A–B', 'A - B'); or
    (why it is not one,)."""
    one = _parse_one(text, formats)
    if one is not None:
        return one[0], None, one[1]
    ends = DATE_RANGE.split(text)
    if len(ends) == 1:
        return (f"unparseable date {text!r} (expected {', '.join(formats)})",)
    first, last = (_parse_one(end.strip(), formats) for end in ends) if len(ends) == 2 else (None, None)
    if first is None or last is None:
        return (f"unparseable date range {text!r} (expected two dates, each {', '.join(formats)}: 'A to B', "
                "'A–B')",)
    if last[0] < first[0]:
        return (f"date range {text!r} ends before it starts",)
    return first[0], last[0], first[1]


def _date_from_parts(parts: tuple[str, str, str]) -> tuple | None:
    """(date, None, precision) from year, month and day as written (None if none); or (why not, index of the
    bad part)."""
    year, month, day = parts
    if not year:
        return None if not (month or day) else ("a month or day without a year", 0)
    values = []
    for index, (text, low, high, name) in enumerate(((year, 1, 9999, "year"), (month, 1, 12, "month"),
                                                     (day, 1, 31, "day"))):
        if not text:
            break
        number = WHOLE_PART.fullmatch(text)
        if number is None or not low <= int(number.group(1)) <= high:
            return f"{name} {text!r} is not {'a year' if name == 'year' else f'{low}–{high}'}", index
        values.append(int(number.group(1)))
    if day and not month:
        return "a day without a month", 2
    try:
        date = dt.date(values[0], values[1] if len(values) > 1 else 1, values[2] if len(values) > 2 else 1)
    except ValueError:
        return f"no such date: year {year}, month {month}, day {day}", 2
    return date, None, ("year", "month", "day")[len(values) - 1]


def _one_line(text: str) -> str:
    """A cell's lines joined by one space."""
    return " ".join(part for part in (p.strip() for p in LINE_BREAK.split(text)) if part)


def _separators(separator: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (separator,) if isinstance(separator, str) else tuple(separator)


@lru_cache(maxsize=64)
def _splitter(separators: tuple[str, ...]) -> re.Pattern:
    """One regular expression splitting at any of ``separators`` (a line break also at '\\r\\n')."""
    alternatives = sorted({re.escape(s) for s in separators}, key=len, reverse=True)
    if "\n" in separators:
        alternatives.insert(0, re.escape("\r\n"))
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=64)
def _route_splitter(separators: tuple[str, ...]) -> re.Pattern:
    """Route stops split at arrows and dashes, and at the field's own separators."""
    return re.compile("|".join([ROUTE_SPLIT.pattern, *(_splitter(separators).pattern for _ in separators[:1])]))


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _group(pattern: str, group: str, text: str) -> str | None:
    """The ``group`` of ``pattern`` found in ``text`` (stripped; '' where the group took no part), or None
    where the pattern is not found."""
    match = _pattern(pattern).search(text) if len(text) <= MAX_PATTERN_CHARS else None
    if match is None:
        return None
    return (match.group(group) or "").strip()


def _value_map(spec: Column | Party):
    """A function reading a value through the field's value map (keys compared as ``normalise`` does)."""
    table = {normalise(k): v for k, v in spec.map.items()}
    return lambda text: table.get(normalise(text), text) if text else text


def _quantity(cell: str, unit_text: str, spec: Quantity, aliases: dict[str, str]) -> tuple:
    """(amount, canonical unit, whether per piece) of a quantity cell, or (None, reason, column) when it is bad."""
    match = NUMBER_WITH_UNIT.match(cell) if len(cell) <= MAX_QUANTITY_CHARS else None
    amount = _number(match.group(1)) if match else None
    if amount is None:
        return None, f"quantity {cell!r} is not a number with an optional unit", spec.column
    if amount < 0:
        return None, f"negative quantity {cell!r}", spec.column
    written = (match.group(2) or unit_text or spec.unit or "").strip()
    each = EACH.search(written)
    if each:  # "400g each", or "400 each" with the unit in the unit column
        written = written[:each.start()].strip() or (unit_text if match.group(2) else "").strip() or spec.unit or ""
    if not written:
        return None, f"quantity {cell!r} has no unit and the mapping gives none", spec.column
    canonical = vocab.unit(aliases.get(normalise(written), written))
    if canonical is None:
        column = spec.unit_column if unit_text and not match.group(2) else spec.column
        return None, f"unknown unit {written!r} in {cell!r}", column
    if each and canonical[0] != "kg":
        return None, f"quantity {cell!r}: only a weight can be given per piece", spec.column
    return amount * canonical[1], canonical[0], bool(each)


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
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # "1e999" or 400 digits: no quantity
