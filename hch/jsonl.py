"""Reading JSONL files that a killed process may have cut off mid-line.

Traces, study results and IDA epochs are all written one line per record; a process
killed while writing leaves a last line without its newline. Such a line is dropped
when it does not parse; a bad line anywhere else is an error naming the file and the
line. Files are read in binary, ``CHUNK`` lines at a time, so that a large one is never
held whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO, TypeVar

from pydantic import ValidationError

from hch.errors import TraceError

__all__ = ["CHUNK", "describe_error", "opened", "parse_records", "read_records"]

T = TypeVar("T")

CHUNK = 1024
"""Lines parsed together: 1,024 loaded a 1M-node trace in 7.8–8.1 s, 4,096 in 8.6–9.6 s
(what one call builds then stays in the processor's caches)."""


@contextmanager
def opened(file: str | Path, what: str) -> Iterator[BinaryIO]:
    """``file`` open for reading in binary; failing to read it is a TraceError naming it."""
    try:
        with open(file, "rb") as fh:
            yield fh
    except OSError as exc:
        raise TraceError(str(file), None, f"cannot read {what}: {exc.strerror or exc}") from exc


def read_records(file: str | Path, parse: Callable[[str], T], *, what: str, kind: str) -> list[T]:
    """Every record of the JSONL file of ``kind``, each line read by ``parse``."""
    with opened(file, kind) as fh:
        return list(parse_records(file, fh, parse, what=what))


def parse_records(
    file: str | Path,
    lines: Iterable[bytes],
    parse: Callable[[str], T],
    *,
    what: str,
    first: int = 1,
    all_at_once: Callable[[bytes], Sequence[T]] | None = None,
) -> Iterator[T]:
    """``parse`` each non-empty line of ``lines``, the file's lines from number ``first``
    on, each with its newline but maybe the last. A line of only spaces is not empty, so
    it must parse.

    ``all_at_once``, given a chunk of lines as one JSON array, parses them in one call
    (much faster); when it raises ValueError, the chunk is read line by line instead.

    Raises:
        TraceError: a line that does not parse or is not UTF-8, naming ``file``, its
            number and ``what`` it should have been; except the cut-off last line,
            which is dropped.
    """
    number = first
    it = iter(lines)
    while chunk := list(islice(it, CHUNK)):
        if all_at_once is not None and chunk[-1].endswith(b"\n"):
            body = [line for line in chunk if line.strip(b"\r\n")]
            try:
                records = all_at_once(b"[" + b",".join(body) + b"]") if body else []
            except ValueError:  # JSON, UTF-8 or validation errors: line by line names it
                pass
            else:
                yield from records
                number += len(chunk)
                continue
        for i, raw in enumerate(chunk):
            record = _parse_line(file, number + i, raw, parse, what)
            if record is _CUT:
                return
            if record is not _BLANK:
                yield record  # type: ignore[misc]
        number += len(chunk)


_BLANK = object()
_CUT = object()


def _parse_line(
    file: str | Path, number: int, raw: bytes, parse: Callable[[str], T], what: str
) -> T | object:
    """The record of line ``number``; ``_BLANK`` for an empty line, ``_CUT`` for the
    file's last line cut short (it lacks its newline) that does not parse."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
        return parse(text) if text else _BLANK
    except UnicodeDecodeError:
        problem = "the line is not UTF-8 text"
    except (ValueError, KeyError, TypeError) as exc:  # JSON and validation errors
        problem = f"invalid {what}: {describe_error(exc)}"
    if not raw.endswith(b"\n"):
        return _CUT
    raise TraceError(str(file), number, problem) from None


def describe_error(exc: Exception) -> str:
    """What is wrong with a line, from the error that parsing it raised."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "line"
        return f"{where}: {err['msg']}"
    return str(exc) or type(exc).__name__
