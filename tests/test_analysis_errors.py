"""Error classes, trails and counts: hand-built trees, properties over simulated trees."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import hch
from agents.binary import NoisyMajority
from agents.noisy_lists import NoisyLists
from agents.noisy_lookup import NoisyLookup
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask, Expr, question_for
from experiments.tasks.bits import BitTask
from experiments.tasks.lists import ListTask
from experiments.tasks.lookup import LookupTask
from hch import Answer, Limits, Node, Question, Sample, Status, Tree, TreeHeader
from hch.analysis import (
    Checks,
    DepthErrors,
    Fate,
    Grid,
    Role,
    Verdict,
    depth_grid,
    explain,
    safe,
    tree_errors,
)
from hch.commands.analyze import task_for

ARITHMETIC = ArithmeticTask()
BITS = BitTask()


def _tree(nodes: dict[hch.Path, tuple[Expr | str, int | None]], truth: int | None = None) -> Tree:
    """A tree from ``{path: (expression or plain text, answer or None for a failed node)}``."""
    built = []
    for path, (expr, answer) in nodes.items():
        question = question_for(expr) if not isinstance(expr, str) else Question(text=expr)
        n_children = sum(1 for p in nodes if len(p) == len(path) + 1 and p[:-1] == path)
        built.append(
            Node(
                path=path,
                agent="hand",
                question=question,
                answer=None if answer is None else Answer(text=str(answer), data=answer),
                status=Status.OK if answer is not None else Status.FAILED,
                n_children=n_children,
            )
        )
    root = nodes.get((), next(iter(nodes.values())))[0]
    header = TreeHeader(
        run_id="hand",
        seed=0,
        limits=Limits(max_depth=5),
        agent="hand",
        question=question_for(root) if not isinstance(root, str) else Question(text=root),
        task="arithmetic",
        truth=truth,
        package_version=hch.__version__,
    )
    return Tree(header=header, nodes=built, complete=() in nodes)


# ((1 + 2) + (3 + 4)) + (5 + 6) + 7 as a hand-built tree, with chosen answers:
#   root            wrong  propagating  (children 0 and 2 are wrong)
#   0               wrong  propagating  (child 0.0 wrong)
#     0.0           wrong  originating  (a leaf)
#     0.1           right
#   1               right  correcting   (child 1.0 wrong)
#     1.0           wrong  originating  (its only checked child is right)
#       1.0.0       right
#     1.1           right
#   2               wrong  originating  (its child failed: unknown)
#     2.0           unknown (no answer)
A, B, C = ["+", 1, 2], ["+", 3, 4], ["+", 5, 6]
HAND = {
    (): (["+", ["+", A, B], ["+", C, 7]], 40),  # truth 28
    (0,): (["+", A, B], 11),  # truth 10
    (0, 0): (A, 4),  # truth 3
    (0, 1): (B, 7),
    (1,): (["+", C, 7], 18),  # truth 18
    (1, 0): (C, 12),  # truth 11
    (1, 0, 0): (["+", 5, 0], 5),
    (1, 1): (["+", 7, 0], 7),
    (2,): (["-", 9, 1], 9),  # truth 8
    (2, 0): (["+", 1, 1], None),
}


def test_hand_built_tree_gets_its_known_classes() -> None:
    errors = tree_errors(_tree(HAND, truth=28), ARITHMETIC)
    assert errors.checks is Checks.NODES
    assert errors.root is Verdict.WRONG
    assert errors.verdicts[(2, 0)] is Verdict.UNKNOWN
    assert errors.having(Role.ORIGINATING) == [(0, 0), (1, 0), (2,)]
    assert errors.having(Role.PROPAGATING) == [(), (0,)]
    assert errors.having(Role.CORRECTING) == [(1,)]
    trails = {t.origin: t for t in errors.trails}
    assert trails[(0, 0)].path == ((0, 0), (0,), ()) and trails[(0, 0)].fate is Fate.ROOT
    assert trails[(0, 0)].levels == 2 and trails[(0, 0)].stop is None
    assert trails[(1, 0)].path == ((1, 0),) and trails[(1, 0)].fate is Fate.CORRECTED
    assert trails[(1, 0)].stop == (1,) and trails[(1, 0)].levels == 0
    assert trails[(2,)].path == ((2,), ()) and trails[(2,)].levels == 1
    assert [t.origin for t in errors.root_trails] == [(0, 0), (2,)]
    d = {x.depth: x for x in errors.depths}
    assert (d[0].nodes, d[0].wrong, d[0].propagating) == (1, 1, 1)
    assert (d[1].right, d[1].wrong, d[1].originating, d[1].correcting) == (1, 2, 1, 1)
    assert (d[2].nodes, d[2].right, d[2].wrong, d[2].unknown, d[2].originating) == (5, 2, 2, 1, 2)
    assert d[2].accuracy == 0.5 and d[2].origin_rate == 0.5
    assert d[0].propagation_rate == 1.0 and d[3].nodes == 1 and d[3].right == 1


def test_propagation_rate_counts_nodes_with_a_wrong_child() -> None:
    errors = tree_errors(_tree(HAND, truth=28), ARITHMETIC)
    d1 = errors.depths[1]
    # at depth 1: node 0 has a wrong child and is wrong, node 1 has one and is right
    assert (d1.propagating, d1.correcting, d1.exposed) == (1, 1, 2)
    assert d1.propagation_rate is not None  # recomputed below with the sum of two trees
    total = errors.depths[1] + errors.depths[1]
    assert total.propagating == 2 and total.correction_rate == 0.5
    with pytest.raises(ValueError, match="depth"):
        errors.depths[0] + errors.depths[1]


def test_an_error_under_an_unchecked_node_is_lost() -> None:
    nodes = {
        (): (["+", A, B], 11),
        (0,): ("summarise your children", 4),  # no expression: the task cannot check it
        (0, 0): (A, 4),
    }
    errors = tree_errors(_tree(nodes, truth=10), ARITHMETIC)
    assert errors.verdicts[(0,)] is Verdict.UNKNOWN
    lost = {t.origin: t for t in errors.trails}
    assert lost[(0, 0)].fate is Fate.LOST and lost[(0, 0)].stop == (0,)
    assert errors.roles[()] is Role.ORIGINATING  # no checked child is wrong


def test_a_trace_cut_off_before_its_root_loses_every_error() -> None:
    nodes = {(0,): (["+", A, B], 11), (0, 0): (A, 4)}
    errors = tree_errors(_tree(nodes), ARITHMETIC)
    (trail,) = errors.trails
    assert trail.path == ((0, 0), (0,)) and trail.fate is Fate.LOST and trail.stop == ()
    assert errors.root is Verdict.UNKNOWN


class RootOnly:
    """A task that checks only whole answers: against the header's truth."""

    name = "root-only"

    def sample(self, seed: int) -> Sample:
        raise NotImplementedError

    def check(self, sample: Sample, answer: Answer) -> bool:
        return answer.data == sample.truth


