"""The records of a run: Question, Answer, Node, Tree. These models ARE the trace schema."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from hch.compact import make
from hch.hashing import stable_hash
from hch.limits import Limits

__all__ = [
    "OPAQUE_V1",
    "SCHEMA_VERSION",
    "Answer",
    "Content",
    "Event",
    "Exchange",
    "Hold",
    "Intervention",
    "ModelCall",
    "Node",
    "NodeError",
    "Note",
    "Path",
    "PointerId",
    "Question",
    "Spec",
    "Status",
    "ToolCall",
    "Tree",
    "TreeHeader",
    "Unlock",
    "Usage",
    "format_path",
]

SCHEMA_VERSION = 3
"""Version of the trace schema written by this package; readers exist for every version.

1: the first release. 2: the header also holds ``spec``, how to rebuild the run's agent.
3: pointers: questions and answers may carry ``pointers`` to content the tree holds
(``Content``), the root question its ``parts``, and nodes ``hold`` and ``unlock`` events.
"""

Path = tuple[int, ...]
"""A node's id: the root is ``()``, its third child ``(2,)``, that child's first ``(2, 0)``."""


def format_path(path: Path) -> str:
    """Human form of a node path: ``root`` or ``root.2.0``."""
    return "root" + "".join(f".{i}" for i in path)


MemeSet = Annotated[frozenset[str], PlainSerializer(sorted, return_type=list[str])]
"""Meme tags, written sorted so that equal sets give equal traces."""

PointerId = str
"""Names one piece of content the tree holds: ``task:2`` (the root question's second
part) or ``root.0:1`` (the first thing node ``root.0`` held). Stable across runs: it
depends on who made the content, never on timing."""


class Content(BaseModel):
    """Something a tree holds behind a pointer: a node sees it only once it unlocks it.

    Attributes:
        text: The content; ``$1``, ``$2`` in it stand for its own ``pointers``.
        data: Optional structured value (for simulated agents and checks).
        memes: Meme tags this content carries.
        pointers: Pointers inside this content (content made of other content).
    """

    model_config = ConfigDict(frozen=True)

    text: str
    data: Any = None
    memes: MemeSet = frozenset()
    pointers: tuple[PointerId, ...] = ()


class Question(BaseModel):
    """What a node is asked. ``data`` carries structure a simulated agent can read.

    Attributes:
        pointers: Content passed with the question unread; ``$1`` in ``text`` stands for
            the first. The asked node sees the content only if it unlocks it.
        parts: The root question only: the content its task holds for the tree, named
            ``task:1``, ``task:2``, ... in order (see ``hch.pointers.holding``). No agent
            sees ``parts``; they reach the root as pointers.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    data: Any = None
    pointers: tuple[PointerId, ...] = ()
    parts: tuple[Content, ...] = ()


class Answer(BaseModel):
    """What a node answers.

    Attributes:
        text: The answer as text.
        data: Optional structured value (a number, a list, a dict) for checking.
        memes: Tags of content carried by this answer, for memetic-selection analysis.
        pointers: Content passed up with the answer (``$1`` in ``text`` is the first),
            possibly unread by the node that answers.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    data: Any = None
    memes: MemeSet = frozenset()
    pointers: tuple[PointerId, ...] = ()


class Exchange(BaseModel):
    """One earlier turn of a conversation with the same child (strong HCH follow-ups)."""

    model_config = ConfigDict(frozen=True)

    question: Question
    answer: Answer


class Status(StrEnum):
    """How a node ended."""

    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"
    LIMITED = "limited"


class NodeError(BaseModel):
    """Why a node did not answer: the exception's type name and message."""

    model_config = ConfigDict(frozen=True)

    type: str
    message: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> NodeError:
        return cls(type=type(exc).__name__, message=str(exc) or repr(exc))


