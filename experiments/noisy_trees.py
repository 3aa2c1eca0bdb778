"""The simulator against theory: noise along a chain, up majority trees, down a broadcast.

Three experiments run through the real engine with the binary agents of
``agents.binary``, each against its closed form (``hch.analysis.theory``):

* ``chain``: d hand-offs, each flipping the bit with ε: wrong with (1 − (1 − 2ε)^d)/2.
* ``majority``: noisy k-input majority trees: p' = ε + (1 − 2ε) P(most inputs wrong),
  which keeps a fixed point below 1/2 only when ε < 1/6 (k = 3, Hajek–Weller) or
  ε < 0.2333 (k = 5, Evans–Schulman). ε = 0.1, 0.2, 0.27 lie on both sides of both.
* ``broadcast``: the bit goes down, each of b copies flipped with ε; the majority of the
  leaves recovers it at any depth only when b(1 − 2ε)² > 1 (Kesten–Stigum; 0.146 for
  b = 2). ε = 0.05, 0.1 lie below that, 0.2, 0.3 above.

Run all three and print measured against predicted, with figures in
``runs/noisy_trees/plots/``::

    python experiments/noisy_trees.py --workers 2
    python experiments/noisy_trees.py --report        # the report again, without running

or one of them as any study (its nodes can all be checked, so ``hch report`` shows
where errors were born and which majority gates corrected them)::

    hch study experiments/noisy_trees.py:majority --out runs/noisy_trees/majority
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agents.binary import Broadcast, FlipRelay, NoisyMajority
from experiments.tasks.bits import BitTask
from hch import Limits
from hch.analysis import (
    Grid,
    broadcast_majority_accuracy,
    chain_error,
    kesten_stigum,
    kesten_stigum_threshold,
    majority_error,
    majority_fixed_point,
    majority_threshold,
)
from hch.cli import run_script
from hch.stats import wilson_interval
from hch.study import Experiment, ResultRow, Trial, experiment, load, run_study
from hch.study.progress import progress_for
from hch.study.results import RESULTS_FILE

TASK = BitTask()
OUT = Path("runs/noisy_trees")


def _trial(agent: Any, depth: int, seed: int) -> Trial:
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=Limits(max_depth=depth))


@experiment(grid={"epsilon": [0.02, 0.1, 0.25], "hops": [0, 1, 2, 4, 8, 16]}, trials=1000)
def chain(epsilon: float, hops: int, seed: int) -> Trial:
    return _trial(FlipRelay(epsilon=epsilon), hops, seed)


@experiment(grid={"inputs": [3, 5], "epsilon": [0.1, 0.2, 0.27], "depth": range(5)}, trials=400)
def majority(inputs: int, epsilon: float, depth: int, seed: int) -> Trial:
    return _trial(NoisyMajority(epsilon=epsilon, inputs=inputs), depth, seed)


@experiment(
    grid={"fanout": [2], "epsilon": [0.05, 0.1, 0.2, 0.3], "depth": range(0, 9, 2)}, trials=400
)
def broadcast(fanout: int, epsilon: float, depth: int, seed: int) -> Trial:
    return _trial(Broadcast(epsilon=epsilon, fanout=fanout), depth, seed)


def predicted_error(name: str, params: dict[str, Any]) -> float:
    """The root's chance of being wrong that theory gives for one grid point."""
    eps = params["epsilon"]
    if name == "chain":
        return chain_error(eps, params["hops"])
    if name == "majority":
        return majority_error(eps, params["depth"], params["inputs"])
    return 1 - broadcast_majority_accuracy(eps, params["depth"], params["fanout"])


EXPERIMENTS: dict[str, Experiment] = {"chain": chain, "majority": majority, "broadcast": broadcast}


class Point:
    """One grid point: measured root error with its 95% interval, and the prediction."""

    def __init__(self, name: str, rows: list[ResultRow]) -> None:
        self.params = rows[0].params
        self.n = len(rows)
        self.wrong = sum(1 for r in rows if r.correct is not True)
        low, high = wilson_interval(self.wrong, self.n)
        # the interval holds its own estimate (rounding can put 0 just outside at 0 of n)
        self.low, self.high = min(low, self.error), max(high, self.error)
        self.predicted = predicted_error(name, self.params)

    @property
    def error(self) -> float:
        return self.wrong / self.n

    @property
    def inside(self) -> bool:
        return self.low <= self.predicted <= self.high


def points(name: str, rows: Sequence[ResultRow]) -> list[Point]:
    """Grid points of one experiment's rows, in grid order."""
    groups: dict[str, list[ResultRow]] = {}
    for row in rows:
        groups.setdefault(repr(sorted(row.params.items())), []).append(row)
    found = [Point(name, group) for group in groups.values()]
    return sorted(found, key=lambda p: list(p.params.values()))


