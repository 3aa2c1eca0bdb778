"""What the commands share: option values checked while argparse reads them, and the
wording of what went wrong.

A bad value is a usage error (exit status 2) naming the option, before anything runs:
``hch study x.py --trials 0`` -> ``argument --trials: must be 1 or more, got 0``.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hch.errors import ConfigError

__all__ = [
    "describe_os_error",
    "fraction",
    "innermost",
    "non_negative",
    "non_negative_int",
    "optional_directory",
    "port",
    "positive",
    "positive_int",
    "ray_address",
    "writing_trace",
]


def positive_int(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number, 0 or more (a depth, say)."""
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def positive(text: str) -> float:
    """An argparse type: a number above 0 (seconds, say)."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def non_negative(text: str) -> float:
    """An argparse type: a number, 0 or more (seconds, say)."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def fraction(text: str) -> float:
    """An argparse type: a probability, from 0 to 1."""
    value = _number(text, float)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {text}")
    return value


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    value = int(_number(text, int))
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 (any free port) to 65535, got {text}")
    return value


def ray_address(text: str) -> str:
    """An argparse type: ``local``, ``auto``, ``ray://HOST:PORT`` or ``HOST:PORT``."""
    if text in ("local", "auto") or re.fullmatch(r"(ray://)?[\w.-]+:\d+", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not local, auto, ray://HOST:PORT or HOST:PORT")


def optional_directory(text: str) -> str:
    """An argparse type: a directory that may not exist yet, but is not a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a directory")
    return text


def _number(text: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not {'an integer' if kind is int else 'a number'}: {text!r}"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def describe_os_error(exc: OSError, about: object = None) -> str:
    """``/proc/nope: No such file or directory``: the file first when the error names one
    other than ``about`` (the path the caller's message names already)."""
    problem = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None or str(exc.filename) == str(about):
        return problem
    path = Path(str(exc.filename))
    if isinstance(exc, FileExistsError) and path.exists() and not path.is_dir():
        problem = "is a file, not a directory"
    names = [str(exc.filename), *([str(exc.filename2)] if exc.filename2 is not None else [])]
    return f"{' -> '.join(names)}: {problem}"


def innermost(exc: BaseException) -> BaseException:
    """The first exception inside ``exc``'s exception groups (task groups wrap what their
    tasks raise), or ``exc`` itself; a Ctrl-C anywhere inside comes first."""
    leaves = [exc]
    while any(isinstance(e, BaseExceptionGroup) for e in leaves):
        leaves = [
            inner
            for e in leaves
            for inner in (e.exceptions if isinstance(e, BaseExceptionGroup) else (e,))
        ]
    return next((e for e in leaves if isinstance(e, KeyboardInterrupt)), leaves[0])


@contextmanager
def writing_trace(trace: str | None) -> Iterator[None]:
    """A file error while a command writes ``trace`` (however deep in task groups) as
    one line naming the file: ``cannot write the trace /dev/full: No space left...``."""
    try:
        yield
    except Exception as exc:
        cause = innermost(exc)
        if trace is None or not isinstance(cause, OSError):
            raise
        problem = describe_os_error(cause, about=trace)
        raise ConfigError(f"cannot write the trace {trace}: {problem}") from exc
