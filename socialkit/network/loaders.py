"""Loading networks from edge lists, with self-loops and multi-edges counted and reported."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.network._build import _no_gc

__all__ = ["from_edgelist", "read"]

_SELF_LOOPS = ("keep", "drop")
_MULTI = ("merge", "count", "error")
_GML = (".gml",)
_GRAPHML = (".graphml", ".xml")


def _format(path: Path) -> str | None:
    """``"gml"`` or ``"graphml"`` from the suffix (``.gz``/``.bz2`` allowed) or the first bytes."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".bz2")]
    last = suffixes[-1] if suffixes else ""
    if last in _GML:
        return "gml"
    if last in _GRAPHML:
        return "graphml"
    if path.suffix.lower() in (".gz", ".bz2", ".parquet"):
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(512).lstrip().lower()
    except OSError:
        return None
    if head.startswith(b"<?xml") or b"<graphml" in head:
        return "graphml"
    lines = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.startswith(b"#")]
    if lines and (lines[0].startswith(b"graph [") or lines[0] == b"graph"
                  or lines[0].startswith(b"creator")):
        return "gml"
    return None


def _read(path: Path) -> pd.DataFrame:
    suffixes = [s.lower() for s in path.suffixes]
    if not path.exists():
        raise FileNotFoundError(f"from_edgelist: no file at {path}")
    kind = _format(path)
    if kind is not None:
        raise ValueError(f"from_edgelist: {path} is a {kind.upper()} file, not an edge list; "
                         f"read it with socialkit.network.read({str(path)!r})")
    if suffixes and suffixes[-1] == ".parquet":
        return pd.read_parquet(path)
    if ".csv" in suffixes:
        return pd.read_csv(path)
    if ".tsv" in suffixes:
        return pd.read_csv(path, sep="\t")
    return pd.read_csv(path, sep=r"\s+", header=None, comment="#")


def _endpoint(col: pd.Series) -> pd.Series:
    if col.dtype.kind == "f" and (col == col.round()).all():
        return col.astype(np.int64)  # ids read as floats (e.g. 1.0) become integers
    return col


