"""Validation of simulated answers against real data.

:func:`validate` compares two DataFrames (simulated agents, real respondents) question by question
and subgroup by subgroup, and returns a :class:`ValidationReport`. The metrics are also plain
functions:

- distributions: :func:`representativeness` (OpinionQA), :func:`js_divergence` /
  :func:`js_distance`, :func:`total_variation`, :func:`ks_statistic` / :func:`ks_test`, on
  shares from :func:`shares`;
- spread and location: :func:`variance_ratio` (bootstrap interval) and :func:`tost` (equivalence
  of means at a margin);
- association and agreement: :func:`cramers_v`, :func:`tetrachoric`, :func:`polychoric`,
  :func:`proportion_agreement`;
- cooperation games: :func:`ipd_moves`, :func:`cooperation` (rate, first round, conditional
  cooperation), :func:`cooperation_by_round`, :func:`compare_cooperation` (people vs agents).
- effects of experiments on agents: :func:`ordinal_odds_ratios` (proportional-odds regression,
  statsmodels), :func:`wilson` and :func:`shares_by` (shares with Wilson intervals).
- spreading: :func:`compare_curves` (propagation curves: normalised RMSE, MAPE, Pearson r,
  peak timing), :func:`compare_distributions` (KS, Wasserstein on a log scale) and
  :func:`ccdf`.

Examples
--------
>>> import socialkit as sk
>>> real = sk.datasets.load("anes1996")
>>> sim = real.assign(selfLR=real["selfLR"].clip(3, 5))
>>> rep = sk.validate(sim, real, "selfLR", by="vote", n_boot=200)
>>> rep.table["spread"].tolist()
['less varied', 'less varied']
"""

from socialkit.validation.association import (
    bvn_cdf,
    cramers_v,
    crosstab,
    polychoric,
    proportion_agreement,
    tetrachoric,
)
from socialkit.validation.compare import validate
from socialkit.validation.distribution import (
    KSTest,
    js_distance,
    js_divergence,
    ks_statistic,
    ks_test,
    representativeness,
    shares,
    total_variation,
)
from socialkit.validation.effects import ordinal_odds_ratios, shares_by, wilson
from socialkit.validation.equivalence import TOSTResult, VarianceRatio, tost, variance_ratio
from socialkit.validation.games import (
    compare_cooperation,
    cooperation,
    cooperation_by_round,
    ipd_moves,
)
from socialkit.validation.report import METRICS, ValidationReport
from socialkit.validation.spread import ccdf, compare_curves, compare_distributions, curve_metrics

__all__ = ["validate", "ValidationReport", "METRICS", "shares", "representativeness",
           "js_divergence", "js_distance", "total_variation", "ks_statistic", "ks_test", "KSTest",
           "variance_ratio", "VarianceRatio", "tost", "TOSTResult", "cramers_v", "tetrachoric",
           "polychoric", "proportion_agreement", "crosstab", "bvn_cdf", "ipd_moves",
           "cooperation", "cooperation_by_round", "compare_cooperation", "ordinal_odds_ratios",
           "wilson", "shares_by", "compare_curves",
           "compare_distributions", "ccdf", "curve_metrics"]
