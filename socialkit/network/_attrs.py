"""Reading node attributes (and value vectors) in a graph's node order, with clear errors."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd


def _missing(v) -> bool:
    return v is None or (isinstance(v, float | np.floating) and math.isnan(v))


def missing_codes(missing, where: str) -> list:
    """``missing=`` as a list of codes (a value or a list of values; None: no codes)."""
    if missing is None:
        return []
    codes = list(missing) if isinstance(missing, list | tuple | set | frozenset) else [missing]
    for c in codes:
        try:
            hash(c)
        except TypeError:
            raise TypeError(f"{where}: missing= takes a value or a list of values, got "
                            f"{missing!r}") from None
    return codes


def _is_code(v, codes: list) -> bool:
    return any(v == c and type(v) is not bool or v is c for c in codes) if codes else False


def node_values(G, nodes: np.ndarray, attribute, where: str, missing=None) -> list:
    """The attribute of each node (``None`` where absent or a ``missing`` code), in node order."""
    data = G.nodes
    values = [data[n].get(attribute) for n in nodes.tolist()]
    codes = missing_codes(missing, where)
    if codes:
        values = [None if _is_code(v, codes) else v for v in values]
    if all(_missing(v) for v in values):
        told = f" once the missing codes {codes} are left out" if codes else ""
        raise ValueError(f"{where}: node attribute {attribute!r} is on no node{told}")
    return values


def present(values: list) -> np.ndarray:
    """Mask of the values that are not missing."""
    return ~np.fromiter((_missing(v) for v in values), dtype=bool, count=len(values))


def _report_missing(values, nodes, attribute, where) -> None:
    miss = np.fromiter((_missing(v) for v in values), dtype=bool, count=len(values))
    if miss.any():
        raise ValueError(
            f"{where}: node attribute {attribute!r} is missing or NaN on {int(miss.sum())} of "
            f"{len(values)} nodes, e.g. {nodes[miss][:5].tolist()}; drop them first, e.g. "
            f"G.subgraph(n for n, v in G.nodes(data={attribute!r}) if v == v and v is not None)")


def as_float(values: list, nodes: np.ndarray, name, where: str, what: str = "node attribute"):
    """``values`` as float64, refusing non-numbers (``TypeError``) and missing values."""
    bad = next((v for v in values if not _missing(v) and (
        isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real))), None)
    if bad is not None:
        raise TypeError(f"{where}: {what} {name!r} is not numeric (e.g. {bad!r}); a number is "
                        "needed here")
    _report_missing(values, nodes, name, where)
    return np.array(values, dtype=np.float64)


def restrict(adj, values: list, missing, where: str):
    """With ``missing`` given: the adjacency without the nodes whose value is missing, their
    values, and how many nodes were left out. Without it: everything unchanged (0 left out)."""
    if missing is None:
        return adj, values, 0
    keep = present(values)
    if keep.all():
        return adj, values, 0
    kept = adj.subgraph(keep)
    return kept, [v for v, k in zip(values, keep, strict=True) if k], int((~keep).sum())


def categorical_codes(values: list, nodes: np.ndarray, attribute, where: str):
    """Integer codes and the categories of attribute values (any hashable values)."""
    _report_missing(values, nodes, attribute, where)
    try:
        codes, cats = pd.factorize(pd.Series(values, dtype=object), sort=True)
    except TypeError:  # unorderable mixture of types: keep first-seen order
        try:
            codes, cats = pd.factorize(pd.Series(values, dtype=object), sort=False)
        except TypeError as err:
            raise TypeError(f"{where}: node attribute {attribute!r} has unhashable values "
                            f"({err})") from None
    return codes.astype(np.int64), list(cats)


def raw_values(values, G, nodes: np.ndarray | None, where: str, missing=None
               ) -> tuple[list, np.ndarray, object]:
    """Values aligned with ``nodes`` (``None`` where missing or a ``missing`` code), before any
    numeric check: an attribute name, a mapping/Series or an array. Also the index used."""
    codes = missing_codes(missing, where)
    if isinstance(values, str):
        if G is None:
            raise ValueError(f"{where}: values={values!r} names a node attribute, which needs G")
        return node_values(G, nodes, values, where, missing), nodes, values
    if isinstance(values, pd.Series | Mapping):
        s = values if isinstance(values, pd.Series) else pd.Series(dict(values), dtype=object)
        name = s.name if isinstance(values, pd.Series) and s.name is not None else "values"
        if nodes is None:
            return _uncode(s.tolist(), codes), s.index.to_numpy(), name
        lookup = s.to_dict()
        absent = [n for n in nodes.tolist() if n not in lookup]
        if absent:
            raise ValueError(f"{where}: {len(absent)} of {len(nodes)} nodes have no value in "
                             f"{name!r}, e.g. {absent[:5]}")
        return _uncode([lookup[n] for n in nodes.tolist()], codes), nodes, name
    if isinstance(values, np.ndarray):
        arr = values
    else:
        try:
            arr = np.asarray(list(values), dtype=object)
        except TypeError:
            raise TypeError(f"{where}: values must be an array, a Series, a mapping or an "
                            f"attribute name, got {type(values).__name__}") from None
    if arr.ndim != 1:
        raise ValueError(f"{where}: values must be one-dimensional, got shape {arr.shape}")
    if nodes is not None and len(arr) != len(nodes):
        raise ValueError(f"{where}: {len(arr)} values for {len(nodes)} nodes (give one per node, "
                         "in the graph's node order, or a Series indexed by node)")
    index = nodes if nodes is not None else np.arange(len(arr))
    return _uncode(arr.tolist(), codes), index, "values"


def _uncode(values: list, codes: list) -> list:
    return [None if _is_code(v, codes) else v for v in values] if codes else values


def value_vector(values, G, nodes: np.ndarray | None, where: str) -> tuple[np.ndarray, object]:
    """Numeric values aligned with ``nodes``: an attribute name, a mapping/Series or an array."""
    raw, index, name = raw_values(values, G, nodes, where)
    what = "node attribute" if isinstance(values, str) else "values"
    return as_float(raw, index, name, where, what), name
