"""Streaming JSONL traces: header first, one line per finished node, an end line.

A file cut off mid-run (the process killed) loads with every node that was written and
``complete == False``. Every schema version ever written keeps a reader here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from operator import attrgetter
from pathlib import Path as FilePath
from typing import IO, TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from hch.compact import compact
from hch.errors import SchemaVersionError, TraceError
from hch.gc_policy import relaxed_gc
from hch.jsonl import describe_error
from hch.model import SCHEMA_VERSION, Node, TreeHeader

if TYPE_CHECKING:
    from hch.model import Tree

__all__ = ["TraceWriter", "load", "save"]

_MAGIC = "hch_trace"
_END_PREFIX = '{"end"'


class TraceWriter:
    """Writes one tree as it runs; each node line is handed to the OS when written."""

    def __init__(self, file: str | FilePath, header: TreeHeader) -> None:
        self.file = FilePath(file)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self._out: IO[str] = self.file.open("w", encoding="utf-8", buffering=1)
        head = {_MAGIC: SCHEMA_VERSION, "header": header.model_dump(mode="json")}
        self._out.write(json.dumps(head, separators=(",", ":")) + "\n")

    def write_node(self, node: Node) -> None:
        self._out.write(node.model_dump_json(exclude_defaults=True) + "\n")

    def close(self, duration: float | None) -> None:
        """Finish the file; ``duration=None`` leaves it marked incomplete."""
        if self._out.closed:
            return
        if duration is not None:
            self._out.write(json.dumps({"end": {"duration": duration}}) + "\n")
        self._out.close()


def save(tree: Tree, file: str | FilePath) -> None:
    """Write a whole tree as a trace file (the format a streamed run writes)."""
    writer = TraceWriter(file, tree.header)
    for node in tree.nodes:
        writer.write_node(node)
    writer.close(tree.duration if tree.complete else None)


def load(file: str | FilePath) -> Tree:
    """Read a trace file of any released schema version.

    The file is read in chunks of ``CHUNK`` lines, each parsed in one call and its nodes
    made compact (``hch.compact``) at once, so a trace loads in little more memory than
    the tree it holds.
    """
    name = str(file)
    try:
        with relaxed_gc(), open(file, "rb") as fh:
            try:
                first = fh.readline().decode("utf-8")
            except UnicodeDecodeError:
                raise TraceError(name, 1, "not a trace: the file is not UTF-8 text") from None
            after_first = fh.tell()
            version = _version(name, first, fh)
            fh.seek(after_first)
            return _READERS[version](name, first, fh)
    except OSError as exc:
        raise TraceError(name, None, f"cannot read trace: {exc.strerror or exc}") from exc


CHUNK = 1024
"""Node lines parsed per call while loading: 1,024 loaded a 1M-node trace in 7.8–8.1 s,
4,096 in 8.6–9.6 s (what one call builds then stays in the processor's caches)."""


def _version(name: str, first: str, rest: IO[bytes]) -> int:
    """The schema version the header line ``first`` names (``rest`` is the file after
    it, read only to tell an empty or cut-off file from a wrong one)."""
    if not first.strip() and not rest.read().strip():
        raise TraceError(name, None, "the file is empty: not a trace, or a run that wrote nothing")
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = None
    start = f'{{"{_MAGIC}"'
    if (
        head is None
        and not first.endswith("\n")
        and (first.startswith(start) or start.startswith(first))
    ):
        raise TraceError(
            name, 1, "the file ends inside its first line, the header: its run was cut off"
        )
    if not isinstance(head, dict) or _MAGIC not in head:
        raise TraceError(name, 1, f"not an hch trace: the first line has no {_MAGIC!r} key")
    version = head[_MAGIC]
    if version not in _READERS:
        raise SchemaVersionError(
            name,
            1,
            f"trace schema version {version!r} is not one this hch reads "
            f"(it reads {sorted(_READERS)}); upgrade hch to read newer traces",
        )
    return int(version)


def _read_v1(name: str, first: str, lines: Iterable[bytes]) -> Tree:
    from hch.model import Tree

    try:
        header = TreeHeader.model_validate(json.loads(first)["header"])
    except (ValidationError, KeyError, TypeError) as exc:
        raise TraceError(name, 1, f"invalid trace header: {exc}") from exc
    nodes: list[Node] = []
    ends: list[dict[str, Any]] = []
    number = 2  # the file's line number of the chunk's first line
    for chunk in _chunks(lines):
        for record in _parse_chunk(name, chunk, number):
            if isinstance(record, Node):
                nodes.append(compact(record, deep=True))
            else:
                ends.append(record)
        number += len(chunk)
    end = ends[-1] if ends else None
    nodes.sort(key=attrgetter("path"))
    return Tree.model_construct(
        header=header,
        nodes=nodes,
        complete=end is not None,
        duration=None if end is None else end.get("duration"),
    )


def _chunks(lines: Iterable[bytes]) -> Iterator[list[bytes]]:
    it = iter(lines)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


_NODES = TypeAdapter(list[Node])
_END = _END_PREFIX.encode()


def _parse_chunk(name: str, chunk: list[bytes], number: int) -> list[Node | dict[str, Any]]:
    """The chunk's records; its lines, numbered from ``number``, each end with a newline
    but maybe the file's last. Parsed in one call when every line is a whole node (the
    common case); else line by line, to drop a last line cut short or name a bad one."""
    if chunk[-1].endswith(b"\n") and not any(line.startswith(_END) for line in chunk):
        body = [line for line in chunk if line != b"\n"]
        try:
            return list(_NODES.validate_json(b"[" + b",".join(body) + b"]")) if body else []
        except ValueError:  # JSON, UTF-8 or validation errors: read line by line to name it
            pass
    records: list[Node | dict[str, Any]] = []
    for i, raw in enumerate(chunk):
        whole = raw.endswith(b"\n")  # only the file's last line may lack it: cut short
        try:
            text = raw.decode("utf-8").rstrip("\n")
            if text:
                records.append(_node_or_end(text))
        except UnicodeDecodeError:
            if not whole:
                break
            raise TraceError(name, number + i, "the line is not UTF-8 text") from None
        except (ValueError, KeyError, TypeError) as exc:  # JSON and validation errors
            if not whole:
                break
            problem = f"invalid trace line: {describe_error(exc)}"
            raise TraceError(name, number + i, problem) from None
    return records


def _node_or_end(line: str) -> Node | dict[str, Any]:
    if line.startswith(_END_PREFIX):
        end = json.loads(line)["end"]
        if not isinstance(end, dict):
            raise TypeError(f"the end line holds {type(end).__name__}, not an object")
        return end
    return Node.model_validate_json(line)


def _read_v2(name: str, first: str, lines: Iterable[bytes]) -> Tree:
    """Version 2 adds the header's ``spec``; the lines are otherwise those of version 1."""
    return _read_v1(name, first, lines)


def _read_v3(name: str, first: str, lines: Iterable[bytes]) -> Tree:
    """Version 3 adds pointers (fields with defaults, and two event kinds) to the lines
    of version 2, so one parser reads both."""
    return _read_v1(name, first, lines)


_READERS = {1: _read_v1, 2: _read_v2, 3: _read_v3}
