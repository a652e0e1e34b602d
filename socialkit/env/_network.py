"""The neighbour network: agents hear the state and messages of up to ``k`` of their neighbours."""

from __future__ import annotations

import hashlib
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.env._base import Environment, Texts
from socialkit.env._sample import choice_rows
from socialkit.network._arrays import ranges
from socialkit.network.convert import check_graph

__all__ = ["Network", "MESSAGE_PROMPT"]

MESSAGE_PROMPT = ("In one short sentence, what would you say about this to the people you know? "
                  "Question: {question}")


class Network(Environment):
    """Who hears whom: each active agent sees up to ``k`` neighbours' ``show`` variable and their
    latest message (a random subset, drawn with the run's generator, when it has more).

    Influence flows along arcs: in a directed graph an agent hears its predecessors. Agents that
    are not nodes of the graph hear no one.

    Parameters
    ----------
    G : networkx.Graph
        Nodes are agent ids.
    k : int
        Most neighbours heard per step.
    show : str, optional
        The state variable neighbours report (default: the simulation's first reported variable,
        else its first variable).
    message : bool
        Agents may write a one-sentence message (action ``message(text)``) that their neighbours
        see the next step.
    message_prompt : str
        The message question; ``{question}`` is replaced by the shown variable's question.
    max_words : int
        Longest message.

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> env = sk.env.Network(nx.path_graph(3), k=2)
    >>> env.spec()["k"], env.name
    (2, 'network')
    """

    name = "network"

    def __init__(self, G: nx.Graph, k: int = 5, show: str | None = None, message: bool = True,
                 message_prompt: str = MESSAGE_PROMPT, max_words: int = 25):
        check_graph(G, "Network")
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"Network k must be a non-negative integer, got {k!r}")
        if not isinstance(message, bool):
            raise TypeError(f"Network message must be True or False, got {message!r}")
        self.G, self.k, self.show, self.message = G, k, show, message
        self.message_prompt, self.max_words = message_prompt, max_words
        self.messages: dict[int, str] = {}
        self._indptr: np.ndarray | None = None  # whom each agent hears (CSR), once bound
        self._indices: np.ndarray | None = None
        self._rows: list[np.ndarray] | None = None

    @property
    def _neigh(self) -> list[np.ndarray] | None:
        """Whom each agent (by position) may hear, one sorted array per agent (None before the
        simulation binds the environment)."""
        if self._indptr is None:
            return None
        if self._rows is None:
            self._rows = np.split(self._indices, self._indptr[1:-1]) if len(self._indptr) > 1 \
                else []
        return self._rows

    def spec(self) -> dict[str, Any]:
        edges = sorted((str(u), str(v)) for u, v in self.G.edges())
        h = hashlib.sha256(repr((sorted(map(str, self.G)), edges, self.G.is_directed()))
                           .encode()).hexdigest()[:16]
        return {"name": self.name, "graph": h, "k": self.k, "show": self.show,
                "message": self.message, "message_prompt": self.message_prompt,
                "max_words": self.max_words}

    # ---- protocol --------------------------------------------------------------------------
    def _bind(self, sim: Any) -> None:
        agents = sim.agents
        nodes = list(self.G)
        pos = agents._pos.get_indexer(pd.Index(nodes))
        if (pos < 0).any():
            bad = [v for v, p in zip(nodes, pos, strict=True) if p < 0]
            raise ValueError(f"Network: {len(bad)} graph node(s) are not agents of the "
                             f"population, e.g. {bad[:5]}")
        # who hears whom as CSR over agent positions: row v holds the sorted positions of the
        # agents v hears (its neighbours; in a directed graph its predecessors), no self-loops
        n = len(agents)
        adj = self.G.pred if self.G.is_directed() else self.G.adj
        index = dict(zip(nodes, pos.tolist(), strict=True))
        deg = np.fromiter((len(adj[v]) for v in nodes), dtype=np.int64, count=len(nodes))
        hearer = np.repeat(pos.astype(np.int64), deg)
        heard = np.fromiter((index[u] for v in nodes for u in adj[v]), dtype=np.int64,
                            count=int(deg.sum()))
        key = np.unique((hearer * n + heard)[hearer != heard])
        self._indices = key % n
        self._indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(key // n, minlength=n), out=self._indptr[1:])
        self._rows = None
        if self.show is None:
            reported = [n for n, var in agents.variables.items() if var.reported]
            names = reported or list(agents.variables)
            if not names:
                raise ValueError("Network needs a state variable to show (the simulation has "
                                 "no state=)")
            self.show = names[0]
        elif self.show not in agents.variables:
            raise ValueError(f"Network show={self.show!r} is not a state variable; the state "
                             f"has {list(agents.variables)}")

    def setup(self, sim: Any) -> None:
        self._bind(sim)

    def load_state(self, state: dict[str, Any]) -> None:
        self.messages = {int(k): v for k, v in state.get("messages", {}).items()}
        if state.get("show") is not None:
            self.show = state["show"]

    def state(self) -> dict[str, Any]:
        return {"messages": dict(self.messages), "show": self.show}

    def heard(self, sim: Any, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whom each agent hears this step: up to ``k`` of its neighbours, drawn with the run's
        generator (``np.sort(rng.choice(neighbours, k, replace=False))`` per agent that has
        more, made for all agents at once). Returns ``(offsets, positions)``: agent ``ids[i]``
        hears the agents at ``positions[offsets[i]:offsets[i + 1]]`` (rows of ``sim.agents``).
        """
        if self._indptr is None:
            self._bind(sim)
        return choice_rows(sim.rng, self._indptr, self._indices, sim.agents.positions(ids),
                           self.k)

    def _heard(self, sim: Any, ids: np.ndarray) -> list[np.ndarray]:
        offsets, heard = self.heard(sim, ids)
        return np.split(heard, offsets[1:-1]) if len(ids) else []

    def _variable(self, sim: Any):
        return sim.agents.variables[self.show]

    def observe(self, sim: Any, ids: np.ndarray) -> Texts:
        """What each agent hears this step, as texts rendered when an LLM agent reads them;
        rule and scripted policies read whom each agent heard with
        ``ctx.observations.neighbours()`` (the draw of :meth:`heard`, made once a step).

        Examples
        --------
        >>> import networkx as nx, numpy as np, socialkit as sk
        >>> pop = sk.Population(sk.datasets.load("anes1996").head(3).assign(agent=range(3),
        ...                                                                weight=1.0))
        >>> def mean_heard(ctx):      # move halfway to the mean of the neighbours heard
        ...     offsets, heard = ctx.observations.neighbours()
        ...     x = ctx.agents.values["x"]
        ...     row = np.repeat(np.arange(len(ctx.ids)), np.diff(offsets))
        ...     total = np.bincount(row, weights=x[heard], minlength=len(ctx.ids))
        ...     n = np.maximum(np.diff(offsets), 1)
        ...     return {"x": x[ctx.positions] + 0.5 * (total / n - x[ctx.positions])}
        >>> sim = sk.Simulation(pop, env=sk.env.Network(nx.path_graph(3), message=False),
        ...                     policy=sk.agents.RulePolicy(mean_heard), progress=False,
        ...                     state={"x": sk.agents.Continuous(0, 1, initial=[0, 0.5, 1])})
        >>> sim.run(1).final().round(2).tolist()
        [0.25, 0.5, 0.75]
        """
        offsets, heard = self.heard(sim, ids)
        return _Heard(self._variable(sim), sim.agents.values[self.show], dict(self.messages),
                      sim.agents.ids, offsets, heard)

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        var, x = self._variable(sim), sim.agents.values[self.show]
        offsets, heard = self.heard(sim, ids)
        n = len(offsets) - 1
        vals = x[heard]
        ok = ~np.isnan(vals)
        row = np.repeat(np.arange(n), np.diff(offsets))[ok]
        count = np.bincount(row, minlength=n)
        if var.kind != "categorical":
            # the sum of <= 7 values in order is np.add.reduce's (it sums 8+ pairwise)
            total = np.bincount(row, weights=vals[ok], minlength=n)
            for i in np.flatnonzero(count > 7):
                v = vals[offsets[i]:offsets[i + 1]]
                total[i] = np.add.reduce(v[~np.isnan(v)])
            mean = np.round(total / np.maximum(count, 1))
            prefix = "What people you know answer on average: "
        else:  # the most frequent code (the smallest of ties), as np.unique + argmax finds it
            k = len(var.categories)
            counts = np.bincount(row * k + vals[ok].astype(np.int64),
                                 minlength=n * k).reshape(n, k)
            mean = np.argmax(counts, axis=1).astype(np.float64)
            prefix = "What most people you know answer: "
        said: dict[float, str] = {}
        out = []
        for c, m in zip(count.tolist(), mean.tolist(), strict=True):
            if not c:
                out.append("No one you know has told you their view.")
                continue
            t = said.get(m)
            if t is None:
                t = said[m] = prefix + var.text(m)
            out.append(t)
        return out

    def actions(self, sim: Any, ids: np.ndarray) -> Any:
        if not self.message:
            return None
        from socialkit.agents import Action, ActionMenu, Text

        q = self._variable(sim).question
        topic = q.text if q is not None else self.show.replace("_", " ")
        prompt = self.message_prompt.replace("{question}", topic)
        return ActionMenu([Action("message", text=Text(self.max_words))], text=prompt,
                          name="message")

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> None:
        ok = decisions[decisions["action"] == "message"]
        for agent, args in zip(ok["agent"], ok["args"], strict=True):
            self.messages[int(agent)] = str(args["text"])


class _Heard(Texts):
    """What each agent heard, rendered when read, from the values and messages of the moment
    it observed."""

    def __init__(self, var: Any, x: np.ndarray, messages: dict[int, str], ids: np.ndarray,
                 offsets: np.ndarray, heard: np.ndarray):
        super().__init__(len(offsets) - 1)
        self.var, self.x, self.messages, self.ids = var, x.copy(), messages, ids
        self.offsets, self.heard = offsets, heard
        self.lines: dict[int, str | None] = {}  # each neighbour's line, made once

    def neighbours(self) -> tuple[np.ndarray, np.ndarray]:
        """Whom each row heard: ``(offsets, positions)`` as :meth:`Network.heard` returns them
        (row ``i`` heard the agents at ``positions[offsets[i]:offsets[i + 1]]``, rows of
        ``sim.agents``), for this view's rows."""
        if self._rows is None:
            return self.offsets, self.heard
        starts, ends = self.offsets[self._rows], self.offsets[self._rows + 1]
        offsets = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=offsets[1:])
        return offsets, self.heard[ranges(starts, ends)[1]]

    def render(self, i: int) -> str:
        line, lines = self.lines, []
        for j in self.heard[self.offsets[i]:self.offsets[i + 1]].tolist():
            got = line.get(j, False)
            if got is False:
                said = self.messages.get(int(self.ids[j]))
                got = line[j] = None if np.isnan(self.x[j]) else \
                    f"- {self.var.text(self.x[j])}" + (f' and said: "{said}"' if said else "")
            if got is not None:
                lines.append(got)
        if lines:
            return "Some people you know answered:\n" + "\n".join(lines)
        return "You have not heard from anyone about this yet."