def from_edgelist(data, source=None, target=None, *, directed: bool = False,
                  node_attributes=None, node_id: str = "id", weight: str | None = None,
                  edge_attributes=None, self_loops: str = "keep",
                  multi_edges: str = "merge") -> nx.Graph:
    """A graph from an edge list (DataFrame or file), reporting self-loops and multi-edges.

    Policy (never silent): every count lands in ``G.graph``:
    ``raw_edges`` (rows read), ``self_loops`` (rows with source == target), ``self_loops_dropped``
    (those removed, with ``self_loops="drop"``), ``duplicate_edges`` (rows merged into an earlier
    row for the same pair; for undirected graphs ``u,v`` and ``v,u`` are the same pair) and, with
    ``node_attributes``, ``nodes_without_attributes`` and ``isolated_nodes_added``.
    Duplicates are merged into one edge: ``weight`` is summed over the merged rows,
    ``edge_attributes`` keep the first row's values, ``multi_edges="count"`` adds an edge
    attribute ``count`` (rows merged into the edge) and ``multi_edges="error"`` refuses them.

    Parameters
    ----------
    data : DataFrame or path
        ``.csv`` / ``.tsv`` (header row), ``.parquet``, or any other text file read as
        whitespace-separated columns without header and ``#`` comments (SNAP style; columns are
        then numbered 0, 1, ...).
    source, target : column labels, optional
        Default: ``"source"`` and ``"target"`` if present, else the first two columns.
    directed : bool
        Build a ``DiGraph`` instead of a ``Graph``.
    node_attributes : DataFrame, path or mapping, optional
        One row per node with the id in column ``node_id`` (or the index); or ``{node: {..}}``.
        NaN values are not set. Nodes without edges are added as isolated nodes.
    node_id : str
        Id column of ``node_attributes``.
    weight : column label, optional
        Numeric edge weight, summed over merged duplicates.
    edge_attributes : list of column labels, optional
        Further columns copied to the edges (first row of merged duplicates).
    self_loops : {"keep", "drop"}
    multi_edges : {"merge", "count", "error"}

    Returns
    -------
    networkx.Graph or DiGraph

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"source": [1, 2, 2, 3], "target": [2, 1, 3, 3]})
    >>> G = from_edgelist(df, multi_edges="count")
    >>> G.number_of_edges(), G.edges[1, 2]["count"]
    (3, 2)
    >>> {k: G.graph[k] for k in ("raw_edges", "self_loops", "duplicate_edges")}
    {'raw_edges': 4, 'self_loops': 1, 'duplicate_edges': 1}
    >>> from_edgelist(df, self_loops="drop").graph["self_loops_dropped"]
    1
    """
    where = "from_edgelist"
    if self_loops not in _SELF_LOOPS:
        raise ValueError(f"{where}: self_loops={self_loops!r}; choose one of {list(_SELF_LOOPS)}")
    if multi_edges not in _MULTI:
        raise ValueError(f"{where}: multi_edges={multi_edges!r}; choose one of {list(_MULTI)}")
    origin = None
    if isinstance(data, str | os.PathLike):
        origin = str(data)
        data = _read(Path(data))
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: data must be a DataFrame or a file path, got "
                        f"{type(data).__name__}")
    cols = list(data.columns)
    if source is None and target is None:
        source, target = ("source", "target") if {"source", "target"} <= set(cols) else (
            cols[:2] if len(cols) >= 2 else (None, None))
    for label, name in ((source, "source"), (target, "target")):
        if label is None or label not in data.columns:
            raise ValueError(f"{where}: {name} column {label!r} not in the edge list; "
                             f"columns: {cols}")
    extra = list(edge_attributes or [])
    for c in extra + ([weight] if weight is not None else []):
        if c not in data.columns:
            raise ValueError(f"{where}: column {c!r} not in the edge list; columns: {cols}")
    ends = data[[source, target]]
    bad = ends.isna().any(axis=1)
    if bad.any():
        raise ValueError(f"{where}: {int(bad.sum())} of {len(data)} rows have no source or "
                         f"target, e.g. rows {data.index[bad][:5].tolist()}")
    m = len(data)
    codes, labels = pd.factorize(pd.concat([_endpoint(ends[source]), _endpoint(ends[target])],
                                           ignore_index=True))
    labels = labels.tolist()
    n = len(labels)
    u, v = codes[:m].astype(np.int64), codes[m:].astype(np.int64)
    loop = u == v
    a, b = (u, v) if directed else (np.minimum(u, v), np.maximum(u, v))
    key = a * max(n, 1) + b
    _, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True,
                                          return_counts=True)
    order = np.argsort(first, kind="stable")  # keep the edges in order of first appearance
    first, counts = first[order], counts[order]
    n_dup = m - len(first)
    if n_dup and multi_edges == "error":
        rows = np.flatnonzero(counts > 1)[:3]
        pairs = [(labels[u[first[r]]], labels[v[first[r]]]) for r in rows]
        raise ValueError(f"{where}: {n_dup} duplicate edge rows (multi_edges='error'), e.g. "
                         f"pairs {pairs}")
    attrs = pd.DataFrame(index=range(len(first)))
    if weight is not None:
        w = data[weight]
        if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
            raise TypeError(f"{where}: weight column {weight!r} is not numeric (dtype {w.dtype})")
        if w.isna().any():
            raise ValueError(f"{where}: weight column {weight!r} is NaN in {int(w.isna().sum())} "
                             "rows")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        attrs[weight] = np.bincount(rank[inverse.ravel()], weights=w.to_numpy(float),
                                    minlength=len(first))
    for c in extra:
        attrs[c] = data[c].to_numpy()[first]
    if multi_edges == "count":
        attrs["count"] = counts
    keep = np.ones(len(first), dtype=bool)
    n_loops = int(loop.sum())
    if self_loops == "drop":
        keep = ~loop[first]
    G = nx.DiGraph() if directed else nx.Graph()
    with _no_gc():
        G.add_nodes_from(labels)
        get = labels.__getitem__
        eu, ev = u[first][keep].tolist(), v[first][keep].tolist()
        if attrs.shape[1]:
            G.add_edges_from(zip(map(get, eu), map(get, ev), attrs[keep].to_dict("records"),
                                 strict=True))
        else:
            G.add_edges_from(zip(map(get, eu), map(get, ev), strict=True))
    G.graph.update(raw_edges=m, self_loops=n_loops,
                   self_loops_dropped=n_loops if self_loops == "drop" else 0,
                   duplicate_edges=int(n_dup))
    if origin is not None:
        G.graph["source"] = origin
    if node_attributes is not None:
        _attach_nodes(G, node_attributes, node_id)
    return G


