"""The compiler's shared machinery: reading cells and list entries, rejecting rows, tagging facts in reading
order, entities and their mentions, and the result (duplicates, ``Compiled``). The field families
(:mod:`.dates`, :mod:`.places`, :mod:`.quantities`, :mod:`.parties`, :mod:`.outcomes`) build on ``Compiler``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...store.batch import GraphBatch
from ..legal_forms import split_companies
from ..mapping import Column, Mapping, Party
from ..vocab import normalise
from .common import _group, _is_null, _map_unique, _one_line, _separators, _splitter, _value_map
from .continuation import RecordRows

# Facts of one record keep the order a reader going through it would make them in (the first value of a
# property wins): order = major, site (where in the record), minor (entry in a list), packed in one int64.
MAJOR, SITE = 10 ** 12, 10 ** 6


@dataclass
class Compiled:
    """The facts of the rows that loaded, and the rows that did not: row (position in the table), column,
    reason."""
    batch: GraphBatch
    rejects: pd.DataFrame
    records: dict[str, int]  # key of every record that loaded → its spreadsheet row
    place_conflicts: list[dict] = field(default_factory=list)  # the file's coordinates far from the gazetteer's


def record_key(source: str, file_name: str, rows: pd.Series, record_ids: pd.Series) -> pd.Series:
    by_position = f"record:{source}:{file_name}#" + rows.astype(str)
    return ("record:" + source + ":" + record_ids).where(record_ids != "", by_position)


class Compiler:
    """One table being compiled: its cells, the rows rejected so far, the facts made so far."""

    def __init__(self, frame: pd.DataFrame, mapping: Mapping, file_name: str, cases: RecordRows | None = None):
        self.frame = frame.reset_index(drop=True)
        self.m, self.file_name, self.n = mapping, file_name, len(frame)
        self.cases = cases or RecordRows.one_per_row(self.n)  # the record each row belongs to
        self.blank = pd.Series([""] * self.n, dtype=object)
        self.rows = self.frame["__row__"].astype(int)
        self.errors: list[tuple[np.ndarray, pd.Series, pd.Series]] = []  # in reading order: first one wins
        self.nodes: dict[str, list[pd.DataFrame]] = defaultdict(list)
        self.rels: dict[tuple, list[pd.DataFrame]] = defaultdict(list)
        self.site = 0  # where a fact is made, in the order a reader of one record makes them
        self._cells: dict[tuple[str, bool], pd.Series] = {}
        self.place_conflicts: list[dict] = []

    # --- cells ------------------------------------------------------------------------------------
    def cells(self, column: str | None, lines: bool = False, comma: bool = False) -> pd.Series:
        """A column's cells, stripped ('' where the file lacks the column); a line break inside a cell reads
        as a space unless ``lines`` (line breaks separate the field's entries) or ``comma`` (it reads ', ')."""
        if not column or column not in self.frame:
            return self.blank
        key = (column, "comma") if comma else (column, lines)
        if key not in self._cells:
            if (column, True) not in self._cells:
                self._cells[column, True] = self.frame[column].astype(object).fillna("").str.strip()
            cells = self._cells[column, True]
            if not lines or comma:
                values = cells.to_numpy(dtype=object)
                joined = "".join(values)  # one scan: most columns hold no line break
                if "\n" in joined or "\r" in joined:
                    broken = np.fromiter((("\n" in v or "\r" in v) for v in values), dtype=bool, count=len(values))
                    one_line = (lambda t: _one_line(t, ", ")) if comma else _one_line
                    cells = cells.where(~broken, _map_unique(cells[broken], one_line))
                self._cells[key] = cells
        return self._cells[key]

    def raw(self, spec: Column | Party | None, lines: bool = False) -> pd.Series:
        """The field's cell per row: its first column with a non-empty, non-null cell, or its joined columns
        (see ``joined``), or its constant, or its default ('' where none)."""
        if spec is None:
            return self.blank
        if getattr(spec, "value", None) is not None:
            return pd.Series([spec.value] * self.n, dtype=object)
        comma = getattr(spec, "newline", None) == "comma"
        out = self.joined(spec, lines, comma) if getattr(spec, "joined_columns", None) else self.blank
        for column in reversed([c for c in (spec.column, getattr(spec, "fallback", None)) if c]):
            cells = self.cells(column, lines, comma)
            out = cells.where(~_is_null(cells), out)
        if getattr(spec, "default", None) is not None:
            out = out.where(out != "", spec.default)
        return out

    def joined(self, spec: Column, lines: bool, comma: bool) -> pd.Series:
        """The non-null cells of the field's ``columns`` joined by its ``join`` (", " unless given); an empty
        cell is left out with its separator."""
        join = ", " if spec.join is None else spec.join
        out = self.blank
        for column in spec.joined_columns:
            cells = self.cells(column, lines, comma)
            part = cells.where(~_is_null(cells), "")
            out = (out + join + part).where((out != "") & (part != ""), out + part)
        return out

    def text(self, spec: Column | None) -> pd.Series:
        """The field's value per row ('' where none): its cell (see ``raw``), or, where the field has a
        ``separator`` or a ``pattern``, the values of its entries joined by '; '; after its value map."""
        if spec is None:
            return self.blank
        if spec.separators(()) or spec.pattern is not None:  # entries (a required one checked there)
            found = self.entries(spec, spec.separators(()))
            out = found.groupby("row")["text"].agg("; ".join).reindex(range(self.n), fill_value="")
            return out.astype(object).reset_index(drop=True)
        out = self.raw(spec)
        if spec.map:
            out = _map_unique(out, _value_map(spec))
        if spec.required:
            self.error(out == "", spec.named(), "required value is empty")
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
            self.error(text == "", spec.named(), "required value is empty")
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
        """Entries replaced by the group of the field's pattern they hold; an entry without it rejects its row
        (unless the field is ``optional``: then it gives no value)."""
        taken = _map_unique(found["text"], lambda t: _group(spec.pattern, spec.group, t))
        bad = taken.isna().to_numpy()
        missed = found[bad] if not spec.optional else found[:0]
        self.row_error(missed.assign(order=missed["item"], column=spec.named(), reason=[
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

    def from_seizure(self, found: pd.DataFrame, to: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"row": found["row"], "from": self.seizure.to_numpy(dtype=object)[found["row"].to_numpy()],
                             "to": to})

    def to_seizure(self, found: pd.DataFrame, source: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"row": found["row"], "from": source,
                             "to": self.seizure.to_numpy(dtype=object)[found["row"].to_numpy()]})

    # --- the result -------------------------------------------------------------------------------
    def finish(self, loaded: dict[str, int]) -> Compiled:
        rejected = np.zeros(self.n, dtype=bool)
        column = pd.Series([None] * self.n, dtype=object)
        reason = pd.Series([None] * self.n, dtype=object)
        for mask, col, why in self.errors:
            new = mask & ~rejected
            column[new], reason[new] = col[new], why[new]
            rejected |= mask
        starts = ~self.cases.continuing
        duplicate, first = self._duplicates(~rejected & starts, loaded)
        column[duplicate] = self.m.fields.record_id.column if self.m.fields.record_id else None
        reason[duplicate] = [f"duplicate record id: row {row} has the same one (a record is one row; "
                             "rows sharing an id are not merged)" for row in first]
        rejected |= duplicate
        head = self.cases.record_row
        orphaned = self.cases.continuing & (self.cases.head >= 0) & rejected[head]
        if orphaned.any():
            column[orphaned] = self.m.continues.when_empty
            reason[orphaned] = [f"continues the record of row {self.rows[h]}, which is rejected"
                                for h in head[orphaned]]
            rejected |= orphaned
        keep = ~rejected
        batch = GraphBatch()
        for label, frames in self.nodes.items():
            facts = _ordered([f for f in frames if len(f)], keep)
            if facts is None:
                continue
            if label == "Record":
                facts = facts.rename(columns={"row_in_file": "row"})
                if self.m.continues:
                    facts["rows"] = facts["id"].map(self._record_rows(keep))
            facts["record"] = self.rec.to_numpy(dtype=object)[facts["_row"].to_numpy()]
            batch.add_nodes(label, facts.drop(columns=["_row", "order"]))
        for key, frames in self.rels.items():
            facts = _ordered([f for f in frames if len(f)], keep)
            if facts is not None:
                facts["record"] = self.rec.to_numpy(dtype=object)[facts["_row"].to_numpy()]
                batch.add_rels(key, facts.drop(columns=["_row", "order"]))
        rejects = pd.DataFrame({"row": np.flatnonzero(rejected), "column": column[rejected].fillna("").to_numpy(),
                                "reason": reason[rejected].to_numpy()})
        starts &= keep
        return Compiled(batch, rejects, dict(zip(self.rec.to_numpy(dtype=object)[starts],
                                                 self.rows.to_numpy()[starts])), self.place_conflicts)

    def _record_rows(self, keep: np.ndarray) -> pd.Series:
        """Record key → the spreadsheet rows of it that loaded, in order ("12, 13, 15")."""
        rows = pd.Series(self.rows.to_numpy()[keep].astype(str))
        return rows.groupby(self.rec.to_numpy(dtype=object)[keep], sort=False).agg(", ".join)

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
