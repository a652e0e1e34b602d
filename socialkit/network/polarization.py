"""Polarization of opinions: dispersion, bimodality, Esteban–Ray, and echo chambers on a graph."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats as _st

from socialkit.network._attrs import as_float, raw_values, restrict
from socialkit.network.convert import adjacency
from socialkit.network.homophily import numeric_assortativity
from socialkit.params import Param

__all__ = ["Polarization", "polarization", "esteban_ray"]

_ALPHA = Param("alpha", float, 1.0, low=0, high=1.6,
               doc="Esteban-Ray sensitivity to group size (identification)")
_AUTO_MAX_GROUPS = 20
_AUTO_BINS = 10


@dataclass(frozen=True)
class Polarization:
    """Polarization statistics of a set of opinions (see :func:`polarization`).

    ``assortativity`` and ``neighbor_correlation`` are ``None`` without a graph; ``excluded``
    counts the values left out as missing (``missing=``).

    Examples
    --------
    >>> polarization([0, 1, 0, 1]).to_frame().loc["esteban_ray", "value"]
    0.25
    """

    n: int
    mean: float
    variance: float
    bimodality: float
    esteban_ray: float
    er_groups: int
    alpha: float
    assortativity: float | None = None
    neighbor_correlation: float | None = None
    excluded: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The numbers as a one-column DataFrame."""
        return pd.Series(asdict(self), name="value", dtype=object).to_frame()

    def _repr_html_(self) -> str:
        table = self.to_frame().map(lambda v: f"{v:.4f}" if isinstance(v, float) else v)
        return f"<div><strong>Polarization</strong>{table.to_html(header=False)}</div>"


def esteban_ray(values, alpha: float = 1.0, bins="auto") -> tuple[float, int]:
    """Esteban–Ray polarization index and the number of groups it used.

    ``ER = sum_i sum_j pi_i^(1 + alpha) pi_j |y_i - y_j|`` over groups i, j with population
    shares ``pi`` and positions ``y`` (Esteban & Ray 1994, Econometrica 62:819; K = 1). Groups are
    the distinct values (``bins=None``), equal-width bins with their midpoints as positions
    (``bins=k``), or ``"auto"``: the distinct values when there are at most 20, else 10 bins.
    Computed in ``O(g log g)`` for g groups.

    Parameters
    ----------
    values : array-like
        Numeric opinions.
    alpha : float
        Identification parameter in [0, 1.6]; 0 gives half the Gini mean difference.
    bins : "auto", None or int
        Grouping, as above.

    Returns
    -------
    (float, int)
        The index and the number of (non-empty) groups.

    Examples
    --------
    >>> esteban_ray([0, 0, 1, 1])  # two equal groups at distance 1: 2 * 0.5**2 * 0.5
    (0.25, 2)
    """
    alpha = _ALPHA.validate(alpha)
    x = np.asarray(values, dtype=np.float64)
    if bins == "auto":
        bins = None if len(np.unique(x)) <= _AUTO_MAX_GROUPS else _AUTO_BINS
    if bins is None:
        y, counts = np.unique(x, return_counts=True)
    else:
        if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
            raise ValueError(f"esteban_ray: bins must be 'auto', None or a positive integer, "
                             f"got {bins!r}")
        counts, edges = np.histogram(x, bins=int(bins))
        y = (edges[:-1] + edges[1:]) / 2
        y, counts = y[counts > 0], counts[counts > 0]
    pi = counts / counts.sum()
    below_p = np.cumsum(pi) - pi  # share strictly below (y sorted ascending)
    below_s = np.cumsum(pi * y) - pi * y
    above_p = 1 - below_p - pi
    above_s = (pi * y).sum() - below_s - pi * y
    dist = y * below_p - below_s + above_s - y * above_p  # sum_j pi_j |y_i - y_j|
    return float((pi ** (1 + alpha) * dist).sum()), int(len(y))


