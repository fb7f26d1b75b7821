"""Risk outputs: the method stamp every export carries, and the HTML targeting list.

The targeting list is one self-contained HTML page (no script, no external reference): the records to
inspect, highest score first, with the profiles they matched, the reasons and the chain of ties to the
nearest offender. Every value is data, never markup: each goes through :func:`html.escape`.

>>> page = targets_html(table, stamp)                                   # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import pandas as pd

from ..resources import netgraph_version


def input_hash(*parts) -> str:
    """SHA-256 over JSON of the inputs (frames as their rows, in order; other values as JSON).

    >>> input_hash(pd.DataFrame({"id": ["a"]})) == input_hash(pd.DataFrame({"id": ["a"]}))
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            for row in part.itertuples(index=False):
                digest.update(json.dumps(list(row), ensure_ascii=False, default=str).encode("utf-8"))
        else:
            digest.update(json.dumps(part, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def method_stamp(method: str, inputs: tuple = (), **parameters) -> dict:
    """What a risk export records: method, parameters, netgraph version and the inputs' hash."""
    return {"method": method, "netgraph_version": netgraph_version(), "parameters": parameters,
            "input_sha256": input_hash(*inputs)}


_STYLE = ("body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;width:100%}"
          "th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top;font-size:.9em}"
          "th{background:#f3f3f3}td.score{font-weight:bold;text-align:right}tr.zero{color:#888}"
          "small{color:#555}.handling{font-size:.8em;color:#a00}")


def targets_html(table: pd.DataFrame, stamp: dict, title: str = "Targeting list", limit: int = 200) -> str:
    """The targeting list as one HTML page: the first ``limit`` rows of :meth:`Targeting.score`'s table.

    >>> t = pd.DataFrame([{"rank": 1, "id": "c1", "name": "<b>x</b>", "date": "2026-01-02", "route": "KE → TH",
    ...     "airline": None, "goods": "handicrafts", "weight_kg": 12.0, "score": 30.0, "profiles": ["p"],
    ...     "handling": 3, "reasons": "p (+30): route KE→TH", "network": "", "network_records": [], "records": []}])
    >>> "&lt;b&gt;x&lt;/b&gt;" in targets_html(t, {"method": "m"}) and "<b>x</b>" not in targets_html(t, {})
    True
    """
    e = html.escape
    rows = []
    for r in table.head(limit).itertuples():
        network = e(str(r.network)) + (f"<br><small>records: {e(', '.join(r.network_records))}</small>"
                                       if r.network_records else "")
        handling = f"<div class='handling'>handling {e(str(r.handling))}</div>" if pd.notna(r.handling) else ""
        weight = "" if pd.isna(r.weight_kg) else f"{r.weight_kg:g} kg"
        rows.append(f"<tr class='{'zero' if not r.score else ''}'><td>{r.rank}</td><td class='score'>{r.score:g}</td>"
                    f"<td>{e(str(r.name))}<br><small>{e(str(r.date))} · {e(str(r.route or ''))} · "
                    f"{e(str(r.airline or ''))}</small></td><td>{e(str(r.goods or ''))}<br><small>{e(weight)}</small>"
                    f"</td><td>{e(str(r.reasons))}{handling}</td><td>{network}</td></tr>")
    scored = int((table["score"] > 0).sum())
    method = "".join(f"<li>{e(str(k))}: {e(json.dumps(v, ensure_ascii=False, default=str))}</li>"
                     for k, v in stamp.items())
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{e(title)}</h1><p>{scored} of {len(table)} records match a profile; the first "
            f"{min(limit, len(table))} are listed, highest score first. A score is the sum of the matched "
            "profiles' scores; the network column gives the chain of ties from a party of the record to the "
            "nearest known offender and the records behind those ties.</p>"
            "<table><tr><th>#</th><th>score</th><th>record</th><th>goods</th><th>reasons</th><th>network</th></tr>"
            + "".join(rows) + f"</table><h2>Method</h2><ul>{method}</ul></body></html>")


def write_targets_html(table: pd.DataFrame, stamp: dict, path: str | Path, **options) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(targets_html(table, stamp, **options), encoding="utf-8")
    return path
