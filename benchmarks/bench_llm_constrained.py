"""Constrained decoding on the embedded model: missing answers, time per answer, and whether the
grammar distorts the log-probability distributions.

1. The ANES 1996 silicon survey (self-placement 1-7 and the Clinton/Dole vote) for ``--n``
   respondents (100 by default), asked with and without the llama.cpp grammar, no re-asks, the
   same seed: the share of missing answers and the seconds per answer of each.
2. For ``--personas`` of them (20), the option distribution from the first reply's
   log-probabilities with the grammar against the same distribution without it (the
   unconstrained next-token probabilities renormalised over the option keys): mean and largest
   total-variation distance.

Run: ``python benchmarks/bench_llm_constrained.py [--n 100] [--personas 20]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import socialkit as sk


def survey(pop, constrain: bool):
    t = time.perf_counter()
    sim = sk.scenarios.silicon_survey(pop, seed=0, constrain=constrain, reasks=0, cache=False,
                                      progress=False)
    seconds = time.perf_counter() - t
    answers = sim.attrs["answers"]
    return answers, seconds / len(answers)


def tvd(p: dict, q: dict) -> float:
    return 0.5 * sum(abs(p[k] - q[k]) for k in p)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--personas", type=int, default=20)
    args = ap.parse_args()
    print(f"socialkit {sk.__version__}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    anes = sk.datasets.load("anes1996")
    pop = sk.Population.from_survey(anes.sample(args.n, random_state=1996), codebook="anes1996")
    sk.llm.default().llama  # noqa: B018 - load before timing
    print(f"\n== 1. ANES 1996 silicon survey, {args.n} respondents x 2 questions, no re-asks")
    res = {}
    for constrain in (False, True):
        answers, per = survey(pop, constrain)
        res[constrain] = answers
        missing = (answers["status"] == "missing").mean()
        by_q = answers.groupby("question")["status"].apply(lambda s: (s == "missing").mean())
        print(f"constrain={constrain!s:5}: missing share {missing:.3f} "
              f"({', '.join(f'{k} {v:.2f}' for k, v in by_q.items())}), "
              f"{per:.2f} s per answer")
    print(f"\n== 2. grammar vs unconstrained distributions, first {args.personas} personas")
    for qname in res[True]["question"].unique():
        a = res[True][res[True]["question"] == qname].head(args.personas)
        b = res[False][res[False]["question"] == qname].head(args.personas)
        d = [tvd(x, y) for x, y in zip(a["dist"], b["dist"], strict=True)
             if x is not None and y is not None]
        print(f"{qname:7}: {len(d)} pairs, total-variation distance mean {np.mean(d):.3f}, "
              f"max {np.max(d):.3f}")


if __name__ == "__main__":
    main()
