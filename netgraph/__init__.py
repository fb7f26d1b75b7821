"""netgraph: wildlife-seizure records → a network picture of the trafficking organisations behind them.

>>> import netgraph as ng
>>> store = ng.open_store("cases.lbdb")                                         # doctest: +SKIP
>>> ng.load_file("loaders/samples/cen_customs_sample.csv", "cen_customs", store)  # doctest: +SKIP
"""
import importlib

from .resources import netgraph_version

# name → (module, attribute): imported on first use (SPEC 1's lazy loading by module __getattr__), so that
# ``import netgraph`` and ``netgraph --help`` load neither igraph, pandas' readers, matplotlib nor Splink
_EXPORTS = {
    "NetworkInputError": (".analysis.edgelist", "NetworkInputError"),
    "Network": (".analysis.network", "Network"),
    "location_network": (".analysis.network", "location_network"),
    "organization_network": (".analysis.network", "organization_network"),
    "person_network": (".analysis.network", "person_network"),
    "subgraph": (".analysis.projection", "subgraph"),
    "LoadReport": (".ingest.load", "LoadReport"),
    "MissingColumnsError": (".ingest.load", "MissingColumnsError"),
    "load_file": (".ingest.load", "load_file"),
    "available_mappings": (".ingest.mapping", "available_mappings"),
    "load_mapping": (".ingest.mapping", "load_mapping"),
    "loaders_dir": (".resources", "loaders_dir"),
    "outcomes": (".space_time.outcomes", "outcomes"),
    "GraphStore": (".store", "GraphStore"),
    "LadybugStore": (".store", "LadybugStore"),
    "open_store": (".store", "open_store"),
    "list_queries": (".store.queries", "list_queries"),
    "query": (".store.queries", "run_query"),
}

__version__ = netgraph_version()
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    """The public API, imported when first used."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'netgraph' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
