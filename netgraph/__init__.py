"""netgraph: wildlife-seizure records → a network picture of the trafficking organisations behind them.

>>> import netgraph as ng
>>> store = ng.open_store("cases.lbdb")                                         # doctest: +SKIP
>>> ng.load_file("loaders/samples/cen_customs_sample.csv", "cen_customs", store)  # doctest: +SKIP
"""
from .load import LoadReport, MissingColumnsError, load_file
from .mapping import available_mappings, load_mapping
from .network import Network, location_network, organization_network, person_network
from .projection import subgraph
from .queries import list_queries
from .queries import run_query as query
from .resources import loaders_dir, netgraph_version
from .store import GraphStore, LadybugStore, open_store

__version__ = netgraph_version()
__all__ = ["GraphStore", "LadybugStore", "LoadReport", "MissingColumnsError", "Network", "available_mappings",
           "load_file", "load_mapping", "loaders_dir", "location_network", "open_store", "organization_network", "person_network",
           "list_queries", "query", "subgraph", "__version__"]
