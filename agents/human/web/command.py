"""`hch serve-humans`: a tree whose chosen nodes people play in their browsers.

Registered as an ``hch.commands`` entry point: the engine's CLI knows no web app.
"""

from __future__ import annotations

import argparse
import inspect
import signal
import sys
from typing import Any

from hch import ConfigError, Limits, Question
from hch.commands.support import non_negative_int, port, positive, positive_int
from hch.loading import build, parse_options, parse_path
from hch.registry import find, registered

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve-humans",
        help="run a tree whose chosen nodes people play in browsers",
        description="Run one tree in which people play the chosen nodes from their browsers "
        "(a queue of waiting workspaces) and agents play the others. Prints the address to "
        "open, with the access token. Ctrl-C stops; the same command resumes from --out.",
    )
    p.add_argument("--out", required=True, help="state directory (trace, memo); reused to resume")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--question", "-q", help="the root question text")
    src.add_argument(
        "--task",
        default="arithmetic",
        help=f"task to sample the question from ({', '.join(registered('task'))}, or "
        "module:attr; default: arithmetic)",
    )
    src.add_argument(
        "--study",
        metavar="FILE",
        help="run a study instead (file.py[:name] or module:name): people play the chosen "
        "nodes of every tree, each trial's agent the others",
    )
    p.add_argument("-t", "--task-option", action="append", default=[], metavar="KEY=VALUE")
    study = p.add_argument_group("study (with --study)")
    study.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUES")
    study.add_argument("--trials", type=positive_int, help="trees per grid point")
    study.add_argument(
        "--concurrency", type=positive_int, default=8, help="trees at once (default: 8)"
    )
    p.add_argument(
        "--agent",
        default="noisy-calculator",
        help=f"agent of the other nodes ({', '.join(registered('agent'))}, or module:attr; "
        "default: noisy-calculator)",
    )
    p.add_argument("-a", "--agent-option", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument(
        "--human-at",
        action="append",
        type=non_negative_int,
        default=[],
        metavar="DEPTH",
        help="a depth whose nodes people play (repeatable; default: 0, the root)",
    )
    p.add_argument(
        "--human-path",
        action="append",
        default=[],
        metavar="PATH",
        help="one node people play, e.g. root.1 or root.0.2 (repeatable)",
    )
    p.add_argument("--name", default="people", help="agent name of the people's nodes")
    lim = p.add_argument_group("limits")
    lim.add_argument("--max-depth", type=int, default=2, help="deepest depth (default: 2)")
    lim.add_argument("--budget", type=int, help="nodes the whole tree may use")
    lim.add_argument("--max-children", type=int, help="questions one node may ask")
    p.add_argument(
        "--seed", type=int, help="seed of the run and the task sample (a study: its seed)"
    )
    web = p.add_argument_group("web")
    web.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    web.add_argument("--port", type=port, default=8765, help="port (default: 8765; 0: any free)")
    web.add_argument("--token", help="access token (default: a fresh random one)")
    web.add_argument(
        "--lease",
        type=positive,
        default=60.0,
        help="seconds a workspace stays with a silent person",
    )
    web.add_argument("--exit-when-done", action="store_true", help="stop once the tree is finished")
    p.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        from agents.human.web import Session
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"hch serve-humans needs the humans extra ({exc.name} is missing): "
            "pip install 'hch[humans]'"
        ) from None
    depths = sorted(set(args.human_at)) or ([] if args.human_path else [0])
    paths = sorted({parse_path(p) for p in args.human_path})
    seats: dict[str, Any] = {"depths": depths, "paths": paths, "name": args.name}
    session = Session(
        args.out, host=args.host, port=args.port, token=args.token, lease_seconds=args.lease
    )
    run = _study(args, session, seats) if args.study else _tree(args, session, seats)
    if run is None:
        return 0
    # SIGTERM stops as Ctrl-C does: the running nodes are recorded as cancelled.
    signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))
    session.start()
    print(f"serving on {session.url}", flush=True)
    print(f"open {session.page}", flush=True)
    ok = None
    try:
        ok = run()
        if not args.exit_when_done:
            print("finished; the page still shows it. Ctrl-C stops.", flush=True)
            signal.pause()
    except KeyboardInterrupt:
        if ok is None:
            print(
                f"hch serve-humans: stopped; every action so far is kept in {args.out}; "
                "the same command resumes",
                file=sys.stderr,
            )
            return 130
    finally:
        session.stop()
    return 0 if ok else 1


