"""Raking targets from the bundled ACS 2018 tables, and the recoding of surveys to match them.

Variables and their recoding (ACS 2018 1-year, whole US):

==================  ======================  ====================  ===================================
variable            ACS table               universe              categories
==================  ======================  ====================  ===================================
``sex``             B01001 (ages 18+)       adults                Female, Male
``age_group``       B01001 (ages 18+)       adults                18-24, 25-34, 35-44, 45-64, 65+
                                                                  (``age_breaks`` changes the bins)
``education``       B15001 (summed)         adults                the 7 B15001 levels: Less than 9th
                                                                  grade … Graduate or professional
                                                                  degree
``education4``      B15001 (summed)         adults                Less than high school, High
                                                                  school graduate, Some college or
                                                                  associate's degree, Bachelor's
                                                                  degree or higher
``college``         B15001 (summed)         adults                Bachelor's degree or higher, No
                                                                  bachelor's degree
``race_ethnicity``  B03002                  all ages              Hispanic (any race), then
                                                                  non-Hispanic White, Black, Asian,
                                                                  Other (AIAN, NHPI, other, 2+)
``income_group``    B19001                  households            Under $25,000 … $150,000 or more
                                                                  (6 groups, 2018 dollars)
==================  ======================  ====================  ===================================

Joint margins of ``sex``, ``age_group`` and ``education`` or ``education4`` (as a tuple) come from
B15001 with its age groups 18-24, 25-34, 35-44, 45-64, 65+. A small survey may have no
respondent in some joint cells (ANES 1996 has nobody aged 18-34 with less than 9th grade), which
raking refuses: use ``education4`` or one-way margins then.

Because the universes differ (adults, all ages, households), the targets are shares by default;
as counts (``shares=False``) they do not share a total and cannot be raked together.

``college`` (B15001, summed: Bachelor's degree or higher, No bachelor's degree) serves surveys
that only record a college degree (CCES 2016).

:func:`acs_recode` adds these columns to a survey (``RECODINGS``): ANES 1996 gets ``age_group``,
``education``, ``education4`` and, roughly, ``income_group`` (it has no sex or race); CCES 2016
``sex``, ``age_group``, ``college``, ``race_ethnicity`` and ``income_group``; GSS 2018
(``gss_spending``) ``sex``, ``age_group``, ``education4`` and ``college``. The mapping of each
survey is documented there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["acs_targets", "acs_recode", "EDUCATION", "EDUCATION4", "INCOME_GROUPS", "RACE_ETHNICITY",
           "COLLEGE", "CPI_1995_TO_2018", "CPI_2016_TO_2018", "RECODINGS"]

EDUCATION = ["Less than 9th grade", "9th to 12th grade, no diploma", "High school graduate",
             "Some college, no degree", "Associate's degree", "Bachelor's degree",
             "Graduate or professional degree"]
EDUCATION4 = ["Less than high school", "High school graduate",
              "Some college or associate's degree", "Bachelor's degree or higher"]
_EDU7_TO_4 = dict(zip(EDUCATION, [EDUCATION4[i] for i in (0, 0, 1, 2, 2, 3, 3)], strict=True))
INCOME_GROUPS = ["Under $25,000", "$25,000-$49,999", "$50,000-$74,999", "$75,000-$99,999",
                 "$100,000-$149,999", "$150,000 or more"]
_INCOME_EDGES = [0, 25_000, 50_000, 75_000, 100_000, 150_000]
RACE_ETHNICITY = ["Hispanic", "White", "Black", "Asian", "Other"]
COLLEGE = ["Bachelor's degree or higher", "No bachelor's degree"]
_B15001_AGES = ["18-24", "25-34", "35-44", "45-64", "65+"]
_B01001_EDGES = [0, 5, 10, 15, 18, 20, 21, 22, 25, 30, 35, 40, 45, 50, 55, 60, 62, 65, 67, 70, 75,
                 80, 85]
_VARIABLES = ("sex", "age_group", "education", "education4", "college", "race_ethnicity",
              "income_group")
_JOINABLE = ("sex", "age_group", "education", "education4")
#: CPI-U annual averages (BLS): 2018 = 251.107, 1995 = 152.383
CPI_1995_TO_2018 = 251.107 / 152.383
_ANES96_INCOME = [0, 3_000, 5_000, 7_000, 9_000, 10_000, 11_000, 12_000, 13_000, 14_000, 15_000,
                  17_000, 20_000, 22_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000, 60_000,
                  75_000, 90_000, 105_000, 130_000]  # the last upper edge is assumed


def _tables() -> pd.DataFrame:
    from socialkit.datasets._registry import load

    df = load("acs2018_us")
    parts = df["label"].str.split("!!")
    return df.assign(depth=parts.str.len(), parts=parts)


def _age_low(label: str) -> int:
    return 0 if label.startswith("Under") else int(label.split()[0])


def _b01001(t: pd.DataFrame, breaks: list[int]) -> pd.DataFrame:
    """Adults by sex and age group from B01001."""
    rows = t[(t["table"] == "B01001") & (t["depth"] == 3)]
    sex = rows["parts"].str[1]
    low = rows["parts"].str[2].map(_age_low)
    keep = low >= 18
    labels = _age_labels(breaks)
    group = pd.cut(low[keep], [*breaks, np.inf], right=False, labels=labels)
    return pd.DataFrame({"sex": sex[keep].to_numpy(), "age_group": group.to_numpy(),
                         "estimate": rows["estimate"][keep].to_numpy(dtype=float)})


def _age_labels(breaks: list[int]) -> list[str]:
    return [f"{lo}-{hi - 1}" for lo, hi in zip(breaks[:-1], breaks[1:], strict=True)] + [
        f"{breaks[-1]}+"]


def _b15001(t: pd.DataFrame) -> pd.DataFrame:
    rows = t[(t["table"] == "B15001") & (t["depth"] == 4)]
    age = rows["parts"].str[2].str.replace(" to ", "-").str.replace(" years and over", "+")
    age = age.str.replace(" years", "")
    edu = rows["parts"].str[3].replace({"High school graduate (includes equivalency)":
                                        "High school graduate"})
    return pd.DataFrame({"sex": rows["parts"].str[1].to_numpy(), "age_group": age.to_numpy(),
                         "education": edu.to_numpy(), "education4": edu.map(_EDU7_TO_4).to_numpy(),
                         "estimate": rows["estimate"].to_numpy(dtype=float)})


def _race(t: pd.DataFrame) -> pd.Series:
    rows = t[t["table"] == "B03002"].set_index("label")["estimate"].astype(float)
    nh = "Total!!Not Hispanic or Latino!!"
    white, black, asian = (rows[nh + k] for k in ("White alone", "Black or African American alone",
                                                  "Asian alone"))
    other = rows["Total!!Not Hispanic or Latino"] - white - black - asian
    return pd.Series([rows["Total!!Hispanic or Latino"], white, black, asian, other],
                     index=pd.Index(RACE_ETHNICITY, name="race_ethnicity"))


def _income(t: pd.DataFrame) -> pd.Series:
    rows = t[(t["table"] == "B19001") & (t["depth"] == 2)]
    lows = rows["parts"].str[1].map(lambda s: 0 if s.startswith("Less") else
                                    int(s.split()[0].strip("$").replace(",", "")))
    group = pd.cut(lows, [*_INCOME_EDGES, np.inf], right=False, labels=INCOME_GROUPS)
    out = rows["estimate"].astype(float).groupby(group.to_numpy(), sort=False).sum()
    return out.reindex(INCOME_GROUPS).rename_axis("income_group")


def acs_targets(variables=None, shares: bool = True,
                age_breaks: tuple[int, ...] = (18, 25, 35, 45, 65)) -> dict:
    """Raking targets from the bundled ACS 2018 1-year US tables.

    Parameters
    ----------
    variables : list of str or tuple of str, optional
        Default: every one-way variable. Any of ``"sex"``, ``"age_group"``, ``"education"``, ``"education4"``,
        ``"race_ethnicity"``, ``"income_group"``; a tuple of ``sex``/``age_group``/
        ``education`` (or ``education4``) in the list asks for a joint margin (from table
        B15001). The module docstring documents tables, universes and
        categories.
    shares : bool
        Shares summing to 1 (default) or population counts.
    age_breaks : tuple of int
        Lower edges of the ``age_group`` bins, from 18; each must be an age where a B01001 bin
        starts. Joint margins always use 18-24, 25-34, 35-44, 45-64, 65+.

    Returns
    -------
    dict
        Variable (or tuple) -> pandas Series of targets indexed by category, ready for
        :meth:`socialkit.Population.rake` once the survey columns carry the same categories
        (see :func:`acs_recode`).

    Examples
    --------
    >>> import socialkit as sk
    >>> t = sk.datasets.acs_targets(["sex", "education"])
    >>> round(float(t["sex"]["Female"]), 4), round(float(t["education"]["Bachelor's degree"]), 4)
    (0.5131, 0.1886)
    >>> joint = sk.datasets.acs_targets([("age_group", "education")], shares=False)
    >>> int(joint[("age_group", "education")].sum())
    253815197
    """
    breaks = [int(b) for b in age_breaks]
    if not breaks or breaks[0] != 18 or breaks != sorted(set(breaks)) or any(
            b not in _B01001_EDGES for b in breaks):
        raise ValueError(f"age_breaks must start at 18, increase, and use B01001 bin edges "
                         f"{[e for e in _B01001_EDGES if e >= 18]}; got {tuple(age_breaks)}")
    variables = list(_VARIABLES) if variables is None else (
        [variables] if isinstance(variables, str) else list(variables))
    t = _tables()
    out = {}
    for var in variables:
        if isinstance(var, tuple):
            bad = [v for v in var if v not in _JOINABLE]
            if bad or len(set(var)) != len(var) or len(var) < 2 or {
                    "education", "education4"} <= set(var):
                raise ValueError(f"joint ACS targets combine two or three of 'sex', 'age_group', "
                                 f"'education' (or 'education4'); got {var!r}")
            s = _b15001(t).groupby(list(var), sort=False)["estimate"].sum()
        elif var in ("sex", "age_group"):
            s = _b01001(t, breaks).groupby(var, sort=False, observed=True)["estimate"].sum()
            if var == "age_group":
                s = s.reindex(_age_labels(breaks))
        elif var in ("education", "education4"):
            s = _b15001(t).groupby(var, sort=False)["estimate"].sum().reindex(
                EDUCATION if var == "education" else EDUCATION4)
        elif var == "college":
            s = _b15001(t).groupby("education4", sort=False)["estimate"].sum()
            s = pd.Series([s[EDUCATION4[3]], s[EDUCATION4[:3]].sum()],
                          index=pd.Index(COLLEGE, name="college"))
        elif var == "race_ethnicity":
            s = _race(t)
        elif var == "income_group":
            s = _income(t)
        else:
            raise ValueError(f"unknown ACS target variable {var!r}; choose from {_VARIABLES} or a "
                             "tuple of 'sex', 'age_group', 'education'")
        s = s.astype(float).rename("share" if shares else "count")
        out[var] = s / s.sum() if shares else s
    return out


#: CPI-U annual averages (BLS): 2018 = 251.107, 2016 = 240.007
CPI_2016_TO_2018 = 251.107 / 240.007
_CCES16_INCOME = [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 100_000,
                  120_000, 150_000, 200_000]  # the last upper edge is assumed
_CCES_RACE = {"White": "White", "Black": "Black", "Hispanic": "Hispanic", "Asian": "Asian",
              "Mixed": "Other", "Native American": "Other", "Middle Eastern": "Other",
              "Other": "Other"}
_GSS_DEGREE = {0: "Less than high school", 1: "High school graduate",
               2: "Some college or associate's degree", 3: "Bachelor's degree or higher",
               4: "Bachelor's degree or higher"}
RECODINGS = {
    "anes1996": ("age_group", "education", "education4", "income_group"),
    "cces2016": ("sex", "age_group", "college", "race_ethnicity", "income_group"),
    "gss_spending": ("sex", "age_group", "education4", "college"),
}
"""Survey -> the ACS target columns :func:`acs_recode` adds to it."""


def acs_recode(df: pd.DataFrame, survey: str | None = None,
               age_breaks: tuple[int, ...] = (18, 25, 35, 45, 65),
               inflation: float | None = None) -> pd.DataFrame:
    """Add the ACS target columns that a survey can provide, so it can be raked to ACS 2018.

    ``survey`` defaults to the codebook the frame names (``df.attrs["codebook"]``, set by
    :func:`socialkit.datasets.load`), else ``"anes1996"``. Columns may hold codes or the labels
    of the survey's codebook (after ``Population.from_survey``). ``RECODINGS`` lists what each
    survey gets; every survey gets ``age_group`` from ``age`` with the bins of ``age_breaks``
    (respondents under 18 get no group).

    **ANES 1996** (no sex or race in the extract):

    - ``education`` from ``educ``: 1 -> Less than 9th grade, 2 -> 9th to 12th grade, no diploma,
      3 -> High school graduate, 4 -> Some college, no degree, 5 -> Associate's degree,
      6 -> Bachelor's degree, 7 -> Graduate or professional degree; ``education4`` groups them
      as 1-2, 3, 4-5, 6-7;
    - ``income_group`` from ``income``, approximately: ANES brackets are the respondent's 1995
      *family* income in 1995 dollars, ACS B19001 is 2018 *household* income. Each bracket is
      scaled by ``inflation`` (default CPI-U 2018/1995 = 1.648) and assigned to the ACS group
      holding its scaled midpoint (top bracket: its lower edge), so brackets that straddle a
      group edge land wholly on one side. Rake on it only when that approximation is acceptable.

    **CCES 2016** (no region target: the bundled ACS tables are national):

    - ``sex`` from ``female`` (0 Male, 1 Female);
    - ``college`` from ``collegeed``: 1 -> Bachelor's degree or higher, 0 -> No bachelor's
      degree (the extract has no finer education);
    - ``race_ethnicity`` from ``racef``: Hispanic, White, Black, Asian as such; Mixed, Native
      American, Middle Eastern and Other -> Other. CCES asks one race-or-ethnicity question,
      so "White" means white and not Hispanic, as in ACS B03002;
    - ``income_group`` from ``famincr`` (12 brackets of 2016 *family* income), by the scaled
      midpoint as for ANES (default ``inflation`` CPI-U 2018/2016 = 1.046; $150,000 or more
      -> $150,000 or more).

    **GSS 2018** (``gss_spending``; no ``race_ethnicity``: the extract's race has no Hispanic
    origin, so it cannot be matched to ACS B03002; no income target: ``rincom16`` is the
    respondent's own income, not the household's):

    - ``sex`` from ``sex`` (0 Male, 1 Female);
    - ``education4`` from ``degree`` and ``educ``: no high-school diploma -> Less than high
      school; high school -> High school graduate, or Some college or associate's degree when
      ``educ`` >= 13 years (GSS counts some college without a degree as "high school");
      junior college -> Some college or associate's degree; bachelor's or graduate ->
      Bachelor's degree or higher; ``college`` = Bachelor's degree or higher or not.

    Parameters
    ----------
    df : DataFrame
        The survey (``socialkit.datasets.load(name)`` or a population's ``df``).
    survey : str, optional
        ``"anes1996"``, ``"cces2016"`` or ``"gss_spending"`` (see ``RECODINGS``).
    age_breaks : tuple of int
        As in :func:`acs_targets`.
    inflation : float, optional
        Price factor from the survey's income year to 2018.

    Returns
    -------
    DataFrame
        A copy of ``df`` with ordered Categorical columns named as the ACS targets.

    Examples
    --------
    >>> import socialkit as sk
    >>> anes = sk.datasets.acs_recode(sk.datasets.load("anes1996"))
    >>> anes[["age_group", "education", "income_group"]].iloc[0].tolist()
    ['35-44', 'High school graduate', 'Under $25,000']
    >>> import pandas as pd
    >>> cces = pd.DataFrame({"age": [22, 70], "female": [1, 0], "collegeed": [0, 1],
    ...                      "racef": ["Hispanic", "Mixed"], "famincr": [2, 12]})
    >>> out = sk.datasets.acs_recode(cces, "cces2016")
    >>> out[["sex", "age_group", "college", "race_ethnicity", "income_group"]].values.tolist()
    [['Female', '18-24', "No bachelor's degree", 'Hispanic', 'Under $25,000'], ['Male', '65+', "Bachelor's degree or higher", 'Other', '$150,000 or more']]
    """
    from socialkit.population.codebook import Codebook

    if survey is None:
        survey = df.attrs.get("codebook", "anes1996")
    if survey not in RECODINGS:
        raise ValueError(f"no ACS recoding for survey {survey!r}; known: "
                         f"{', '.join(repr(k) for k in RECODINGS)}")
    needs = {"anes1996": ("age", "educ", "income"),
             "cces2016": ("age", "female", "collegeed", "racef", "famincr"),
             "gss_spending": ("age", "sex", "degree", "educ")}[survey]
    for col in needs:
        if col not in df.columns:
            raise ValueError(f"acs_recode(survey={survey!r}) needs column {col!r}; columns: "
                             f"{list(df.columns)}")
    cb = Codebook.load(survey)
    out = df.copy()
    breaks = list(age_breaks)
    age = pd.to_numeric(out["age"], errors="coerce")
    out["age_group"] = pd.cut(age, [*breaks, np.inf], right=False, labels=_age_labels(breaks))
    if survey == "anes1996":
        educ = _codes(out["educ"], cb["educ"].values)
        out["education"] = _categorical(educ.map(lambda c: EDUCATION[int(c) - 1]
                                                 if pd.notna(c) else None), EDUCATION)
        out["education4"] = _categorical(out["education"].astype(object).map(_EDU7_TO_4),
                                         EDUCATION4)
        inc = _codes(out["income"], cb["income"].values)
        out["income_group"] = _income_groups(inc, _ANES96_INCOME,
                                             CPI_1995_TO_2018 if inflation is None else inflation)
        return out
    sex_col = "female" if survey == "cces2016" else "sex"
    sex = _codes(out[sex_col], cb[sex_col].values)
    out["sex"] = _categorical(sex.map({0.0: "Male", 1.0: "Female"}), ["Female", "Male"])
    if survey == "cces2016":
        college = _codes(out["collegeed"], cb["collegeed"].values)
        race = out["racef"].astype(object)
        unknown = sorted(set(race.dropna()) - set(_CCES_RACE))
        if unknown:
            raise ValueError(f"acs_recode: column 'racef' has values {unknown} that the CCES "
                             f"2016 recoding does not know (known: {list(_CCES_RACE)})")
        out["race_ethnicity"] = _categorical(race.map(_CCES_RACE), RACE_ETHNICITY)
        inc = _codes(out["famincr"], cb["famincr"].values)
        out["income_group"] = _income_groups(inc, _CCES16_INCOME,
                                             CPI_2016_TO_2018 if inflation is None else inflation)
    else:
        degree = _codes(out["degree"], cb["degree"].values)
        years = pd.to_numeric(out["educ"], errors="coerce")
        edu4 = degree.map(_GSS_DEGREE).where(~((degree == 1) & (years >= 13)),
                                              "Some college or associate's degree")
        out["education4"] = _categorical(edu4, EDUCATION4)
        college = (degree >= 3).astype(float).where(degree.notna())
    out["college"] = _categorical(college.map({1.0: COLLEGE[0], 0.0: COLLEGE[1]}), COLLEGE)
    return out


def _categorical(s: pd.Series, categories: list[str]) -> pd.Categorical:
    return pd.Categorical(s.astype(object).where(s.notna(), None), categories=categories,
                          ordered=True)


def _income_groups(codes: pd.Series, edges: list[int], inflation: float) -> pd.Categorical:
    """The ACS income group of each bracket code (1-based), by its scaled midpoint."""
    lo = np.array(edges[:-1], dtype=float)
    hi = np.array(edges[1:], dtype=float)
    point = np.where(np.arange(len(lo)) == len(lo) - 1, lo, (lo + hi) / 2) * inflation
    group = np.searchsorted(_INCOME_EDGES, point, side="right") - 1
    return _categorical(codes.map(lambda c: INCOME_GROUPS[group[int(c) - 1]]
                                  if pd.notna(c) else None), INCOME_GROUPS)


def _codes(s: pd.Series, values: dict[str, str]) -> pd.Series:
    """Numeric codes of a coded or labelled column."""
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        back = {v: float(k) for k, v in values.items()}
        return s.astype(object).map(back)
    return s.astype(float)
