import networkx as nx
import numpy as np
import pandas as pd
import pytest

import socialkit as sk

net = sk.network


def _edges(G):
    return sorted(tuple(sorted(e)) for e in G.edges())


def _pop(n, **cols):
    return sk.Population(pd.DataFrame({"agent": np.arange(100, 100 + n), "weight": 1.0, **cols}))


GENERATORS = [
    (net.erdos_renyi, (500,), {"mean_degree": 6}),
    (net.barabasi_albert, (500, 3), {}),
    (net.watts_strogatz, (500, 6, 0.2), {}),
    (net.powerlaw_cluster, (500, 3, 0.5), {}),
    (net.stochastic_block, ([250, 250], [[0.02, 0.005], [0.005, 0.02]]), {}),
    (net.configuration, ([3] * 500,), {}),
]


@pytest.mark.parametrize("fn,args,kw", GENERATORS, ids=lambda x: getattr(x, "__name__", ""))
def test_generators_are_seeded_simple_graphs(fn, args, kw):
    G = fn(*args, seed=7, **kw)
    assert type(G) is nx.Graph and G.number_of_nodes() == 500
    assert nx.number_of_selfloops(G) == 0
    assert list(G) == list(range(500))
    assert _edges(G) == _edges(fn(*args, seed=7, **kw))
    assert _edges(G) != _edges(fn(*args, seed=8, **kw))
    assert G.graph["generator"] == fn.__name__ and G.graph["seed"] == 7
    assert hasattr(fn, "schema")


@pytest.mark.parametrize("fn,args,kw", GENERATORS, ids=lambda x: getattr(x, "__name__", ""))
def test_generators_cache_the_adjacency_networkx_would_give(fn, args, kw):
    from socialkit.network.convert import adjacency

    G = fn(*args, seed=3, **kw)
    primed = G.__networkx_cache__["socialkit.adjacency"]
    G.__networkx_cache__.clear()
    read = adjacency(G, "test")
    for name in ("indptr", "indices", "nodes"):
        assert np.array_equal(getattr(primed, name), getattr(read, name)), name
    assert primed.indices.dtype == read.indices.dtype
    assert (primed.self_loops, primed.symmetrized) == (0, False)


@pytest.mark.parametrize("fn,args,kw", GENERATORS[:4], ids=lambda x: getattr(x, "__name__", ""))
def test_generators_take_population(fn, args, kw):
    pop = _pop(500, age=np.arange(500) % 90)
    G = fn(None, *args[1:], seed=1, population=pop, **kw)
    assert list(G)[:2] == [100, 101] and G.nodes[101] == {"weight": 1.0, "age": 1}
    primed = G.__networkx_cache__["socialkit.adjacency"]
    G.__networkx_cache__.clear()
    assert np.array_equal(primed.indices, sk.network.convert.adjacency(G, "t").indices)
    assert primed.nodes.tolist() == list(G)
    with pytest.raises(ValueError, match="disagrees"):
        fn(499, *args[1:], population=pop, **kw)


def test_generator_bad_seed_and_n():
    with pytest.raises(TypeError, match="seed must be"):
        net.erdos_renyi(10, 0.1, seed="a")
    with pytest.raises(ValueError, match="give the number of nodes"):
        net.watts_strogatz()
    with pytest.raises(ValueError, match="non-negative integer"):
        net.erdos_renyi(-3, 0.1)


def test_erdos_renyi_counts_and_extremes():
    n, p = 2000, 0.004
    m = net.erdos_renyi(n, p, seed=3).number_of_edges()
    pairs = n * (n - 1) / 2
    assert abs(m - pairs * p) < 5 * np.sqrt(pairs * p * (1 - p))
    degrees = np.array([d for _, d in net.erdos_renyi(n, mean_degree=8, seed=3).degree()])
    assert degrees.mean() == pytest.approx(8, abs=0.3)
    assert degrees.var() == pytest.approx(8, rel=0.15)  # Poisson: variance = mean
    assert net.erdos_renyi(30, 0.0, seed=1).number_of_edges() == 0
    assert net.erdos_renyi(30, 1.0, seed=1).number_of_edges() == 435
    assert net.erdos_renyi(1, mean_degree=0).number_of_nodes() == 1


