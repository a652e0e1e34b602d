"""Command line: ``socialkit demo`` runs the quickstart simulations and writes an HTML report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def quickstart(seed: int = 1996, epsilon: float = 0.2, steps: int = 200, m: int = 4) -> dict:
    """The quickstart slice: ANES 1996 population -> BA network -> Deffuant on self-placement.

    Returns a dict with ``population``, ``graph``, ``opinions``, ``run``, ``paradox`` and
    ``clusters``.

    Examples
    --------
    >>> out = quickstart(steps=5)
    >>> len(out["population"]), out["run"].model
    (944, 'deffuant')
    """
    import socialkit as sk

    pop = sk.Population.from_survey(sk.datasets.load("anes1996"))
    G = sk.network.barabasi_albert(m=m, seed=seed, population=pop)
    opinions = (pop.codes("selfLR") - 1) / 6  # 1 extremely liberal ... 7 extremely conservative
    run = sk.dynamics.deffuant(G, opinions=opinions, epsilon=epsilon, mu=0.5, steps=steps,
                               seed=seed)
    return {"population": pop, "graph": G, "opinions": opinions, "run": run,
            "paradox": sk.network.friendship_paradox(G),
            "clusters": sk.dynamics.clusters(run.final(), tol=0.02, min_share=0.01)}


def llm_slice(n: int = 12, model: Any = None, seed: int = 1996, steps: int = 1,
              cache: Any = True, progress: bool = True) -> dict:
    """LLM part of the demo: ``n`` ANES 1996 personas answer, are validated, then talk.

    Silicon sampling of the self-placement and the vote (``sk.scenarios.silicon_survey``), a
    validation against the same respondents' real answers, then ``sk.dynamics.llm_opinion`` on a
    party-homophilous network, starting from the agents' own answers.

    Returns a dict with ``population``, ``simulated``, ``real``, ``report`` (a
    ValidationReport), ``graph`` and ``run``.

    Examples
    --------
    >>> import socialkit as sk
    >>> def model(m):
    ...     if "vote" in m[-1]["content"]:
    ...         return "Bob Dole" if "Republican" in m[0]["content"] else "Bill Clinton"
    ...     return "6" if "Republican" in m[0]["content"] else "3"
    >>> out = llm_slice(n=10, model=sk.llm.scripted(model), cache=False, progress=False)
    >>> out["run"].model, len(out["simulated"])
    ('llm_opinion', 10)
    """
    import numpy as np

    import socialkit as sk

    anes = sk.datasets.load("anes1996")
    sample = anes.sample(n, random_state=seed).reset_index(drop=True)
    pop = sk.Population.from_survey(sample, codebook="anes1996")
    sim = sk.scenarios.silicon_survey(pop, model=model, cache=cache, seed=0, progress=progress)
    real = sample.assign(source_row=np.arange(n))
    simulated = sim.assign(PID=sim["source_row"].map(real["PID"]))
    report = sk.validate(simulated, real, questions=["selfLR", "vote"], on="source_row",
                         options={"selfLR": range(1, 8), "vote": [0, 1]}, covariates=["PID"],
                         n_boot=500, seed=seed, empty="skip")
    G = sk.network.homophilous(pop, on="PID", mean_degree=4, homophily=0.8, seed=seed)
    start = sim.set_index("agent")["selfLR"].fillna(4)  # no valid first answer: the midpoint
    question = sk.scenarios.anes1996_questions()["selfLR"]
    run = sk.dynamics.llm_opinion(pop, G, question, model=model, steps=steps, k=3,
                                  message=False, opinions=start, seed=seed, cache=cache,
                                  progress=progress)
    return {"population": pop, "simulated": simulated, "real": real, "report": report,
            "graph": G, "run": run}


def demo(out: str | Path = "socialkit-demo", seed: int = 1996, epsilon: float = 0.2,
         steps: int = 200, llm: bool = True, llm_agents: int = 12, model: Any = None,
         cache: Any = True) -> Path:
    """Run the quickstart slices, print a summary and write ``out/report.html`` and the runs.

    The classic part (944 agents, Deffuant) takes seconds; the LLM part (``llm_agents``
    personas on the embedded model, unless ``model`` is given) takes about a minute the first
    time and replays from the on-disk cache afterwards. ``llm=False`` skips it.
    """
    import socialkit as sk

    t0 = time.perf_counter()
    res = quickstart(seed=seed, epsilon=epsilon, steps=steps)
    pop, G, run, fp, cl = (res[k] for k in ("population", "graph", "run", "paradox", "clusters"))
    t_classic = time.perf_counter() - t0
    out = Path(out)
    run.to_parquet(out / "run", overwrite=True)
    sections: list[tuple[str, object]] = [
        ("Population", pop),
        ("Network: Barabási–Albert over the respondents", fp.to_frame()),
        ("Friendship paradox", sk.plot.friendship_paradox(G, name="the BA network")),
        ("Opinion trajectories (Deffuant)", run.plot()),
        ("Opinion distribution, first and last step", sk.plot.distribution(run)),
        ("Final opinion clusters (opinion scale 0 = extremely liberal, 1 = extremely "
         "conservative)", cl),
        ("Run", run),
    ]
    first, last = run.summary().iloc[0], run.summary().iloc[-1]
    lines = [
        "socialkit demo: ANES 1996 respondents on a Barabási–Albert network, Deffuant dynamics",
        f"  population   {len(pop)} agents from anes1996 (liberal-conservative self-placement)",
        f"  network      {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, "
        f"mean degree {fp.mean_degree:.2f}",
        f"  paradox      friends' mean degree {fp.mean_neighbor_degree:.2f} (edge-based), "
        f"{fp.mean_local_neighbor_degree:.2f} (per node); {fp.paradox_share:.1%} of agents have "
        "better-connected friends",
        f"  dynamics     deffuant epsilon={epsilon} mu=0.5, {steps} sweeps, seed={seed}: "
        f"opinion sd {first['sd']:.3f} -> {last['sd']:.3f}",
        f"  clusters     {len(cl)} with >= 1% of agents: "
        + ", ".join(f"{c:.2f} ({s:.0%})" for c, s in zip(cl["center"], cl["share"], strict=True)),
        f"  time         {t_classic:.1f} s",
    ]
    if llm:
        t1 = time.perf_counter()
        lres = llm_slice(n=llm_agents, model=model, seed=seed, cache=cache)
        rep, lrun, sim = lres["report"], lres["run"], lres["simulated"]
        lrun.to_parquet(out / "llm_run", overwrite=True)
        table = rep.table.set_index("question")
        answers = sim.attrs["answers"]
        usage = lrun.provenance["usage"]
        s, v = table.loc["selfLR"], table.loc["vote"]
        lines += [
            "",
            f"LLM agents: {llm_agents} ANES 1996 personas on {lrun.provenance['model_id']}",
            f"  answers      {int((answers['status'] != 'missing').sum())} of {len(answers)} "
            f"valid; self-placement mean {s['mean_simulated']:.2f} (real {s['mean_real']:.2f}), "
            f"sd {s['sd_simulated']:.2f} (real {s['sd_real']:.2f})",
            f"  validation   self-placement representativeness {s['representativeness']:.3f}, "
            f"sd ratio {s['variance_ratio']:.2f} [{s['variance_ratio_low']:.2f}, "
            f"{s['variance_ratio_high']:.2f}] ({s['spread']}); vote agreement with the "
            f"respondents {v['agreement']:.0%}",
            f"  dynamics     llm_opinion {lrun.params['steps']} round(s), k=3: mean "
            f"self-placement {lrun.summary()['mean'].iloc[0]:.2f} -> "
            f"{lrun.summary()['mean'].iloc[-1]:.2f}; {usage.get('calls', 0)} calls, "
            f"{usage.get('cache_hits', 0)} cache hits",
            f"  time         {time.perf_counter() - t1:.1f} s",
        ]
        sections += [
            ("LLM personas answer the survey: validation against the real respondents", rep),
            ("Validation figure", rep.figure()),
            ("LLM opinion dynamics (self-placement, 1-7)", lrun.plot()),
            ("LLM run", lrun),
        ]
    sk.plot.report.html_report(out / "report.html", "socialkit demo: ANES 1996 respondents, "
                               "classic and LLM opinion dynamics", sections)
    lines += [
        "",
        f"report       {(out / 'report.html').resolve()}",
        f"run data     {(out / 'run').resolve()}  (socialkit.Run.read_parquet)",
    ]
    print("\n".join(lines))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run the quickstart simulations and write an HTML report")
    p.add_argument("--out", default="socialkit-demo", help="report folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1996)
    p.add_argument("--epsilon", type=float, default=0.2)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--llm-agents", type=int, default=12,
                   help="personas in the LLM part (default: %(default)s)")
    p.add_argument("--no-llm", action="store_true", help="skip the LLM part")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            demo(args.out, seed=args.seed, epsilon=args.epsilon, steps=args.steps,
                 llm=not args.no_llm, llm_agents=args.llm_agents)
    except (ValueError, TypeError) as err:
        print(f"socialkit: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