class Usage(BaseModel):
    """Tokens a model call consumed."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


class ModelCall(BaseModel):
    """One request to a model (one attempt: a retried call records each attempt)."""

    kind: Literal["model"] = "model"
    model: str
    request: dict[str, Any]
    response: dict[str, Any] | None = None
    usage: Usage | None = None
    latency: float = 0.0
    cost: float | None = None
    attempt: int = 1
    cached: bool = False
    error: NodeError | None = None
    status: int | None = None
    """The HTTP status of a failed attempt that got an answer (429, 500, ...)."""


class ToolCall(BaseModel):
    """One call of a tool the experiment granted (an oracle, a calculator, a lab)."""

    kind: Literal["tool"] = "tool"
    name: str
    args: dict[str, Any] = {}
    result: Any = None
    error: NodeError | None = None


class Note(BaseModel):
    """Free annotation an agent attached to its node with ``ctx.note(...)``."""

    kind: Literal["note"] = "note"
    fields: dict[str, Any]


class Hold(BaseModel):
    """The node put ``content`` in the tree's keeping under ``pointer`` (``ctx.hold``)."""

    kind: Literal["hold"] = "hold"
    pointer: PointerId
    content: Content


class Unlock(BaseModel):
    """The node unlocked ``pointer`` and saw its content, for ``cost`` of its budget."""

    kind: Literal["unlock"] = "unlock"
    pointer: PointerId
    cost: int = 0


Event = Annotated[ModelCall | ToolCall | Note | Hold | Unlock, Field(discriminator="kind")]


def _tagged(events: tuple[Any, ...]) -> list[dict[str, Any]]:
    # Keep each event's ``kind`` tag even when a node is dumped with exclude_defaults.
    return [e.model_dump(mode="json", exclude_none=True) for e in events]


EventList = Annotated[tuple[Event, ...], PlainSerializer(_tagged, return_type=list[dict[str, Any]])]


class Node(BaseModel):
    """One agent invocation answering one question.

    A follow-up question to the same child is a new node whose ``follows`` names the
    sibling index of the previous turn; its agent saw every earlier turn.
    """

    model_config = ConfigDict(frozen=True)

    path: Path
    agent: str
    question: Question
    answer: Answer | None = None
    status: Status = Status.OK
    error: NodeError | None = None
    follows: int | None = None
    n_children: int = 0
    budget_given: int | None = None
    budget_used: int = 1
    start: float = 0.0
    end: float = 0.0
    events: EventList = ()

    @classmethod
    def unchecked(cls, **fields: Any) -> Node:
        """A compact node (see ``hch.compact``) from every field, without validation: what
        the scheduler records, having built every field itself."""
        return make(cls, fields)

    @property
    def id(self) -> str:
        return format_path(self.path)

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def parent(self) -> Path | None:
        return self.path[:-1] if self.path else None

    @property
    def children(self) -> list[Path]:
        return [(*self.path, i) for i in range(self.n_children)]

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def notes(self) -> list[dict[str, Any]]:
        return [e.fields for e in self.events if isinstance(e, Note)]


