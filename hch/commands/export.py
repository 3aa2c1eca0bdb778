"""`hch export TRACE`: a tree as GraphML, GEXF, DOT or node-link JSON."""

from __future__ import annotations

import argparse
import sys

from hch.export import FORMATS

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="write a tree for Gephi, yEd, Graphviz or d3",
        description="Write a trace as a graph: graphml (yEd, Gephi), gexf (Gephi), dot "
        "(Graphviz: dot -Tsvg tree.dot > tree.svg) or json (node-link, as d3 and "
        "networkx read it). Vertices carry path, question, answer, status, agent, "
        "correct (where the trace's task can check), memes, error, budget and timings, "
        "and pointers (received, passed_up, made, unlocked, unread, revealed; edges: "
        "pointers_down, pointers_up).",
    )
    p.add_argument("trace", metavar="TRACE", help="a trace file (.jsonl)")
    p.add_argument("--format", "-f", choices=FORMATS, help="default: from the -o file's suffix")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default: stdout)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.errors import ConfigError
    from hch.export import export, format_for
    from hch.trace import load
    from hch.verdicts import trace_task

    if args.output is None and args.format is None:
        raise ConfigError("give --format (graphml, gexf, dot, json) to write to stdout")
    fmt = format_for(args.output or "", args.format)
    tree = load(args.trace)
    task = trace_task(tree)
    if args.output is None:
        export(tree, sys.stdout.buffer, fmt, task)
        sys.stdout.buffer.flush()
        return 0
    try:
        with open(args.output, "wb") as out:
            export(tree, out, fmt, task)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output} ({fmt}, {len(tree)} nodes)", file=sys.stderr)
    return 0
