"""Entity resolution: one person across spellings, scripts and agencies, explainably and reversibly.

``normalize`` makes comparable keys (names, phones, documents); ``match`` links mentions with Splink, rules
and analyst decisions and writes ``SAME_AS``; ``evaluate`` scores it on a labelled, generated set.

>>> from netgraph.resolution import resolve, explain
>>> resolve(store)                                   # doctest: +SKIP
"""
from .linkage import explain, match, resolve

__all__ = ["explain", "match", "resolve"]
