"""netgraph: wildlife-seizure records → a network picture of the trafficking organisations behind them.

>>> import netgraph as ng
>>> store = ng.open_store("cases.lbdb")                                         # doctest: +SKIP
>>> ng.load_file("loaders/samples/cen_customs_sample.csv", "cen_customs", store)  # doctest: +SKIP
"""
from .analysis.edgelist import NetworkInputError
from .analysis.network import Network, location_network, organization_network, person_network
from .analysis.projection import subgraph
from .ingest.load import LoadReport, MissingColumnsError, load_file
from .ingest.mapping import available_mappings, load_mapping
from .resources import loaders_dir, netgraph_version
from .space_time.outcomes import outcomes
from .store import GraphStore, LadybugStore, open_store
from .store.queries import list_queries
from .store.queries import run_query as query

__version__ = netgraph_version()
__all__ = ["GraphStore", "LadybugStore", "LoadReport", "MissingColumnsError", "Network", "NetworkInputError", "available_mappings",
           "load_file", "load_mapping", "loaders_dir", "location_network", "open_store", "organization_network", "person_network",
           "list_queries", "outcomes", "query", "subgraph", "__version__"]
