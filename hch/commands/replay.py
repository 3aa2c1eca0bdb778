"""`hch replay TRACE`: a recorded tree again from its trace alone, or a counterfactual."""

from __future__ import annotations

import argparse
import json

from hch.commands.support import writing_trace
from hch.errors import ConfigError

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="replay a recorded tree from its trace, with interventions (counterfactuals)",
        description="Replay TRACE from the trace alone: every node an intervention cannot "
        "change is reused, only intervened nodes and their ancestors run again, and their "
        "model calls come from the trace (no endpoint is called unless --live). Prints what "
        "changed against the recording. Exit status 0 when the root's answer is unchanged, "
        "1 when it changed.",
    )
    p.add_argument("trace", metavar="TRACE", help="a trace file (.jsonl)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=ANSWER",
        help="force the answer of a node, e.g. --set root.0.1=42 (repeatable)",
    )
    p.add_argument(
        "--agent-at",
        action="append",
        default=[],
        metavar="PATH=AGENT",
        help="another agent for a node and its subtree: a registered name or module:attr, "
        "optionally followed by JSON options: 'root.1=noisy-calculator {\"p_error\": 0}'",
    )
    p.add_argument(
        "--cut",
        action="append",
        default=[],
        metavar="PATH",
        help="the node answers without children (repeatable)",
    )
    p.add_argument("--agent", help="the agent, when the trace cannot rebuild its own")
    p.add_argument("--live", action="store_true", help="allow model calls the trace lacks")
    p.add_argument(
        "--rerun", action="store_true", help="run every node again (with the recorded calls)"
    )
    p.add_argument("-o", "--out", metavar="FILE", help="write the replayed tree's trace here")
    p.add_argument("--json", action="store_true", help="print a JSON summary and the diff")
    p.add_argument("--limit", type=int, default=40, metavar="N", help="changes listed at most")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.loading import build, parse_path
    from hch.model import Answer
    from hch.registry import find
    from hch.replay import CUT, Change, replay

    changes: dict[tuple[int, ...] | str, Change] = {}
    for item in args.set:
        where, answer = _pair(item, "--set", "PATH=ANSWER")
        changes[parse_path(where)] = Answer(text=answer)
    for item in args.agent_at:
        where, spec = _pair(item, "--agent-at", "PATH=AGENT")
        name, _, options = spec.strip().partition(" ")
        changes[parse_path(where)] = build(find("agent", name), _options(options), "agent")
    for where in args.cut:
        changes[parse_path(where)] = CUT
    agent = build(find("agent", args.agent), {}, "agent") if args.agent else None
    with writing_trace(args.out):
        done = replay(
            args.trace, changes, agent=agent, live=args.live, rerun=args.rerun, trace=args.out
        )
    summary = {
        "nodes": len(done.tree),
        "reused": done.reused,
        "rerun": done.rerun,
        "model_calls": done.model_calls,
        "root_changed": done.diff.root_changed,
        "root": done.tree.root.answer.text if done.tree.root.answer else None,
        "trace": args.out,
    }
    if args.json:
        print(json.dumps({**summary, "diff": json.loads(done.diff.model_dump_json())}))
    else:
        print(
            f"replayed {summary['nodes']} nodes: {done.reused} reused, {done.rerun} ran again, "
            f"{done.model_calls} new model calls"
        )
        print(done.diff.text(limit=max(1, args.limit)))
        if args.out:
            print(f"trace: {args.out}")
    return 1 if done.diff.root_changed else 0


def _pair(item: str, option: str, form: str) -> tuple[str, str]:
    where, sep, value = item.partition("=")
    if not sep or not where.strip():
        raise ConfigError(f"{option} {item!r} is not {form}")
    return where, value


def _options(text: str) -> dict[str, object]:
    if not text.strip():
        return {}
    try:
        options = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"agent options {text!r} are not a JSON object: {exc.msg}") from None
    if not isinstance(options, dict):
        raise ConfigError(f"agent options {text!r} are not a JSON object")
    return options
