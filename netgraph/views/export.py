"""Write analysis tables as CSV and XLSX with a method stamp (version, parameters, input hash, time).

Every text cell that a spreadsheet would evaluate as a formula is written with a leading ``'``
(:func:`netgraph.ingest.cells.safe_cell`), in the CSV files and the workbook alike.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from ..ingest.cells import safe_cells, write_csv


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists become '; '-joined text and dates ISO strings, so every cell survives CSV and Excel."""
    out = frame.copy()
    for column in out.columns:
        if any(isinstance(v, (list, tuple, set)) for v in out[column]):  # an empty .map() keeps a datetime dtype
            out[column] = out[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set))
                                          else v)
    return out


def write_tables(out_dir: str | Path, tables: dict[str, pd.DataFrame], stamp: dict,
                 workbook: str = "netgraph_report.xlsx") -> list[Path]:
    """Write each table as ``NAME.csv``, all of them as sheets of one workbook, and ``method.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = {**stamp, "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    written = []
    for name, frame in tables.items():
        path = out_dir / f"{name}.csv"
        written.append(write_csv(flat(frame), path))
    with pd.ExcelWriter(out_dir / workbook, engine="openpyxl") as excel:
        for name, frame in tables.items():
            safe_cells(flat(frame)).to_excel(excel, sheet_name=name[:31], index=False)
        method = pd.DataFrame(sorted((k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in stamp.items()),
                              columns=["key", "value"])
        safe_cells(method).to_excel(excel, sheet_name="method", index=False)
    written.append(out_dir / workbook)
    (out_dir / "method.json").write_text(json.dumps(stamp, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
    written.append(out_dir / "method.json")
    return written