def test_a_task_without_node_checks_judges_the_root_alone() -> None:
    errors = tree_errors(_tree(HAND, truth=28), RootOnly())
    assert errors.checks is Checks.ROOT and errors.root is Verdict.WRONG
    assert {v for p, v in errors.verdicts.items() if p} == {Verdict.UNKNOWN}
    right = tree_errors(_tree(HAND, truth=40), RootOnly())
    assert right.root is Verdict.RIGHT
    lines = explain(_tree(HAND, truth=28), errors, RootOnly())
    assert any("checks only root answers" in line for line in lines)


def test_without_a_task_nothing_is_judged() -> None:
    errors = tree_errors(_tree(HAND, truth=28))
    assert errors.checks is Checks.NONE and not errors.roles and not errors.trails
    assert set(errors.verdicts.values()) == {Verdict.UNKNOWN}


def test_explanation_names_origins_their_truth_and_the_route() -> None:
    tree = _tree(HAND, truth=28)
    errors = tree_errors(tree, ARITHMETIC)
    text = "\n".join(explain(tree, errors, ARITHMETIC))
    assert "root: answered 40, truth 28: wrong" in text
    assert "the root's error was born at 2 nodes:" in text
    assert "root.0.0 (depth 2)" in text and "answered: 4   truth: 3" in text
    assert "travelled 2 levels: root.0.0 -> root.0 -> root" in text
    assert "born at root.1.0 (depth 2), corrected by root.1 (depth 1) after 0 levels" in text
    assert "corrected alone" not in text  # blame is not computed here
    with_fixes = "\n".join(explain(tree, errors, ARITHMETIC, fixes=[(2,)]))
    assert "corrected alone, each of these makes the root right: root.2" in with_fixes
    nothing = "\n".join(explain(tree, errors, ARITHMETIC, fixes=[]))
    assert "no single node, corrected alone, makes the root right" in nothing


