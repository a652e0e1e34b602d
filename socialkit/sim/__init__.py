"""The simulation loop of LLM agent societies: :class:`Simulation`, :class:`Clock`, :func:`resume`.

A step: activation -> observe -> one batched round of decisions (through one
:class:`socialkit.llm.Session`) -> resolve -> memory writes -> record -> checkpoint. Everything
random comes from one generator per run, whose state is checkpointed with the rest; a killed run
resumes to the identical result, and :meth:`Simulation.fork` branches a what-if from any step.

Examples
--------
>>> import socialkit as sk
>>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(5))
>>> sim = sk.Simulation(pop, policy=sk.agents.RulePolicy(sk.sim.examples.drift),
...                     state={"x": sk.agents.Continuous(initial=0.0)}, seed=3, progress=False)
>>> sim.run(steps=3).summary("x")["mean"].round(3).tolist()
[0.0, 0.1, 0.2, 0.3]
"""

from socialkit.sim import examples
from socialkit.sim._simulation import FORMAT, Clock, Simulation, resume

__all__ = ["Simulation", "Clock", "resume", "examples", "FORMAT"]
