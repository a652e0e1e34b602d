"""Experiments: parameter sweeps over seeds and models, resumable, on any executor.

- :func:`sweep`: run a model or scenario over a grid of its declared parameters and over seeds;
  one tidy table back (parameters, seed, status, outcomes, LLM usage and cost), the Runs kept
  on disk, a summary with confidence intervals over seeds, resumable after a crash.
- :func:`compare_models`: the same under several models (a ``model`` column).
- :func:`load`: open a sweep's folder; :func:`final_measures`: the default outcomes of a run;
  :func:`summarize`: means and t intervals over seeds of any such table.

Executors: this process (default), local processes (``executor="processes"``), or any Dask
cluster (``executor="dask"`` for a LocalCluster, a scheduler address, or a
``dask.distributed.Client``; ``pip install 'socialkit[experiments]'``). socialkit schedules
nothing itself. LLM runs on several workers share the on-disk reply cache (each prompt paid
once) and one budget (a ledger in the sweep's folder).
"""

from socialkit.experiments._result import Sweep, summarize
from socialkit.experiments._sweep import compare_models, load, sweep
from socialkit.experiments._worker import final_measures

__all__ = ["sweep", "compare_models", "load", "Sweep", "summarize", "final_measures"]
