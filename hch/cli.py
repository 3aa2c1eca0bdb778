"""The ``hch`` console script (also ``python -m hch``).

A user's mistake or an environment problem ends a command with one line naming it, never
a Python traceback (``hch --debug COMMAND ...`` shows one). Exit status: 0 done, 1 a run
that failed (or trees that differ, for ``hch diff``), 2 an error, 130 stopped by Ctrl-C,
141 the output pipe closed (``hch report DIR | head -1``), as Unix tools do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from pydantic import ValidationError

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
from hch.commands.support import describe_os_error, innermost
from hch.errors import HCHError, Interrupted
from hch.loading import describe_validation
from hch.registry import registered
from hch.text import printable
from hch.version import __version__

__all__ = ["main", "parser", "run_script"]

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

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_EPILOG = (
    "Errors are one line naming the problem; --debug shows the traceback. Exit status: "
    "0 done, 1 a failed run, 2 an error, 130 interrupted (Ctrl-C)."
)


class _Parser(argparse.ArgumentParser):
    """Usage errors in two lines: the problem, and where the options are listed (the
    whole usage of a command with many options would bury the problem)."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_ERROR, f"{self.prog}: error: {message}\n({self.prog} --help lists the options)\n"
        )


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="hch",
        description="Run, record and study HCH task-decomposition trees.",
        epilog=_EPILOG,
    )
    p.add_argument("--version", action="version", version=f"hch {__version__}")
    p.add_argument(
        "--debug", action="store_true", help="on an error, show the Python traceback too"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    for name, spec in registered("command").items():
        try:
            module = importlib.import_module(spec)
        except Exception as exc:  # a broken plugin must not take the other commands down
            print(f"hch: warning: command {name} ({spec}) not loaded: {exc}", file=sys.stderr)
            continue
        module.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status."""
    _importable_here()
    command = "hch"
    try:
        args = parser().parse_args(argv)
        command = f"hch {args.command}"
        if args.debug:
            return int(args.func(args))
        return _guarded(command, lambda: int(args.func(args)))
    except KeyboardInterrupt:  # while starting up, before a command could say more
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _pipe_closed()


def run_script(name: str, call: Callable[[], int | None]) -> int:
    """Run a ready study's ``main`` as ``hch`` runs a command: a user's mistake or an
    environment problem is one line naming ``name`` and exit status 2, never a
    traceback; Ctrl-C is 130. (``python -m experiments.X`` uses it.)"""
    return _guarded(name, lambda: int(call() or 0))


def _guarded(command: str, call: Callable[[], int]) -> int:
    """``call()``, with every way it can fail turned into one line and an exit status.

    The line is made printable: messages may quote a file's or a model's text.
    """

    def fail(message: str, status: int = EXIT_ERROR) -> int:
        print(f"{command}: {printable(message)}", file=sys.stderr)
        return status

    try:
        status = call()
        sys.stdout.flush()  # here, not at exit, where a closed pipe could not be handled
        return status
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):  # rich's Console ends so on one
            return _pipe_closed()
        raise
    except BaseException as exc:  # Ctrl-C included, alone or inside a task group's group
        cause = innermost(exc)
    if isinstance(cause, BrokenPipeError):
        return _pipe_closed()
    if isinstance(cause, KeyboardInterrupt):
        return fail("interrupted", EXIT_INTERRUPTED)
    if isinstance(cause, Interrupted):
        return fail(f"interrupted: {cause}", EXIT_INTERRUPTED)
    if isinstance(cause, HCHError):
        return fail(f"error: {cause}")
    if isinstance(cause, ValidationError):
        return fail(f"error: {cause.title} {describe_validation(cause)}")
    if isinstance(cause, OSError):
        return fail(f"error: {describe_os_error(cause)}")
    # A bug, in hch or in code it ran: say what, and how to see where.
    name = command.removeprefix("hch ")
    return fail(
        f"error: {type(cause).__name__}: {cause} (unexpected; "
        f"`hch --debug {name} ...` shows where it happened)",
        1,
    )


def _pipe_closed() -> int:
    """The reader of our output went away (``| head``): stop quietly, as Unix tools do.

    Python would complain again when it flushes stdout at exit; point stdout at
    /dev/null first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _importable_here() -> None:
    """Make the current directory importable, as ``python -m hch`` does, so that
    ``--task mymodule:MyTask`` and experiment files' ``import mymodule`` find the user's
    own modules."""
    try:
        here = os.getcwd()
    except OSError:  # the current directory was removed: nothing there to import
        return
    if not any(os.path.abspath(p or os.curdir) == here for p in sys.path):
        sys.path.insert(0, here)


if __name__ == "__main__":
    sys.exit(main())
