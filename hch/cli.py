"""The ``hch`` console script (also ``python -m hch``)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hch.commands import analyze as analyze_command
from hch.commands import cache as cache_command
from hch.commands import diff as diff_command
from hch.commands import export as export_command
from hch.commands import replay as replay_command
from hch.commands import report as report_command
from hch.commands import run as run_command
from hch.commands import show as show_command
from hch.commands import study as study_command
from hch.commands import view as view_command
from hch.errors import HCHError
from hch.registry import registered
from hch.version import __version__

__all__ = ["main", "parser"]

COMMANDS = [
    run_command,
    study_command,
    report_command,
    analyze_command,
    replay_command,
    show_command,
    view_command,
    diff_command,
    export_command,
    cache_command,
]
"""Each module adds one subcommand with ``add_parser(subparsers)``; packages above the
engine add theirs through the ``hch.commands`` entry points (e.g. ``serve-model``)."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hch", description="Run, record and study HCH task-decomposition trees."
    )
    p.add_argument("--version", action="version", version=f"hch {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    for spec in registered("command").values():
        importlib.import_module(spec).add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HCHError as exc:
        print(f"hch {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
