"""What was seized: commodities (taxon and product) and their quantities, with units, weights per piece, and
the seizure's totals."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .. import species, vocab
from ..mapping import Column, Quantity
from ..vocab import normalise
from .common import _group, _is_null, _lookup, _map_unique, _value_map
from .core import Compiler

MAX_QUANTITY_CHARS = 200  # a longer cell is no quantity (and NUMBER_WITH_UNIT backtracks over long runs of spaces)
NUMBER_WITH_UNIT = re.compile(r"^(-?\s*\d[\d.,\s]*?)\s*([^\d\s.,][^\d]*)?$")
# a weight per piece ("400g each"); the regex never backtracks through a run of spaces (ends are stripped)
EACH = re.compile(r"\b(?:each|apiece|per\s+(?:piece|item|animal|head|individual|specimen))\.?$", re.IGNORECASE)


class Quantities(Compiler):
    """Commodities and quantities: what was seized, how much of each, the seizure's totals."""

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
        products = [q.product for q in f.quantities]
        if any(products):
            found, owned = self.products(found, owned, products)
        shares = owned.groupby(["row", "item", "unit"])["amount"].sum().unstack()
        for unit, column in (("kg", "weight_kg"), ("pieces", "pieces")):
            values = shares[unit] if unit in shares else pd.Series(dtype=float)
            found[column] = _lookup(values, found).to_numpy()
        if any(products):
            found["item"] = found.groupby("row").cumcount()
        return found, _none_for_nan(weight), _none_for_nan(pieces)

    def products(self, found: pd.DataFrame, owned: pd.DataFrame, products: list[str | None]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Commodities (row, item, text, ref) and the quantities given to them (row, spec, item, …) where a
        quantity field names its product (``products``, one per field): the commodity it is given to, in that
        product, is a commodity of its own, counted by it (after the commodity it came from, in the order of the
        products). The commodity as written stays where no such quantity is given to it, or one without a
        product is too; a commodity the row has twice so is one, counted by both."""
        kinds = list(dict.fromkeys(p for p in products if p))
        width = len(kinds) + 1
        slot = np.array([kinds.index(p) + 1 if p else 0 for p in products], dtype=int)[
            owned["spec"].to_numpy(dtype=int)]
        owned = owned.assign(item=owned["item"].to_numpy(dtype=int) * width + slot)
        found = found.assign(item=found["item"] * width)
        made = owned[slot > 0].drop_duplicates(["row", "item"])[["row", "item"]]
        made = made.assign(written=made["item"] // width * width).merge(
            found[["row", "item", "text", "ref"]].rename(columns={"item": "written"}), on=["row", "written"])
        made["ref"] = [_in_product(ref, kinds[item % width - 1]) for ref, item in zip(made["ref"], made["item"])]
        at = pd.MultiIndex.from_frame(found[["row", "item"]])
        counted = at.isin(pd.MultiIndex.from_frame(owned.loc[slot == 0, ["row", "item"]]))
        kept = found[~at.isin(pd.MultiIndex.from_frame(made[["row", "written"]])) | counted]
        found = pd.concat([kept, made[["row", "item", "text", "ref"]]], ignore_index=True)
        found = found.sort_values(["row", "item"], kind="stable", ignore_index=True)
        first = found.assign(key=found["ref"].map(lambda r: r.key)).groupby(["row", "key"])["item"].transform("first")
        same = pd.DataFrame({"row": found["row"], "item": found["item"], "first": first})  # one commodity, counted once
        owned = owned.merge(same, on=["row", "item"], how="left")
        owned["item"] = owned["first"].fillna(owned["item"]).astype(int)
        return found[(first == found["item"]).to_numpy()].reset_index(drop=True), owned.drop(columns="first")

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
            missed = frame[given][taken.isna().to_numpy() & (not spec.optional)]
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


def _in_product(ref, product: str):
    """The commodity ``ref`` (its taxon) in ``product``, a product word of the vocabulary ("frozen": carcass)."""
    if ref.taxon is None:
        return vocab.commodity(ref.written, product)
    return species.combined(ref.taxon, species.commodity(product).product, ref.written, ref.how)


def _none_for_nan(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)
