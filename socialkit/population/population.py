"""The DataFrame-backed :class:`Population`."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from socialkit.population._columns import column_kind, kish
from socialkit.population.codebook import Codebook

__all__ = ["Population"]


class Population:
    """Agents as rows of a DataFrame with an ``agent`` id and a ``weight`` column.

    Parameters
    ----------
    df : DataFrame
        One row per agent. It must hold an integer ``agent`` column with unique ids and a
        ``weight`` column of non-negative finite numbers with a positive total.
    codebook : Codebook, str or dict, optional
        Labels, phrases, roles and kinds of the columns (used by personas and reports).

    Examples
    --------
    >>> import socialkit as sk
    >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
    >>> len(pop), float(pop.df["weight"].sum())
    (944, 944.0)
    """

    def __init__(self, df: pd.DataFrame, codebook: Codebook | str | dict | None = None, *,
                 weight_source: str | None = "weight"):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"Population needs a pandas DataFrame, got {type(df).__name__}")
        if df.empty:
            raise ValueError("Population needs at least one row; the DataFrame is empty")
        for col in ("agent", "weight"):
            if col not in df.columns:
                raise ValueError(f"Population DataFrame lacks the {col!r} column")
        agents = _check_agents(df["agent"], "agent")
        _check_weights(df["weight"], "weight")
        self.df = df.reset_index(drop=True)
        if self.df["agent"].dtype != np.int64:
            self.df["agent"] = agents
        self.codebook = Codebook.load(codebook) if codebook is not None else None
        #: where the weights came from: a survey column name, "raked", or None (unit weights)
        self.weight_source = weight_source

    @classmethod
    def from_survey(cls, df: pd.DataFrame, weight: str | None = None, n: int | None = None,
                    seed: int | None = None,
                    codebook: Codebook | str | Path | dict | None = None) -> Population:
        """One agent per survey row, or with ``n`` a weighted resample of ``n`` agents.

        Parameters
        ----------
        df : DataFrame
            Survey microdata, one row per respondent.
        weight : str or False, optional
            Name of the survey-weight column. Default: the frame's own ``weight`` column when
            it has one (``repr`` then says so), else every row weighs 1; ``False`` ignores a
            ``weight`` column. Boolean, text, negative or missing weights are refused.
        n : int, optional
            Draw ``n`` agents with replacement, each row with probability proportional to its
            weight (multinomial resampling); the resampled agents then weigh 1 each.
            ``source_row`` keeps the (0-based) survey row drawn.
        seed : int, optional
            Seed of the resampling.
        codebook : str, path, dict, Codebook or False, optional
            Replace codes by readable labels (ordered pandas Categoricals): a shipped codebook
            name such as ``"anes1996"`` (see ``socialkit.population.codebook_names()``), a JSON
            file, a dict or a :class:`Codebook`. Personas then use its phrases. Default: the
            codebook named by a frame from :func:`socialkit.datasets.load`
            (``df.attrs["codebook"]``); ``False`` keeps the raw codes.

        An ``agent`` column of the survey is kept as the agent ids when it holds unique
        integers (with ``n``, it becomes the attribute ``source_agent``); anything else is
        refused with the way out (rename the column, or map the ids explicitly).

        Returns
        -------
        Population

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), n=100, seed=1)
        >>> len(pop), bool(pop.df["source_row"].between(0, 943).all())
        (100, True)
        >>> labelled = sk.Population.from_survey(sk.datasets.load("anes1996"))
        >>> labelled.df["PID"].iloc[0], labelled.codebook.name
        ('Strong Republican', 'anes1996')
        >>> import pandas as pd
        >>> sk.Population.from_survey(pd.DataFrame({"x": [1, 2], "weight": [1.0, 3.0]}))
        Population(2 agents, weights from column 'weight', attributes=['x', 'source_row'])
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"from_survey needs a pandas DataFrame, got {type(df).__name__}")
        if df.empty:
            raise ValueError("from_survey: the survey DataFrame is empty")
        if weight is None and "weight" in df.columns:
            weight = "weight"  # the frame's own weight column, never dropped silently
        elif weight is False:
            weight = None
        if weight is not None and (not isinstance(weight, str) or weight not in df.columns):
            raise ValueError(f"weight column {weight!r} not in the survey; columns: {list(df)}")
        w = df[weight] if weight is not None else pd.Series(1.0, index=df.index)
        _check_weights(w, weight or "weight")
        if codebook is None:
            codebook = _attached_codebook(df)
        cb = Codebook.load(codebook) if codebook is not None and codebook is not False else None
        ids = None
        if "agent" in df.columns:
            ids = _check_agents(df["agent"], "agent", hint=True)
        base = df.drop(columns=[c for c in ("agent", "weight") if c in df.columns and c != weight])
        base = base.reset_index(drop=True).assign(source_row=np.arange(len(df)))
        if weight is not None:
            base = base.drop(columns=[weight])
        if cb is not None:
            base = cb.apply(base)
        w = w.to_numpy(dtype=float)
        if n is None:
            out = base.assign(weight=w)
            agent = ids if ids is not None else np.arange(len(out), dtype=np.int64)
        else:
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"from_survey: n must be a positive integer, got {n!r}")
            rng = np.random.default_rng(seed)
            rows = rng.choice(len(base), size=int(n), replace=True, p=w / w.sum())
            out = base.iloc[rows].reset_index(drop=True).assign(weight=1.0)
            if ids is not None:  # resampled rows repeat: the survey's ids become an attribute
                out.insert(0, "source_agent", ids[rows])
            agent = np.arange(len(out), dtype=np.int64)
        out.insert(0, "agent", agent)
        source = weight if n is None else None
        return cls(out, codebook=cb, weight_source=source)

    def __len__(self) -> int:
        return len(self.df)

    @property
    def attributes(self) -> list[str]:
        """Attribute columns (everything but ``agent`` and ``weight``)."""
        return [c for c in self.df.columns if c not in ("agent", "weight")]

    @property
    def kinds(self) -> dict[str, str]:
        """``'categorical'`` or ``'continuous'`` per attribute (codebook kinds win over guesses).

        A numeric column is continuous when it has non-integer values or more than 30 distinct
        values; strings, booleans and Categoricals are categorical.

        Examples
        --------
        >>> import socialkit as sk
        >>> kinds = sk.Population.from_survey(sk.datasets.load("anes1996")).kinds
        >>> kinds["age"], kinds["PID"]
        ('continuous', 'categorical')
        """
        cb = self.codebook
        return {c: column_kind(self.df[c], cb[c].kind if cb is not None and c in cb else None)
                for c in self.attributes if c != "source_row"}

    def column(self, name: str) -> pd.Series:
        """One attribute as a Series indexed by agent id.

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
        >>> float(pop.column("age")[0])
        36.0
        """
        if name not in self.df.columns:
            raise ValueError(f"column {name!r} not in the population; columns: {self.attributes}")
        return self.df.set_index("agent")[name]

    def codes(self, name: str) -> pd.Series:
        """One attribute as numbers, indexed by agent id: a labelled column back to its codes.

        A column the codebook labelled (``"Strong Republican"``) gives its survey code (``6.0``);
        a numeric column is returned as floats. Use it for arithmetic on answers, e.g. opinions
        on [0, 1] from a 1-7 scale: ``(pop.codes("selfLR") - 1) / 6``.

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
        >>> pop.column("selfLR")[0], float(pop.codes("selfLR")[0])
        ('Extremely conservative', 7.0)
        """
        s = self.column(name)
        var = self.codebook.variables.get(name) if self.codebook is not None else None
        if var is not None and var.values and not pd.api.types.is_numeric_dtype(s.dtype):
            back = {}
            for code, label in var.values.items():
                try:
                    back[label] = float(code)
                except ValueError:
                    raise TypeError(f"column {name!r} has non-numeric codes ({code!r}) in "
                                    f"codebook {self.codebook.name!r}") from None
            return s.astype(object).map(back).astype(float).rename(name)
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            raise TypeError(f"column {name!r} holds {s.dtype} values without numeric codes in a "
                            "codebook")
        return s.astype(float)

    # ---- weighting -------------------------------------------------------------------------
    def rake(self, targets: Mapping, max_iter: int = 1000, tol: float = 1e-10,
             bounds: tuple[float, float] | None = None, counts: bool = False):
        """Rake the weights to marginal targets by iterative proportional fitting.

        Parameters
        ----------
        targets : dict
            Column -> ``{category: share or count}`` or a pandas Series indexed by category. A
            tuple of columns is a joint margin (Series with a MultiIndex, or a dict keyed by
            tuples). Shares must sum to 1 (within 1e-6: a table of shares that sums to 0.99 or
            1.2 is an error, not silently read as counts). Every data category needs a target and every target category
            with a positive value needs data; columns must be categorical (bin continuous ones).
        max_iter : int
            Most IPF sweeps.
        tol : float
            Largest allowed gap between a weighted share and its target share.
        bounds : (float, float), optional
            Trim weights to ``[low, high]`` times the mean target weight (total / n) after every
            sweep (e.g. ``(0.2, 5)``); if the bounds make the targets unreachable the report says
            ``converged=False`` and a RuntimeWarning is raised.

        counts : bool
            The targets are population counts: they must agree on their total, which the raked
            weights then sum to (a margin summing to 1 is still read as shares). Default: shares
            only, and the total weight is kept.

        Returns
        -------
        (Population, RakeReport)
            A new population with the raked ``weight`` and the convergence report (iterations,
            converged, max_error, history, margins before and after).

        Examples
        --------
        >>> import pandas as pd, socialkit as sk
        >>> pop = sk.Population.from_survey(pd.DataFrame({"sex": ["f", "m", "m", "m"]}))
        >>> raked, report = pop.rake({"sex": {"f": 0.5, "m": 0.5}})
        >>> raked.df["weight"].round(3).tolist(), report.converged
        ([2.0, 0.667, 0.667, 0.667], True)
        """
        from socialkit.population.weighting import rake_weights

        declared = {c: self.codebook[c].kind for c in self.attributes
                    if self.codebook is not None and c in self.codebook and self.codebook[c].kind}
        w, report = rake_weights(self.df, targets, self.df["weight"].to_numpy(float),
                                 max_iter=max_iter, tol=tol, bounds=bounds, declared=declared,
                                 counts=counts)
        return (Population(self.df.assign(weight=w), codebook=self.codebook,
                           weight_source="raked"), report)

    # ---- synthesis -------------------------------------------------------------------------
    def synthesize(self, n: int, seed: int | None = None, method: str = "resample",
                   jitter: float = 1.0) -> Population:
        """A synthetic population of ``n`` agents (weight 1 each) keeping the joint distribution.

        Parameters
        ----------
        n : int
            Number of synthetic agents.
        seed : int, optional
            Same seed, same population.
        method : {"resample", "copula"}
            ``"resample"``: weighted bootstrap of whole rows (keeps every combination of
            attributes that exists) with a variance-preserving Gaussian jitter on continuous
            columns; ``source_row`` names the row drawn. ``"copula"``: a Gaussian copula over
            all attributes (exact weighted marginals, calibrated pairwise correlations; may
            create new combinations). See :mod:`socialkit.population.synthesis`.
        jitter : float
            Bandwidth multiplier of the resampling jitter (0 turns it off).

        Returns
        -------
        Population

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
        >>> big = pop.synthesize(5000, seed=1)
        >>> len(big), big.df.equals(pop.synthesize(5000, seed=1).df)
        (5000, True)
        """
        from socialkit.population.synthesis import synthesize_frame

        attrs = self.df[self.attributes]
        if "source_row" not in attrs.columns:
            attrs = attrs.assign(source_row=self.df["agent"].to_numpy())
        out = synthesize_frame(attrs, self.df["weight"].to_numpy(float), n, seed, method,
                               jitter, self.kinds)
        out.insert(0, "agent", np.arange(len(out), dtype=np.int64))
        out["weight"] = 1.0
        return Population(out, codebook=self.codebook, weight_source=None)

    # ---- reports ---------------------------------------------------------------------------
    def fidelity(self, reference, columns: list[str] | None = None):
        """How close the weighted population is to targets or to a reference population.

        Parameters
        ----------
        reference : dict, Population or DataFrame
            Targets in the form :meth:`rake` takes, or a reference (a DataFrame's ``weight``
            column is used when present).
        columns : list of str, optional
            Attributes to compare with a reference (default: all shared ones).

        Returns
        -------
        FidelityReport
            ``.table`` (TVD, largest cell gap per attribute), ``.cells``, ``.correlation``
            (matrices and their difference, against a reference), ``.ess``, ``.deff``,
            ``.figure()`` (plotly) and an HTML view.

        Examples
        --------
        >>> import pandas as pd, socialkit as sk
        >>> pop = sk.Population.from_survey(pd.DataFrame({"sex": ["f", "m", "m", "m"]}))
        >>> rep = pop.fidelity({"sex": {"f": 0.5, "m": 0.5}})
        >>> float(rep.table.loc["sex", "tvd"]), rep.ess
        (0.25, 4.0)
        """
        from socialkit.population.fidelity import fidelity_report

        return fidelity_report(self.df, self.df["weight"].to_numpy(float), reference, columns,
                               self.kinds)

    def personas(self, template: str | Path | None = None, person: str = "first") -> list:
        """One :class:`Persona` per agent, rendered from its row by a template file.

        Parameters
        ----------
        template : str or path, optional
            A shipped template name (``"default"``, ``"anes1996"``), a path to a template file
            (format: ``socialkit/population/templates/default.txt``) or the template text.
            Default: the codebook's own template if it has one, else ``"default"``.
        person : {"first", "third"}
            "I am 36 years old ..." or "They are 36 years old ...".

        Returns
        -------
        list of Persona

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), codebook="anes1996")
        >>> pop.personas()[0].social_identity.split(".")[0]
        'I am 36 years old and a strong Republican'
        >>> pop.personas(person="third")[0].text.split(".")[0]
        'They are 36 years old and a strong Republican'
        """
        from socialkit.population.persona import render_personas

        return render_personas(self.df, self.codebook, template, person)

    def __repr__(self) -> str:
        return f"Population({len(self)} agents, {self._weights_text()}, attributes={self.attributes})"

    def _weights_text(self) -> str:
        src = self.weight_source
        if src is None:
            return "unit weights"
        return "raked weights" if src == "raked" else f"weights from column {src!r}"

    def summary(self) -> pd.DataFrame:
        """One row per attribute: kind, missing share and weighted summary.

        Categorical attributes show their number of categories and the most common one with
        its weighted share; continuous ones their weighted mean, minimum and maximum.

        Returns
        -------
        DataFrame

        Examples
        --------
        >>> import socialkit as sk
        >>> pop = sk.Population.from_survey(sk.datasets.load("anes1996"), codebook="anes1996")
        >>> pop.summary().loc["PID", "summary"]
        '7 categories; most common: Strong Democrat (21.2%)'
        """
        w = self.df["weight"].to_numpy(float)
        rows = []
        for col, kind in self.kinds.items():
            s = self.df[col]
            ok = s.notna().to_numpy()
            if kind == "continuous":
                x = s.to_numpy(dtype=float, na_value=np.nan)[ok]
                text = (f"mean {np.average(x, weights=w[ok]):.4g}, range {x.min():.4g} to "
                        f"{x.max():.4g}") if ok.any() else "all missing"
            else:
                shares = pd.Series(w[ok]).groupby(s.to_numpy()[ok], observed=True).sum()
                shares = shares / shares.sum() if len(shares) else shares
                text = (f"{len(shares)} categories; most common: {shares.idxmax()} "
                        f"({shares.max():.1%})") if len(shares) else "all missing"
            rows.append({"attribute": col, "kind": kind,
                         "missing": float(w[~ok].sum() / w.sum()), "summary": text})
        return pd.DataFrame(rows).set_index("attribute")

    def _repr_html_(self) -> str:
        w = self.df["weight"].to_numpy(float)
        n_eff, deff = kish(w)
        cb = f", codebook {html.escape(self.codebook.name)}" if self.codebook is not None else ""
        return (f"<div><strong>socialkit.Population</strong>: {len(self)} agents, "
                f"{self._weights_text()}, total weight {w.sum():.6g}, Kish effective size {n_eff:.1f} "
                f"(design effect {deff:.3f}){cb}"
                f"{self.summary().to_html(float_format=lambda v: f'{v:.1%}')}</div>")