def thresholds(name: str, found: list[Point]) -> list[str]:
    """What theory says each setting does as the tree grows without bound."""
    lines = []
    if name == "majority":
        for k in sorted({p.params["inputs"] for p in found}):
            lines.append(f"{k}-input majority: threshold ε = {majority_threshold(k):.4f}")
            for eps in sorted({p.params["epsilon"] for p in found if p.params["inputs"] == k}):
                fixed = majority_fixed_point(eps, k)
                fate = (
                    f"error settles at {fixed:.4f} < 1/2" if fixed < 0.5 else "error tends to 1/2"
                )
                lines.append(f"  ε = {eps}: {fate}")
    if name == "broadcast":
        for b in sorted({p.params["fanout"] for p in found}):
            lines.append(
                f"fanout {b}: Kesten–Stigum threshold ε = {kesten_stigum_threshold(b):.4f}"
            )
            for eps in sorted({p.params["epsilon"] for p in found if p.params["fanout"] == b}):
                ks = kesten_stigum(b, eps)
                fate = "recoverable at any depth" if ks > 1 else "lost as depth grows"
                lines.append(f"  ε = {eps}: b(1 − 2ε)² = {ks:.3f}: {fate}")
    return lines


def report(name: str, found: list[Point]) -> str:
    """Measured against predicted root error, one line per grid point."""
    names = list(found[0].params) if found else []
    grid = Grid(
        title=f"{name}: root error, measured (95% CI) against theory",
        headers=[*names, "n", "measured", "95% CI", "theory", "in CI"],
        lines=[
            [str(p.params[k]) for k in names]
            + [str(p.n), f"{p.error:.4f}", f"{p.low:.4f}-{p.high:.4f}", f"{p.predicted:.4f}"]
            + ["yes" if p.inside else "NO"]
            for p in found
        ],
        keys=0,
    )
    inside = sum(p.inside for p in found)
    summary = f"{inside} of {len(found)} grid points hold theory in their 95% interval"
    return "\n".join([grid.text(), summary, *thresholds(name, found)])


def figure(name: str, found: list[Point], out: Path) -> list[Path]:
    """Measured points with 95% intervals over the theory curves, as PNG and SVG."""
    from matplotlib.figure import Figure

    x, panel, line = {
        "chain": ("hops", None, "epsilon"),
        "majority": ("depth", "inputs", "epsilon"),
        "broadcast": ("depth", "fanout", "epsilon"),
    }[name]
    panels = sorted({p.params[panel] for p in found}) if panel else [None]
    fig = Figure(figsize=(5.5 * len(panels), 4.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, value in zip(axes, panels, strict=True):
        mine = [p for p in found if panel is None or p.params[panel] == value]
        for eps in sorted({p.params[line] for p in mine}):
            series = sorted((p for p in mine if p.params[line] == eps), key=lambda p: p.params[x])
            xs = [p.params[x] for p in series]
            bar = ax.errorbar(
                xs,
                [p.error for p in series],
                yerr=[[p.error - p.low for p in series], [p.high - p.error for p in series]],
                fmt="o",
                capsize=3,
                label=f"ε={eps}",
            )
            colour = bar[0].get_color()
            curve = list(range(0, max(xs) + {"chain": 4, "majority": 8, "broadcast": 2}[name] + 1))
            params = dict(series[0].params)
            ax.plot(curve, [_theory(name, params, x, c) for c in curve], color=colour, alpha=0.6)
            if name == "majority":
                fixed = majority_fixed_point(eps, value)
                ax.axhline(fixed, color=colour, linestyle=":", alpha=0.6)
        ax.axhline(0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlabel(x)
        ax.set_ylabel("root error")
        ax.set_ylim(-0.02, 0.55)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        if panel:
            ax.set_title(_panel_title(name, value))
    fig.suptitle(f"{name}: measured (points, 95% CI) against theory (lines)")
    out.mkdir(parents=True, exist_ok=True)
    files = [out / f"theory_{name}.{suffix}" for suffix in ("png", "svg")]
    for file in files:
        fig.savefig(file, dpi=120)
    return files


def _theory(name: str, params: dict[str, Any], x: str, value: int) -> float:
    return predicted_error(name, {**params, x: value})


def _panel_title(name: str, value: Any) -> str:
    if name == "majority":
        return f"{value}-input majority (threshold ε = {majority_threshold(value):.4f})"
    return f"fanout {value} (Kesten–Stigum ε = {kesten_stigum_threshold(value):.4f})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three experiments (unless ``--report``), then print and plot the report."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--out", type=Path, default=OUT, help=f"directory (default: {OUT})")
    p.add_argument("--trials", type=int, help="trees per grid point (default: each one's own)")
    p.add_argument("--workers", type=int, default=1, help="processes (default: 1)")
    p.add_argument("--report", action="store_true", help="report what is there; run nothing")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    for name, exp in EXPERIMENTS.items():
        where = args.out / name
        if args.report:
            if not (where / RESULTS_FILE).exists():
                print(f"no results in {where}: run without --report first", file=sys.stderr)
                return 2
            rows = list(load(where))
        else:
            progress = progress_for(args.quiet)
            rows = list(
                run_study(exp, where, trials=args.trials, workers=args.workers, progress=progress)
            )
        found = points(name, rows)
        print(report(name, found))
        for file in figure(name, found, args.out / "plots"):
            print(f"plot: {file}")
        print("")
    return 0


if __name__ == "__main__":
    sys.exit(run_script("noisy_trees", main))
