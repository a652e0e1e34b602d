"""Networks: generators, conversion to sparse arrays, and statistics.

Graphs are ``networkx`` graphs whose nodes are agent ids carrying their attributes; statistics
convert once to a sparse adjacency (CSR) and compute there.
"""

from socialkit.network.convert import to_csr
from socialkit.network.generators import barabasi_albert
from socialkit.network.stats import FriendshipParadox, friendship_paradox, neighbor_means

__all__ = ["to_csr", "barabasi_albert", "friendship_paradox", "FriendshipParadox", "neighbor_means"]
