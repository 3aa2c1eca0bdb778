"""Every error hch raises on purpose, in one place. Each names what went wrong and where
(file, line, node path, parameter).

    HCHError
    ├── LimitExceeded              an agent asked past a limit of its tree
    │   ├── DepthLimitExceeded
    │   ├── FanoutLimitExceeded
    │   └── BudgetExhausted
    ├── ChildFailed                a child did not answer (failed, cancelled, limited)
    ├── AgentError                 an agent broke the node contract
    │   └── PointerError           it used a pointer it does not hold
    ├── ToolNotGranted             a node called a tool the run did not grant
    ├── ModelError                 a language model gave a node no usable reply
    │   ├── ModelAPIError          the endpoint refused or kept failing
    │   ├── ModelOutputError       its replies could not be read
    │   └── NotRecorded            a replay needed a call its recording does not have
    ├── TraceError                 a trace or result file cannot be read
    │   └── SchemaVersionError     written by a schema version this reader does not know
    ├── CacheError                 a model-call cache file cannot be used
    ├── ConfigError                a name, option or file given by the user is not usable
    │   └── StudyMismatch          a study directory holds another study
    └── Interrupted                a command stopped by Ctrl-C; says what it kept
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hch.model import format_path

if TYPE_CHECKING:
    from hch.model import Answer, NodeError, Path, Status

__all__ = [
    "AgentError",
    "BudgetExhausted",
    "CacheError",
    "ChildFailed",
    "ConfigError",
    "DepthLimitExceeded",
    "FanoutLimitExceeded",
    "HCHError",
    "Interrupted",
    "LimitExceeded",
    "ModelAPIError",
    "ModelError",
    "ModelOutputError",
    "NotRecorded",
    "PointerError",
    "SchemaVersionError",
    "StudyMismatch",
    "ToolNotGranted",
    "TraceError",
]


class HCHError(Exception):
    """Base of every error this package raises on purpose."""


class LimitExceeded(HCHError):
    """An agent asked past a limit of the tree (depth, fan-out or budget)."""


class DepthLimitExceeded(LimitExceeded):
    """The asking node is already at ``Limits.max_depth``."""


class FanoutLimitExceeded(LimitExceeded):
    """The asking node has used up ``Limits.max_children``."""


class BudgetExhausted(LimitExceeded):
    """The asking node has too little budget left for the children it asked for."""


class ChildFailed(HCHError):
    """A child did not answer: it failed, was cancelled or ran into a limit.

    ``answers`` holds, for ``ask_all``, every sibling's answer in order (None where a
    sibling did not answer), so an agent can carry on with what it got.
    """

    def __init__(
        self,
        path: Path,
        status: Status,
        error: NodeError | None,
        answers: list[Answer | None] | None = None,
    ) -> None:
        self.path = path
        self.status = status
        self.error = error
        self.answers = answers
        detail = f"{error.type}: {_short(error.message)}" if error else status
        super().__init__(f"child {format_path(path)} {status}: {detail}")


def _short(message: str, limit: int = 300) -> str:
    """A child's message cut to ``limit`` characters: failures that climb a deep chain
    would otherwise nest every descendant's message, quadratic in the depth."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


class AgentError(HCHError):
    """An agent broke the node contract (returned something that is not an Answer)."""


class PointerError(AgentError):
    """A node unlocked, passed or answered with a pointer it does not hold.

    A node holds the pointers of its question, of its children's answers, of content it
    unlocked, and those it made itself with ``ctx.hold``; no other.
    """


class ModelError(HCHError):
    """A language model did not give a node a usable reply."""


class ModelAPIError(ModelError):
    """A model endpoint refused a request or kept failing until the retry policy gave up.

    Attributes:
        endpoint: The URL that was called (never with credentials).
        status: The last HTTP status, or None for a connection error or timeout.
        attempts: How many requests were made.
    """

    def __init__(self, message: str, *, endpoint: str, status: int | None, attempts: int) -> None:
        self.endpoint = endpoint
        self.status = status
        self.attempts = attempts
        super().__init__(message)


class ModelOutputError(ModelError):
    """A model's replies could not be read as a decision, even after being told why.

    Attributes:
        raw: The last reply text, exactly as the model sent it.
        problem: Why it could not be used.
    """

    def __init__(self, message: str, *, raw: str, problem: str) -> None:
        self.raw = raw
        self.problem = problem
        super().__init__(message)


class NotRecorded(ModelError):
    """A replay needed a model call that its recording does not have, and may make no new
    one (``live=False``): the message names the node and the request."""


class ToolNotGranted(HCHError):
    """A node called a tool the run did not grant."""


class TraceError(HCHError):
    """A trace file cannot be read; the message names the file and the line (None when
    the file as a whole cannot be read)."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        where = file if line is None else f"{file}, line {line}"
        super().__init__(f"{where}: {problem}")


class SchemaVersionError(TraceError):
    """The trace was written with a schema version this reader does not know."""


class CacheError(HCHError):
    """A cache file that cannot be used (not SQLite, unreadable)."""


class ConfigError(HCHError):
    """A name, option or file given on the command line or in a config is not usable."""


class StudyMismatch(ConfigError):
    """The directory holds another study (experiment, seed or parameters differ)."""


class Interrupted(HCHError):
    """A command was stopped (Ctrl-C); the message says what it kept and how to go on."""
