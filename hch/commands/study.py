"""`hch study`: run an experiment over its grid into a directory, resumably; print a table."""

from __future__ import annotations

import argparse
from pathlib import Path

from hch.commands import report
from hch.commands.support import (
    describe_os_error,
    innermost,
    optional_directory,
    positive,
    positive_int,
    ray_address,
)
from hch.errors import ConfigError, Interrupted
from hch.study.experiments import load_experiment
from hch.study.grid import parse_params
from hch.study.progress import progress_for
from hch.study.results import RESULTS_FILE, load
from hch.study.runner import run_study
from hch.study.traces import KeepTraces

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "study",
        help="run an experiment over a grid of parameters and print accuracy per cell",
        description="Run an experiment x grid x trials into DIR/results.jsonl. Re-running "
        "into the same DIR resumes: finished trees are skipped.",
    )
    p.add_argument("experiment", metavar="FILE", help="file.py[:name] or module:name")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="grid values: depth=0..6 (inclusive), p_error=0.01,0.05, or one JSON value "
        "(repeatable; overrides the experiment's grid)",
    )
    p.add_argument(
        "--trials", type=positive_int, help="trees per grid point (default: the experiment's)"
    )
    p.add_argument("--seed", type=int, help="study seed (default: the experiment's)")
    p.add_argument(
        "--out",
        type=optional_directory,
        help="study directory (default: runs/<experiment name>)",
    )
    p.add_argument(
        "--workers", type=positive_int, default=1, help="processes; 1 = this one (default: 1)"
    )
    p.add_argument(
        "--concurrency",
        type=positive_int,
        default=64,
        help="trees in flight per process (default: 64)",
    )
    p.add_argument(
        "--keep-traces",
        choices=[k.value for k in KeepTraces],
        default=KeepTraces.SAMPLE.value,
        help="which traces to write to DIR/traces/ (default: sample)",
    )
    p.add_argument(
        "--trace-every",
        type=positive_int,
        default=20,
        metavar="K",
        help="with --keep-traces sample: every K-th trial of each grid point (default: 20)",
    )
    p.add_argument(
        "--ray",
        type=ray_address,
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run on Ray: alone, a local instance with --workers CPUs; or a cluster's address "
        "(auto, ray://head:10001); needs pip install 'hch[ray]'",
    )
    for option, what in (("node", "one node"), ("tree", "one whole tree")):
        p.add_argument(
            f"--{option}-timeout",
            type=positive,
            metavar="SECONDS",
            help=f"seconds {what} may take, instead of the experiment's limit (kept in "
            "DIR/study.json: a resume runs under the same limit)",
        )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-plots", action="store_true", help="print the table only")
    p.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    experiment = load_experiment(args.experiment)
    out = Path(args.out or Path("runs") / experiment.name)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot make the study directory {out}: {describe_os_error(exc)}"
        ) from None
    try:
        rows = run_study(
            experiment,
            out,
            params=parse_params(args.param),
            trials=args.trials,
            seed=args.seed,
            workers=args.workers,
            concurrency=args.concurrency,
            keep_traces=args.keep_traces,
            trace_every=args.trace_every,
            progress=progress_for(args.quiet),
            backend=args.backend,
            ray=args.ray,
            limits={
                name: value
                for name, value in (
                    ("node_timeout", args.node_timeout),
                    ("tree_timeout", args.tree_timeout),
                )
                if value is not None
            },
        )
    except BaseException as exc:
        if isinstance(innermost(exc), KeyboardInterrupt):
            raise Interrupted(_kept(out)) from None
        raise
    report.show(rows, out, plots=not args.no_plots)
    print(f"results: {out / 'results.jsonl'} ({len(rows)} rows)")
    kept = [row for row in rows if row.trace]
    if kept:
        deepest = max(kept, key=lambda row: row.depth)
        print(f"traces: {out / 'traces'} ({len(kept)} kept); deepest: {out / str(deepest.trace)}")
    return 0


def _kept(out: Path) -> str:
    """What an interrupted study leaves behind, and how to finish it."""
    results = out / RESULTS_FILE
    rows = load(out) if results.exists() else []
    return (
        f"{len(rows)} rows kept in {results}; run the same command again to run only the "
        "missing trees"
    )
