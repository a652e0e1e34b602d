"""Validation of simulated answers against real data."""

from socialkit.validation.association import (
    bvn_cdf,
    cramers_v,
    crosstab,
    polychoric,
    proportion_agreement,
    tetrachoric,
)
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
from socialkit.validation.equivalence import TOSTResult, VarianceRatio, tost, variance_ratio

__all__ = ["shares", "representativeness", "js_divergence", "js_distance", "total_variation",
           "ks_statistic", "ks_test", "KSTest", "variance_ratio", "VarianceRatio", "tost",
           "TOSTResult", "cramers_v", "tetrachoric", "polychoric", "proportion_agreement",
           "crosstab", "bvn_cdf"]