def _attach_nodes(G, table, node_id: str) -> None:
    where = "from_edgelist"
    if isinstance(table, str | os.PathLike):
        table = _read(Path(table))
    if isinstance(table, dict):
        records = {k: dict(v) for k, v in table.items()}
    elif isinstance(table, pd.DataFrame):
        ids = table[node_id] if node_id in table.columns else table.index.to_series()
        if ids.isna().any():
            raise ValueError(f"{where}: node_attributes has {int(ids.isna().sum())} rows "
                             "without an id")
        ids = _endpoint(ids)
        if ids.duplicated().any():
            raise ValueError(f"{where}: node_attributes repeats ids, e.g. "
                             f"{ids[ids.duplicated()].head(5).tolist()}")
        body = table.drop(columns=[node_id]) if node_id in table.columns else table
        records = dict(zip(ids.tolist(), body.to_dict("records"), strict=True))
    else:
        raise TypeError(f"{where}: node_attributes must be a DataFrame, a path or a mapping, "
                        f"got {type(table).__name__}")
    before = G.number_of_nodes()
    for node, rec in records.items():
        clean = {k: v for k, v in rec.items() if not (isinstance(v, float) and v != v)}
        if node in G:
            G.nodes[node].update(clean)
        else:
            G.add_node(node, **clean)
    G.graph["isolated_nodes_added"] = G.number_of_nodes() - before
    G.graph["nodes_without_attributes"] = sum(1 for node in G if node not in records)


def read(path, *, directed: bool | None = None, **options) -> nx.Graph:
    """Read a network file, choosing the reader by its suffix.

    - ``.gml`` (GML, e.g. Netzschleuder, Facebook100 conversions) and ``.graphml`` / ``.xml``
      (GraphML), optionally gzipped: read with networkx, node and edge attributes kept. GML
      nodes are named by their ``label`` (by their ``id`` when they have no label). A
      multigraph is collapsed to a simple graph; ``G.graph["duplicate_edges"]`` counts the
      parallel edges merged (and ``self_loops`` the self-loops kept), as for edge lists.
    - anything else is an edge list read by :func:`from_edgelist` (``.csv``, ``.tsv``,
      ``.parquet``, or whitespace-separated text); ``**options`` go to it.

    Parameters
    ----------
    path : str or path
    directed : bool, optional
        Edge lists: build a ``DiGraph`` (default False). GML / GraphML: the file says whether it
        is directed; ``directed=False`` makes an undirected graph of it, ``True`` refuses an
        undirected file.
    **options
        Passed to :func:`from_edgelist` (edge lists only).

    Returns
    -------
    networkx.Graph or DiGraph
        With ``G.graph["source"]`` = the path.

    Examples
    --------
    >>> import tempfile, pathlib, networkx as nx
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nx.write_gml(nx.path_graph(3), folder / "path.gml")
    >>> G = read(folder / "path.gml")
    >>> sorted(G.edges()), G.graph["duplicate_edges"]
    ([('0', '1'), ('1', '2')], 0)
    >>> (folder / "edges.csv").write_text("source,target\\n1,2\\n2,3\\n")
    22
    >>> read(folder / "edges.csv").number_of_edges()
    2
    """
    where = "socialkit.network.read"
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{where}: path must be a file path, got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{where}: no file at {path}")
    if path.is_dir():
        raise ValueError(f"{where}: {path} is a folder; give a network file")
    kind = _format(path)
    if kind is None:
        return from_edgelist(path, directed=bool(directed), **options)
    if options:
        raise TypeError(f"{where}: options {sorted(options)} apply to edge lists only; {path} "
                        f"is {kind.upper()}")
    try:
        if kind == "gml":
            try:
                G = nx.read_gml(path)
            except nx.NetworkXError as err:
                if "label" not in str(err):
                    raise
                G = nx.read_gml(path, label="id")
        else:
            G = nx.read_graphml(path)
    except (nx.NetworkXError, ValueError, SyntaxError, KeyError) as err:
        raise ValueError(f"{where}: {path} could not be read as {kind.upper()}: {err}") from None
    duplicates = 0
    if G.is_multigraph():
        simple = nx.DiGraph(G) if G.is_directed() else nx.Graph(G)
        duplicates = G.number_of_edges() - simple.number_of_edges()
        G = simple
    if directed is True and not G.is_directed():
        raise ValueError(f"{where}: {path} holds an undirected graph but directed=True")
    if directed is False and G.is_directed():
        G = G.to_undirected()
    G.graph.update(source=str(path), raw_edges=G.number_of_edges() + duplicates,
                   self_loops=nx.number_of_selfloops(G), duplicate_edges=duplicates)
    return G
