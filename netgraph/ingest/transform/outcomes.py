"""What followed the seizure and how the record is graded: arrests, prosecution, conviction; source
reliability and information validity and handling codes; transport mode, partner country, documents."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import vocab
from ..vocab import normalise
from .common import _alnum, _map_unique
from .dates import Dates, When, column_of

GRADING = re.compile(r"^([A-E])\s*[-/ ]?\s*([1-5])(?:\s*[-/ ]?\s*([1-5]))?$")
DECIMAL_ZEROS = re.compile(r"\.0+$")
WHOLE_NUMBER = re.compile(r"^([0-9]{1,9})(?:\.0+)?$")  # ASCII digits only ("²".isdigit()), well inside int64; 32.0 is 32


class Outcomes(Dates):
    """Grading, transport mode, partner country, documents, and arrests, prosecution and conviction."""

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
        grade = value.str.replace(DECIMAL_ZEROS, "", regex=True)  # 3.0 is 3
        bad = (value != "") & ~grade.isin(["1", "2", "3", "4", "5"])
        spec = getattr(self.m.fields, field)
        self.error(bad, spec.column if spec else None, value.map(lambda v: f"{field} {v!r} is not 1–5"))
        return pd.Series([int(g) if g in ("1", "2", "3", "4", "5") else None for g in grade], dtype=object)

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

    def outcomes(self, seized: When) -> None:
        """Arrests, prosecution and conviction that followed the seizure (one each per record: keyed by the
        seizure of the record's row, following each of the record's seizures); one is before the other only
        when every day it may be is."""
        f = self.m.fields
        key = self.record_seizure.str.removeprefix("seizure:")
        arrested = self.text(f.arrested)
        number = arrested.str.extract(WHOLE_NUMBER)[0]
        self.error((arrested != "") & number.isna(), f.arrested.column if f.arrested else None,
                   arrested.map(lambda a: f"number arrested {a!r} is not a whole number (0 to 999999999)"))
        arrest_date = self.when(f.arrest_date)
        people = pd.Series([int(n) if isinstance(n, str) else None for n in number], dtype=object)
        made = pd.Series([bool(p) for p in people]) | arrest_date.first.notna()
        rows = np.flatnonzero(made)
        arrest = "arrest:" + key[made]
        self.node("Arrest", pd.DataFrame({"row": rows, "id": arrest.to_numpy(), "name": ("Arrests after " + key[made]).to_numpy(),
                                          "date": arrest_date.first.where(arrest_date.first.notna(), seized.first)[made].to_numpy(),
                                          "dates": arrest_date.several[made].to_numpy(),
                                          "people": people[made].astype(object).to_numpy()}))
        self.rel("FOLLOWED_BY", ("Seizure", "Arrest"), pd.DataFrame({"row": rows, "from": self.seizure[made].to_numpy(),
                                                                     "to": arrest.to_numpy()}))
        prosecuted_when, convicted_when = self.when(f.prosecution_date), self.when(f.conviction_date)
        prosecuted, convicted = prosecuted_when.first, convicted_when.first
        self.error(convicted.notna() & prosecuted.isna(), column_of(f.conviction_date),
                   "a conviction without a prosecution date")
        event = self.m.event.replace("_", " ")
        for later, earlier, spec, names in ((prosecuted_when, seized, f.prosecution_date, ("prosecution", event)),
                                            (convicted_when, prosecuted_when, f.conviction_date,
                                             ("conviction", "prosecution"))):
            before = [bool(a and b and a < b) for a, b in zip(later.last, earlier.first)]
            self.error(before, column_of(spec), [f"{names[0]} date {a} is before the {names[1]} date {b}" if x else None
                                                 for a, b, x in zip(later.shown, earlier.shown, before)])
        sentence = self.text(f.sentence)
        sentenced = (sentence != "").to_numpy()  # a sentence is a conviction, dated or not (a court extract)
        made = prosecuted.notna() | sentenced
        rows = np.flatnonzero(made)
        prosecution = ("prosecution:" + key[made]).to_numpy()
        self.node("Prosecution", pd.DataFrame({"row": rows, "id": prosecution,
                                               "name": ("Prosecution after " + key[made]).to_numpy(),
                                               "date": prosecuted[made].to_numpy(),
                                               "dates": prosecuted_when.several[made].to_numpy()}))
        self.rel("FOLLOWED_BY", ("Seizure", "Prosecution"), pd.DataFrame({
            "row": rows, "from": self.seizure[made].to_numpy(), "to": prosecution}))
        made = (prosecuted.notna() & convicted.notna()) | sentenced
        rows = np.flatnonzero(made)
        conviction = ("conviction:" + key[made]).to_numpy()
        self.node("Conviction", pd.DataFrame({"row": rows, "id": conviction,
                                              "name": ("Conviction after " + key[made]).to_numpy(),
                                              "date": convicted[made].to_numpy(),
                                              "dates": convicted_when.several[made].to_numpy(),
                                              "sentence": sentence.replace("", None)[made].to_numpy()}))
        self.rel("FOLLOWED_BY", ("Prosecution", "Conviction"), pd.DataFrame({
            "row": rows, "from": ("prosecution:" + key[made]).to_numpy(), "to": conviction}))

    def documents(self) -> None:
        """The documents each seizure is documented by (one field per kind of document)."""
        for doc in self.m.fields.documents:
            found = self.entries(doc)
            found["key"] = "document:" + normalise(doc.kind) + ":" + _map_unique(found["text"], _alnum)
            self.entity("Document", found, doc.column or doc.kind, {"kind": doc.kind}, minor=found["item"])
            self.rel("DOCUMENTED_BY", ("Seizure", "Document"), self.from_seizure(found, found["key"]), found["item"])
