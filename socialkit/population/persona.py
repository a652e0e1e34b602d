"""Personas rendered from population rows with the three SPeCtrum identity components.

Social identity (demographics, party, religion, region), personal identity (values, traits) and
life context (a short narrative) are the three sections of a template file: see
``templates/default.txt`` for the format and the placeholders. Rendering is deterministic: the
same row, codebook, template and person give the same text. A missing value is never written as
"unknown": it takes its codebook ``missing`` phrase when there is one, otherwise the sentence that
would mention it is left out (and the ``$social`` / ``$personal`` / ``$context`` summaries skip
it).
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit.population.codebook import Codebook, Variable, _fmt

__all__ = ["Persona", "render_personas", "load_template", "template_names"]

_FOLDER = Path(__file__).with_name("templates")
_SECTIONS = ("social identity", "personal identity", "life context")
_PRONOUNS = {
    "first": {"I": "I", "i": "I", "am": "am", "was": "was", "my": "my", "My": "My", "me": "me",
              "myself": "myself"},
    "third": {"I": "They", "i": "they", "am": "are", "was": "were", "my": "their",
              "My": "Their", "me": "them", "myself": "themselves"},
}
_LEADS = {"social": {"first": "About me", "third": "About them"},
          "personal": {"first": "My views", "third": "Their views"},
          "context": {"first": "My circumstances", "third": "Their circumstances"}}


@dataclass(frozen=True)
class Persona:
    """One agent described by the three SPeCtrum identity components.

    Attributes
    ----------
    agent : int
        The agent id (``pop.df["agent"]``).
    social_identity, personal_identity, life_context : str
        The rendered sections of the template.
    person : str
        ``"first"`` ("I am ...") or ``"third"`` ("They are ...").
    attributes : dict
        The row the persona was rendered from.

    Examples
    --------
    >>> p = Persona.example()
    >>> p.social_identity.split(".")[0]
    'I am 36 years old and a strong Republican'
    >>> str(p) == p.text
    True
    """

    agent: int
    social_identity: str
    personal_identity: str
    life_context: str
    person: str = "first"
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The full persona: the three non-empty sections, one per line."""
        return "\n".join(s for s in (self.social_identity, self.personal_identity,
                                     self.life_context) if s)

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>"
                       f"{html.escape(v)}</td></tr>" for k, v in
                       (("social identity", self.social_identity),
                        ("personal identity", self.personal_identity),
                        ("life context", self.life_context)))
        return f"<div><strong>Persona</strong> of agent {self.agent}<table>{rows}</table></div>"

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Any], codebook=None, template=None,
                        person: str = "first", agent: int = 0) -> Persona:
        """Render one persona from a mapping of column -> value.

        Parameters
        ----------
        attributes : mapping
            Column -> value (codes or labels).
        codebook, template, person
            As in :meth:`socialkit.Population.personas` (codebook by name, file or object).
        agent : int
            The agent id to record.

        Returns
        -------
        Persona

        Examples
        --------
        >>> p = Persona.from_attributes({"age": 52, "PID": 0}, codebook="anes1996",
        ...                             template="default", person="third")
        >>> p.social_identity
        'About them: age (years): 52; party identification: Strong Democrat.'
        """
        df = pd.DataFrame([dict(attributes)])
        cb = Codebook.load(codebook) if codebook is not None else None
        return render_personas(df, cb, template, person, agents=[agent])[0]

    @classmethod
    def example(cls) -> Persona:
        """A persona of a 36-year-old strong Republican from the ANES 1996 codebook.

        Returns
        -------
        Persona

        Examples
        --------
        >>> Persona.example().agent
        0
        """
        row = {"popul": 190.0, "TVnews": 5.0, "selfLR": 6.0, "ClinLR": 2.0, "DoleLR": 6.0,
               "PID": 6.0, "age": 36.0, "educ": 6.0, "income": 20.0, "vote": 1.0}
        return cls.from_attributes(row, codebook="anes1996", agent=0)


def template_names() -> list[str]:
    """Names of the persona templates shipped with socialkit.

    Examples
    --------
    >>> template_names()
    ['anes1996', 'bfi', 'cces2016', 'default']
    """
    return sorted(p.stem for p in _FOLDER.glob("*.txt"))


def load_template(template: str | Path | None = None) -> dict[str, str]:
    """The three sections of a template: a shipped name, a file path, or the text itself.

    Parameters
    ----------
    template : str or path, optional
        ``"default"`` (when None), another shipped name (:func:`template_names`), a path to a
        template file, or template text (anything with a ``[section]`` header line).

    Returns
    -------
    dict
        ``"social identity"``, ``"personal identity"``, ``"life context"`` -> the section's
        text (lines joined by spaces; empty when the template lacks the section).

    Examples
    --------
    >>> load_template("default")["social identity"]
    '$social'
    """
    name = "default" if template is None else template
    if isinstance(name, str) and re.search(r"^\s*\[[^\]\n]+\]\s*$", name, flags=re.M):
        text, label = name, "<text>"
    else:
        path = Path(name)
        if not path.suffix and not path.exists():
            path = _FOLDER / f"{name}.txt"
            if not path.exists():
                raise ValueError(f"unknown persona template {str(name)!r}; shipped templates: "
                                 f"{', '.join(template_names())}, or give a file path")
        if not path.exists():
            raise FileNotFoundError(f"persona template file {path} does not exist")
        text, label = path.read_text(encoding="utf-8"), str(path)
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head = re.fullmatch(r"\[(.+)\]", line)
        if head:
            current = head.group(1).strip().lower()
            if current not in _SECTIONS:
                raise ValueError(f"template {label}: unknown section [{current}]; sections are "
                                 f"{', '.join(f'[{s}]' for s in _SECTIONS)}")
            sections[current] = []
        elif current is None:
            raise ValueError(f"template {label}: text before the first section header "
                             f"([social identity]): {line[:40]!r}")
        else:
            sections[current].append(line)
    if not sections:
        raise ValueError(f"template {label} has none of the sections "
                         f"{', '.join(f'[{s}]' for s in _SECTIONS)}")
    return {s: " ".join(sections.get(s, [])) for s in _SECTIONS}


