"""A designer's community (goal, rules, a handful of seed personas) expanded into many distinct
members by a language model, as Social Simulacra's first prompt chain does: each generation
is a typed two-field reply read strictly, duplicates are dropped with their reason, and the
diversity of the members is measured."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialkit.agents._actions import Action, ActionMenu, Text
from socialkit.llm.questions import Parsed

__all__ = ["CommunityDesign", "PLANT_PARENTS", "generate_members", "member_diversity",
           "MEMBER_SYSTEM", "MemberForm"]

MEMBER_SYSTEM = "You invent realistic, varied members of online communities."
"""The system prompt of member generation."""

_NAME = re.compile(r"[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,3}\Z")
_ACTION_LINE = re.compile(r"^\W*action\W*\s*[:=]", re.I | re.M)


@dataclass(frozen=True)
class CommunityDesign:
    """What a designer writes down about a community: its name, goal, rules and a handful of
    seed personas ``(name, description)``.

    Examples
    --------
    >>> d = CommunityDesign("Chess Club", "Talk about chess.", ["Be kind."],
    ...                     [("Ann Lee", "a club player who loves endgames")])
    >>> print(d.describe())
    Community: Chess Club
    Goal: Talk about chess.
    Rules:
    - Be kind.
    """

    name: str
    goal: str
    rules: Sequence[str] = field(default_factory=tuple)
    seeds: Sequence[tuple[str, str]] = field(default_factory=tuple)

    def __post_init__(self):
        for nm in ("name", "goal"):
            v = getattr(self, nm)
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"CommunityDesign {nm} must be a non-empty string, got {v!r}")
        if isinstance(self.rules, str) or not all(isinstance(r, str) and r.strip()
                                                  for r in self.rules):
            raise TypeError("CommunityDesign rules must be a list of non-empty strings")
        seeds = []
        for s in self.seeds:
            if (not isinstance(s, Sequence) or isinstance(s, str) or len(s) != 2
                    or not all(isinstance(x, str) and x.strip() for x in s)):
                raise ValueError(f"CommunityDesign seeds must be (name, description) pairs of "
                                 f"non-empty strings, got {s!r}")
            if not _NAME.match(s[0].strip()):
                raise ValueError(f"CommunityDesign seed name {s[0]!r} is not a name (1-4 words "
                                 f"of letters)")
            seeds.append((s[0].strip(), s[1].strip()))
        object.__setattr__(self, "rules", tuple(r.strip() for r in self.rules))
        object.__setattr__(self, "seeds", tuple(seeds))

    def describe(self) -> str:
        """The community as members and the judge read it."""
        lines = [f"Community: {self.name}", f"Goal: {self.goal}"]
        if self.rules:
            lines += ["Rules:"] + [f"- {r}" for r in self.rules]
        return "\n".join(lines)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "goal": self.goal, "rules": list(self.rules),
                "seeds": [list(s) for s in self.seeds]}


PLANT_PARENTS = CommunityDesign(
    name="Plant Parents",
    goal="A place for people who keep houseplants to ask for help with struggling plants, share "
         "what worked for them and swap cuttings.",
    rules=["Be kind and patient with beginners.", "No selling or advertising.",
           "Stay on topic: houseplants and their care."],
    seeds=[("Maria Lopez", "a retired school teacher who has grown orchids for thirty years and "
                           "loves helping beginners"),
           ("Devon Carter", "a college student with a dorm room full of succulents and no money "
                            "for pots"),
           ("Aiko Tanaka", "a night-shift nurse trying to keep a fiddle-leaf fig alive"),
           ("Sam Okafor", "a landscape designer who is blunt and impatient and thinks most "
                          "houseplant advice online is wrong"),
           ("Lena Fischer", "a new mother who just moved into a dark apartment and wants plants "
                            "that need little light")])
"""socialkit's example community (written for socialkit, in the shape of the paper's designer
input: a goal, three rules and five seed personas, one of them abrasive)."""


class MemberForm(ActionMenu):
    """One generated member as a typed reply: ``name: <first and last name>`` and ``about: <who
    they are>``, read by the action-menu parser; a name must be 1-4 words of letters. Anything else is invalid with
    its reason (re-asked, then missing): never repaired by guessing. On the embedded model a
    llama.cpp grammar keeps the reply to the two lines (without it the 135M model rarely
    follows the format).

    Examples
    --------
    >>> f = MemberForm(20)
    >>> f.parse("name: Rosa Diaz\\nabout: a florist who repots everything in spring").value
    {'action': 'member', 'name': 'Rosa Diaz', 'about': 'a florist who repots everything in spring'}
    >>> f.parse("name: 12345\\nabout: a florist").reason
    "name '12345' is not a name (1-4 words of letters)"
    >>> f.parse("Rosa Diaz is a florist.").reason
    'member needs name (text of at most 4 words)'
    """

    kind = "member_form"

    def __init__(self, max_words: int = 30,
                 text: str = "Write one new member of this community, different from the ones "
                             "above."):
        self.max_words = max_words
        super().__init__([Action("member", "a new member", name=Text(4), about=Text(max_words))],
                         text=text, name="member")

    def instructions(self) -> str:
        return "\n".join(["Reply in exactly this format, two lines:",
                          "name: <first and last name>",
                          f"about: <who they are, in at most {self.max_words} words>"])

    def grammar(self) -> str:
        r"""The two lines, with a name of 1-3 capitalised words (llama.cpp GBNF).

        Examples
        --------
        >>> print(MemberForm(5).grammar())
        root ::= "name: " nm (" " nm){0,2} "\n" "about: " [^ \t\n\r]+ (" " [^ \t\n\r]+){0,4}
        nm ::= [A-Z] [a-zA-Z']{0,15}
        """
        word = "[^ \\t\\n\\r]+"
        return (f'root ::= "name: " nm (" " nm){{0,2}} "\\n" "about: " {word} (" " {word})'
                f'{{0,{self.max_words - 1}}}\nnm ::= [A-Z] [a-zA-Z\']{{0,15}}')

    def parse(self, reply: Any) -> Parsed:
        got = super().parse(reply)
        text = "" if reply is None else str(reply).strip()
        if not got.ok and text and not _ACTION_LINE.search(text):  # the only action
            obj = _json_object(text)
            if obj is not None and "action" not in obj:
                got = super().parse(json.dumps({"action": "member", **obj}))
            elif obj is None and not text.startswith("{"):
                got = super().parse("action: member\n" + text)
        if got.ok:
            name = " ".join(str(got.value["name"]).split()).strip(" .,;:\"'")
            if not _NAME.match(name):
                return Parsed(False, reason=f"name {name[:40]!r} is not a name (1-4 words of "
                                            f"letters)")
            about = " ".join(str(got.value["about"]).split()).strip()
            if not re.search(r"[A-Za-z]{2}", about):
                return Parsed(False, reason=f"about {about[:40]!r} has no words")
            return Parsed(True, {"action": "member", "name": name, "about": about})
        return got


def _json_object(text: str) -> dict | None:
    for blob in re.findall(r"\{.*\}", text, re.S)[:1]:
        try:
            obj = json.loads(blob)
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None
    return None


def _messages(design: CommunityDesign, shown: list[tuple[str, str]], form: MemberForm
              ) -> list[dict[str, str]]:
    examples = "\n\n".join(f"name: {n}\nabout: {a}" for n, a in shown)
    body = "\n\n".join([design.describe(), "Some of its members:\n\n" + examples, form.render()])
    return [{"role": "system", "content": MEMBER_SYSTEM}, {"role": "user", "content": body}]


def generate_members(design: CommunityDesign, n: int, model: Any = None, *, seed: int = 0,
                     shots: int = 3, max_words: int = 30, similar: float = 0.8,
                     session: Any = None, cache: Any = True, progress: bool = False,
                     **session_options: Any) -> pd.DataFrame:
    """Expand a community's seed personas into ``n`` more members (Social Simulacra's persona
    chain): each generation shows the model the community and ``shots`` seed personas (a
    different random subset each time, drawn from ``seed``) and asks for one new member in a
    two-field format (:class:`MemberForm`), one call each (draw key ``["members", i]``).

    A reply that does not fit the format is re-asked and then kept as ``missing`` with its
    reason; a member whose name repeats one already present (case aside), or whose description
    has a TF-IDF cosine similarity of at least ``similar`` with one already present, is kept as
    ``duplicate`` with the one it repeats. Only ``ok`` rows become agents.

    Parameters
    ----------
    design : CommunityDesign
    n : int
        Generations (the paper's SimReddit: thousands of members).
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    seed : int
        Which seeds are shown, and every call's draw.
    shots : int
        Seed personas shown per generation (at most the seeds given).
    max_words : int
        Longest description.
    similar : float
        TF-IDF cosine similarity from which a description counts as a repeat (1: only identical
        texts; 0: any shared word).
    session : socialkit.llm.Session, optional
        An open session to use (else one is made from ``model``, ``seed``, ``cache`` and
        ``session_options``).

    Returns
    -------
    DataFrame
        One row per seed persona (``source`` "seed") then per generation (``source``
        "generated", ``generation`` 0..n-1): ``name``, ``about``, ``status`` (ok / missing /
        duplicate), ``reason``, ``raw`` (the reply). ``df.attrs["usage"]``: calls and tokens.

    Examples
    --------
    >>> import socialkit as sk
    >>> replies = iter(["name: Rosa Diaz\\nabout: a florist who repots in spring",
    ...                 "name: rosa diaz\\nabout: a baker", "I am Tom.",
    ...                 "name: Li Wei\\nabout: a florist who repots in spring"])
    >>> model = sk.llm.scripted(lambda m: next(replies))
    >>> df = generate_members(PLANT_PARENTS, 4, model, cache=False, shots=2, reasks=0,
    ...                       concurrency=1)
    >>> gen = df[df["source"] == "generated"]
    >>> for row in gen[["name", "status", "reason"]].replace("", "-").fillna("-").values.tolist():
    ...     print(*row, sep=" | ")
    Rosa Diaz | ok | -
    rosa diaz | duplicate | the name of Rosa Diaz
    - | missing | invalid after 1 tries: member needs name (text of at most 4 words)
    Li Wei | duplicate | the description of Rosa Diaz (similarity 1.00)
    """
    from socialkit.llm.session import Request, Session
    from socialkit.scenarios._textsim import cosine_similarity

    if not isinstance(design, CommunityDesign):
        raise TypeError(f"generate_members design must be a CommunityDesign, got "
                        f"{type(design).__name__}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"generate_members n must be a non-negative integer, got {n!r}")
    if not design.seeds:
        raise ValueError("generate_members: the design has no seed personas to learn from")
    if isinstance(shots, bool) or not isinstance(shots, int) or not 1 <= shots:
        raise ValueError(f"generate_members shots must be a positive integer, got {shots!r}")
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 3:
        raise ValueError(f"generate_members max_words must be an integer >= 3, got "
                         f"{max_words!r}")
    if isinstance(similar, bool) or not isinstance(similar, int | float) or \
            not 0 < similar <= 1:
        raise ValueError(f"generate_members similar must be in (0, 1], got {similar!r}")
    if session is None:
        session = Session(model, seed=seed, cache=cache, progress=progress, **session_options)
    seeds = list(design.seeds)
    k = min(shots, len(seeds))
    form = MemberForm(max_words)
    rng = np.random.default_rng([int(seed), 7031])
    requests = []
    for i in range(int(n)):
        shown = [seeds[j] for j in rng.permutation(len(seeds))[:k]]
        requests.append(Request(_messages(design, shown, form), form, ["members", i]))
    before = session.usage.calls
    outcomes = session.complete_many(requests) if requests else []
    rows = [{"generation": -1, "source": "seed", "name": nm, "about": ab, "status": "ok",
             "reason": "", "raw": None} for nm, ab in seeds]
    for i, out in enumerate(outcomes):
        ok = out.status != "missing"
        rows.append({"generation": i, "source": "generated",
                     "name": out.value["name"] if ok else None,
                     "about": out.value["about"] if ok else None,
                     "status": "ok" if ok else "missing", "reason": "" if ok else out.reason,
                     "raw": out.text})
    df = pd.DataFrame(rows)
    have = [i for i in range(len(df)) if df.at[i, "status"] == "ok"]
    S = cosine_similarity([str(df.at[i, "about"]) for i in have]) if have else np.zeros((0, 0))
    where = {r: j for j, r in enumerate(have)}
    kept: list[int] = []
    names: dict[str, int] = {}
    for r in have:
        key = " ".join(str(df.at[r, "name"]).lower().split())
        if key in names:
            df.loc[r, ["status", "reason"]] = ["duplicate",
                                               f"the name of {df.at[names[key], 'name']}"]
            continue
        if kept:
            sims = S[where[r], [where[q] for q in kept]]
            j = int(np.argmax(sims))
            if sims[j] >= similar:
                df.loc[r, ["status", "reason"]] = [
                    "duplicate", f"the description of {df.at[kept[j], 'name']} (similarity "
                                 f"{sims[j]:.2f})"]
                continue
        names[key] = r
        kept.append(r)
    df.attrs["usage"] = {"calls": int(session.usage.calls - before)}
    return df


def member_diversity(texts: Sequence[str], embedding: Any = None) -> dict[str, float]:
    """How different member descriptions are: the mean pairwise TF-IDF cosine distance
    (1 - similarity; 0: all the same words, 1: no shared word), and with ``embedding`` (a
    function of texts returning unit vectors, e.g. ``sk.memory.MiniLM()``) the mean pairwise
    embedding cosine distance.

    Examples
    --------
    >>> member_diversity(["a florist in Lyon", "a florist in Lyon", "a retired miner"])
    {'members': 3, 'tfidf_distance': 0.6667}
    """
    from socialkit.scenarios._textsim import _check_texts, cosine_similarity

    texts = _check_texts(texts)
    out: dict[str, float] = {"members": len(texts)}
    if len(texts) < 2:
        out["tfidf_distance"] = float("nan")
        if embedding is not None:
            out["embedding_distance"] = float("nan")
        return out
    iu = np.triu_indices(len(texts), 1)
    S = cosine_similarity(texts)
    out["tfidf_distance"] = round(float(1 - S[iu].mean()), 4)
    if embedding is not None:
        if not callable(embedding):
            raise TypeError("member_diversity embedding must be a function of texts")
        V = np.asarray(embedding(list(texts)), dtype=np.float64)
        V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
        out["embedding_distance"] = round(float(1 - (V @ V.T)[iu].mean()), 4)
    return out
