"""Plotly figures of runs, networks and reports. Functions return figures; they never show them."""

from socialkit.plot import report
from socialkit.plot._cascades import cascade_ccdf, follow_network, propagation
from socialkit.plot._diffusion import adoption_curve as adoption_curve
from socialkit.plot._export import export_backend, save
from socialkit.plot._feedscen import clone_spread, paradox_emergence
from socialkit.plot._games import commons_stock, conditional_cooperation, generations, survival
from socialkit.plot._graph import degree_distribution, network
from socialkit.plot._layout import layout, sample_view
from socialkit.plot._llm import answers as answers
from socialkit.plot._network import friendship_paradox
from socialkit.plot._persuasion import awareness, odds_ratios, ranking
from socialkit.plot._population import fidelity as population_fidelity
from socialkit.plot._runs import distribution, trajectories
from socialkit.plot._spread import deviation, similarity_by_generation, sir_curves, versions
from socialkit.plot._style import PALETTE, PAPER, SEQUENTIAL, TEMPLATE, finish, style
from socialkit.plot._sweeps import sweep, sweep_heatmap
from socialkit.plot._texts import Transcript, conversation
from socialkit.plot._thread import ThreadView, thread_view
from socialkit.plot._trend import trend, trend_table
from socialkit.plot._validation import validation as validation

__all__ = ["trajectories", "distribution", "network", "degree_distribution", "friendship_paradox",
           "population_fidelity", "layout", "sample_view", "style", "save", "export_backend",
           "report", "trend", "trend_table", "sweep", "sweep_heatmap", "finish", "TEMPLATE", "PAPER",
           "PALETTE", "SEQUENTIAL", "commons_stock", "survival", "generations", "conditional_cooperation",
           "odds_ratios", "ranking", "awareness", "conversation", "Transcript", "sir_curves",
           "deviation", "similarity_by_generation", "versions",
           "cascade_ccdf", "propagation", "follow_network", "clone_spread", "paradox_emergence", "thread_view", "ThreadView"]
