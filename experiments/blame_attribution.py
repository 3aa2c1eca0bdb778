"""Who sank the root? Failure-attribution methods measured against exact blame.

In failure-attribution benchmarks for multi-agent LLM systems (Who&When, ICML 2025) the
right answer comes from human annotators, and the best automatic method names the
failing agent 53.5% of the time and the failing step 14.2%. In hch's simulated worlds
every node's truth is known and counterfactual replay is exact, so the right answer is
computed: the culprits of a wrong root (``hch.analysis.blame``) are the nodes of its
smallest corrections nearest where the errors were born, or the root itself when it
erred on its own.

Trees come from three worlds (arithmetic sums, list sorts, multi-hop lookup), each
played by a team whose members are named by role: a lead at the root, managers,
analysts, then clerks below. Only trees with a wrong root and an exact blame are kept.
An attribution method is a function from a tree to the node it blames; it scores

* node-level: the node it blames is a culprit;
* agent-level: the node it blames was played by the role of a culprit.

Methods: a random wrong node, the deepest wrong node, the first wrong node in time order
(the first to finish), and an LLM grader (``agents.grader.TreeGrader``: the tree as text,
the right final answer, "which node made the mistake?"). Offline the grader is a
simulated one (``agents.server.GraderModel``) behind the local model server; with
``--model`` and ``--base-url`` it is any OpenAI-compatible endpoint (key in
``$OPENAI_API_KEY``). Every accuracy comes with its 95% Wilson interval::

    python experiments/blame_attribution.py
    python experiments/blame_attribution.py --trees 30 --model gpt-4o-mini \\
        --base-url https://api.openai.com/v1
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from agents.grader import TreeGrader
from agents.llm import LLMAgent
from agents.noisy_lists import NoisyLists
from agents.noisy_lookup import NoisyLookup
from agents.server import GraderModel, ModelServer
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from experiments.tasks.lists import ListTask
from experiments.tasks.lookup import LookupTask
from hch import Limits, Node, Path, Tree, by_depth, derive_seed, run
from hch.analysis import Blame, Grid, blame
from hch.cli import run_script
from hch.stats import wilson_interval
from hch.verdicts import trace_task, verdicts

Method = Callable[[Tree], Path | None]
"""An attribution method: the node it blames for a tree's wrong root (None: none)."""

ROLES = ("lead", "manager", "analyst", "clerk")
"""Who plays each depth (the last role plays every depth below too)."""


@dataclass(frozen=True)
class World:
    """A task and the agent each role of its team plays."""

    task: Any
    member: Callable[[str], Any]
    depth: int

    def team(self) -> Any:
        """One agent per depth, named by role."""
        agents = {d: self.member(role) for d, role in enumerate(ROLES)}
        return by_depth(agents, agents[len(ROLES) - 1])


WORLDS = {
    "arithmetic": World(
        ArithmeticTask(leaves=32), lambda role: NoisyCalculator(name=role, p_error=0.05), 5
    ),
    "list sorts": World(
        ListTask(length=32, op="sort"), lambda role: NoisyLists(name=role, p_error=0.05), 5
    ),
    "lookup": World(
        LookupTask(hops=16, people=8), lambda role: NoisyLookup(name=role, p_error=0.05), 4
    ),
}


@dataclass(frozen=True)
class Case:
    """A tree with a wrong root and its exact blame."""

    world: str
    tree: Tree
    blame: Blame


def cases(world: str, count: int) -> Iterator[Case]:
    """Up to ``count`` trees of a world with a wrong root and an exact blame (trying at
    most 30 seeds per tree)."""
    spec = WORLDS[world]
    task, team, found = spec.task, spec.team(), 0
    for seed in range(30 * count):
        if found >= count:
            return
        sample = task.sample(seed)
        tree = run(
            sample.question,
            team,
            limits=Limits(max_depth=spec.depth),
            seed=seed,
            task=task.name,
            truth=sample.truth,
        )
        if task.check(sample, tree.root.answer):
            continue
        exact = blame(tree, task)
        if exact.exact and exact.culprits:
            found += 1
            yield Case(world, tree, exact)


# -- attribution methods -----------------------------------------------------------------
def wrong_nodes(tree: Tree) -> list[Node]:
    """The nodes its task judges wrong, in path order."""
    judged = verdicts(tree, trace_task(tree))
    return [node for node in tree if judged[node.path] is False]


