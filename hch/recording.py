"""A recorded tree, served back to a run that replays it.

Two things a replay needs from a recording: its subtrees, to reuse every node an
intervention cannot change instead of running it again; and its model calls, to answer
the nodes that do run again exactly as the recording did, offline.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hch.hashing import stable_hash
from hch.model import ModelCall, Node, NodeError, Path, Tree

__all__ = ["Calls", "RecordedCall", "Recording", "ReplayPlan", "call_key"]

ENDPOINT_FIELDS = ("base_url",)
"""Request fields that say where a call went, not what it asked: replay ignores them."""


def call_key(path: Path, model: str, request: Mapping[str, Any]) -> str:
    """What identifies a call in a recording: the node, the model and the request,
    without where it was sent (a replay may use another URL, or none)."""
    asked = {k: v for k, v in request.items() if k not in ENDPOINT_FIELDS}
    return stable_hash([list(path), model, asked])


@dataclass(frozen=True)
class RecordedCall:
    """One call as the recording made it: every attempt, in order.

    Attributes:
        attempts: The ModelCall events, failed attempts included.
        error: The node's error when this call was its last and it failed.
    """

    attempts: tuple[ModelCall, ...]
    error: NodeError | None = None

    @property
    def reply(self) -> str | None:
        """The reply text, or None when the call failed in the end."""
        last = self.attempts[-1]
        if last.error is not None or last.response is None:
            return None
        return str(last.response.get("content") or "")


class Calls:
    """The model calls of a recording, by node and request; each taken once, in order."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self._calls: dict[str, deque[RecordedCall]] = {}
        for node in nodes:
            groups = _grouped(node)
            for i, (key, attempts) in enumerate(groups):
                failed = i == len(groups) - 1 and node.error is not None
                call = RecordedCall(tuple(attempts), node.error if failed else None)
                self._calls.setdefault(key, deque()).append(call)

    def take(self, path: Path, model: str, request: Mapping[str, Any]) -> RecordedCall | None:
        """The next recorded call with this request at this node, or None."""
        found = self._calls.get(call_key(path, model, request))
        return found.popleft() if found else None


def _grouped(node: Node) -> list[tuple[str, list[ModelCall]]]:
    """A node's model-call events as calls: consecutive attempts of one request."""
    groups: list[tuple[str, list[ModelCall]]] = []
    for event in node.events:
        if not isinstance(event, ModelCall):
            continue
        key = call_key(node.path, event.model, event.request)
        if groups and groups[-1][0] == key and event.attempt > groups[-1][1][-1].attempt:
            groups[-1][1].append(event)
        else:
            groups.append((key, [event]))
    return groups


@dataclass
class Recording:
    """A recorded tree, indexed for replay.

    Attributes:
        tree: The recording.
        paths: Every recorded path, sorted: a subtree is one contiguous run of them.
    """

    tree: Tree
    paths: list[Path] = field(init=False)
    nodes: dict[Path, Node] = field(init=False)

    def __post_init__(self) -> None:
        self.paths = [n.path for n in self.tree.nodes]  # Tree keeps its nodes sorted
        self.nodes = dict(zip(self.paths, self.tree.nodes, strict=True))

    def get(self, path: Path) -> Node | None:
        return self.nodes.get(path)

    def subtree(self, path: Path) -> list[Node]:
        """The recorded node at ``path`` and all its descendants, in path order."""
        start = bisect_left(self.paths, path)
        end = start
        n = len(path)
        while end < len(self.paths) and self.paths[end][:n] == path:
            end += 1
        return self.tree.nodes[start:end]

    def nearest(self, path: Path) -> Path:
        """The deepest recorded node on the way to ``path`` (its longest recorded prefix)."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.nodes:
                return path[:cut]
        return ()


@dataclass(frozen=True)
class ReplayPlan:
    """What a replaying run takes from its recording, and what it must run again.

    Attributes:
        recording: The recorded tree.
        calls: Its model calls, served back to the nodes that run again.
        rerun: Nodes that run again: every intervened node and its ancestors.
        subtrees: Nodes whose whole subtree runs again (their agent was replaced).
        cut: Nodes that run with no children allowed.
        everything: Run every node again (still with the recorded calls): a check
            that the recording replays exactly, not only where it changed.
        live: New model calls are allowed where the recording has none.
    """

    recording: Recording
    calls: Calls
    rerun: frozenset[Path] = frozenset()
    subtrees: frozenset[Path] = frozenset()
    cut: frozenset[Path] = frozenset()
    everything: bool = False
    live: bool = False

    def must_run(self, path: Path) -> bool:
        """Whether the node at ``path`` runs again (else its recording may be reused)."""
        if self.everything or path in self.rerun:
            return True
        return bool(self.subtrees) and any(path[:k] in self.subtrees for k in range(len(path)))
