"""Ingest: source files (CSV, XLSX, JSON) through declarative mappings into facts written to a store.

``tables`` reads a file in whatever encoding and dialect it arrives in; ``mapping`` validates a mapping;
``vocab`` normalises countries, places, commodities and units; ``transform`` turns a table of rows into
facts column by column, rejecting bad rows with a reason; ``load`` drives a whole file into a store and
accounts for every row.
"""
