"""Load a source file into a store with a mapping; account for every row.

Every load reports ``read = loaded + rejected``. Rejected rows go, with file, row, column and reason and
their original cells, into a rejects CSV that can be fixed and loaded again. A file that lacks a column
the mapping requires is refused before anything is written.

>>> from netgraph import open_store, load_file
>>> with open_store("demo.lbdb") as store:                                 # doctest: +SKIP
...     report = load_file("loaders/samples/cen_customs_sample.csv", "cen_customs", store)
>>> report.read == report.loaded + report.rejected                         # doctest: +SKIP
True
"""
from __future__ import annotations

import hashlib
import json
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from ..resources import NetgraphError, netgraph_version
from ..schema import NODE_TYPES
from ..store.base import GraphStore
from ..store.batch import GraphBatch
from . import vocab
from .cells import write_csv
from .mapping import Mapping, load_mapping
from .review import Decisions, read_decisions, retire
from .tables import read_table
from .transform import compile_rows
from .transform.continuation import chunk_starts

CHUNK_ROWS = 100_000  # rows read and written at a time


class MissingColumnsError(NetgraphError, ValueError):
    """The file lacks columns that the mapping requires; nothing was written."""


@dataclass
class LoadReport:
    file: str
    mapping: str
    encoding: str | None
    delimiter: str | None
    read: int
    loaded: int
    rejected: int
    rejects_file: str | None
    missing_optional_columns: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)  # what the load added to the store, by label and type
    conflicts: int = 0  # records that another file or row had loaded already, with other values
    conflicts_file: str | None = None
    places: int = 0  # distinct places (Location nodes other than countries) the loaded rows name
    places_with_coordinates: int = 0  # of which the gazetteer placed (countries sit at their centroids)
    place_conflicts: list[dict] = field(default_factory=list)  # file coordinates > 50 km from the gazetteer's
    unchanged_since: str | None = None  # set when this exact load had completed before: nothing was written
    decisions_file: str | None = None  # the analyst's review decisions the load applied (``review``)
    decisions_applied: dict[str, int] = field(default_factory=dict)  # kind → decisions applied to this file's rows

    def summary(self) -> str:
        lines = [f"{self.file} ({self.mapping}, encoding {self.encoding or 'n/a'}, delimiter "
                 f"{self.delimiter!r}): read {self.read} = loaded {self.loaded} + rejected {self.rejected}"]
        if self.unchanged_since:
            lines.append(f"unchanged: the same file was loaded completely with the same mapping at "
                         f"{self.unchanged_since}, and nothing was loaded after it; nothing written (again=True, "
                         f"or --again, loads it anyway)")
        if self.rejects_file:
            lines.append(f"rejected rows and reasons: {self.rejects_file}")
        if self.conflicts:
            lines.append(f"{self.conflicts} record(s) were loaded before from another file or row with other "
                         f"values (the highest handling code and the latest grading kept): {self.conflicts_file}")
        if self.places:
            lines.append(f"places with coordinates: {self.places_with_coordinates} of {self.places} "
                         f"({self.places_with_coordinates / self.places:.0%}; countries not counted)")
        if self.decisions_file:
            applied = ", ".join(f"{n} {kind}" for kind, n in self.decisions_applied.items()) or "none"
            lines.append(f"review decisions applied from {self.decisions_file}: {applied}")
        for c in self.place_conflicts:
            lines.append(f"row {c['row']}, {c['column']}: {c['text']!r} at the file's {c['lat']:.4f}, {c['lon']:.4f} "
                         f"(used), {c['km']} km from the gazetteer's {c['gazetteer']} ({c['gazetteer_id']})")
        if self.missing_optional_columns:
            lines.append(f"columns the mapping reads but the file lacks: {', '.join(self.missing_optional_columns)}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return asdict(self)


def load_file(path: str | Path, mapping: str | Path | Mapping, store: GraphStore,
              rejects_dir: str | Path | None = None, progress: bool = True, encoding: str | None = None,
              delimiter: str | None = None, again: bool = False,
              decisions: str | Path | Decisions | None = None) -> LoadReport:
    """Read ``path`` with ``mapping`` (a shipped name, a YAML path or a Mapping) and write it to ``store``.

    ``encoding`` and ``delimiter`` override the mapping's and the detection (e.g. ``"cp1258"``, ``";"``).
    A file whose exact bytes and name were loaded completely before, with the same mapping content, options
    and netgraph version, and with no load finished after it, would change nothing: it is not read again
    (its report says ``unchanged_since``) unless ``again``. ``decisions``, an analyst's review decisions CSV
    (:mod:`.review`), decides how the places and commodity texts it names are read; what the file's records
    held under the readings they replace goes.
    """
    path = Path(path)
    mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if decisions is not None and not isinstance(decisions, Decisions):
        decisions = read_decisions(decisions)
    if decisions is not None:
        decisions.applied.clear()  # what this load applies
    digest, load_id, options = load_identity(path, mapping, encoding, delimiter, decisions)
    earlier = None if again else _completed_before(store, load_id, path.name, options)
    if earlier is not None:
        return _unchanged_report(path, mapping, earlier)
    table = read_table(path, encoding or mapping.encoding, delimiter or mapping.delimiter, mapping.sheet)
    present = set(table.frame.columns)
    missing = [c for c in mapping.required_columns() if c not in present]
    if missing:
        raise MissingColumnsError(f"{path.name}: missing required column(s) {missing} for mapping "
                                  f"{mapping.name!r}; the file has {sorted(present - {'__row__'})}")
    before, frame, found, clashes, loaded = store.counts(), table.frame, [], [], {}
    located: dict[str, bool] = {}  # place → has coordinates
    far: list[dict] = []  # places whose coordinates in the file and in the gazetteer differ
    _mark(store, load_id, {"name": f"{path.name} with {mapping.name}", "file": path.name, "mapping": mapping.name,
                           "file_sha256": digest, "encoding": table.encoding, "status": "incomplete"})
    # into an empty store, a file of several chunks is written table by table once all are read (a store
    # that commits chunk after chunk pays more at each commit); else chunk by chunk, one transaction each
    bulk = not set(before) - {"Load"} and len(frame) > CHUNK_ROWS  # (a killed load may have left its Load node)
    with (store.bulk_load(progress) if bulk else nullcontext(store.write)) as write, vocab.decided(decisions), \
            tqdm(total=len(frame), unit="row", desc=f"loading {path.name}", disable=not progress or
                 len(frame) < CHUNK_ROWS) as bar:
        starts = chunk_starts(frame, mapping, CHUNK_ROWS)  # chunks bound the memory a big file takes; none
        for start, end in zip(starts, [*starts[1:], len(frame)]):  # splits a record over rows
            part = frame.iloc[start:end]
            bar.set_postfix_str("reading")
            compiled = compile_rows(part, mapping, path.name, loaded)
            loaded.update(compiled.records)
            located.update(_located(compiled.batch))
            far += compiled.place_conflicts
            if before.get("Record"):
                clashes.append(_conflicts(store, compiled.batch.node_frame("Record")))
            bar.set_postfix_str("spilling" if bulk else "writing")
            write(compiled.batch)
            found.append(compiled.rejects.assign(row=compiled.rejects["row"] + start))
            bar.update(len(part))
    bad = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["row", "column", "reason"])
    cells = frame.iloc[bad["row"].to_numpy(dtype=int)].reset_index(drop=True)
    rejects = pd.concat([pd.DataFrame({"file": path.name, "row": cells["__row__"], "column": bad["column"].to_numpy(),
                                       "reason": bad["reason"].to_numpy()}), cells.drop(columns="__row__")], axis=1)
    folder = Path(rejects_dir or store.rejects_dir)
    rejects_file = _write_rejects(rejects, folder, path, mapping) if len(rejects) else None
    conflicts = pd.concat(clashes, ignore_index=True) if clashes else pd.DataFrame()
    conflicts_file = None
    if len(conflicts):
        folder.mkdir(parents=True, exist_ok=True)
        conflicts_file = str(write_csv(conflicts, folder / f"{path.name}.{mapping.name}.conflicts.csv"))
    read, after = len(frame), store.counts()
    report = LoadReport(str(path), mapping.name, table.encoding, table.delimiter, read, read - len(rejects),
                        len(rejects), rejects_file, [c for c in mapping.known_columns() if c not in present],
                        {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)},
                        conflicts["record"].nunique() if len(conflicts) else 0, conflicts_file)
    report.places, report.places_with_coordinates = len(located), sum(located.values())
    report.place_conflicts = far
    if decisions is not None:
        retire(store, decisions, list(loaded))
        report.decisions_file = decisions.path
        for label, kind in (("Location", "place"), ("Commodity", "species"), ("Organization", "organisation")):
            if n := len({text for found, text, *_ in decisions.applied if found == label}):
                report.decisions_applied[kind] = n
    _mark(store, load_id, {"read": report.read, "loaded": report.loaded, "rejected": report.rejected,
                           "rejects_file": rejects_file, "conflicts": report.conflicts,
                           "conflicts_file": conflicts_file, "status": "complete",
                           "netgraph_version": netgraph_version(), "options_sha256": options,
                           "finished": datetime.now(timezone.utc).isoformat(timespec="microseconds")})
    return report


