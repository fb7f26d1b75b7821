"""Risk management (issue 20): indicators from past seizures, declarative risk profiles, targeting of records
that are not seizures (consignments, passengers, companies), network risk near known offenders, and a
temporal back-test.

>>> from netgraph import risk
>>> risk.candidates(store).head()                                     # doctest: +SKIP
>>> risk.Targeting(risk.load_profiles()).fit(store).score().head()    # doctest: +SKIP
"""
from .evaluation import backtest
from .indicators import candidates, combinations, events, facts, indicator_table
from .network import network_risk, party_graph, path_to_offender, personalized_pagerank
from .profiles import Profile, ProfileError, draft_profiles, load_profiles, profiles_yaml
from .target import Targeting, target

__all__ = ["Profile", "ProfileError", "Targeting", "backtest", "candidates", "combinations", "draft_profiles",
           "events", "facts", "indicator_table", "load_profiles", "network_risk", "party_graph", "path_to_offender",
           "personalized_pagerank", "profiles_yaml", "target"]
