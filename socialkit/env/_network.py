"""The neighbour network: agents hear the state and messages of up to ``k`` of their neighbours."""

from __future__ import annotations

import hashlib
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.env._base import Environment
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
        self._neigh: list[np.ndarray] | None = None

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
        where = dict(zip(nodes, pos.tolist(), strict=True))
        heard_from = self.G.predecessors if self.G.is_directed() else self.G.neighbors
        self._neigh = [np.empty(0, dtype=np.int64)] * len(agents)
        for v in nodes:
            self._neigh[where[v]] = np.array(sorted(where[u] for u in heard_from(v) if u != v),
                                             dtype=np.int64)
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

    def _heard(self, sim: Any, ids: np.ndarray) -> list[np.ndarray]:
        if self._neigh is None:
            self._bind(sim)
        out = []
        for p in sim.agents.positions(ids):
            nb = self._neigh[p]
            if len(nb) > self.k:
                nb = np.sort(sim.rng.choice(nb, size=self.k, replace=False))
            out.append(nb)
        return out

    def _variable(self, sim: Any):
        return sim.agents.variables[self.show]

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        var, x = self._variable(sim), sim.agents.values[self.show]
        ids_all = sim.agents.ids
        out = []
        line: dict[int, str | None] = {}  # each neighbour's line, made once (None: no answer)
        for nb in self._heard(sim, ids):
            lines = []
            for j in nb.tolist():
                if j not in line:
                    said = self.messages.get(int(ids_all[j]))
                    line[j] = None if np.isnan(x[j]) else \
                        f"- {var.text(x[j])}" + (f' and said: "{said}"' if said else "")
                if line[j] is not None:
                    lines.append(line[j])
            if lines:
                out.append("Some people you know answered:\n" + "\n".join(lines))
            else:
                out.append("You have not heard from anyone about this yet.")
        return out

    def observe_cell(self, sim: Any, ids: np.ndarray) -> list[str]:
        var, x = self._variable(sim), sim.agents.values[self.show]
        out = []
        for nb in self._heard(sim, ids):
            vals = x[nb]
            vals = vals[~np.isnan(vals)]
            if len(vals) and var.kind != "categorical":
                mean = np.add.reduce(vals) / len(vals)  # vals.mean(), without its overhead
                out.append("What people you know answer on average: "
                           f"{var.text(float(np.round(mean)))}")
            elif len(vals):
                codes, counts = np.unique(vals, return_counts=True)
                out.append("What most people you know answer: "
                           f"{var.text(float(codes[np.argmax(counts)]))}")
            else:
                out.append("No one you know has told you their view.")
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