class Spec(BaseModel):
    """How to rebuild a run's agent or policy, so that a trace alone replays.

    Attributes:
        kind: ``object`` (an instance of ``target`` made from ``params``), ``function``
            (an agent function at ``target``), ``policy`` (a ``(depth, path) -> Agent``
            function at ``target``), ``by_depth`` (``depths`` and ``default``),
            ``experiment`` (the agent of one trial of the experiment at ``target``;
            ``params`` holds ``params``, ``trial`` and ``seed``), or ``opaque``: it
            cannot be rebuilt (a closure, an object of unknown make), and ``why`` says so.
        target: ``module:qualname`` of the class, function or experiment.
        params: What rebuilds it (constructor fields, or the experiment's trial).
        depths: ``by_depth``: the spec of each depth's agent.
        default: ``by_depth``: the spec of the agent for other depths.
        why: ``opaque``: why it cannot be rebuilt.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["object", "function", "policy", "by_depth", "experiment", "opaque"]
    target: str = ""
    params: dict[str, Any] = {}
    depths: dict[int, Spec] = {}
    default: Spec | None = None
    why: str = ""


OPAQUE_V1 = Spec(kind="opaque", why="the trace was written with schema version 1")


class Intervention(BaseModel):
    """A change made to a run at one node: its answer forced, its agent (and its
    subtree's) replaced, or its subtree cut (the node answers without children).

    Attributes:
        path: The node.
        answer: The forced answer.
        agent: The spec of the agent that replaced the node's (and its descendants').
        cut: The node ran with no children allowed.
    """

    model_config = ConfigDict(frozen=True)

    path: Path
    answer: Answer | None = None
    agent: Spec | None = None
    cut: bool = False


class TreeHeader(BaseModel):
    """Everything known about a run before its first node finishes.

    Attributes:
        agent: The agent or policy as a readable name.
        spec: How to rebuild it (``hch.replay`` uses this).
        interventions: What was changed at chosen nodes (counterfactuals).
    """

    schema_version: int = SCHEMA_VERSION
    run_id: str
    seed: int
    limits: Limits
    agent: str
    spec: Spec = OPAQUE_V1
    interventions: list[Intervention] = []
    question: Question
    task: str | None = None
    truth: Any = None
    package_version: str
    meta: dict[str, Any] = {}


_VOLATILE_NODE_FIELDS = {"start", "end"}


class Tree(BaseModel):
    """A recorded run: header plus nodes ordered by path. Iterating yields the nodes.

    ``complete`` is False for a trace whose run was killed before it finished: every
    node that finished is still there.
    """

    header: TreeHeader
    nodes: list[Node]
    complete: bool = True
    duration: float | None = None

    @field_validator("nodes")
    @classmethod
    def _ordered(cls, nodes: list[Node]) -> list[Node]:
        return sorted(nodes, key=lambda n: n.path)

    @cached_property
    def _index(self) -> dict[Path, Node]:
        return {n.path: n for n in self.nodes}

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Tree:
        """A copy; what is worked out from the nodes (index, content) is worked out anew."""
        copy = super().model_copy(update=update, deep=deep)
        for cached in ("_index", "content"):
            copy.__dict__.pop(cached, None)
        return copy

    def __repr_args__(self) -> Any:
        """A summary: a tree can hold a hundred thousand nodes."""
        yield "run_id", self.header.run_id
        yield "question", self.header.question.text[:60]
        yield "nodes", len(self.nodes)
        yield "complete", self.complete

    def __iter__(self) -> Iterator[Node]:  # type: ignore[override]
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, path: Path) -> Node:
        try:
            return self._index[tuple(path)]
        except KeyError:
            raise KeyError(f"no node {format_path(tuple(path))} in this tree") from None

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and path in self._index

    @property
    def root(self) -> Node:
        if () not in self._index:
            raise LookupError("this tree has no root node: the run did not finish (incomplete)")
        return self._index[()]

    def children(self, node: Node) -> list[Node]:
        """The recorded children of ``node``, in the order they were asked."""
        return [self._index[p] for p in node.children if p in self._index]

    @cached_property
    def content(self) -> dict[PointerId, Content]:
        """Everything the tree held, by pointer: the root question's parts (``task:1``,
        ...) and what its nodes held, whoever unlocked it or not."""
        held = {f"task:{i}": part for i, part in enumerate(self.header.question.parts, 1)}
        for node in self.nodes:
            for event in node.events:
                if isinstance(event, Hold):
                    held[event.pointer] = event.content
        return held

    @property
    def depth(self) -> int:
        """Deepest depth any recorded node reached."""
        return max((n.depth for n in self.nodes), default=0)

    def fingerprint(self) -> str:
        """Hash of everything except timings and run id: equal for identical runs."""
        body = {
            "header": self.header.model_dump(mode="json", exclude={"run_id"}),
            "nodes": [n.model_dump(mode="json", exclude=_VOLATILE_NODE_FIELDS) for n in self.nodes],
            "complete": self.complete,
        }
        return stable_hash(body)
