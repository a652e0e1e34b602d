"""Plotly figures of runs, networks and reports. Functions return figures; they never show them."""

from socialkit.plot import report
from socialkit.plot._network import friendship_paradox
from socialkit.plot._population import fidelity as population_fidelity
from socialkit.plot._runs import distribution, trajectories
from socialkit.plot._style import PALETTE, TEMPLATE
from socialkit.plot._validation import validation as validation

__all__ = ["trajectories", "distribution", "friendship_paradox", "population_fidelity", "report",
           "TEMPLATE", "PALETTE"]