def _tree(args: argparse.Namespace, session: Any, seats: dict[str, Any]) -> Any:
    """What runs one tree, or None if the directory holds it finished already."""
    limits = Limits(max_depth=args.max_depth, budget=args.budget, max_children=args.max_children)
    seed = 0 if args.seed is None else args.seed
    spec = {
        "question": args.question,
        "task": None if args.question is not None else args.task,
        "task_options": parse_options(args.task_option, "task"),
        "agent": args.agent,
        "agent_options": parse_options(args.agent_option, "agent"),
        "human_depths": seats["depths"],
        "human_paths": [list(p) for p in seats["paths"]],
        "name": args.name,
        "limits": limits.model_dump(mode="json"),
        "seed": seed,
    }
    earlier = session.claim(spec)
    if earlier is not None and earlier.complete:
        answer = session.answer(earlier)
        print(f"{session.trace} is a finished tree (answer: {answer!r}); nothing to resume")
        return None
    memo = session.memo(earlier)
    others = _others(args.agent, spec["agent_options"], session.memo_file)
    question, header = _question(args, seed)

    def play() -> bool:
        resumed = f" (resuming: {len(earlier)} nodes finished before)" if earlier else ""
        print(f"trace: {session.trace}{resumed}", flush=True)
        try:
            tree = session.play(
                question,
                others,
                memo=memo,
                limits=limits,
                seed=seed,
                backend=args.backend,
                **seats,
                **header,
            )
        finally:
            memo.close()
        print(f"answer: {session.answer(tree)}", flush=True)
        print(f"status: {tree.root.status}; nodes: {len(tree)}", flush=True)
        return bool(tree.root.status == "ok")

    return play


def _study(args: argparse.Namespace, session: Any, seats: dict[str, Any]) -> Any:
    """What runs a study with people in every tree."""
    from hch.study import load_experiment, parse_params

    experiment = load_experiment(args.study)
    params = parse_params(args.param)
    experiment.resolve(params)  # every parameter has a value: say so before serving
    spec = {
        "study": args.study,
        "params": params,
        "trials": args.trials,
        "seed": args.seed,
        "human_depths": seats["depths"],
        "human_paths": [list(p) for p in seats["paths"]],
        "name": args.name,
    }
    session.claim(spec)
    memo = session.memo(None)

    def play() -> bool:
        print(f"study: {session.out / 'study'}", flush=True)
        try:
            results = session.play_study(
                experiment,
                memo=memo,
                params=params,
                trials=args.trials,
                seed=args.seed,
                concurrency=args.concurrency,
                backend=args.backend,
                **seats,
            )
        finally:
            memo.close()
        right = sum(1 for row in results if row.correct)
        print(f"trees: {len(results)}; correct: {right}", flush=True)
        return all(row.status != "error" for row in results)

    return play


def _others(spec: str, options: dict[str, Any], memo: Any) -> Any:
    """The agent of the other nodes; one that takes a ``cache`` shares the session's memo,
    so that a resumed tree calls no model again for what it already asked."""
    factory = find("agent", spec)
    if "cache" not in options and _takes(factory, "cache"):
        options = {**options, "cache": str(memo)}
    return build(factory, options, "agent")


def _takes(factory: Any, name: str) -> bool:
    try:
        return name in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


def _question(args: argparse.Namespace, seed: int) -> tuple[Question, dict[str, Any]]:
    if args.question is not None:
        return Question(text=args.question), {}
    task = build(find("task", args.task), parse_options(args.task_option, "task"), "task")
    sample = task.sample(seed=seed)
    return sample.question, {"task": getattr(task, "name", None), "truth": sample.truth}
