"""The node contract: the Agent protocol users implement, and policies that choose agents.

An agent is anything with ``async def answer(self, question, ctx) -> Answer``; the
Context (``hch.context``) is the node's whole world. A policy picks the agent of each
node from its depth and path.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import types
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from hch.context import Context
from hch.errors import AgentError
from hch.loading import import_path
from hch.model import Answer, Path, Question, Spec, format_path

__all__ = [
    "Agent",
    "AgentFunction",
    "FunctionAgent",
    "Policy",
    "agent",
    "agent_name",
    "as_policy",
    "by_depth",
    "describe",
    "spec_of",
    "to_answer",
]


@runtime_checkable
class Agent(Protocol):
    """Anything that answers a question at a node. Implement this."""

    async def answer(self, question: Question, ctx: Context) -> Answer: ...


class Policy(Protocol):
    """Chooses the agent for a node from its depth and path (teams, IDA, adversaries)."""

    def __call__(self, depth: int, path: Path) -> Agent: ...


AgentFunction = Callable[[Question, "Context"], Awaitable[Answer | str] | Answer | str]


def to_answer(value: object, who: object) -> Answer:
    """Take an Answer as it is and a str as ``Answer(text=...)``; refuse anything else.

    ``who`` names the agent in the error message (anything that prints as a name).
    """
    if isinstance(value, Answer):
        return value
    if isinstance(value, str):
        return Answer(text=value)
    raise AgentError(
        f"{who} returned {type(value).__name__} {value!r:.80}; expected an Answer or str"
    )


class FunctionAgent:
    """An agent made from a plain function ``fn(question, ctx)``, sync or async."""

    def __init__(self, fn: AgentFunction, name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    async def answer(self, question: Question, ctx: Context) -> Answer:
        result = self.fn(question, ctx)
        if inspect.isawaitable(result):
            result = await result
        if type(result) is Answer:
            return result
        return to_answer(result, f"agent {self.name} at {format_path(ctx.path)}")

    def __repr__(self) -> str:
        return f"FunctionAgent({self.name})"


def agent(fn: AgentFunction | None = None, *, name: str | None = None) -> Any:
    """Make an agent from a function; usable as ``@agent`` or ``@agent(name=...)``."""
    if fn is None:
        return lambda f: FunctionAgent(f, name)
    return FunctionAgent(fn, name)


def agent_name(a: object) -> str:
    """The name a node records for its agent: ``a.name`` or the class name."""
    name = getattr(a, "name", None)
    return name if isinstance(name, str) else type(a).__name__


def describe(obj: object) -> str:
    """How a tree's header names its agent or policy: stable across runs and processes.

    ``repr()`` unless that is the default one, whose memory address would make two
    identical runs differ; then the qualified name of the function or class.
    """
    if isinstance(obj, types.FunctionType | types.MethodType | type):
        return f"{obj.__module__}.{obj.__qualname__}"
    if type(obj).__repr__ is object.__repr__:
        return f"{type(obj).__module__}.{type(obj).__qualname__}"
    return repr(obj)


class _Fixed:
    """The policy of a tree that uses one agent everywhere."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    def __call__(self, depth: int, path: Path) -> Agent:
        return self.agent

    def __repr__(self) -> str:
        return describe(self.agent)


class _ByDepth:
    def __init__(self, agents: Mapping[int, Agent], default: Agent | None) -> None:
        self.agents = dict(agents)
        self.default = default

    def __call__(self, depth: int, path: Path) -> Agent:
        chosen = self.agents.get(depth, self.default)
        if chosen is None:
            raise AgentError(f"by_depth policy has no agent for depth {depth} and no default")
        return chosen

    def __repr__(self) -> str:
        agents = ", ".join(f"{d}: {describe(a)}" for d, a in self.agents.items())
        default = describe(self.default) if self.default is not None else None
        return f"by_depth({{{agents}}}, default={default})"


