"""Codebooks: readable labels, text phrases, roles and kinds of survey variables.

A codebook is one JSON file (see ``codebooks/anes1996.json``)::

    {"name": ..., "title": ..., "citation": ..., "template": "anes1996", "notes": [...],
     "variables": {"PID": {"label": "party identification", "role": "social",
                           "kind": "ordinal", "values": {"0": "Strong Democrat", ...},
                           "phrases": {"0": "a strong Democrat", ...}}, ...}}

``values`` maps codes to labels (tables, raking targets), ``phrases`` maps codes to the words a
persona uses ("a strong Republican") and may hold the pronoun placeholders of persona templates
(``$i``, ``$am``, ...); ``missing`` is the phrase for a missing value (default: none, and a
persona then leaves out the sentence that would mention it, never "unknown");
``missing_codes`` lists the codes that mean missing (e.g. ``[8, 9]``; they become NaN in
:meth:`Codebook.apply`); ``question`` is the wording of a variable asked as a survey question
and ``scale`` (``[low, high]``) the range of a continuous one (a 0-100 thermometer).
At the top level, ``outcomes`` names the variables a silicon survey asks (never rendered into a
persona by :func:`socialkit.scenarios.silicon_survey`), ``exclude`` the variables derived from
them (also kept out of personas: an index of the outcomes would leak them) and
``missing_codes`` states the missing
codes of the whole extract (an empty list: missing answers are already NA);
``role`` is the SPeCtrum component the variable belongs to (``social``, ``personal`` or
``context``; ``other`` for ids and bookkeeping, left out of personas); ``kind`` is ``nominal``, ``ordinal`` or ``continuous``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialkit._format import fmt

__all__ = ["Codebook", "Variable", "codebook_names"]

_FOLDER = Path(__file__).with_name("codebooks")
_ROLES = ("social", "personal", "context", "other")
_KINDS = ("nominal", "ordinal", "continuous")


def code_key(value: Any) -> str:
    """The codebook key of a data value: integral numbers lose their ``.0``.

    Examples
    --------
    >>> code_key(3.0), code_key("Dole")
    ('3', 'Dole')
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Variable:
    """One variable of a codebook (see the module docstring for the fields).

    Examples
    --------
    >>> v = Variable("vote", "expected vote", "context", "nominal", {"0": "Clinton"})
    >>> v.phrase(0), v.phrase(None)
    ('Clinton', None)
    """

    name: str
    label: str
    role: str = "social"
    kind: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    missing: str | None = None
    missing_codes: tuple = ()
    question: str | None = None
    scale: tuple | None = None

    def is_missing(self, value: Any) -> bool:
        """True for None, NaN and the declared missing codes."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return True
        return bool(self.missing_codes) and code_key(value) in self.missing_codes

    def phrase(self, value: Any) -> str | None:
        """Words for ``value`` (a code or a label): its phrase, else its label, else the value;
        for a missing value the ``missing`` phrase, or None when the codebook gives none.

        Examples
        --------
        >>> Codebook.load("anes1996")["educ"].phrase("Bachelor's degree")
        "a bachelor's degree"
        """
        if self.is_missing(value):
            return self.missing
        key = code_key(value)
        if key not in self.values:  # a label: find its code
            key = next((k for k, v in self.values.items() if v == value), key)
        if key in self.phrases:
            return self.phrases[key]
        return self.values.get(key, _fmt(value))


def _fmt(value: Any) -> str:
    return fmt(value, digits=3)


class Codebook:
    """Labels and phrases for the codes of a survey; load one by name, path or dict.

    Parameters
    ----------
    spec : dict
        The parsed JSON (see the module docstring). Use :meth:`load` for names and files.

    Examples
    --------
    >>> cb = Codebook.load("anes1996")
    >>> cb["PID"].values["6"], cb["PID"].phrase(6.0)
    ('Strong Republican', 'a strong Republican')
    >>> cb.label("educ", 6)
    "Bachelor's degree"
    """

    def __init__(self, spec: dict):
        if not isinstance(spec, dict) or not isinstance(spec.get("variables"), dict):
            raise ValueError("a codebook needs a 'variables' mapping (see socialkit.population."
                             "codebook)")
        self.name = str(spec.get("name", "custom"))
        self.title = str(spec.get("title", self.name))
        self.citation = str(spec.get("citation", ""))
        self.template = spec.get("template")
        self.notes = list(spec.get("notes", []))
        self.outcomes = [str(c) for c in spec.get("outcomes", [])]
        self.missing_codes = list(spec.get("missing_codes", []))
        self.exclude = [str(c) for c in spec.get("exclude", [])]
        self.variables: dict[str, Variable] = {}
        for col, v in spec["variables"].items():
            role, kind = v.get("role", "social"), v.get("kind")
            if role not in _ROLES:
                raise ValueError(f"codebook {self.name!r}: variable {col!r} has role {role!r}; "
                                 f"choose one of {_ROLES}")
            if kind is not None and kind not in _KINDS:
                raise ValueError(f"codebook {self.name!r}: variable {col!r} has kind {kind!r}; "
                                 f"choose one of {_KINDS}")
            self.variables[col] = Variable(
                col, str(v.get("label", col)), role, kind,
                {str(k): str(x) for k, x in v.get("values", {}).items()},
                {str(k): str(x) for k, x in v.get("phrases", {}).items()},
                None if v.get("missing") is None else str(v["missing"]),
                tuple(code_key(c) for c in v.get("missing_codes", [])),
                None if v.get("question") is None else str(v["question"]),
                None if v.get("scale") is None else tuple(float(x) for x in v["scale"]))
        unknown = [c for c in self.outcomes + self.exclude if c not in self.variables]
        if unknown:
            raise ValueError(f"codebook {self.name!r}: outcomes / exclude {unknown} are not "
                             "variables")

    @classmethod
    def load(cls, source: str | Path | dict | Codebook) -> Codebook:
        """A shipped codebook by name (``"anes1996"``), a JSON file, a dict or a Codebook.

        Parameters
        ----------
        source : str, path, dict or Codebook
            A name from :func:`codebook_names`, a ``.json`` file, the parsed dict, or a Codebook
            (returned as is).

        Returns
        -------
        Codebook

        Examples
        --------
        >>> Codebook.load("anes1996").name
        'anes1996'
        >>> Codebook.load("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown codebook 'nope'; shipped codebooks: anes1996, anes_partytherms, ...
        """
        if isinstance(source, Codebook):
            return source
        if isinstance(source, dict):
            return cls(source)
        path = Path(source)
        if path.suffix != ".json":
            path = _FOLDER / f"{source}.json"
            if not path.exists():
                raise ValueError(f"unknown codebook {str(source)!r}; shipped codebooks: "
                                 f"{', '.join(codebook_names())}")
        elif not path.exists():
            raise FileNotFoundError(f"codebook file {path} does not exist")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def __contains__(self, column: str) -> bool:
        return column in self.variables

    def __getitem__(self, column: str) -> Variable:
        if column not in self.variables:
            raise KeyError(f"codebook {self.name!r} has no variable {column!r}")
        return self.variables[column]

    def label(self, column: str, value: Any) -> str:
        """The readable label of ``value`` in ``column`` (the value itself if it has none).

        Examples
        --------
        >>> Codebook.load("anes1996").label("vote", 0.0), Codebook.load("anes1996").label("age", 36.0)
        ('Clinton', '36')
        """
        var = self.variables.get(column)
        if var is None:
            return _fmt(value)
        return var.values.get(code_key(value), _fmt(value))

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``df`` whose coded columns hold their labels as pandas Categoricals.

        Categories keep the code order; ordinal variables become ordered Categoricals. A code
        that the codebook does not know raises ``ValueError`` naming the column and the code.

        Examples
        --------
        >>> import pandas as pd
        >>> out = Codebook.load("anes1996").apply(pd.DataFrame({"PID": [0.0, 6.0]}))
        >>> out["PID"].tolist(), bool(out["PID"].cat.ordered)
        (['Strong Democrat', 'Strong Republican'], True)
        """
        out = df.copy()
        for col, var in self.variables.items():
            if col not in out.columns:
                continue
            s = out[col]
            if var.missing_codes and not isinstance(s.dtype, pd.CategoricalDtype):
                s = s.where(~s.map(var.is_missing).astype(bool))
                out[col] = s
            if not var.values or isinstance(s.dtype, pd.CategoricalDtype):
                continue  # nothing to label, or already labelled
            uniques = pd.unique(s.dropna())
            keys = s.map({v: code_key(v) for v in uniques})
            unknown = sorted(set(keys.dropna()) - set(var.values))
            if unknown:
                raise ValueError(f"column {col!r} has code(s) {unknown[:5]} that codebook "
                                 f"{self.name!r} does not label (known: {list(var.values)})")
            cats = list(dict.fromkeys(var.values.values()))
            out[col] = pd.Categorical(keys.map(var.values), categories=cats,
                                      ordered=var.kind != "nominal")
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per variable and code: variable, label, role, kind, code, value label.

        Examples
        --------
        >>> Codebook.load("anes1996").to_frame().query("variable == 'vote'")["value"].tolist()
        ['Clinton', 'Dole']
        """
        rows = []
        for col, v in self.variables.items():
            for code, lab in (v.values or {"": ""}).items():
                rows.append({"variable": col, "label": v.label, "role": v.role,
                             "kind": v.kind or "", "code": code, "value": lab})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"Codebook({self.name!r}, variables={list(self.variables)})"

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<div><strong>Codebook {html.escape(self.name)}</strong>: "
                f"{html.escape(self.title)}<br><em>{html.escape(self.citation)}</em>"
                f"<ul>{notes}</ul>{self.to_frame().to_html(index=False)}</div>")


def codebook_names() -> list[str]:
    """Names of the codebooks shipped with socialkit.

    Examples
    --------
    >>> "anes1996" in codebook_names()
    True
    """
    return sorted(p.stem for p in _FOLDER.glob("*.json"))
