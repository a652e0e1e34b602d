"""Networks: generators, loaders, conversion to sparse arrays, and statistics.

Graphs are ``networkx`` graphs whose nodes are agent ids carrying their attributes; statistics
are plain functions taking a graph, which convert it once to a sparse adjacency (CSR) and compute
there. Functions defined on undirected graphs raise ``ValueError`` for a directed graph unless
called with ``directed="symmetrize"``.
"""

from socialkit.network.blocks import configuration, homophilous, stochastic_block
from socialkit.network.cascades import (
    cascade_trees,
    cascades,
    infer_parents,
    propagation_curve,
    structural_virality,
)
from socialkit.network.convert import to_csr
from socialkit.network.follow import FollowParadox, follow_network, follow_paradox
from socialkit.network.generators import (
    barabasi_albert,
    erdos_renyi,
    powerlaw_cluster,
    watts_strogatz,
)
from socialkit.network.homophily import Homophily, homophily
from socialkit.network.loaders import from_edgelist, read
from socialkit.network.polarization import Polarization, esteban_ray, polarization
from socialkit.network.stats import FriendshipParadox, friendship_paradox, neighbor_means
from socialkit.network.summary import NetworkSummary, degree_distribution, summary

__all__ = [
    # generators
    "erdos_renyi", "barabasi_albert", "watts_strogatz", "stochastic_block", "powerlaw_cluster",
    "configuration", "homophilous",
    # loaders and conversion
    "from_edgelist", "read", "to_csr",
    # statistics
    "summary", "NetworkSummary", "degree_distribution", "friendship_paradox", "FriendshipParadox",
    "neighbor_means", "homophily", "Homophily", "polarization", "Polarization", "esteban_ray",
    # cascades
    "cascades", "cascade_trees", "structural_virality", "infer_parents", "propagation_curve",
    # follow networks
    "follow_network", "follow_paradox", "FollowParadox",
]