def spec_of(obj: object) -> Spec:
    """How to rebuild ``obj`` (an agent, an agent function or a policy) from a trace.

    Pydantic agents are rebuilt from their fields (``model_dump``), dataclasses from the
    fields their repr shows, functions from where they are defined; anything else, or
    anything that cannot be imported again (a closure, a class inside a function), is
    ``opaque``.
    """
    if isinstance(obj, _Fixed):
        return spec_of(obj.agent)
    if isinstance(obj, _ByDepth):
        default = None if obj.default is None else spec_of(obj.default)
        depths = {d: spec_of(a) for d, a in obj.agents.items()}
        return Spec(kind="by_depth", depths=depths, default=default)
    if isinstance(obj, FunctionAgent):
        return _located(obj.fn, "function")
    if isinstance(obj, types.FunctionType):
        return _located(obj, "function" if inspect.iscoroutinefunction(obj) else "policy")
    cls = type(obj)
    if isinstance(obj, BaseModel):
        try:
            params = obj.model_dump(mode="json")
        except Exception as exc:  # a field that is not JSON: the agent cannot be described
            return Spec(kind="opaque", why=f"{describe(obj)}: its fields are not JSON ({exc})")
    elif dataclasses.is_dataclass(obj):
        # Fields left out of the repr are not configuration (scheduling noise, handles).
        fields = dataclasses.fields(obj)
        params = {f.name: getattr(obj, f.name) for f in fields if f.init and f.repr}
        try:
            params = json.loads(json.dumps(params))  # as a trace will hold them
        except (TypeError, ValueError) as exc:
            return Spec(kind="opaque", why=f"{describe(obj)}: its fields are not JSON ({exc})")
    else:
        return Spec(
            kind="opaque",
            why=f"{describe(obj)} is neither a pydantic model, a dataclass nor a function",
        )
    spec = _located(cls, "object")
    return spec.model_copy(update={"params": params}) if spec.kind == "object" else spec


def _located(obj: Any, kind: Literal["object", "function", "policy"]) -> Spec:
    target = import_path(obj)
    if target is None:
        return Spec(kind="opaque", why=f"{describe(obj)} cannot be imported again")
    return Spec(kind=kind, target=target)


def by_depth(
    agents: Mapping[int, Agent | AgentFunction], default: Agent | AgentFunction | None = None
) -> Policy:
    """A policy that picks an agent per depth (e.g. a stronger agent at the root).

    Each agent may be an async function, taken as an agent as ``run_tree`` takes one.
    """
    chosen = {d: _as_agent(a) for d, a in agents.items()}
    return _ByDepth(chosen, None if default is None else _as_agent(default))


def _as_agent(a: Agent | AgentFunction) -> Agent:
    """An agent as it is (checked to be async), or an async function as a FunctionAgent."""
    if getattr(a, "answer", None) is None:
        if inspect.iscoroutinefunction(a):
            return FunctionAgent(a)
        raise AgentError(
            f"{a!r} is not an agent: give an object with `async def answer(question, ctx)` "
            "or an async function"
        )
    _check_async(a)
    return a  # type: ignore[return-value]


def _check_async(a: object) -> None:
    """Refuse an agent whose ``answer`` is a plain ``def``: the scheduler awaits it.

    Only plain functions are judged; a callable object or a wrapper that returns an
    awaitable passes.
    """
    method = getattr(a, "answer", None)
    method = getattr(method, "__func__", method)
    try:
        sync = _sync_function(method)
    except TypeError:  # an unhashable callable: judged afresh
        sync = _sync_function.__wrapped__(method)
    if sync:
        raise AgentError(
            f"{type(a).__qualname__}.answer must be a coroutine: write it as "
            "`async def answer(self, question, ctx)` (hch awaits it at every node)"
        )


@functools.lru_cache(maxsize=256)
def _sync_function(method: object) -> bool:
    """Whether ``method`` is (or wraps) a plain ``def`` function; remembered per method,
    since a study asks it of the same agent class once per tree."""
    if callable(method):
        method = inspect.unwrap(method)
    return inspect.isfunction(method) and not inspect.iscoroutinefunction(method)


def as_policy(agent_or_policy: Agent | Policy | AgentFunction) -> Policy:
    """Accept an agent, an async function (taken as an agent) or a policy callable.

    Raises:
        AgentError: for an agent whose ``answer`` is not ``async def``, or for something
            that is neither an agent nor a callable.
    """
    # What isinstance(x, Agent) checks (an ``answer`` attribute), without the runtime
    # Protocol machinery, which costs more than some whole trees, once per tree.
    if getattr(agent_or_policy, "answer", None) is not None:
        _check_async(agent_or_policy)
        return _Fixed(agent_or_policy)  # type: ignore[arg-type]
    if inspect.iscoroutinefunction(agent_or_policy):
        return _Fixed(FunctionAgent(agent_or_policy))
    if callable(agent_or_policy):
        return agent_or_policy  # type: ignore[return-value]
    raise AgentError(
        f"{agent_or_policy!r} is neither an agent (no async answer(question, ctx) method) "
        "nor a policy (a callable (depth, path) -> agent)"
    )
