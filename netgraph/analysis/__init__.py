"""Analysis: projections of the stored graph and what analysts ask of them.

``projection`` reads the graph (or the part that records in scope support) as igraph/NetworkX; ``ties``
derives one-mode ties with their evidence; ``network`` is the :class:`Network` facade and its builders;
``measures``, ``communities``, ``disruption``, ``leads`` and ``brokers`` are the algorithms it delegates to;
``edgelist`` makes networks from edge lists, NetworkX and igraph graphs (no store);
``reads`` reads the store's nodes and relationships leanly (through ``GraphStore.query``) and ``grouping``
holds the numpy/Arrow grouping and lookups the projections share.
"""
