"""The board: waiting workspaces in a queue, leases on them, and the live trees.

The tree runs on one thread (its own event loop) and the web app on another; both call
the board, whose state is guarded by one lock. A node played by a person publishes its
workspace and waits on a ``Mailbox``; a person takes the workspace (a lease, kept alive
by heartbeats), acts, and the action goes into that mailbox. A lease not renewed within
``lease_seconds`` lapses and its workspace goes back to the queue.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.human._actions import Action, Ask, Choice, FollowUp, Reply, refusal
from agents.human._mailbox import Mailbox
from hch import Path, format_path

__all__ = ["Board", "BoardError"]

_SHOWN = 400
"""Characters of each question and answer the compact tree shows."""


class BoardError(Exception):
    """A request the board cannot grant; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class _Workspace:
    key: str
    tree: str
    path: Path
    view: dict[str, Any]
    box: Mailbox[Choice]
    ready: bool = True
    since: int = 0
    waiting_since: float = 0.0


@dataclass
class _Lease:
    token: str
    person: str
    key: str
    expires: float


@dataclass
class _Tree:
    id: str
    label: str
    question: str
    nodes: dict[Path, dict[str, Any]] = field(default_factory=dict)
    done: bool = False
    answer: str | None = None


class Board:
    """Workspaces waiting for people, their leases, and a compact live view of each tree.

    Args:
        lease_seconds: How long a lease lasts without a heartbeat.
        clock: Seconds, monotonic (a parameter for tests of expiry).
    """

    def __init__(
        self, *, lease_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._workspaces: dict[str, _Workspace] = {}
        self._leases: dict[str, _Lease] = {}
        self._trees: dict[str, _Tree] = {}
        self._scratchpads: dict[str, str] = {}
        self._turn = 0
        self.finished = False

    # -- the tree's side -------------------------------------------------------------
    def add_tree(self, tree: str, question: str, label: str = "") -> None:
        with self._lock:
            self._trees[tree] = _Tree(tree, label, _cut(question))

    def node_started(self, tree: str, path: Path, question: str, agent: str, human: bool) -> None:
        with self._lock:
            self._trees[tree].nodes[path] = {
                "path": format_path(path),
                "depth": len(path),
                "question": _cut(question),
                "agent": agent,
                "human": human,
                "status": "running",
                "answer": None,
            }

    def node_finished(self, tree: str, path: Path, status: str, answer: str | None) -> None:
        with self._lock:
            node = self._trees[tree].nodes.get(path)
            if node is not None:
                node["status"] = status
                node["answer"] = None if answer is None else _cut(answer)

    def tree_finished(self, tree: str, answer: str | None) -> None:
        with self._lock:
            found = self._trees[tree]
            found.done = True
            found.answer = None if answer is None else _cut(answer)

    def publish(self, tree: str, path: Path, view: dict[str, Any]) -> Mailbox[Choice]:
        """Put a workspace (back) in the queue with its new view; its mailbox gets the
        action a person takes there."""
        key = workspace_key(tree, path)
        with self._lock:
            self._turn += 1
            ws = self._workspaces.get(key)
            if ws is None:
                ws = self._workspaces[key] = _Workspace(key, tree, path, view, Mailbox())
            ws.view, ws.ready, ws.since = view, True, self._turn
            ws.waiting_since = self._clock()
            node = self._trees[tree].nodes.get(path)
            if node is not None:
                node["status"] = "waiting for a person"
            return ws.box

    def replayed(self, tree: str, path: Path, choice: Choice) -> None:
        """A node took a memoised action: show it as doing it, with its scratchpad."""
        with self._lock:
            self._doing(tree, path, choice.action)
            if choice.scratchpad:
                self._scratchpads[workspace_key(tree, path)] = choice.scratchpad

    def close(self, tree: str, path: Path) -> None:
        """The node is done (answered, failed or cancelled): drop its workspace and lease."""
        key = workspace_key(tree, path)
        with self._lock:
            ws = self._workspaces.pop(key, None)
            self._scratchpads.pop(key, None)
            for token in [t for t, lease in self._leases.items() if lease.key == key]:
                del self._leases[token]
        if ws is not None:
            ws.box.close()

    # -- the people's side -----------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The queue, who holds what, and a summary of each tree."""
        with self._lock:
            self._expire()
            held = {lease.key: lease.person for lease in self._leases.values()}
            now = self._clock()
            queue = [
                self._summary(ws, now)
                for ws in sorted(self._workspaces.values(), key=lambda w: w.since)
                if ws.ready and ws.key not in held
            ]
            taken = [
                {**self._summary(self._workspaces[key], now), "person": person}
                for key, person in held.items()
            ]
            trees = [
                {
                    "id": t.id,
                    "label": t.label,
                    "question": t.question,
                    "done": t.done,
                    "answer": t.answer,
                    "nodes": len(t.nodes),
                }
                for t in self._trees.values()
            ]
            return {
                "queue": queue,
                "taken": taken,
                "trees": trees,
                "finished": self.finished,
                "lease_seconds": self.lease_seconds,
            }

    def take(self, person: str, key: str | None = None) -> str:
        """Lease the next workspace in the queue (or the one named); returns the lease."""
        person = person.strip()
        if not person:
            raise BoardError(400, "say who you are: a name is needed to take a workspace")
        with self._lock:
            self._expire()
            held = {lease.key: lease.person for lease in self._leases.values()}
            if key is None:
                ready = [w for w in self._workspaces.values() if w.ready and w.key not in held]
                if not ready:
                    raise BoardError(404, "no workspace is waiting for a person")
                ws = min(ready, key=lambda w: w.since)
            else:
                found = self._workspaces.get(key)
                if found is None:
                    raise BoardError(404, f"there is no waiting workspace {key!r}")
                if key in held:
                    raise BoardError(409, f"workspace {key} is taken by {held[key]}")
                if not found.ready:
                    raise BoardError(409, f"workspace {key} is waiting for its children")
                ws = found
            token = secrets.token_urlsafe(18)
            self._leases[token] = _Lease(token, person, ws.key, self._clock() + self.lease_seconds)
            return token

    def workspace(self, token: str) -> dict[str, Any]:
        """What the lease holder sees: the view, the scratchpad and the whole tree so far."""
        with self._lock:
            lease, ws = self._held(token)
            tree = self._trees[ws.tree]
            return {
                "key": ws.key,
                "tree": ws.tree,
                "tree_question": tree.question,
                "person": lease.person,
                "ready": ws.ready,
                "view": ws.view,
                "scratchpad": self._scratchpads.get(ws.key, ""),
                "nodes": [self._shown(tree.nodes[p], ws.tree, p) for p in sorted(tree.nodes)],
                "lease_seconds": self.lease_seconds,
            }

    def heartbeat(self, token: str) -> None:
        with self._lock:
            self._held(token)

    def release(self, token: str) -> None:
        """Give the workspace back to the queue (a lease already gone is fine)."""
        with self._lock:
            self._leases.pop(token, None)

    def write_scratchpad(self, token: str, text: str) -> None:
        with self._lock:
            _, ws = self._held(token)
            self._scratchpads[ws.key] = text

    def act(self, token: str, action: Action) -> bool:
        """Hand ``action`` to the node; refused with the reason if the view forbids it.

        Returns whether the lease goes on: asking (the node then waits for children) and
        answering end it, so the person is free to take another workspace.
        """
        with self._lock:
            lease, ws = self._held(token)
            if not ws.ready:
                raise BoardError(409, "the node is still doing your last action")
            reason = refusal(ws.view, action)
            if reason is not None:
                raise BoardError(422, reason)
            ws.ready = False
            self._doing(ws.tree, ws.path, action)
            keeps = not isinstance(action, Ask | FollowUp | Reply)
            if not keeps:
                del self._leases[token]
            pad = self._scratchpads.get(ws.key, "")
            ws.box.put(Choice(action=action, by=lease.person, scratchpad=pad))
            return keeps

    # -- under the lock ----------------------------------------------------------------
    def _doing(self, tree: str, path: Path, action: Action) -> None:
        node = self._trees[tree].nodes.get(path)
        if node is not None:
            node["status"] = (
                "waiting for children" if isinstance(action, Ask | FollowUp) else "running"
            )

    def _held(self, token: str) -> tuple[_Lease, _Workspace]:
        """The lease and its workspace, renewed; 410 if the lease has lapsed or ended."""
        self._expire()
        lease = self._leases.get(token)
        ws = self._workspaces.get(lease.key) if lease is not None else None
        if lease is None or ws is None:
            raise BoardError(410, "this lease has ended (it lapsed, or the node moved on)")
        lease.expires = self._clock() + self.lease_seconds
        return lease, ws

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, lease in self._leases.items() if lease.expires <= now]:
            del self._leases[token]

    def _shown(self, node: dict[str, Any], tree: str, path: Path) -> dict[str, Any]:
        """A node of the compact tree, saying who has it when a person does."""
        key = workspace_key(tree, path)
        person = next((x.person for x in self._leases.values() if x.key == key), None)
        return node if person is None else {**node, "status": f"with {person}"}

    def _summary(self, ws: _Workspace, now: float) -> dict[str, Any]:
        return {
            "key": ws.key,
            "tree": ws.tree,
            "path": format_path(ws.path),
            "depth": len(ws.path),
            "question": _cut(ws.view["question"]),
            "ready": ws.ready,
            "waiting": round(now - ws.waiting_since, 1),
        }


def workspace_key(tree: str, path: Path) -> str:
    """The id of a workspace in URLs and the page: ``tree:root.0.1``."""
    return f"{tree}:{format_path(path)}"


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
