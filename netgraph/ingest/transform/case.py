"""The court case and what the seized goods were worth and for: the seizure's declared ``value`` and
``purpose``, the prosecution's ``case_number`` and ``judgement_date`` (a case number or a judgement date
makes a ``Prosecution``). The fine of each defendant is a party's (:mod:`.parties`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import vocab
from ..mapping import Money
from ..vocab import normalise
from .common import _map_unique, _money
from .dates import Dates


class Case(Dates):
    """Declared value and purpose of the seizure; case number and judgement date of its prosecution."""

    def case_details(self) -> None:
        f = self.m.fields
        if f.value is not None or f.purpose is not None:
            value, currency = self.money(f.value)
            self.node("Seizure", pd.DataFrame({"row": np.arange(self.n), "id": self.seizure, "value": value,
                                               "value_currency": currency, "purpose": self.purposes()}))
        if f.case_number is None and f.judgement_date is None:
            return
        number = self.text(f.case_number)
        judgement = self.when(f.judgement_date)
        judged, precision = judgement.first, judgement.precision
        made = ((number != "") | judged.notna()).to_numpy()
        rows = np.flatnonzero(made)
        key = self.record_seizure.str.removeprefix("seizure:")[made]  # one per record, as outcomes keys it
        prosecution = ("prosecution:" + key).to_numpy()
        self.node("Prosecution", pd.DataFrame({
            "row": rows, "id": prosecution, "name": ("Prosecution after " + key).to_numpy(),
            "case_number": number.replace("", None)[made].to_numpy(), "judgement_date": judged[made].to_numpy(),
            "judgement_date_precision": precision[made].to_numpy()}))
        self.rel("FOLLOWED_BY", ("Seizure", "Prosecution"), pd.DataFrame({
            "row": rows, "from": self.seizure[made].to_numpy(), "to": prosecution}))

    def money(self, spec: Money | None) -> tuple[pd.Series, pd.Series]:
        """(amount, ISO 4217 code) of a money field per row (None where empty); a bad amount rejects its row."""
        text = self.text(spec)
        parsed = _map_unique(text, lambda t: _money(t, spec.currency) if t else None)
        bad = parsed.map(lambda p: isinstance(p, str)).to_numpy(dtype=bool)
        self.error(bad, spec.column if spec else None, [f"value {p}" if b else None for p, b in zip(parsed, bad)])
        good = parsed.where(~bad, None)
        return (good.map(lambda p: p[0] if p else None).astype(object),
                good.map(lambda p: p[1] if p else None).astype(object))

    def purposes(self) -> pd.Series:
        """The purpose of each row's goods: in the words of ``loaders/vocab/purposes.yaml``, else as written
        (case-folded), as transport modes are; entries of a list field joined by '; '."""
        text = self.text(self.m.fields.purpose)
        return _map_unique(text, lambda t: "; ".join(dict.fromkeys(
            vocab.purpose(p) or normalise(p) for p in t.split("; "))) if t else None)
