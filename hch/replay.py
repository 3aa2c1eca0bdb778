"""Replay a recorded tree from its trace alone, ask counterfactuals, and see what changed.

    rec = hch.load("run.jsonl")
    same = hch.replay(rec)                                   # nothing runs, no model call
    cf = hch.replay(rec, interventions={(0, 1): hch.Answer(text="42")})
    print(cf.diff)                                           # what changed, up to the root
    cf2 = hch.replay(rec, interventions={(1,): honest_agent, (0, 0): hch.CUT})

A replay reuses every recorded node an intervention cannot change, with its whole
subtree, and runs again only the intervened nodes and their ancestors; nodes that run
again are answered by the recording's own model calls, so a replay needs no endpoint.
A call the recording lacks (a node's inputs changed) is an error naming the node,
unless ``live=True`` allows the call. The agents come from the trace's header
(``TreeHeader.spec``), or from ``agent=`` when the header cannot rebuild them.

Many counterfactuals of one tree share a ``Replayer``, which indexes the recording and
rebuilds its agents once: ``await hch.Replayer(rec).run({(0, 1): answer})``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path as FilePath
from typing import Any

from hch.agent import Agent, AgentFunction, Policy, as_policy, by_depth, spec_of
from hch.diff import TreeDiff, diff
from hch.errors import ConfigError
from hch.loading import load_target, parse_path
from hch.loop import run_sync
from hch.model import Answer, Intervention, Path, Spec, Tree, format_path
from hch.recording import Calls, RecordedCall, Recording, ReplayPlan
from hch.scheduler import DEFAULT_PARALLEL, Tool, execute
from hch.trace import load

__all__ = ["CUT", "Change", "Cut", "Replay", "Replayer", "rebuild", "replay", "replay_tree"]


class Cut:
    """An intervention that cuts a node's subtree: the node runs again, and must answer
    without children."""

    def __repr__(self) -> str:
        return "CUT"


CUT = Cut()

Change = Answer | Cut | Agent | AgentFunction
"""What an intervention puts at a node: a forced answer, a cut, or another agent (for the
node and its whole subtree)."""


@dataclass
class Replay:
    """A replayed (or counterfactual) tree with what it cost.

    Attributes:
        tree: The tree the replay gave.
        recording: The tree it replayed.
        reused: Recorded nodes taken over unchanged.
        rerun: Nodes that ran again.
        model_calls: Model calls made anew (only with ``live=True``).
    """

    tree: Tree
    recording: Tree
    reused: int
    rerun: int
    model_calls: int
    interventions: list[Intervention] = field(default_factory=list)

    @cached_property
    def diff(self) -> TreeDiff:
        """What differs from the recording, node by node, with each change's chain to
        the root (``diff.root_changed``: did the root's answer change?)."""
        return diff(self.recording, self.tree)


def rebuild(spec: Spec) -> tuple[Policy, dict[str, Tool]]:
    """The policy (and the tools of an experiment's trial) a spec describes.

    Raises:
        ConfigError: the spec is opaque, or what it names cannot be imported or built.
    """
    if spec.kind == "opaque":
        raise ConfigError(
            f"the trace cannot rebuild its agent ({spec.why}); pass the agent: "
            "hch.replay(trace, agent=...) or hch replay TRACE --agent NAME"
        )
    if spec.kind == "experiment":
        from hch.study.experiments import load_experiment

        trial = load_experiment(spec.target).trial(
            spec.params["params"], spec.params["trial"], spec.params["seed"]
        )
        return as_policy(trial.agent), dict(trial.tools)
    if spec.kind == "by_depth":
        agents = {d: _agent(s) for d, s in spec.depths.items()}
        default = None if spec.default is None else _agent(spec.default)
        return by_depth(agents, default), {}
    target = load_target(spec.target)
    if spec.kind == "policy":
        return as_policy(target), {}
    return as_policy(_agent(spec) if spec.kind == "object" else target), {}


def _agent(spec: Spec) -> Any:
    if spec.kind == "object":
        cls = load_target(spec.target)
        validate = getattr(cls, "model_validate", None)
        try:
            return validate(spec.params) if validate else cls(**spec.params)
        except Exception as exc:
            raise ConfigError(f"cannot rebuild {spec.target} from the trace: {exc}") from None
    if spec.kind == "function":
        return load_target(spec.target)
    policy, _ = rebuild(spec)
    return policy(0, ())  # a by_depth inside a by_depth: its agent for the node asked


def _nothing_runs(depth: int, path: Path) -> Agent:
    raise AssertionError(f"replay ran node {format_path(path)} with nothing to change")


class _Overridden:
    """A policy with other agents at chosen nodes and their subtrees."""

    def __init__(self, base: Policy, agents: Mapping[Path, Agent]) -> None:
        self.base = base
        self.agents = dict(agents)

    def __call__(self, depth: int, path: Path) -> Agent:
        for cut in range(len(path), -1, -1):
            found = self.agents.get(path[:cut])
            if found is not None:
                return found
        return self.base(depth, path)


class Replayer:
    """A recording prepared for many replays: indexed once, its agents rebuilt once.

    ``replay_tree`` replays a recording once. An analysis that asks hundreds of
    counterfactuals of one tree (``hch.analysis.blame``) keeps one Replayer and awaits
    ``run`` for each, so no replay indexes the recording or rebuilds its agents again;
    each replay reads only the recorded calls of the nodes that run again.

    Args:
        recording: The recorded tree, or its trace file.
        agent: The agent or policy, when the trace cannot rebuild its own.
        live: Allow model calls the recording does not have (else ``NotRecorded``).
        tools: Tools for nodes that run again (default: the rebuilt trial's, if any).
    """

    def __init__(
        self,
        recording: Tree | str | FilePath,
        *,
        agent: Agent | Policy | AgentFunction | None = None,
        live: bool = False,
        tools: Mapping[str, Tool] | None = None,
    ) -> None:
        self.recording = recording if isinstance(recording, Tree) else load(recording)
        self.index = Recording(self.recording)
        self.recorded = _recorded_changes(self.recording)
        self.agent = None if agent is None else as_policy(agent)
        self.live = live
        self.tools = tools
        self._rebuilt: tuple[Policy, dict[str, Tool]] | None = None

    def _base(self, runs: bool) -> tuple[Policy, dict[str, Tool]]:
        """The policy (and the trial's tools) for nodes that run again."""
        if self.agent is not None:
            return self.agent, {}
        if not runs:
            return _nothing_runs, {}
        if self._rebuilt is None:  # something runs again: the trace must rebuild its agent
            self._rebuilt = rebuild(self.recording.header.spec)
        return self._rebuilt

    async def run(
        self,
        interventions: Mapping[Path | str, Change] | None = None,
        *,
        rerun: bool = False,
        trace: str | FilePath | None = None,
    ) -> Replay:
        """One replay with ``interventions`` (see ``replay_tree``)."""
        rec = self.recording
        new = _parsed(interventions or {}, self.index)
        changes = {**self.recorded, **new}  # the recording's own stay in force
        answers = {p: c for p, c in changes.items() if isinstance(c, Answer)}
        cut = frozenset(p for p, c in changes.items() if isinstance(c, Cut))
        agents = {p: c for p, c in changes.items() if not isinstance(c, Answer | Cut)}
        base, trial_tools = self._base(bool(new) or rerun)
        overrides = {p: as_policy(a)(len(p), p) for p, a in agents.items()}
        policy = _Overridden(base, overrides) if overrides else base
        plan = ReplayPlan(
            recording=self.index,
            calls=_NodeCalls(self.index),
            rerun=frozenset(p[:k] for p in new for k in range(len(p) + 1)),
            subtrees=frozenset(p for p in new if p in agents),
            cut=cut,
            everything=rerun,
            live=self.live,
        )
        header = rec.header.model_copy(
            update={"run_id": uuid.uuid4().hex, "interventions": _listed(answers, cut, agents)}
        )
        tree, run = await execute(
            header,
            policy,
            tools=trial_tools if self.tools is None else self.tools,
            answers=answers,
            trace=trace,
            record=True,
            max_parallel=DEFAULT_PARALLEL,
            plan=plan,
        )
        if run.missing is not None:
            raise run.missing
        return Replay(
            tree=tree,
            recording=rec,
            reused=run.reused,
            rerun=len(tree) - run.reused,
            model_calls=run.live_calls,
            interventions=header.interventions,
        )


class _NodeCalls(Calls):
    """A recording's calls, indexed node by node as the nodes that run again ask for them
    (a call's key holds its node's path, so this serves exactly what ``Calls`` of every
    node would)."""

    def __init__(self, index: Recording) -> None:
        super().__init__(())
        self.index = index
        self.by_node: dict[Path, Calls] = {}

    def take(self, path: Path, model: str, request: Mapping[str, Any]) -> RecordedCall | None:
        calls = self.by_node.get(path)
        if calls is None:
            node = self.index.get(path)
            calls = self.by_node[path] = Calls(() if node is None else (node,))
        return calls.take(path, model, request)


async def replay_tree(
    recording: Tree | str | FilePath,
    interventions: Mapping[Path | str, Change] | None = None,
    *,
    agent: Agent | Policy | AgentFunction | None = None,
    live: bool = False,
    rerun: bool = False,
    tools: Mapping[str, Tool] | None = None,
    trace: str | FilePath | None = None,
) -> Replay:
    """Replay ``recording`` (a Tree or a trace file) with ``interventions``.

    Args:
        recording: The recorded tree, or its trace file.
        interventions: ``{path: change}``: an ``Answer`` forced at the node, ``CUT``
            (the node answers without children), or an agent for the node and its
            subtree. Paths as tuples or as ``root.0.1``. The recording's own
            interventions stay in force unless replaced here.
        agent: The agent or policy, when the trace cannot rebuild its own.
        live: Allow model calls the recording does not have (else ``NotRecorded``).
        rerun: Run every node again with the recorded calls (a check that the trace
            replays exactly), not only those an intervention can change.
        tools: Tools for nodes that run again (default: the rebuilt trial's, if any).
        trace: Also stream the replayed tree to this file.

    Raises:
        ConfigError: an intervention at a path the recording does not have, or an agent
            the trace cannot rebuild when one must run.
    """
    replayer = Replayer(recording, agent=agent, live=live, tools=tools)
    return await replayer.run(interventions, rerun=rerun, trace=trace)


def replay(
    recording: Tree | str | FilePath,
    interventions: Mapping[Path | str, Change] | None = None,
    *,
    backend: str = "asyncio",
    **options: Any,
) -> Replay:
    """Synchronous ``replay_tree`` on a fresh event loop (``backend``: asyncio or trio)."""
    done: list[Replay] = []

    async def main() -> None:
        done.append(await replay_tree(recording, interventions, **options))

    run_sync(main, backend=backend)
    return done[0]


def _recorded_changes(rec: Tree) -> dict[Path, Change]:
    """The interventions the recording itself was made with."""
    changes: dict[Path, Change] = {}
    for done in rec.header.interventions:
        if done.answer is not None:
            changes[done.path] = done.answer
        elif done.cut:
            changes[done.path] = CUT
        elif done.agent is not None:
            changes[done.path] = _agent(done.agent)
    return changes


def _parsed(interventions: Mapping[Path | str, Change], index: Recording) -> dict[Path, Change]:
    parsed: dict[Path, Change] = {}
    for where, change in interventions.items():
        path = parse_path(where) if isinstance(where, str) else tuple(where)
        if index.get(path) is None:
            near = index.nearest(path)
            found = index.get(near)
            children = f", with {found.n_children} children" if found is not None else ""
            raise ConfigError(
                f"no node {format_path(path)} in the recording; the nearest recorded node "
                f"is {format_path(near)}{children}"
            )
        parsed[path] = change
    return parsed


def _listed(
    answers: Mapping[Path, Answer], cut: frozenset[Path], agents: Mapping[Path, Any]
) -> list[Intervention]:
    listed = [Intervention(path=p, answer=a) for p, a in answers.items()]
    listed += [Intervention(path=p, cut=True) for p in cut]
    listed += [Intervention(path=p, agent=spec_of(as_policy(a))) for p, a in agents.items()]
    return sorted(listed, key=lambda i: i.path)
