"""Records over several rows (a mapping's ``continues: {when_empty: COLUMN}``): a row whose ``COLUMN`` is empty
continues the record of the nearest row above it where ``COLUMN`` is filled (its record row).

Worked out over whole columns before the compiler runs: the record row of each row is a forward fill of the
record rows' positions, a row's number within its record a cumulative count. Each row stays its own seizure
(date, place, commodities, quantities) of the one record; the record's case-level cells (people and
organisations with their parallel cells, agency, arrests, prosecution, conviction, sentence, grading), stated
once on its record row, are copied into its continuation rows where theirs are empty, so the record's people
take part in each of its seizures and its prosecution follows each of them.

>>> import pandas as pd
>>> from netgraph.ingest.mapping import Mapping
>>> m = Mapping.model_validate({"name": "c", "description": "", "source": "S", "continues": {"when_empty": "Case"},
...     "fields": {"record_id": {"column": "Case"}, "date": {"column": "Date"}}, "people": [{"column": "Who"}]})
>>> frame = pd.DataFrame({"__row__": [2, 3, 4], "Case": ["", "C1", ""], "Date": ["", "", ""],
...                       "Who": ["", "Lý Văn", ""]})
>>> cases = record_rows(frame, m)
>>> cases.head.tolist(), cases.number.tolist()
([-1, 1, 1], [1, 1, 2])
>>> with_case_cells(frame, m, cases)["Who"].tolist()
['', 'Lý Văn', 'Lý Văn']
>>> chunk_starts(pd.concat([frame] * 2, ignore_index=True), m, 2)
[0, 4]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..mapping import Mapping

CASE_FIELDS = ("agency", "arrested", "arrest_date", "prosecution_date", "conviction_date", "sentence",
               "case_number", "judgement_date", "reliability", "validity", "handling", "grading")  # besides people
# and organisations (with their fines)


@dataclass
class RecordRows:
    """Per row of a table: ``head``, the position of the row that starts its record (itself for a row that
    starts one; -1 for a continuation row with no record above it); ``number``, its place in that record (1 for
    the record's row, 2 for the first row continuing it …, counted over the file's rows, loaded or not)."""
    head: np.ndarray
    number: np.ndarray

    @classmethod
    def one_per_row(cls, n: int) -> RecordRows:
        return cls(np.arange(n), np.ones(n, dtype=np.int64))

    @property
    def record_row(self) -> np.ndarray:
        """The position of each row's record row (its own where it has none)."""
        return np.where(self.head >= 0, self.head, np.arange(len(self.head)))

    @property
    def continuing(self) -> np.ndarray:
        """Rows that continue a record (or would: those with none above them)."""
        return self.head != np.arange(len(self.head))


def _starts_record(frame: pd.DataFrame, mapping: Mapping) -> np.ndarray:
    column = mapping.continues.when_empty
    if column not in frame:
        return np.ones(len(frame), dtype=bool)
    return (frame[column].astype(object).fillna("").str.strip() != "").to_numpy(dtype=bool)


def record_rows(frame: pd.DataFrame, mapping: Mapping) -> RecordRows:
    """Which record each row of ``frame`` belongs to (one per row where the mapping has no ``continues``)."""
    if mapping.continues is None:
        return RecordRows.one_per_row(len(frame))
    starts = _starts_record(frame, mapping)
    positions = pd.Series(np.where(starts, np.arange(len(frame)), np.nan)).ffill()
    head = positions.fillna(-1).to_numpy(dtype=np.int64)
    return RecordRows(head, pd.Series(head).groupby(head).cumcount().to_numpy(dtype=np.int64) + 1)


def case_columns(mapping: Mapping) -> list[str]:
    """Columns only case-level fields read (a column a seizure's own field reads too is not one)."""
    fields = mapping.fields
    case = [spec for name in CASE_FIELDS if (spec := getattr(fields, name)) is not None]
    case_read = {c for spec in [*case, *mapping.people, *mapping.organizations] for c in spec.columns()}
    seizure_read = {c for name in type(fields).model_fields if name not in CASE_FIELDS
                    for spec in (getattr(fields, name) if isinstance(getattr(fields, name), list)
                                 else [getattr(fields, name)]) if spec is not None for c in spec.columns()}
    return sorted(case_read - seizure_read - {mapping.continues.when_empty})


def with_case_cells(frame: pd.DataFrame, mapping: Mapping, cases: RecordRows) -> pd.DataFrame:
    """``frame`` with each continuation row's empty case-level cells taken from its record's row."""
    continuing = cases.continuing & (cases.head >= 0)
    if mapping.continues is None or not continuing.any():
        return frame
    frame = frame.copy()
    source = np.where(continuing, cases.head, np.arange(len(frame)))
    for column in case_columns(mapping):
        if column in frame:
            cells = frame[column].astype(object)
            empty = (cells.fillna("").str.strip() == "").to_numpy(dtype=bool) & continuing
            frame[column] = cells.where(~empty, cells.to_numpy(dtype=object)[source])
    return frame


def chunk_starts(frame: pd.DataFrame, mapping: Mapping, size: int) -> list[int]:
    """Where chunks of about ``size`` rows start so that no record is split: a chunk starts at a row that
    starts a record (a chunk is longer than ``size`` where a record runs past its end)."""
    wanted = np.arange(0, len(frame), size)
    if mapping.continues is None or not len(frame):
        return wanted.tolist()
    starts = np.flatnonzero(_starts_record(frame, mapping) | (np.arange(len(frame)) == 0))
    found = starts[np.minimum(np.searchsorted(starts, wanted), len(starts) - 1)]
    return sorted(set(found[found >= wanted].tolist()))
