"""Streaming JSONL traces: header first, one line per finished node, an end line.

A file cut off mid-run (the process killed) loads with every node that was written and
``complete == False``. Every schema version ever written keeps a reader here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path as FilePath
from typing import IO, TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from hch.compact import compact
from hch.errors import SchemaVersionError, TraceError
from hch.gc_policy import relaxed_gc
from hch.jsonl import opened, parse_records
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

    The file is read ``hch.jsonl.CHUNK`` lines at a time, each chunk parsed in one call
    and its nodes made compact (``hch.compact``) at once, so a trace loads in little
    more memory than the tree it holds.
    """
    name = str(file)
    with relaxed_gc(), opened(file, "trace") as fh:
        try:
            first = fh.readline().decode("utf-8")
        except UnicodeDecodeError:
            raise TraceError(name, 1, "not a trace: the file is not UTF-8 text") from None
        after_first = fh.tell()
        version = _version(name, first, fh)
        fh.seek(after_first)
        return _READERS[version](name, first, fh)


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
    records = parse_records(
        name, lines, _node_or_end, what="trace line", first=2, all_at_once=_NODES.validate_json
    )
    for record in records:  # an end line fails all_at_once: its chunk goes line by line
        if isinstance(record, Node):
            nodes.append(compact(record, deep=True))
        else:
            ends.append(record)
    end = ends[-1] if ends else None
    nodes.sort(key=attrgetter("path"))
    return Tree.model_construct(
        header=header,
        nodes=nodes,
        complete=end is not None,
        duration=None if end is None else end.get("duration"),
    )


_NODES = TypeAdapter(list[Node])


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
