"""Networks from labelled adjacency matrices (the UCINET "covert networks" CSV layout).

The first row and column hold node labels (an empty or BOM-prefixed corner cell is fine); cells are tie
weights, 0 = no tie. For the undirected person network netgraph analyses, a matrix is symmetrised: the
tie i–j weighs w_ij + w_ji (e.g. calls both ways); ``weighted=False`` makes every tie weigh 1.

>>> net = matrix_network("../shared/data/covert/morselli_caviar.csv")   # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..ingest.tables import read_table
from .network import Network


def read_matrix(path: str | Path) -> pd.DataFrame:
    """The square matrix as a DataFrame with the node labels as index and columns."""
    frame = read_table(path).frame.drop(columns="__row__")
    frame = frame.set_index(frame.columns[0])
    frame.index = frame.index.astype(str).str.strip()
    frame.columns = frame.columns.astype(str).str.strip()
    if list(frame.index) != list(frame.columns):
        raise ValueError(f"{path}: row labels and column labels differ; not a square labelled matrix")
    values = frame.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        raise ValueError(f"{path}: non-numeric cells")
    return values


def matrix_network(path: str | Path, weighted: bool = True) -> Network:
    """An undirected :class:`Network` from a labelled adjacency matrix (self-ties ignored)."""
    matrix = read_matrix(path)
    values = matrix.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(values, 0.0)
    symmetric = values + values.T
    i, j = np.nonzero(np.triu(symmetric))
    labels = matrix.index.to_numpy()
    edges = pd.DataFrame({"source": labels[i], "target": labels[j],
                          "weight": symmetric[i, j] if weighted else np.ones(len(i))})
    swap = edges["source"] > edges["target"]
    edges.loc[swap, ["source", "target"]] = edges.loc[swap, ["target", "source"]].to_numpy()
    edges = edges.assign(records=0, via=[["matrix"]] * len(edges), hubs=[[]] * len(edges),
                         sources=[[]] * len(edges)).sort_values(["source", "target"], ignore_index=True)
    nodes = pd.DataFrame({"id": labels, "name": labels})
    return Network("person", nodes, edges, {"matrix": Path(path).name, "weighted": weighted,
                                            "symmetrised": "w_ij + w_ji"})
