"""Entity resolution on Spark: Splink's Spark backend with the comparisons, blocking rules and priors of
:mod:`netgraph.resolution.linkage` (the same settings; only the SQL names of three list functions differ), and
the same exact rules, decisions and clustering after scoring.

Splink's similarity functions (``damerau_levenshtein``) come from the jar Splink ships, which
:func:`netgraph.ingest.spark.session` puts on the classpath.

>>> from netgraph.ingest.spark import session                         # doctest: +SKIP
>>> result = resolve_on_spark(store, session("local[2]"))             # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from ..store.base import GraphStore
from .linkage import THRESHOLD, Resolution, resolve


def spark_api(spark, break_lineage: str = "persist"):
    """Splink's Spark backend on ``spark`` (a SparkSession); ``break_lineage``: how Splink cuts long query
    plans (``persist`` needs no checkpoint folder; ``checkpoint`` and ``parquet`` suit big clusters)."""
    try:
        from splink.backends.spark import SparkAPI
    except ImportError:
        from ..ingest.spark import SparkMissingError
        raise SparkMissingError("entity resolution on Spark needs pyspark: pip install 'netgraph[spark]'") from None
    # Splink registers the mentions as the temporary view ``people``: an earlier resolution in this session
    # left one, which Splink would refuse to replace
    spark.catalog.dropTempView("people")
    return SparkAPI(spark_session=spark, break_lineage_method=break_lineage)


def resolve_on_spark(store: GraphStore, spark, decisions: str | Path | None = None, threshold: float = THRESHOLD,
                     write: bool = True) -> Resolution:
    """:func:`~netgraph.resolution.linkage.resolve`, scored by Splink on ``spark``."""
    return resolve(store, decisions, threshold, write, api=spark_api(spark))