def test_erdos_renyi_bad_input():
    with pytest.raises(ValueError, match="exactly one of p and mean_degree"):
        net.erdos_renyi(10)
    with pytest.raises(ValueError, match="exactly one of p and mean_degree"):
        net.erdos_renyi(10, 0.1, mean_degree=2)
    with pytest.raises(ValueError, match="parameter 'p' = 1.5 is out of range"):
        net.erdos_renyi(10, 1.5)
    with pytest.raises(ValueError, match="exceeds n - 1"):
        net.erdos_renyi(10, mean_degree=12)


def test_watts_strogatz_lattice_and_rewiring():
    ring = net.watts_strogatz(100, 6, 0.0)
    assert _edges(ring) == _edges(nx.watts_strogatz_graph(100, 6, 0.0))
    for p in (0.1, 1.0):
        G = net.watts_strogatz(1000, 10, p, seed=2)
        assert G.number_of_edges() == 5000
    assert nx.transitivity(net.watts_strogatz(1000, 10, 0.01, seed=2)) > 0.6
    assert nx.transitivity(net.watts_strogatz(1000, 10, 1.0, seed=2)) < 0.05
    with pytest.raises(ValueError, match="k must be even"):
        net.watts_strogatz(100, 5, 0.1)
    with pytest.raises(ValueError, match="need n > k"):
        net.watts_strogatz(6, 6, 0.1)
    with pytest.raises(ValueError, match="parameter 'p'"):
        net.watts_strogatz(100, 4, -0.1)


def test_watts_strogatz_dense_rewiring_terminates():
    G = net.watts_strogatz(7, 6, 1.0, seed=0)  # complete graph: nothing can be rewired
    assert G.number_of_edges() == 21


def test_stochastic_block_densities_and_blocks():
    P = [[0.05, 0.002], [0.002, 0.03]]
    G = net.stochastic_block([1000, 600], P, seed=4)
    block = nx.get_node_attributes(G, "block")
    counts = np.zeros((2, 2))
    for u, v in G.edges():
        a, b = sorted((block[u], block[v]))
        counts[a, b] += 1
    pairs = np.array([[1000 * 999 / 2, 1000 * 600], [0, 600 * 599 / 2]])
    for a, b in ((0, 0), (0, 1), (1, 1)):
        expected = pairs[a, b] * P[a][b]
        assert abs(counts[a, b] - expected) < 5 * np.sqrt(expected)
    assert G.graph["sizes"] == [1000, 600]


def test_stochastic_block_bad_input():
    with pytest.raises(ValueError, match="must be symmetric"):
        net.stochastic_block([5, 5], [[0.1, 0.2], [0.3, 0.1]])
    with pytest.raises(ValueError, match=r"must be 2 x 2"):
        net.stochastic_block([5, 5], [[0.1, 0.2, 0.1]])
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]"):
        net.stochastic_block([5, 5], [[1.1, 0.2], [0.2, 0.1]])
    with pytest.raises(TypeError, match="list of integers"):
        net.stochastic_block([2.5, 5], [[0.1, 0.2], [0.2, 0.1]])
    with pytest.raises(ValueError, match="non-negative"):
        net.stochastic_block([-1, 5], [[0.1, 0.2], [0.2, 0.1]])
    with pytest.raises(ValueError, match="population has 3 agents"):
        net.stochastic_block([5, 5], [[0.1, 0.2], [0.2, 0.1]], population=_pop(3))
    G = net.stochastic_block([2, 1], [[1, 0], [0, 0]], population=_pop(3))
    assert _edges(G) == [(100, 101)] and G.nodes[102]["block"] == 1


def test_powerlaw_cluster_structure():
    lo = net.powerlaw_cluster(3000, 3, 0.0, seed=5)
    hi = net.powerlaw_cluster(3000, 3, 0.9, seed=5)
    assert lo.number_of_edges() == hi.number_of_edges() == (3000 - 3) * 3
    assert nx.transitivity(hi) > 3 * nx.transitivity(lo)
    degrees = dict(hi.degree())
    assert min(degrees[v] for v in range(3, 3000)) >= 3
    assert max(degrees.values()) > 60
    single = net.powerlaw_cluster(50, 1, 0.5, seed=1)
    assert nx.is_tree(single)
    with pytest.raises(ValueError, match="need n > m"):
        net.powerlaw_cluster(3, 3, 0.5)
    with pytest.raises(ValueError, match="parameter 'p'"):
        net.powerlaw_cluster(30, 3, 2.0)