def load_identity(path: Path, mapping: Mapping, encoding: str | None, delimiter: str | None,
                  decisions: Decisions | None = None) -> tuple[str, str, str]:
    """A load's file SHA-256, its ``Load`` node id and the SHA-256 of the mapping's content and options, review
    decisions included (the file is hashed streamed: a 300 MB file is not held beside the table made of it)."""
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    given = [mapping.model_dump(mode="json"), encoding, delimiter] + ([decisions.digest()] if decisions else [])
    options = hashlib.sha256(json.dumps(given, sort_keys=True).encode()).hexdigest()
    return digest, f"load:{digest[:16]}:{mapping.name}", options


def _completed_before(store: GraphStore, load_id: str, name: str, options: str) -> pd.Series | None:
    """The ``Load`` node of this very load if it completed from a file of this name (records without an id
    are keyed by file name and row) with these options and this netgraph version, and no load finished after
    it (a later file may have changed what this one set: it would set it back)."""
    loads = store.node_properties("Load")
    done = loads[(loads["id"] == load_id) & (loads["file"] == name) & (loads["status"] == "complete")
                 & (loads["options_sha256"] == options) & (loads["netgraph_version"] == netgraph_version())]
    if not len(done):
        return None
    return done.iloc[0] if loads["finished"].dropna().max() == done.iloc[0]["finished"] else None


