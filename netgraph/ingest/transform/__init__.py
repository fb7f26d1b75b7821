"""Turn a table of source rows into graph facts, following a mapping, column by column.

This is the only place that knows how a seizure record becomes nodes and relationships; ``compile_rows`` is
its one entry point. The mapping is applied to whole columns: cells are cleaned and split with vectorised
string operations, each distinct value is looked up once (places, commodities, units, dates), and every fact
comes out as a table row tagged with the source row it came from. A row with a bad value is rejected with the
first reason a reader going left to right through the record would meet (file, row, column, reason) and
contributes no fact at all. Keys are deterministic (built from the values, never from counters), so loading
the same data twice creates nothing new.

One module per field family; imports go down this list only:

- :mod:`.record` — ``compile_rows``: the record, every family in the order a reader meets the fields;
- :mod:`.parties` (people, organisations, conveyances), :mod:`.outcomes` (arrests, prosecution, conviction,
  grading, mode, partner, documents), :mod:`.quantities` (commodities, quantities, units), :mod:`.case` (declared
  value, purpose, case number, judgement date);
- :mod:`.places` (country, place, route, coordinates), :mod:`.dates` (dates, ranges, year/month/day columns);
- :mod:`.core` — cells, list entries, rejected rows, facts in reading order, the result; :mod:`.common` — small
  functions over cells.

>>> import pandas as pd
>>> from netgraph.ingest.mapping import load_mapping
>>> rows = pd.DataFrame({"__row__": [2], "Case ID": ["T-1"], "Date of seizure": ["2021-03-04"],
...     "Country of seizure": ["Vietnam"], "Commodity": ["pangolin scales"], "Quantity": ["12"], "Unit": ["kg"]})
>>> facts = compile_rows(rows, load_mapping("cen_customs"), "x.csv")
>>> facts.batch.node_frame("Seizure")[["id", "weight_kg"]].values.tolist()
[['seizure:CEN:T-1', 12.0]]
"""
from .common import NULL_TOKENS
from .core import Compiled, record_key
from .places import ROUTE_SPLIT
from .record import compile_rows

__all__ = ["NULL_TOKENS", "ROUTE_SPLIT", "Compiled", "compile_rows", "record_key"]