def random_wrong(tree: Tree) -> Path | None:
    """A wrong node drawn at random (seeded by the tree's seed)."""
    wrong = wrong_nodes(tree)
    rng = random.Random(derive_seed(tree.header.seed, "random wrong node"))
    return rng.choice(wrong).path if wrong else None


def deepest_wrong(tree: Tree) -> Path | None:
    """The deepest wrong node (the first to finish among the deepest)."""
    wrong = wrong_nodes(tree)
    return min(wrong, key=lambda n: (-n.depth, n.end)).path if wrong else None


def first_wrong(tree: Tree) -> Path | None:
    """The wrong node that finished first."""
    wrong = wrong_nodes(tree)
    return min(wrong, key=lambda n: (n.end, n.path)).path if wrong else None


BASELINES: dict[str, Method] = {
    "random wrong node": random_wrong,
    "deepest wrong node": deepest_wrong,
    "first wrong node in time": first_wrong,
}


# -- scoring -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    """How often a method blamed a culprit (node-level) or a culprit's role (agent-level)."""

    trees: int
    node_hits: int
    agent_hits: int


def score(method: Method, found: Sequence[Case]) -> Score:
    node_hits = agent_hits = 0
    for case in found:
        blamed = method(case.tree)
        if blamed is None or blamed not in case.tree:
            continue
        culprits = case.blame.culprits
        node_hits += blamed in culprits
        agent_hits += case.tree[blamed].agent in {case.tree[c].agent for c in culprits}
    return Score(len(found), node_hits, agent_hits)


def table(scores: dict[tuple[str, str], Score]) -> Grid:
    """One line per world and method, with 95% intervals."""

    def share(hits: int, n: int) -> str:
        low, high = wilson_interval(hits, n)
        return f"{hits / n:.2f} [{low:.2f}, {high:.2f}]" if n else "-"

    lines = [
        [world, method, str(s.trees), share(s.agent_hits, s.trees), share(s.node_hits, s.trees)]
        for (world, method), s in scores.items()
    ]
    return Grid(
        title="attribution against exact counterfactual blame (95% Wilson intervals)",
        headers=["world", "method", "trees", "agent-level", "node-level"],
        lines=lines,
        keys=2,
    )


def evaluate(
    methods: dict[str, Method], worlds: Sequence[str], trees: int
) -> dict[tuple[str, str], Score]:
    """Every method on ``trees`` cases of each world, and on all of them together."""
    every: list[Case] = []
    scores: dict[tuple[str, str], Score] = {}
    for world in worlds:
        found = list(cases(world, trees))
        every += found
        for name, method in methods.items():
            scores[(world, name)] = score(method, found)
    if len(worlds) > 1:
        for name in methods:
            parts = [scores[(w, name)] for w in worlds]
            scores[("all", name)] = Score(
                sum(p.trees for p in parts),
                sum(p.node_hits for p in parts),
                sum(p.agent_hits for p in parts),
            )
    return scores


def grader_endpoint(model: str | None) -> AbstractContextManager[Any]:
    """The grader's server: the simulated grader on 127.0.0.1, or nothing to start."""
    if model is None:
        return ModelServer(GraderModel(), model_name="grader")
    return nullcontext()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=int, default=100, help="wrong roots per world")
    parser.add_argument("--world", action="append", choices=list(WORLDS), help="default: all")
    parser.add_argument("--model", help="grade with this model (default: a simulated grader)")
    parser.add_argument("--base-url", help="its OpenAI-compatible endpoint")
    args = parser.parse_args(argv)
    if (args.model is None) != (args.base_url is None):
        parser.error("--model and --base-url go together")
    with grader_endpoint(args.model) as server:
        if server is not None:
            agent = LLMAgent(model="grader", base_url=server.base_url, api_key="offline")
            named = "LLM grader (simulated)"
        else:
            agent = LLMAgent(model=args.model, base_url=args.base_url)
            named = f"LLM grader ({args.model})"
        methods: dict[str, Method] = {**BASELINES, named: TreeGrader(agent=agent)}
        scores = evaluate(methods, args.world or list(WORLDS), args.trees)
    print(table(scores).text())


if __name__ == "__main__":
    raise SystemExit(run_script("blame_attribution", main))
