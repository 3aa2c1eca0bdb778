"""`hch run`: one tree from the shell, printing its root answer and shape."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

from pydantic import ValidationError

from hch.agent import Agent, by_depth
from hch.commands.support import innermost, writing_trace
from hch.errors import ConfigError, Interrupted, TraceError
from hch.limits import Limits
from hch.loading import build, describe_validation, parse_options
from hch.model import Question, Tree
from hch.pointers import reveal
from hch.registry import find, registered
from hch.scheduler import run
from hch.text import printable
from hch.trace import load

__all__ = ["add_parser"]

DEFAULT_AGENT = "noisy-calculator"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run one tree and print its root answer",
        description="Run one tree: a question (or a task sample) through an agent under limits.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--question", "-q", help="the root question text (instead of a task)")
    src.add_argument(
        "--task",
        default="arithmetic",
        help="task to sample the question from: a registered name "
        f"({', '.join(registered('task'))}) or module:attr (default: arithmetic)",
    )
    p.add_argument(
        "-t",
        "--task-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="task parameter, e.g. -t leaves=16 (repeatable; values are JSON)",
    )
    p.add_argument(
        "--agent",
        help="agent: a registered name "
        f"({', '.join(registered('agent'))}) or module:attr (default: the one the task "
        f"suggests, else {DEFAULT_AGENT})",
    )
    p.add_argument(
        "-a",
        "--agent-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="agent parameter, e.g. -a p_error=0.05 (repeatable; values are JSON)",
    )
    p.add_argument(
        "--agent-at",
        action="append",
        default=[],
        metavar="DEPTH=NAME",
        help="another agent at one depth, e.g. --agent-at 0=human puts a person at the root "
        "(repeatable; NAME as for --agent, built with its defaults)",
    )
    llm = p.add_argument_group("language model (LLMAgent at every node)")
    llm.add_argument("--model", help="model name; runs --agent llm with it")
    llm.add_argument("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)")
    llm.add_argument(
        "--api-key-env",
        metavar="NAME",
        help=f"environment variable holding the API key (default: {DEFAULT_KEY_ENV})",
    )
    llm.add_argument("--cache", help="model-call cache file (default: none; see `hch cache`)")
    lim = p.add_argument_group("limits")
    lim.add_argument(
        "--max-depth", type=int, default=3, help="deepest depth; 0 = root alone (default: 3)"
    )
    lim.add_argument("--budget", type=int, help="nodes the whole tree may use (default: unbounded)")
    lim.add_argument(
        "--max-children", type=int, help="questions one node may ask (default: unbounded)"
    )
    lim.add_argument("--node-timeout", type=float, help="seconds one node may take (default: none)")
    lim.add_argument(
        "--tree-timeout", type=float, help="seconds the whole tree may take (default: none)"
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the run and the task sample (default: 0)"
    )
    p.add_argument("--trace", help="write the trace (JSONL) to this file (default: none)")
    p.add_argument(
        "--backend",
        choices=["asyncio", "trio"],
        default="asyncio",
        help="event loop (default: asyncio)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    _check_combination(args)
    try:
        limits = Limits(
            max_depth=args.max_depth,
            budget=args.budget,
            max_children=args.max_children,
            node_timeout=args.node_timeout,
            tree_timeout=args.tree_timeout,
        )
    except ValidationError as exc:
        raise ConfigError(f"limits {describe_validation(exc)}") from None
    task = sample = None
    if args.question is not None:
        question = Question(text=args.question)
    else:
        task = build(find("task", args.task), parse_options(args.task_option, "task"), "task")
        sample = task.sample(seed=args.seed)
        question = sample.question
    suggested = getattr(task, "suggested_agent", None)
    agent_spec = args.agent or ("llm" if args.model else suggested or DEFAULT_AGENT)
    agent_options = parse_options(args.agent_option, "agent")
    if agent_spec == "llm":
        agent_options = {**_llm_options(args), **agent_options}
    agent = build(find("agent", agent_spec), agent_options, "agent")
    if args.agent_at:
        agent = by_depth(_agents_at(args.agent_at), default=agent)
    tree = _run(
        args,
        question,
        agent,
        limits=limits,
        seed=args.seed,
        trace=args.trace,
        backend=args.backend,
        task=getattr(task, "name", None),
        truth=sample.truth if sample else None,
    )
    answer = tree.root.answer  # checked as the asker reads it, every pointer unlocked
    correct = task.check(sample, reveal(answer, tree.content)) if task and answer else None
    _report(tree, correct, args.trace, as_json=args.json)
    if tree.root.status != "ok" and suggested and agent_spec not in (suggested, "llm"):
        print(
            f"hint: task {args.task} suggests the agent {suggested} (--agent {suggested})",
            file=sys.stderr,
        )
    return 0 if tree.root.status == "ok" else 1


def _agents_at(pairs: list[str]) -> dict[int, Agent]:
    """``["0=human", "2=llm"]`` -> {depth: agent}, each built with its defaults."""
    agents: dict[int, Agent] = {}
    for pair in pairs:
        depth, sep, name = pair.partition("=")
        if not sep or not depth.strip().isdigit() or not name.strip():
            raise ConfigError(f"--agent-at {pair!r} is not DEPTH=NAME (e.g. 0=human)")
        agents[int(depth)] = build(find("agent", name.strip()), {}, f"agent {name.strip()}")
    return agents


def _check_combination(args: argparse.Namespace) -> None:
    """Refuse options that another option makes meaningless: none is silently dropped."""
    if args.question is not None and args.task_option:
        raise ConfigError(
            "-t/--task-option sets a task's parameters; with --question there is no task"
        )
    if args.model is not None and args.agent not in (None, "llm"):
        raise ConfigError(
            f"--model runs the llm agent at every node; it cannot run with --agent {args.agent} "
            "(drop one of them)"
        )
    if args.model is None and args.agent != "llm":
        given = [
            option
            for option, value in (
                ("--base-url", args.base_url),
                ("--api-key-env", args.api_key_env),
                ("--cache", args.cache),
            )
            if value is not None
        ]
        if given:
            raise ConfigError(
                f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for a language "
                "model: give --model too"
            )
    if args.api_key_env is not None and not os.environ.get(args.api_key_env):
        print(
            f"hch run: warning: ${args.api_key_env} (--api-key-env) is not set; "
            "calling the model without an API key",
            file=sys.stderr,
        )


def _run(args: argparse.Namespace, question: Question, agent: Any, **options: Any) -> Tree:
    """``run``, with Ctrl-C and a trace that cannot be written each said in one line."""
    try:
        with writing_trace(args.trace):
            return run(question, agent, **options)
    except BaseException as exc:
        if isinstance(innermost(exc), KeyboardInterrupt):
            raise Interrupted(_kept(args.trace)) from None
        raise


def _kept(trace: str | None) -> str:
    """What an interrupted run leaves behind."""
    if trace is None:
        return "nothing was recorded (no --trace)"
    try:
        tree = load(trace)
    except TraceError:
        return f"{trace} was not written"
    statuses = Counter(str(node.status) for node in tree)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return f"{trace} keeps its {len(tree)} nodes ({counts}); it loads, marked incomplete"


def _llm_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {}
    if args.model is not None:
        options["model"] = args.model
    if args.base_url:
        options["base_url"] = args.base_url
    key = os.environ.get(args.api_key_env or DEFAULT_KEY_ENV)
    if key:
        options["api_key"] = key
    if args.cache:
        options["cache"] = args.cache
    return options


_UNTRUSTED = ("answer", "revealed", "error")


def _report(tree: Tree, correct: bool | None, trace: str | None, *, as_json: bool) -> None:
    root = tree.root
    opened = reveal(root.answer, tree.content) if root.answer and root.answer.pointers else None
    facts = {
        "answer": root.answer.text if root.answer else None,
        "revealed": opened.text if opened else None,  # the answer with its pointers unlocked
        "status": str(root.status),
        "error": root.error.message if root.error else None,
        "truth": tree.header.truth,
        "correct": correct,
        "nodes": len(tree),
        "depth": tree.depth,
        "budget_used": root.budget_used,
        "trace": trace,
    }
    if as_json:
        print(json.dumps(facts))
        return
    print(f"question: {tree.header.question.text}")
    for key, value in facts.items():
        if value is not None:  # answers and errors may be model output: shown escaped
            print(f"{key}: {printable(str(value)) if key in _UNTRUSTED else value}")
