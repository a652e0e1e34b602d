"""Silicon sampling: personas from survey rows answer that survey's questions.

Argyle, Busby, Fulda, Gubler, Rytting & Wingate (2023), "Out of One, Many: Using Language Models
to Simulate Human Samples", Political Analysis 31(3). Each agent is conditioned on its
respondent's background only (never on the answers it is asked to reproduce), so the simulated
answers can be compared with the real ones respondent by respondent (``source_row``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["silicon_survey", "anes1996_questions", "ANES1996_TEMPLATE"]

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


def silicon_survey(population, questions=None, model: Any = None, template: str | None = None,
                   **ask_options: Any) -> pd.DataFrame:
    """Ask each persona the survey's questions; one row per agent, answer columns named alike.

    Parameters
    ----------
    population : socialkit.Population
        Agents built from survey rows (``Population.from_survey(..., codebook=...)``).
    questions : dict name -> Question, optional
        Default: :func:`anes1996_questions` (``selfLR`` on the 1-7 scale, ``vote`` Clinton/Dole,
        coded 0 = Clinton, 1 = Dole as in the ANES extract).
    model : backend or LangChain chat model, optional
        Default: the embedded local model.
    template : str, optional
        Persona template (default: ``ANES1996_TEMPLATE``, which leaves the outcomes out).
    **ask_options
        Passed to :func:`socialkit.ask` (``cache``, ``samples``, ``seed``, ``concurrency``,
        ``budget``, ``group_by``, ``progress``, ...).

    Returns
    -------
    DataFrame
        ``agent``, ``source_row`` (when the population has it) and one column per question
        (NaN where the answer is missing); ``df.attrs["answers"]`` holds the full tidy table of
        :func:`socialkit.ask` (status, reasons, raw text, distributions), ``df.attrs["summary"]``
        the calls, cache hits, tokens and cost.

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996").head(3), codebook="anes1996")
    >>> def model(m):
    ...     republican = "Republican" in m[0]["content"]
    ...     if "vote" in m[-1]["content"]:
    ...         return "Bob Dole" if republican else "Bill Clinton"
    ...     return "6" if republican else "3"
    >>> sim = sk.scenarios.silicon_survey(pop, model=sk.llm.scripted(model), cache=False,
    ...                                   progress=False)
    >>> sim[["selfLR", "vote"]].values.tolist()
    [[6.0, 1.0], [3.0, 0.0], [3.0, 0.0]]
    """
    from socialkit.llm import ask
    from socialkit.population import Population

    if not isinstance(population, Population):
        raise TypeError(f"silicon_survey: population must be a socialkit.Population, got "
                        f"{type(population).__name__}")
    questions = anes1996_questions() if questions is None else dict(questions)
    if not questions:
        raise ValueError("silicon_survey: no questions given")
    personas = population.personas(template=template or ANES1996_TEMPLATE)
    answers = ask(personas, list(questions.values()), model=model, **ask_options)
    first = answers[answers["sample"] == 0]
    ok = first[first["status"] != "missing"]
    out = pd.DataFrame({"agent": population.df["agent"].to_numpy()})
    if "source_row" in population.df:
        out["source_row"] = population.df["source_row"].to_numpy()
    for key, q in questions.items():
        col = ok[ok["question"] == q.name].set_index("agent")["answer"]
        coded = key == "vote" and set(getattr(q, "options", [])) == set(_VOTE_CODES)
        if coded:
            col = col.map(_VOTE_CODES)  # ANES coding: 0 Clinton, 1 Dole
        values = out["agent"].map(col)
        if q.kind in ("likert", "numeric") or coded:
            values = pd.to_numeric(values, errors="raise").astype(float)
        out[key] = values
    out.attrs["answers"] = answers
    out.attrs["summary"] = answers.attrs.get("summary")
    return out
