"""Benchmark: rake 1,000,000 rows on 4 variables and synthesize 1,000,000 agents.

Targets (issue #6): raking under 2 s, synthesis under 5 s on one CPU core of a laptop-class
machine. Run with ``.venv/bin/python benchmarks/bench_population.py`` (or ``make bench``).

The 1,000,000 rows are a weighted resample of the ANES 1996 extract recoded to ACS categories;
the targets are ACS 2018 shares for age group, education and (approximate) household income, and
the 1996 two-party vote (Clinton 47,401,185, Dole 39,197,469 votes).
"""

from __future__ import annotations

import platform
import time

import numpy as np

import socialkit as sk


def _best(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(n: int = 1_000_000) -> dict:
    anes = sk.datasets.acs_recode(sk.datasets.load("anes1996"))
    big = sk.Population.from_survey(anes, n=n, seed=0)
    targets = sk.datasets.acs_targets(["age_group", "education", "income_group"])
    votes = {0.0: 47_401_185, 1.0: 39_197_469}  # 1996 popular vote, Clinton and Dole
    targets["vote"] = {k: v / sum(votes.values()) for k, v in votes.items()}

    t_rake, (raked, report) = _best(lambda: big.rake(targets))
    small, _ = sk.Population.from_survey(anes).rake(targets)
    t_res, synth = _best(lambda: small.synthesize(n, seed=1, method="resample"))
    t_cop, synth_c = _best(lambda: small.synthesize(n, seed=1, method="copula"))

    print(f"socialkit {sk.__version__}, numpy {np.__version__}, Python {platform.python_version()}"
          f", {platform.machine()}")
    print(f"rake        {n:>9,} rows x 4 variables: {t_rake:6.3f} s  ({report.iterations} sweeps, "
          f"max share error {report.max_error:.1e}, converged={report.converged})  target < 2 s")
    print(f"synthesize  {n:>9,} agents (resample):     {t_res:6.3f} s  target < 5 s")
    print(f"synthesize  {n:>9,} agents (copula):       {t_cop:6.3f} s  target < 5 s")
    ok = t_rake < 2 and t_res < 5 and t_cop < 5
    print("all targets met" if ok else "SLOWER THAN TARGET")
    return {"rake_s": t_rake, "resample_s": t_res, "copula_s": t_cop, "n": n,
            "synth_rows": (len(synth), len(synth_c))}


if __name__ == "__main__":
    main()
