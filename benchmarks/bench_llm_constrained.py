"""Constrained decoding on the embedded model: missing answers, time per answer, and whether the
grammar distorts the log-probability distributions.

1. The ANES 1996 silicon survey (self-placement 1-7 and the Clinton/Dole vote) for ``--n``
   respondents (100 by default), asked with and without the llama.cpp grammar, no re-asks, the
   same seed: the share of missing answers and the seconds per answer of each.
2. For ``--personas`` of them (20), the option distribution from the first reply's
   log-probabilities with the grammar against the same distribution without it (the
   unconstrained next-token probabilities renormalised over the option keys): mean and largest
   total-variation distance, (a) at the first generated position, where the grammar forces the
   answer (the logits are read before the grammar masks them, so this should be 0), and (b)
   against the unconstrained run's own distribution, which is read at the first position where
   the option keys hold half the probability: without a grammar that can be a later token of a
   reply that does not start with the answer (a digit of "22 years old").

Run: ``python benchmarks/bench_llm_constrained.py [--n 100] [--personas 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
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
    return answers, seconds / len(answers), sim.attrs["personas"]


def tvd(p: dict, q: dict) -> float:
    """Between two option distributions in the same option order (labels or codes)."""
    a, b = list(p.values()), list(q.values())
    if len(a) != len(b):
        raise ValueError(f"distributions over {len(a)} and {len(b)} options")
    return 0.5 * sum(abs(x - y) for x, y in zip(a, b, strict=True))


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
        answers, per, personas = survey(pop, constrain)
        res[constrain] = answers
        missing = (answers["status"] == "missing").mean()
        by_q = answers.groupby("question")["status"].apply(lambda s: (s == "missing").mean())
        print(f"constrain={constrain!s:5}: missing share {missing:.3f} "
              f"({', '.join(f'{k} {v:.2f}' for k, v in by_q.items())}), "
              f"{per:.2f} s per answer")
    print(f"\n== 2. grammar vs unconstrained distributions, first {args.personas} personas")
    backend = sk.llm.default()
    questions = {q.name: q for q in sk.scenarios.anes1996_questions().values()}  # as asked
    personas = personas[:args.personas]
    for qname in res[True]["question"].unique():
        a = res[True][res[True]["question"] == qname].head(args.personas)
        b = res[False][res[False]["question"] == qname].head(args.personas)
        q = questions[qname]
        first = []
        for text, g in zip(personas, a["dist"], strict=True):
            msgs = [{"role": "system", "content": sk.llm.SYSTEM_PROMPT.replace("{persona}",
                                                                                text)},
                    {"role": "user", "content": q.render()}]
            reply = asyncio.run(backend.acall(msgs, temperature=1.0, max_tokens=q.max_tokens,
                                              seed=0, logprobs=True))
            u = q.distribution(reply.top_logprobs[:1])
            if g is not None and u is not None:
                first.append(tvd(g, u))
        own = [tvd(x, y) for x, y in zip(a["dist"], b["dist"], strict=True)
               if x is not None and y is not None]
        print(f"{qname:7}: (a) first position, grammar vs none: {len(first)} pairs, "
              f"total-variation distance mean {np.mean(first):.3f}, max {np.max(first):.3f}")
        print(f"{'':7}  (b) grammar vs the unconstrained run's own reading: {len(own)} pairs, "
              f"mean {np.mean(own):.3f}, max {np.max(own):.3f}")


if __name__ == "__main__":
    main()