def polarization(G=None, values=None, *, alpha: float = 1.0, bins="auto",
                 directed: str = "error", missing=None) -> Polarization:
    """How polarized opinions are, and with a graph how much like-minded nodes cluster.

    The graph comes first, as in every statistic (``polarization(G, "opinion")``); without a
    graph pass the values alone (``polarization(values)``). The old order
    ``polarization(values, G)`` still works with a ``DeprecationWarning``.

    - ``variance``: population variance (ddof 0) around ``mean``.
    - ``bimodality``: Sarle's bimodality coefficient ``(g^2 + 1) / (k + 3 (n-1)^2 / ((n-2)(n-3)))``
      with the bias-corrected sample skewness g and excess kurtosis k; above 5/9 ≈ 0.556 suggests a
      bimodal distribution (Pfister et al. 2013, Front. Psychol. 4:700). NaN for fewer than 4
      values or constant values.
    - ``esteban_ray`` over ``er_groups`` groups: see :func:`esteban_ray`.
    - With ``G``: ``assortativity``, the Pearson correlation of opinions across the two ends of an
      edge (Newman 2003), and ``neighbor_correlation``, the correlation between a node's opinion
      and the mean opinion of its neighbours over nodes with neighbours (the echo-chamber measure
      of Cinelli et al. 2021, PNAS 118:e2023301118). NaN when opinions are constant.

    Parameters
    ----------
    G : networkx.Graph, optional
        The network for the echo-chamber statistics (simple undirected graph; self-loops left
        out).
    values : array-like, Series, mapping or str
        Numeric opinions. With ``G``: one per node in the graph's node order, a Series / mapping
        indexed by node, or the name of a node attribute.
    alpha : float
        Esteban–Ray identification parameter in [0, 1.6].
    bins : "auto", None or int
        Grouping for Esteban–Ray.
    directed : {"error", "symmetrize"}
        A directed ``G`` raises ``ValueError`` unless ``"symmetrize"``.
    missing : value or list of values, optional
        Codes meaning "missing": those values (and NaN / absent ones) are left out, with their
        nodes and ties; ``excluded`` counts them. Without it a missing value raises.

    Returns
    -------
    Polarization

    Examples
    --------
    >>> p = polarization([0] * 50 + [1] * 50)
    >>> p.variance, round(p.bimodality, 3), p.esteban_ray
    (0.25, 0.951, 0.25)
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (3, 4), (4, 5), (2, 3)])
    >>> round(polarization(G, [0, 0, 0, 1, 1, 1]).assortativity, 4)
    0.6
    >>> polarization(G, [0, 0, -9, 1, 1, 1], missing=-9).excluded
    1
    """
    G, values = _graph_first(G, values)
    where = "polarization"
    alpha = _ALPHA.validate(alpha)
    adj = None if G is None else adjacency(G, where, directed)
    raw, index, name = raw_values(values, G, None if adj is None else adj.nodes, where, missing)
    excluded = 0
    if adj is not None:
        adj, raw, excluded = restrict(adj, raw, missing, where)
        index = adj.nodes
    elif missing is not None:
        keep = [v is not None and v == v for v in raw]
        excluded = len(raw) - sum(keep)
        raw = [v for v, k in zip(raw, keep, strict=True) if k]
        index = np.asarray(index)[np.asarray(keep, dtype=bool)] if len(raw) else np.asarray([])
    x = as_float(raw, np.asarray(index), name, where,
                 "node attribute" if isinstance(values, str) else "values")
    n = len(x)
    if n == 0:
        raise ValueError(f"{where}: no values")
    var = float(x.var())
    bc = float("nan")
    if n >= 4 and var > 0:
        g = _st.skew(x, bias=False)
        k = _st.kurtosis(x, fisher=True, bias=False)
        bc = float((g * g + 1) / (k + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))
    er, groups = esteban_ray(x, alpha, bins)
    assort = nbr_corr = None
    if adj is not None:
        if adj.n_edges == 0:
            raise ValueError(f"{where}: the graph has no edges")
        assort = numeric_assortativity(adj, x)
        d = adj.degree
        has = d > 0
        local = adj.neighbor_sum(x)[has] / d[has]
        own = x[has]
        nbr_corr = float("nan")
        if has.sum() > 1 and own.std() > 0 and local.std() > 0:
            nbr_corr = float(np.corrcoef(own, local)[0, 1])
    return Polarization(n=n, mean=float(x.mean()), variance=var, bimodality=bc, esteban_ray=er,
                        er_groups=groups, alpha=alpha, assortativity=assort,
                        neighbor_correlation=nbr_corr, excluded=excluded)


def _graph_first(G, values):
    """``(G, values)`` from the graph-first call, the values-only call or the old order."""
    if G is None or isinstance(G, nx.Graph):
        if values is None:
            raise TypeError("polarization(G, values): values are missing (an array, a Series "
                            "or mapping by node, or a node attribute name)")
        return G, values
    if isinstance(values, nx.Graph):
        warnings.warn("polarization(values, G) is deprecated: pass the graph first, "
                      "polarization(G, values), like every other statistic",
                      DeprecationWarning, stacklevel=3)
        return values, G
    if values is None:
        return None, G  # values only, no graph
    raise TypeError(f"polarization(G, values): G must be a networkx graph or None, got "
                    f"{type(G).__name__}")
