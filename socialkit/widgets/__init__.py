"""Interactive front-ends for Jupyter (ipywidgets + plotly FigureWidget).

Every widget calls the same library functions a script would, and shows errors inside itself.

- :func:`explore`: inputs from a model's parameter schema, a Run button, a live trajectory
  plot and summary numbers;
- :func:`run_panel`: start / stop a longer simulation, with a progress bar and a live plot
  (a :class:`socialkit.Simulation` step by step; a classic model in chunks, :func:`run_chunks`);
- :func:`population_builder`: columns, survey weight and raking targets in, a fidelity report
  out (the steps are :func:`build_population`);
- :func:`network_view`: colour a network by an attribute and read its homophily and friendship
  paradox (:func:`network_numbers`);
- :func:`sweep_view`: browse a parameter sweep's runs (its outcome figure, then any run).
"""

from socialkit.widgets.explore import Explorer, explore, run_numbers
from socialkit.widgets.network import NetworkView, network_numbers, network_view
from socialkit.widgets.panel import RunPanel, run_chunks, run_panel
from socialkit.widgets.population import PopulationBuilder, build_population, population_builder
from socialkit.widgets.sweep import SweepView, sweep_view

__all__ = ["explore", "run_panel", "population_builder", "network_view", "run_chunks",
           "run_numbers", "build_population", "network_numbers", "Explorer", "RunPanel",
           "PopulationBuilder", "NetworkView", "sweep_view", "SweepView"]
