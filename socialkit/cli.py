"""Command line: ``socialkit demo`` runs the quickstart slice and writes an HTML report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


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
    opinions = (pop.column("selfLR") - 1) / 6  # 1 extremely liberal ... 7 extremely conservative
    run = sk.dynamics.deffuant(G, opinions=opinions, epsilon=epsilon, mu=0.5, steps=steps,
                               seed=seed)
    return {"population": pop, "graph": G, "opinions": opinions, "run": run,
            "paradox": sk.network.friendship_paradox(G),
            "clusters": sk.dynamics.clusters(run.final(), tol=0.02, min_share=0.01)}


def demo(out: str | Path = "socialkit-demo", seed: int = 1996, epsilon: float = 0.2,
         steps: int = 200) -> Path:
    """Run the quickstart slice, print a summary and write ``out/report.html`` and the run."""
    import socialkit as sk

    t0 = time.perf_counter()
    res = quickstart(seed=seed, epsilon=epsilon, steps=steps)
    pop, G, run, fp, cl = (res[k] for k in ("population", "graph", "run", "paradox", "clusters"))
    elapsed = time.perf_counter() - t0
    out = Path(out)
    run.to_parquet(out / "run")
    sk.plot.report.html_report(out / "report.html", "socialkit demo: bounded confidence on ANES "
                               "1996 respondents", [
        ("Population", pop),
        ("Network: Barabási–Albert over the respondents", fp.to_frame()),
        ("Friendship paradox", sk.plot.friendship_paradox(G, name="the BA network")),
        ("Opinion trajectories (Deffuant)", run.plot()),
        ("Opinion distribution, first and last step", sk.plot.distribution(run)),
        ("Final opinion clusters (opinion scale 0 = extremely liberal, 1 = extremely "
         "conservative)", cl),
        ("Run", run),
    ])
    first = run.summary().iloc[0]
    last = run.summary().iloc[-1]
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
        f"  time         {elapsed:.1f} s",
        f"  report       {(out / 'report.html').resolve()}",
        f"  run data     {(out / 'run').resolve()}  (socialkit.Run.read_parquet)",
    ]
    print("\n".join(lines))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run the quickstart simulation and write an HTML report")
    p.add_argument("--out", default="socialkit-demo", help="report folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1996)
    p.add_argument("--epsilon", type=float, default=0.2)
    p.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            demo(args.out, seed=args.seed, epsilon=args.epsilon, steps=args.steps)
    except (ValueError, TypeError) as err:
        print(f"socialkit: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