HOSTILE = "\x1b[2J\x1b]0;owned\x07[bold red]boo[/bold red]\u202eevil\r\nnext"


def test_untrusted_text_is_printed_inert() -> None:
    cleaned = safe(HOSTILE, None)
    assert "\x1b" not in cleaned and "\u202e" not in cleaned and "\r" not in cleaned
    assert "\n" not in cleaned and "\x07" not in cleaned
    assert "\\x1b[2J" in cleaned and "\\u202e" in cleaned and "[bold red]" in cleaned
    assert safe("x" * 500, 10) == "x" * 9 + "…"
    nodes = {(): (HOSTILE, 3), (0,): (A, 4)}
    tree = _tree(nodes, truth=3)
    tree = tree.model_copy(
        update={"header": tree.header.model_copy(update={"truth": HOSTILE, "task": HOSTILE})}
    )
    errors = tree_errors(tree, ARITHMETIC)
    for line in explain(tree, errors, ARITHMETIC):
        assert line == safe(line, None), line
    grid = Grid(title=HOSTILE, headers=["a", "b"], lines=[[safe(HOSTILE), "1"]])
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=300).print(grid.table())
    rendered = out.getvalue()
    assert "[bold red]boo" in rendered  # shown as text, not read as markup
    assert "\x1b[2J" not in rendered and "\x1b]0;" not in rendered and "\u202e" not in rendered


def test_depth_grid_renders_as_text_and_rich() -> None:
    errors = tree_errors(_tree(HAND, truth=28), ARITHMETIC)
    grid = depth_grid(errors.depths)
    text = grid.text().splitlines()
    assert text[0] == "nodes by depth"
    assert text[1].split() == [*grid.headers]
    assert text[3].split() == ["1", "3", "1", "2", "0", "0.33", "1", "1", "1"]
    out = io.StringIO()
    Console(file=out, width=200).print(grid.table())
    assert "propagating" in out.getvalue()


# -- properties over simulated trees ----------------------------------------------------


def _brute_roles(tree: Tree, task: Any) -> dict[hch.Path, Role]:
    """The classes straight from the definition, without the graph."""

    def verdict(node: Node) -> bool | None:
        return None if node.answer is None else task.check_node(node.question, node.answer)

    roles = {}
    for node in tree:
        kids = [verdict(c) for c in tree.children(node)]
        mine = verdict(node)
        if mine is False:
            roles[node.path] = Role.PROPAGATING if False in kids else Role.ORIGINATING
        elif mine is True and False in kids:
            roles[node.path] = Role.CORRECTING
    return roles