def render_personas(df: pd.DataFrame, codebook: Codebook | None = None, template=None,
                    person: str = "first", agents=None) -> list[Persona]:
    """Render one persona per row of ``df``.

    The table-level engine of :meth:`socialkit.Population.personas`.

    Parameters
    ----------
    df : DataFrame
        Rows to render (``agent``, ``weight`` and ``source_row`` are not attributes).
    codebook : Codebook, optional
        Phrases, labels and roles; its own template is the default when it names one.
    template : str or path, optional
        As in :meth:`socialkit.Population.personas`.
    person : {"first", "third"}
        Grammatical person.
    agents : list of int, optional
        Agent ids (default: the ``agent`` column, else 0, 1, ...).

    Returns
    -------
    list of Persona

    Examples
    --------
    >>> import pandas as pd
    >>> [p.text for p in render_personas(pd.DataFrame({"age": [30, 41]}))]
    ['About me: age: 30.', 'About me: age: 41.']
    """
    if person not in _PRONOUNS:
        raise ValueError(f"person must be 'first' or 'third', got {person!r}")
    if template is None and codebook is not None and codebook.template in template_names():
        template = codebook.template
    sections = load_template(template)
    attrs = [c for c in df.columns if c not in ("agent", "weight", "source_row")]
    keys = {c: _identifier(c) for c in attrs}
    pron = _PRONOUNS[person]
    words = {c: _phrases(df[c], codebook[c] if codebook is not None and c in codebook else None,
                         pron) for c in attrs}
    used = set().union(*(_placeholders(t) for t in sections.values()))
    known = set(keys.values()) | set(pron) | {"agent", "social", "personal", "context"}
    unknown = sorted(used - known)
    if unknown:
        raise ValueError(f"persona template uses ${unknown[0]}, which is neither a column of the "
                         f"population nor a pronoun; columns: {sorted(keys.values())}, "
                         f"pronouns: {sorted(pron)}")
    compiled = {s: [(string.Template(part), {keys.get(c, c) for c in _placeholders(part)})
                    for part in _sentences(t)] for s, t in sections.items()}
    by_key = {keys[c]: c for c in attrs}
    blocks = {b for b in ("social", "personal", "context") if b in used}
    roles = {c: (codebook[c].role if codebook is not None and c in codebook else "social")
             for c in attrs}
    ids = (df["agent"].to_numpy() if agents is None and "agent" in df.columns
           else np.arange(len(df)) if agents is None else np.asarray(agents))
    records = df[attrs].to_dict("records")
    out = []
    for i, rec in enumerate(records):
        mapping = dict(pron)
        mapping["agent"] = str(int(ids[i]))
        for c in attrs:
            mapping[keys[c]] = words[c][i]
        for b in blocks:
            plain = ((c, _plain(codebook, c, rec[c])) for c in attrs if roles[c] == b)
            facts = "; ".join(f"{_label(codebook, c)}: {v}" for c, v in plain if v is not None)
            mapping[b] = f"{_LEADS[b][person]}: {facts}." if facts else ""
        absent = {k for k, c in by_key.items() if mapping[k] is None}
        text = {s: _tidy(" ".join(t.substitute(mapping) for t, used in parts
                                  if not used & absent))
                for s, parts in compiled.items()}
        out.append(Persona(int(ids[i]), text["social identity"], text["personal identity"],
                           text["life context"], person, rec))
    return out


def _sentences(text: str) -> list[str]:
    """A section's text cut after each full stop, question or exclamation mark."""
    return [p for p in re.split(r"(?<=[.!?])\s+", text) if p.strip()]


def _identifier(column: str) -> str:
    return re.sub(r"\W", "_", str(column))


def _placeholders(text: str) -> set[str]:
    return {m.group("named") or m.group("braced")
            for m in string.Template.pattern.finditer(text)
            if m.group("named") or m.group("braced")}


def _phrases(s: pd.Series, var: Variable | None, pron: dict[str, str]) -> list[str | None]:
    """Words for every value of ``s``, computed once per distinct value (pronouns filled in);
    None for a missing value without a codebook phrase."""
    values = s.astype(object).where(s.notna(), None)
    lookup = {}
    for v in pd.unique(values):
        words = var.phrase(v) if var is not None else (None if v is None else _fmt(v))
        lookup[_hashable(v)] = (None if words is None
                                else string.Template(words).safe_substitute(pron))
    return [lookup[_hashable(v)] for v in values]


def _hashable(v):
    return repr(v) if isinstance(v, list | dict) else v


def _label(codebook: Codebook | None, column: str) -> str:
    return codebook[column].label if codebook is not None and column in codebook else str(column)


def _plain(codebook: Codebook | None, column: str, value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if codebook is not None and column in codebook and codebook[column].is_missing(value):
        return None
    return codebook.label(column, value) if codebook is not None else _fmt(value)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
