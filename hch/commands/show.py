"""`hch show TRACE`: a recorded tree in the terminal."""

from __future__ import annotations

import argparse

from hch.commands.support import positive_int
from hch.viewer.terminal import ONLY

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "show",
        help="print a recorded tree in the terminal",
        description="A tree from its trace (JSONL), one node per entry: a mark (✓ right, "
        "✗ wrong, ✸ where an error was born, ! failed), path, answer, memes, question, "
        "pointers ($1→root.0:1: what each node made, unlocked and passed on unread), and "
        "after the tree every pointer's content with who made, passed and unlocked it. "
        "Nodes are judged where the trace's task is installed and can check them. A trace "
        "cut off mid-run shows what finished.",
    )
    p.add_argument("trace", metavar="TRACE", help="a trace file (.jsonl)")
    p.add_argument(
        "--depth",
        type=int,
        metavar="N",
        help="levels below the first node to show (default: as many as fit 400 nodes)",
    )
    p.add_argument("--at", metavar="PATH", help="show the subtree at PATH (root.2.0, or 2.0)")
    p.add_argument(
        "--only",
        choices=ONLY,
        help="only nodes that answered wrong, failed, or carry memes (and their ancestors)",
    )
    p.add_argument(
        "--fold",
        type=int,
        default=160,
        metavar="CHARS",
        help="longest text shown of a question, answer or note (default: 160)",
    )
    p.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the marks (default: auto, when printing to a terminal)",
    )
    p.add_argument("--width", type=positive_int, help="columns (default: the terminal's)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from hch.errors import ConfigError
    from hch.loading import parse_path
    from hch.trace import load
    from hch.viewer.terminal import render

    if args.depth is not None and args.depth < 0:
        raise ConfigError(f"--depth must be 0 or more, got {args.depth}")
    if args.fold < 1:
        raise ConfigError(f"--fold must be 1 or more, got {args.fold}")
    tree = load(args.trace)
    console = Console(
        width=args.width,
        highlight=False,
        emoji=False,
        markup=False,
        force_terminal={"always": True, "never": False}.get(args.color),
        no_color=args.color == "never",
    )
    render(
        tree,
        console,
        name=args.trace,
        at=parse_path(args.at) if args.at else (),
        depth=args.depth,
        only=args.only,
        fold=args.fold,
    )
    return 0
