"""One record per row: ``compile_rows`` runs the field families over the table in the order a reader meets the
fields, then keeps the rows that loaded."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import vocab
from ..mapping import Mapping
from .case import Case
from .common import _map_unique
from .continuation import record_rows, with_case_cells
from .core import Compiled, record_key
from .dates import column_of
from .outcomes import Outcomes
from .parties import Parties
from .quantities import Quantities


def compile_rows(frame: pd.DataFrame, mapping: Mapping, file_name: str,
                 loaded: dict[str, int] | None = None) -> Compiled:
    """Apply ``mapping`` to ``frame`` (cells as text, ``__row__`` the spreadsheet row).

    A record is one row, and the rows that continue it where the mapping says ``continues``
    (:mod:`.continuation`): a record's row whose record id an earlier row of the file has (in ``frame``, or in
    ``loaded``: the records earlier chunks loaded, key → row) is rejected as a duplicate, never merged, and so
    are the rows continuing it.
    """
    frame = frame.reset_index(drop=True)
    cases = record_rows(frame, mapping)
    return _Compiler(with_case_cells(frame, mapping, cases), mapping, file_name, cases).run(loaded or {})


class _Compiler(Parties, Outcomes, Quantities, Case):
    """Every field family composed; ``run`` is one record per row."""

    def run(self, loaded: dict[str, int]) -> Compiled:
        f, m, rows = self.m.fields, self.m, pd.Series(np.arange(self.n))
        for column in m.known_columns():  # the reader decodes bytes invalid in the file's encoding as U+FFFD
            self.error(self.cells(column, lines=True).str.contains("\ufffd", regex=False), column,
                       "undecodable bytes (shown as \ufffd) in this cell; fix them, or name the file's encoding")
        record_id = self.text(f.record_id)
        self.rec = record_key(m.source, self.file_name, self.rows, record_id)
        if m.continues:
            self.continue_records(record_id)
        when = self.when(f.date)
        date = when.first
        self.error(date.isna(), column_of(f.date), "no date")  # where no reason came first
        country = pd.Series([None] * self.n, dtype=object)
        if f.country:
            named = self.text(f.country)
            found = self.places(f.country, pd.DataFrame({"row": rows, "text": named}))
            country = found["ref"]
        country_code = country.map(lambda r: r.country if r is not None else None)
        reliability, validity, handling = self.grading()
        agency = self.text(f.agency)
        described = record_id.where(record_id != "", self.file_name + " row " + self.rows.astype(str))
        starts = ~self.cases.continuing
        self.node("Record", pd.DataFrame({
            "row": rows, "id": self.rec, "name": m.source + " " + described, "source": m.source,
            "file": self.file_name, "row_in_file": self.rows, "record_id": record_id.replace("", None),
            "agency": agency.replace("", None), "country": country_code, "record_date": date,
            "record_date_end": when.last.where(when.last != date, None), "record_date_precision": when.precision,
            "reliability": reliability, "validity": validity, "handling": handling})[starts])
        own_id = self.text(f.seizure_id)
        seizure_id = own_id.where(own_id != "", record_id)
        seizure_id = seizure_id.where(seizure_id != "", self.file_name + "#" + self.rows.astype(str))
        if m.continues:  # the k-th row of a record: its record row's seizure id + "#k"
            numbered = seizure_id.to_numpy(dtype=object)[self.cases.record_row] + "#" + self.cases.number.astype(str).astype(object)
            seizure_id = seizure_id.where((own_id != "") | ~self.cases.continuing, numbered)
        self.seizure = "seizure:" + m.source + ":" + seizure_id
        self.record_seizure = pd.Series(self.seizure.to_numpy(dtype=object)[self.cases.record_row])
        mode = self.mode()
        commodities, weight, pieces = self.commodities()
        self.node("Seizure", pd.DataFrame({
            "row": rows, "id": self.seizure, "event": m.event,
            "name": m.event.replace("_", " ").capitalize() + " " + seizure_id + " ("
            + date.map(lambda d: d.isoformat() if d else "") + ")",
            "date": date, "date_end": when.end, "date_precision": when.precision, "dates": when.several,
            "agency": self.text(f.agency).replace("", None), "country": country_code,
            "transport_mode": mode, "detection_method": self.text(f.detection_method).replace("", None),
            "concealment": self.text(f.concealment).replace("", None), "weight_kg": weight, "pieces": pieces,
            "joint_with": self.partner(), "commodity_text": self.commodity_text.replace("", None)}))
        self.where(country, country_code)
        if f.country:  # after the place's check: a place outside the country named says more
            self.error((named != "") & ~_map_unique(named, _names_a_country).astype(bool), f.country.column,
                       named.map(lambda c: f"{c!r} names no country"))
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
        self.outcomes(when)
        self.documents()
        self.case_details()
        for index, party in enumerate(m.people):
            self.party(party, "Person", index)
        for index, party in enumerate(m.organizations):
            self.party(party, "Organization", len(m.people) + index)
        return self.finish(loaded)

    def continue_records(self, record_id: pd.Series) -> None:
        """Rows continuing a record take its key; one with no record above it, or naming another record, is
        rejected."""
        column, head = self.m.continues.when_empty, self.cases.head
        self.error(head < 0, column, f"continues a record ({column!r} is empty), but no row above it starts one")
        own = self.rec.to_numpy(dtype=object)
        given = self.cases.continuing & (head >= 0) & (record_id != "").to_numpy()
        self.rec = pd.Series(own[self.cases.record_row])
        self.error(given & (own != self.rec.to_numpy(dtype=object)), self.m.fields.record_id and
                   self.m.fields.record_id.column, [f"record id {r!r} is not that of the record it continues (row "
                                                    f"{self.rows[h]})" for r, h in zip(record_id, self.cases.record_row)])

def _names_a_country(text: str) -> bool:
    """Whether a country cell names a country, whole or in one of its parts ("Nairobi, Kenya"); a place name
    alone ("Atlantis", a town somewhere) does not."""
    return any(vocab.country_code(part) for part in (text, *vocab.PLACE_PARTS.split(text)))