def test_configuration_model_counts_what_it_removes():
    rng = np.random.default_rng(0)
    deg = rng.zipf(2.5, 3000)
    deg[0] += deg.sum() % 2
    G = net.configuration(deg, seed=1)
    realised = np.array([d for _, d in G.degree()])
    assert (realised <= deg).all()
    lost = G.graph["self_loops_removed"] + G.graph["multi_edges_removed"]
    assert lost > 0
    assert 2 * (G.number_of_edges() + lost) == deg.sum()
    same = net.configuration([2] * 10, seed=3, population=_pop(10))
    assert set(same) == set(range(100, 110))
    assert net.configuration(np.array([1.0, 1.0])).number_of_edges() == 1


def test_configuration_bad_input():
    with pytest.raises(ValueError, match="odd number"):
        net.configuration([1, 2])
    with pytest.raises(ValueError, match="1 are negative"):
        net.configuration([-1, 1, 2])
    with pytest.raises(TypeError, match="must be integers"):
        net.configuration([1.5, 0.5])
    with pytest.raises(TypeError, match="must be integers"):
        net.configuration(["a", "b"])
    with pytest.raises(TypeError, match="one-dimensional"):
        net.configuration([[1, 1]])
    with pytest.raises(ValueError, match="3 degrees for 4 agents"):
        net.configuration([1, 1, 2], population=_pop(4))


def test_homophilous_matches_its_definition():
    n = 6000
    pop = _pop(n, party=np.array(["a", "b", "c"])[np.arange(n) % 3],
               region=np.where(np.arange(n) < 3000, "N", "S"))
    for h in (0.0, 0.5, 0.9):
        G = net.homophilous(pop, on="party", mean_degree=10, homophily=h, seed=2)
        assert G.number_of_edges() == n * 5
        assert G.graph["within_share"] == pytest.approx(G.graph["within_share_expected"],
                                                        abs=0.015)
        inbreeding = net.homophily(G, "party").groups["inbreeding"]
        assert np.allclose(inbreeding, h, atol=0.03)
    G = net.homophilous(pop, on=["party", "region"], mean_degree=4, homophily=1.0, seed=1)
    assert G.graph["cells"] == 6 and G.graph["within_share"] == 1.0
    assert G.nodes[100] == {"weight": 1.0, "party": "a", "region": "N"}
    assert net.homophilous.schema.names == ["mean_degree", "homophily"]


def test_homophilous_singletons_draw_at_random():
    pop = _pop(200, key=np.arange(200))  # every agent alone in its cell
    G = net.homophilous(pop, on="key", mean_degree=4, homophily=1.0, seed=0)
    assert G.number_of_edges() == 400 and G.graph["within_share"] == 0.0


def test_homophilous_bad_input():
    pop = _pop(10, party=["a"] * 5 + [None] * 5, x=range(10))
    with pytest.raises(ValueError, match=r"'nope'\] not in the population"):
        net.homophilous(pop, on="nope")
    with pytest.raises(ValueError, match="'party' is missing \\(NaN\\) for 5 of 10 agents"):
        net.homophilous(pop, on="party")
    with pytest.raises(ValueError, match="too dense"):
        net.homophilous(pop, on="x", mean_degree=8)
    with pytest.raises(ValueError, match="parameter 'homophily' = 1.2"):
        net.homophilous(pop, on="x", homophily=1.2)
    with pytest.raises(ValueError, match="at least one column"):
        net.homophilous(pop, on=[])
    small = _pop(400, g=np.arange(400) % 100)  # cells of 4: at most 3 ties within
    with pytest.raises(ValueError, match="cells are too small"):
        net.homophilous(small, on="g", mean_degree=8, homophily=1.0, seed=0)
    with pytest.raises(TypeError, match="socialkit.Population"):
        net.homophilous(pd.DataFrame({"a": [1]}), on="a")
