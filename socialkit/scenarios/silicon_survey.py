"""Silicon sampling: personas from survey rows answer that survey's questions.

Argyle, Busby, Fulda, Gubler, Rytting & Wingate (2023), "Out of One, Many: Using Language Models
to Simulate Human Samples", Political Analysis 31(3). Each agent is conditioned on its
respondent's background only (never on the answers it is asked to reproduce), so the simulated
answers can be compared with the real ones respondent by respondent (``source_row``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["silicon_survey", "survey_questions", "anes1996_questions", "ANES1996_TEMPLATE"]

ANES1996_TEMPLATE = """\
# ANES 1996 background without the outcomes asked (self-placement selfLR and vote), nor the
# candidate placements ClinLR / DoleLR, which would leak the respondent's ideology.
[social identity]
$I $am $age years old and $PID.
$I have $educ, and $my family's income in 1995 was $income.
[personal identity]
[life context]
$I watch the TV news $TVnews. It is 1996, and the presidential election is coming up.
"""
"""Persona template for ANES 1996 rows (codebook ``"anes1996"``) that leaves the outcomes out."""


def anes1996_questions() -> dict:
    """The ANES 1996 outcomes as typed questions: ``selfLR`` (7-point Likert) and ``vote``.

    Examples
    --------
    >>> qs = anes1996_questions()
    >>> qs["selfLR"].scale, qs["vote"].options
    (7, ['Bill Clinton', 'Bob Dole'])
    """
    from socialkit.llm import Choice, Likert

    return {
        "selfLR": Likert("Where would you place yourself on this scale of political views?",
                         scale=7, name="selfLR",
                         labels=["Extremely liberal", "Liberal", "Slightly liberal",
                                 "Moderate, middle of the road", "Slightly conservative",
                                 "Conservative", "Extremely conservative"]),
        "vote": Choice("In the 1996 presidential election, who will you vote for?",
                       ["Bill Clinton", "Bob Dole"], name="vote"),
    }


_VOTE_CODES = {"Bill Clinton": 0, "Bob Dole": 1}


def survey_questions(population, columns=None) -> dict:
    """Typed questions for codebook variables: the survey's outcomes, ready to ask.

    Ordinal variables with labelled codes become a :class:`~socialkit.Likert` over their labels
    (lowest code first), nominal ones a :class:`~socialkit.Choice`, continuous ones a
    :class:`~socialkit.Numeric` over their codebook ``scale`` (else the range in the data). The wording is the variable's
    codebook ``question`` (else "Which best describes your <label>?").

    Parameters
    ----------
    population : socialkit.Population
        With a codebook (``from_survey`` applies a bundled survey's codebook by default).
    columns : list of str, optional
        Default: the codebook's ``outcomes``.

    Returns
    -------
    dict
        Column -> Question (named after the column).

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
    >>> qs = survey_questions(pop)
    >>> list(qs), qs["selfLR"].scale, qs["vote"].options
    (['selfLR', 'vote'], 7, ['Clinton', 'Dole'])
    """
    from socialkit.llm import Choice, Likert, Numeric

    cb = population.codebook
    if cb is None:
        raise ValueError("survey_questions: the population has no codebook; build it with "
                         "Population.from_survey(df, codebook=...) or write the questions")
    columns = list(cb.outcomes) if columns is None else (
        [columns] if isinstance(columns, str) else list(columns))
    if not columns:
        raise ValueError(f"survey_questions: codebook {cb.name!r} declares no outcomes; pass "
                         "columns=")
    out = {}
    for col in columns:
        if col not in cb:
            raise ValueError(f"survey_questions: {col!r} is not a variable of codebook "
                             f"{cb.name!r}")
        var = cb[col]
        text = var.question or f"Which best describes your {var.label}?"
        labels = list(dict.fromkeys(var.values.values()))
        if var.kind == "continuous" or not labels:
            if var.kind != "continuous" or col not in population.df:
                raise ValueError(f"survey_questions: {col!r} has no labelled codes in codebook "
                                 f"{cb.name!r}; write its question yourself")
            if var.scale is not None:
                low, high = var.scale
            else:
                x = population.codes(col).dropna()
                low, high = float(x.min()), float(x.max())
            out[col] = Numeric(text, low, high, name=col)
        elif var.kind == "ordinal":
            out[col] = Likert(text, scale=len(labels), labels=labels, name=col)
        else:
            out[col] = Choice(text, labels, name=col)
    return out


def _codes(key: str, q, answers: pd.Series, codebook):
    """Answers as the survey's codes when the codebook labels the column, else unchanged."""
    var = codebook.variables.get(key) if codebook is not None else None
    if key == "vote" and set(getattr(q, "options", [])) == set(_VOTE_CODES):
        return answers.map(_VOTE_CODES), True  # ANES coding: 0 Clinton, 1 Dole
    if var is None or not var.values:
        return answers, False
    codes = list(var.values)
    try:
        numbers = [float(c) for c in codes]
    except ValueError:
        return answers, False
    if q.kind == "likert" and q.scale == len(codes):
        return answers.map(lambda a: numbers[int(a) - 1] if pd.notna(a) else np.nan), True
    if q.kind == "choice":
        back = dict(zip(var.values.values(), numbers, strict=True))
        if set(q.options) <= set(back):
            return answers.map(back), True
    return answers, False


def _leaks(sections: dict, columns: set, keys) -> list[str]:
    from socialkit.population.persona import _placeholders

    used = set().union(*(_placeholders(t) for t in sections.values()))
    return sorted(c for c in columns if keys(c) in used)


def silicon_survey(population, questions=None, model: Any = None, template: str | None = None,
                   *, exclude=(), coding: str = "codes", **ask_options: Any) -> pd.DataFrame:
    """Ask each persona the survey's questions; one row per agent, answer columns named alike.

    Works on any population: a bundled survey (ANES 1996, CCES 2016, GSS, ANES 1978-2012),
    or a user's own DataFrame with a codebook. The persona is the respondent's background
    only: the columns asked (the ``questions`` keys) and ``exclude`` are never rendered into it,
    and a template that names one of them raises ``ValueError`` (the answer would leak into the
    prompt). Missing values are left out of the persona (or take their codebook phrase).

    Parameters
    ----------
    population : socialkit.Population
        Agents built from survey rows (``Population.from_survey(df)``).
    questions : dict name -> Question, optional
        Default: the codebook's outcomes (:func:`survey_questions`); for ANES 1996
        :func:`anes1996_questions` (``selfLR`` 1-7, ``vote`` Clinton/Dole coded 0/1).
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    template : str, optional
        Persona template. Default: ``ANES1996_TEMPLATE`` for ANES 1996, else the codebook's
        template (which must leave the asked columns out), else ``"default"``.
    exclude : list of str
        Further columns never rendered into personas (answers that reveal the outcome). The
        codebook's own ``exclude`` list (indices built from the outcomes, ANES's candidate
        placements) is always left out too.
    coding : {"codes", "labels"}
        Answers as the survey's codes (numbers, like the raw survey file; default) or as the
        labels the model chose (like ``Population.df`` with its codebook).
    **ask_options
        Passed to :func:`socialkit.ask` (``cache``, ``samples``, ``seed``, ``concurrency``,
        ``budget``, ``group_by``, ``progress``, ...).

    Returns
    -------
    DataFrame
        ``agent``, ``source_row`` (when the population has it) and one column per question
        (NaN where the answer is missing); ``df.attrs["answers"]`` holds the full tidy table of
        :func:`socialkit.ask` (status, reasons, raw text, distributions), ``df.attrs["summary"]``
        the calls, cache hits, tokens and cost, ``df.attrs["personas"]`` the persona texts.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3))
    >>> def model(m):
    ...     republican = "Republican" in m[0]["content"]
    ...     if "vote" in m[-1]["content"]:
    ...         return "Bob Dole" if republican else "Bill Clinton"
    ...     return "6" if republican else "3"
    >>> sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(model), cache=False,
    ...                                   progress=False)
    >>> sim[["selfLR", "vote"]].values.tolist()
    [[6.0, 1.0], [3.0, 0.0], [3.0, 0.0]]
    >>> sk.scenarios.silicon_survey(pop, template="anes1996", model=sk.llm.scripted(model))
    Traceback (most recent call last):
    ...
    ValueError: silicon_survey: the persona template renders $ClinLR, $DoleLR, $selfLR, $vote, which are asked (or excluded): the answer would leak into the prompt; use a template without them (the default leaves them out)
    """
    from socialkit.llm import ask
    from socialkit.population import Population
    from socialkit.population.persona import _identifier, load_template, template_names

    if not isinstance(population, Population):
        raise TypeError(f"silicon_survey: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    if coding not in ("codes", "labels"):
        raise ValueError(f"silicon_survey: coding must be 'codes' or 'labels', got {coding!r}")
    cb = population.codebook
    is_anes = cb is not None and cb.name == "anes1996"
    if questions is None:
        if cb is None:
            raise ValueError("silicon_survey: questions= is needed for a population without a "
                             "codebook (a dict of name -> socialkit.Likert / Choice / Numeric)")
        questions = anes1996_questions() if is_anes else survey_questions(population)
    questions = dict(questions)
    if not questions:
        raise ValueError("silicon_survey: no questions given")
    exclude = [exclude] if isinstance(exclude, str) else list(exclude)
    hidden = (set(questions) | set(exclude) | {q.name for q in questions.values()}
              | set(cb.exclude if cb is not None else ()))
    if template is None:
        template = ANES1996_TEMPLATE if is_anes else (
            cb.template if cb is not None and cb.template in template_names() else "default")
    leaked = _leaks(load_template(template), hidden & set(population.df.columns), _identifier)
    if leaked:
        raise ValueError(f"silicon_survey: the persona template renders "
                         f"{', '.join('$' + c for c in leaked)}, which are asked (or excluded): "
                         "the answer would leak into the prompt; use a template without them "
                         "(the default leaves them out)")
    background = Population(population.df.drop(columns=[c for c in hidden
                                                         if c in population.df.columns]),
                            codebook=cb, weight_source=population.weight_source)
    personas = background.personas(template=template)
    answers = ask(personas, list(questions.values()), model=model, **ask_options)
    first = answers[answers["sample"] == 0]
    ok = first[first["status"] != "missing"]
    out = pd.DataFrame({"agent": population.df["agent"].to_numpy()})
    if "source_row" in population.df:
        out["source_row"] = population.df["source_row"].to_numpy()
    for key, q in questions.items():
        col = ok[ok["question"] == q.name].set_index("agent")["answer"]
        values = out["agent"].map(col)
        coded = False
        if coding == "codes":
            values, coded = _codes(key, q, values, cb)
        if q.kind in ("likert", "numeric") or coded:
            values = pd.to_numeric(values, errors="raise").astype(float)
        out[key] = values
    out.attrs["answers"] = answers
    out.attrs["summary"] = answers.attrs.get("summary")
    out.attrs["personas"] = [p.text for p in personas]
    return out
