"""`hch diff A B`: two trees compared node by node, and the chain of each change upward."""

from __future__ import annotations

import argparse

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "diff",
        help="compare two trees node by node (a run and its counterfactual)",
        description="Align two traces by node path and print what differs: answers and "
        "statuses changed, content held, pointers unlocked or passed (even where the text "
        "is the same), answers that reveal other content, nodes added or removed, and "
        "from each change the chain of "
        "ancestors that changed with it, up to the root or to where it was masked. "
        "Exit status: 0 when the trees are the same, 1 when they differ.",
    )
    p.add_argument("a", metavar="A", help="a trace file (.jsonl), e.g. the recorded run")
    p.add_argument("b", metavar="B", help="another trace, e.g. a counterfactual of A")
    p.add_argument("--json", action="store_true", help="print the diff as one JSON object")
    p.add_argument(
        "--limit", type=int, default=40, metavar="N", help="changes listed at most (default: 40)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.diff import diff
    from hch.trace import load

    d = diff(load(args.a), load(args.b))
    print(d.model_dump_json() if args.json else d.text(limit=max(1, args.limit)))
    return 0 if d.identical else 1
