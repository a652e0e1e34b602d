"""Populations of agents from survey or census data.

A :class:`Population` wraps a pandas DataFrame: one row per agent, an ``agent`` id, attribute
columns and a ``weight`` column. It rakes its weights to census margins (:meth:`Population.rake`),
synthesizes larger populations that keep the joint distribution (:meth:`Population.synthesize`),
reports how close it is to targets or a reference (:meth:`Population.fidelity`) and renders
:class:`Persona` texts from its rows (:meth:`Population.personas`).

Examples
--------
>>> import socialkit as sk
>>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), codebook="anes1996")
>>> str(pop.personas()[0]).split(".")[0]
'I am 36 years old and a strong Republican'
"""

from socialkit.population.codebook import Codebook, codebook_names
from socialkit.population.fidelity import FidelityReport
from socialkit.population.persona import Persona, load_template, template_names
from socialkit.population.population import Population
from socialkit.population.weighting import RakeReport

__all__ = ["Population", "Persona", "Codebook", "RakeReport", "FidelityReport", "codebook_names",
           "template_names", "load_template"]