def _attached_codebook(df: pd.DataFrame) -> str | None:
    """The shipped codebook a frame from ``sk.datasets.load`` names, if any."""
    from socialkit.population.codebook import codebook_names

    name = df.attrs.get("codebook")
    return name if isinstance(name, str) and name in codebook_names() else None


def _check_agents(ids: pd.Series, name: str, hint: bool = False) -> np.ndarray:
    """Agent ids as int64; refuse text, booleans, missing, fractional and repeated ids."""
    way_out = (" Rename the column to keep it as an attribute (df.rename(columns={'agent': "
               "'respondent'})) or map it to integers explicitly (df.assign(agent=pd.factorize("
               "df['agent'])[0]))." if hint else "")
    if pd.api.types.is_bool_dtype(ids.dtype) or not pd.api.types.is_numeric_dtype(ids.dtype):
        example = ids.dropna().head(3).tolist()
        raise TypeError(f"column {name!r} must hold integer agent ids, got dtype {ids.dtype} "
                        f"(e.g. {example}).{way_out}")
    values = ids.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        raise ValueError(f"column {name!r} must hold integer agent ids; {int(bad.sum())} are "
                         f"missing or fractional, e.g. {ids[bad].head(3).tolist()}.{way_out}")
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].head(5).tolist()
        raise ValueError(f"column {name!r} has duplicate ids, e.g. {dup}.{way_out}")
    return values.astype(np.int64)


def _check_weights(w: pd.Series, name: str) -> None:
    if pd.api.types.is_bool_dtype(w.dtype):
        raise TypeError(f"weight column {name!r} is boolean; weights must be numbers (a 0/1 "
                        "flag is not a weight: filter the rows instead)")
    if not pd.api.types.is_numeric_dtype(w):
        raise TypeError(f"weight column {name!r} is not numeric (dtype {w.dtype})")
    values = w.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"weight column {name!r} has {int(bad.sum())} NaN or infinite value(s)")
    if (values < 0).any():
        raise ValueError(f"weight column {name!r} has {int((values < 0).sum())} negative value(s)")
    if values.sum() <= 0:
        raise ValueError(f"weight column {name!r} sums to zero")
