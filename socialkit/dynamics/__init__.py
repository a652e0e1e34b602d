"""Opinion and diffusion dynamics, vectorized or compiled, each returning a :class:`socialkit.Run`.

Every model is a function ``model(G, initial, *, parameters, steps, seed, record)``: ``G`` is a
networkx graph whose nodes are agent ids, a scipy.sparse adjacency (agents ``0..N-1``, for
million-agent runs) or, where the model allows it, None for a well-mixed population. Influence
flows along arcs (``u -> v``: ``u`` influences or infects ``v``). Parameters are declared once
(``sk.dynamics.deffuant.schema``) and validated on every call.

- opinion: :func:`degroot`, :func:`friedkin_johnsen`, :func:`deffuant`,
  :func:`hegselmann_krause`, :func:`voter`, :func:`majority_rule`, :func:`sznajd`
- diffusion: :func:`sir`, :func:`sis`, :func:`independent_cascade`, :func:`linear_threshold`,
  :func:`complex_contagion`
- measures: :func:`clusters`, :func:`adoption_share`; :func:`influence_matrix`
"""

from socialkit.dynamics._measures import adoption_share, clusters
from socialkit.dynamics.bounded_confidence import deffuant, hegselmann_krause
from socialkit.dynamics.cascade import complex_contagion, independent_cascade, linear_threshold
from socialkit.dynamics.discrete import majority_rule, sznajd, voter
from socialkit.dynamics.epidemic import sir, sis
from socialkit.dynamics.linear import degroot, friedkin_johnsen, influence_matrix
from socialkit.dynamics.llm_opinion import llm_opinion

MODELS = ("degroot", "friedkin_johnsen", "deffuant", "hegselmann_krause", "voter",
          "majority_rule", "sznajd", "sir", "sis", "independent_cascade", "linear_threshold",
          "complex_contagion")
"""Names of the model functions, opinion models first."""

__all__ = ["degroot", "friedkin_johnsen", "deffuant", "hegselmann_krause", "voter",
           "majority_rule", "sznajd", "sir", "sis", "independent_cascade", "linear_threshold",
           "complex_contagion", "llm_opinion", "MODELS", "clusters", "adoption_share", "influence_matrix"]