def _unchanged_report(path: Path, mapping: Mapping, load: pd.Series) -> LoadReport:
    count = {c: int(load[c]) for c in ("read", "loaded", "rejected", "conflicts")}
    return LoadReport(str(path), mapping.name, load["encoding"], None, count["read"], count["loaded"],
                      count["rejected"], load["rejects_file"], conflicts=count["conflicts"],
                      conflicts_file=load["conflicts_file"], unchanged_since=load["finished"])


def _located(batch: GraphBatch) -> dict[str, bool]:
    """The places (not countries) of a batch: id → whether it has coordinates."""
    places = batch.node_frame("Location")
    places = places[places["kind"] != "country"]
    return dict(zip(places["id"], places["lat"].notna()))


def _mark(store: GraphStore, load_id: str, props: dict) -> None:
    """Write what the ``Load`` node knows so far: it says ``incomplete`` until the last chunk is written."""
    batch = GraphBatch()
    batch.node("Load", load_id, props, None)
    store.write(batch)


COMPARED = ["record_date", "agency", "country", "reliability", "validity", "handling"]  # Record properties
KEPT = {"max": "the higher", "last": "this file's", None: "the stored"}  # by the schema's merge rule


def _conflicts(store: GraphStore, records: pd.DataFrame) -> pd.DataFrame:
    """Records of ``records`` that the store holds from another file or row with other values: one row per
    differing value (record, column, the value stored and where from, this file's value, what is kept)."""
    stored = store.stored_records(records["id"])
    both = records.merge(stored, on="id", suffixes=("", "_stored"))
    both = both[(both["file"] != both["file_stored"]) | (both["row"].astype(float) != both["row_stored"].astype(float))]
    rows = []
    for column in COMPARED:
        new, old = both[column], both[f"{column}_stored"]
        differ = new.notna() & old.notna() & (new.astype(str) != old.astype(str))
        kept = KEPT[NODE_TYPES["Record"].merge.get(column)]
        rows.append(pd.DataFrame({"record": both.loc[differ, "record_id"].fillna(both.loc[differ, "id"]),
                                  "column": column, "stored": old[differ],
                                  "stored_from": both.loc[differ, "file_stored"] + " row "
                                  + both.loc[differ, "row_stored"].astype(str),
                                  "this_file": new[differ], "this_row": both.loc[differ, "row"], "kept": kept}))
    return pd.concat(rows, ignore_index=True)


def _write_rejects(rejects: pd.DataFrame, directory: Path, path: Path, mapping: Mapping) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{path.name}.{mapping.name}.rejects.csv"
    return str(write_csv(rejects, out))  # BOM: opens right in Excel; formula-like cells get a leading '