@st.composite
def simulated_trees(draw: st.DrawFn) -> tuple[Tree, Any]:
    """A noisy calculator's arithmetic tree, or a noisy majority tree over a bit."""
    seed = draw(st.integers(0, 10**6))
    depth = draw(st.sampled_from([0, 1, 2, 3, 4, 5]))
    budget = draw(st.one_of(st.none(), st.integers(1, 60)))
    limits = Limits(max_depth=depth, budget=budget)
    if draw(st.booleans()):
        task: Any = BITS
        agent: Any = NoisyMajority(epsilon=draw(st.sampled_from([0.0, 0.05, 0.2, 0.4])))
        limits = Limits(max_depth=min(depth, 3), budget=budget)
    else:
        leaves = draw(st.sampled_from([1, 2, 5, 8, 16, 24]))
        task = ArithmeticTask(leaves=leaves, shape=draw(st.sampled_from(["balanced", "random"])))
        p_error = draw(st.sampled_from([0.0, 0.02, 0.1, 0.3]))
        agent = NoisyCalculator(p_error=p_error, p_handoff=2 * p_error, capacity=4)
    sample = task.sample(seed)
    tree = hch.run(
        sample.question, agent, limits=limits, seed=seed, task=task.name, truth=sample.truth
    )
    return tree, task


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simulated_trees())
def test_classes_agree_with_the_definition_on_simulated_trees(found: tuple[Tree, Any]) -> None:
    tree, task = found
    errors = tree_errors(tree, task)
    verdict_of = {True: Verdict.RIGHT, False: Verdict.WRONG, None: Verdict.UNKNOWN}
    for node in tree:
        expected = None if node.answer is None else task.check_node(node.question, node.answer)
        assert errors.verdicts[node.path] is verdict_of[expected]
    assert errors.roles == _brute_roles(tree, task)
    wrong = {p for p, v in errors.verdicts.items() if v is Verdict.WRONG}
    # every wrong node gets exactly one class, and no other node gets one of those two
    for path, verdict in errors.verdicts.items():
        role = errors.roles.get(path)
        if verdict is Verdict.WRONG:
            assert role in (Role.ORIGINATING, Role.PROPAGATING)
        else:
            assert role in (None, Role.CORRECTING)
            assert role is None or verdict is Verdict.RIGHT
    # an error is born where a slip happened: an originating node noted a slip
    for path in errors.having(Role.ORIGINATING):
        assert any("slips" in note for note in tree[path].notes), path
    # trails: one per origin, up through wrong parents, covering every wrong node
    assert [t.origin for t in errors.trails] == errors.having(Role.ORIGINATING)
    covered = set()
    for trail in errors.trails:
        assert all(errors.verdicts[p] is Verdict.WRONG for p in trail.path)
        assert all(up == down[:-1] for down, up in zip(trail.path, trail.path[1:], strict=False))
        assert 0 <= trail.levels <= len(trail.origin)
        assert (trail.fate is Fate.ROOT) == (trail.path[-1] == ())
        if trail.fate is Fate.CORRECTED:
            assert trail.stop is not None and errors.verdicts[trail.stop] is Verdict.RIGHT
            assert errors.roles[trail.stop] is Role.CORRECTING
        covered.update(trail.path)
    assert covered == wrong
    assert (errors.root is Verdict.WRONG) == bool(errors.root_trails)
    # counts by depth add up and every rate lies in [0, 1]
    assert sum(d.nodes for d in errors.depths) == len(tree)
    assert sum(d.wrong for d in errors.depths) == len(wrong)
    for d in errors.depths:
        for rate in (d.accuracy, d.origin_rate, d.propagation_rate, d.correction_rate):
            assert rate is None or 0 <= rate <= 1
        if d.exposed:
            assert d.propagation_rate + d.correction_rate == pytest.approx(1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("configured", "agent"),
    [
        (
            ArithmeticTask(leaves=32, ops="+-*", shape="random", max_value=50),
            NoisyCalculator(p_error=0.1),
        ),
        (ListTask(length=20, op="sort", max_value=500), NoisyLists(p_error=0.1)),
        (LookupTask(hops=6, people=20), NoisyLookup(p_error=0.1)),
    ],
)
def test_a_task_built_with_defaults_checks_nodes_as_the_configured_one(
    configured: Any, agent: Any
) -> None:
    default = task_for(configured.name)
    assert type(default) is type(configured) and default != configured
    checked = 0
    for seed in range(4):
        sample = configured.sample(seed)
        tree = hch.run(sample.question, agent, limits=Limits(max_depth=3), seed=seed)
        for node in tree:
            if node.answer is None:
                continue
            wrong = Answer(text="not it at all 123456789")
            for answer in (node.answer, wrong):
                mine = default.check_node(node.question, answer)
                assert mine == configured.check_node(node.question, answer)
                assert mine is not None
                checked += 1
            assert default.node_truth(node.question) == configured.node_truth(node.question)
    assert checked > 20


def test_depth_counts_add_by_depth_only() -> None:
    a = DepthErrors(depth=2, nodes=3, right=1, wrong=2, originating=2)
    b = DepthErrors(depth=2, nodes=1, right=1)
    assert (a + b).model_dump() == {
        "depth": 2,
        "nodes": 4,
        "right": 2,
        "wrong": 2,
        "originating": 2,
        "propagating": 0,
        "correcting": 0,
    }
