"""`hch run`: one tree from the shell, printing its root answer and shape."""

from __future__ import annotations

import argparse
import json
import os
import sys

from pydantic import ValidationError

from hch.agent import Agent, by_depth
from hch.errors import ConfigError
from hch.limits import Limits
from hch.loading import build, describe_validation, parse_options
from hch.model import Question, Tree
from hch.registry import find, registered
from hch.scheduler import run

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run one tree and print its root answer",
        description="Run one tree: a question (or a task sample) through an agent under limits.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--question", "-q", help="the root question text")
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
        default="noisy-calculator",
        help="agent: a registered name "
        f"({', '.join(registered('agent'))}) or module:attr (default: noisy-calculator)",
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
        default="OPENAI_API_KEY",
        metavar="NAME",
        help="environment variable holding the API key (default: OPENAI_API_KEY)",
    )
    llm.add_argument("--cache", help="model-call cache file (see `hch cache`)")
    lim = p.add_argument_group("limits")
    lim.add_argument(
        "--max-depth", type=int, default=3, help="deepest depth; 0 = root alone (default: 3)"
    )
    lim.add_argument("--budget", type=int, help="nodes the whole tree may use (default: unbounded)")
    lim.add_argument("--max-children", type=int, help="questions one node may ask")
    lim.add_argument("--node-timeout", type=float, help="seconds one node may take")
    lim.add_argument("--tree-timeout", type=float, help="seconds the whole tree may take")
    p.add_argument("--seed", type=int, default=0, help="seed of the run and the task sample")
    p.add_argument("--trace", help="write the trace (JSONL) to this file")
    p.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        limits = Limits(
            max_depth=args.max_depth,
            budget=args.budget,
            max_children=args.max_children,
            node_timeout=args.node_timeout,
            tree_timeout=args.tree_timeout,
        )
        agent_spec, agent_options = args.agent, parse_options(args.agent_option, "agent")
        if args.model is not None:
            agent_spec, agent_options = "llm", {**_llm_options(args), **agent_options}
        agent = build(find("agent", agent_spec), agent_options, "agent")
        if args.agent_at:
            agent = by_depth(_agents_at(args.agent_at), default=agent)
        task = sample = None
        if args.question is not None:
            question = Question(text=args.question)
        else:
            task = build(
                find("task", args.task),
                parse_options(args.task_option, "task"),
                "task",
            )
            sample = task.sample(seed=args.seed)
            question = sample.question
    except ValidationError as exc:
        raise ConfigError(f"limits {describe_validation(exc)}") from None
    try:
        tree = run(
            question,
            agent,
            limits=limits,
            seed=args.seed,
            trace=args.trace,
            backend=args.backend,
            task=getattr(task, "name", None),
            truth=sample.truth if sample else None,
        )
    except KeyboardInterrupt:
        kept = f"; the trace {args.trace} holds every node that finished" if args.trace else ""
        print(f"hch run: interrupted{kept}", file=sys.stderr)
        return 130
    correct = task.check(sample, tree.root.answer) if task and tree.root.answer else None
    _report(tree, correct, args.trace, as_json=args.json)
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


def _llm_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {"model": args.model}
    if args.base_url:
        options["base_url"] = args.base_url
    if os.environ.get(args.api_key_env):
        options["api_key"] = os.environ[args.api_key_env]
    if args.cache:
        options["cache"] = args.cache
    return options


def _report(tree: Tree, correct: bool | None, trace: str | None, *, as_json: bool) -> None:
    root = tree.root
    facts = {
        "answer": root.answer.text if root.answer else None,
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
        if value is not None:
            print(f"{key}: {value}")
