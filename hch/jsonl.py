"""Reading JSONL files that a killed process may have cut off mid-line.

Traces and study results are both written one line per record; a process killed while
writing leaves a last line without its newline. Such a line is dropped when it does not
parse; a bad line anywhere else is an error naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from hch.errors import TraceError

__all__ = ["describe_error", "parse_lines", "read_lines"]

T = TypeVar("T")


def read_lines(file: str | Path, what: str) -> list[str]:
    """The file's lines (the last one empty when the file ends with a newline)."""
    try:
        with open(file, encoding="utf-8") as fh:
            return fh.read().split("\n")
    except OSError as exc:
        raise TraceError(str(file), None, f"cannot read {what}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise TraceError(str(file), 1, f"not a {what}: the file is not UTF-8 text") from exc


def parse_lines(
    file: str | Path, lines: list[str], parse: Callable[[str], T], *, what: str, first: int = 1
) -> list[T]:
    """``parse`` each non-empty line from line number ``first`` on (1-based); a line of
    only spaces is not empty, so it must parse.

    Raises:
        TraceError: a line that does not parse, naming ``file``, its number and ``what``
            it should have been; except the cut-off last line, which is dropped.
    """
    records: list[T] = []
    for number in range(first, len(lines) + 1):
        line = lines[number - 1]
        if not line:
            continue
        try:
            records.append(parse(line))
        except (ValueError, KeyError, TypeError) as exc:  # JSON and validation errors
            if number == len(lines):  # no newline after it: a write cut short
                break
            raise TraceError(str(file), number, f"invalid {what}: {describe_error(exc)}") from None
    return records


def describe_error(exc: Exception) -> str:
    """What is wrong with a line, from the error that parsing it raised."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "line"
        return f"{where}: {err['msg']}"
    return str(exc) or type(exc).__name__
