"""Real datasets with their provenance.

``names()`` lists what is available; ``load(name)`` returns a pandas DataFrame (surveys, census
tables) or a networkx graph with node attributes (networks). The citation travels with the data in
``df.attrs`` / ``G.graph``. Files live in the repository's ``data/`` folder (see data/README.md);
set the environment variable ``SOCIALKIT_DATA`` to use another copy.

Examples
--------
>>> import socialkit as sk
>>> G = sk.datasets.load("polblogs")
>>> G.number_of_nodes(), G.graph["citation"][:33]
(1490, 'Adamic, L. A. & Glance, N. (2005)')
"""

from socialkit.datasets._registry import data_dir, load, names

__all__ = ["names", "load", "data_dir"]
