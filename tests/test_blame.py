"""Counterfactual blame: hand-built trees with known blame, brute force on random trees,
claims against blame, the attribution benchmark and `hch analyze` from a shell."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path as FilePath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import hch
from agents.noisy_lists import NoisyLists
from agents.noisy_lookup import NoisyLookup
from agents.simulated import NoisyCalculator
from experiments import blame_attribution as attribution
from experiments.tasks.arithmetic import ArithmeticTask
from experiments.tasks.lists import ListTask, question_for, read_question
from experiments.tasks.lookup import LookupTask
from hch import Answer, ConfigError, Context, Limits, Path, Question, Tree, format_path
from hch.analysis import (
    Blame,
    Blamer,
    Corrected,
    blame,
    blame_claims,
    claim_rates,
    claimed_blame,
    explain_blame,
    study_blame,
    true_answer,
)
from hch.commands.analyze import task_for
from hch.study import Trial, experiment, run_study
from hch.study import load as load_study
from hch.verdicts import verdicts

LISTS = ListTask()
ARITHMETIC = ArithmeticTask()
ITEMS = [1, 2, 3, 4, 5, 6, 7, 8]  # the root sums 8 items; 4 leaves sum 2 each


class Summer(BaseModel):
    """Sums a list question by halves; the node at each path in ``slips`` adds that much
    to its own result, and the one at each path in ``blames`` notes that value."""

    slips: dict[str, int] = {}
    blames: dict[str, Any] = {}

    async def answer(self, question: Question, ctx: Context) -> Answer:
        found = read_question(question)
        assert found is not None
        _, items = found
        if len(items) > 2 and ctx.can_ask:
            half = len(items) // 2
            parts = [question_for("sum", items[:half]), question_for("sum", items[half:])]
            value = sum(int(a.text) for a in await ctx.ask_all(parts))
        else:
            value = sum(items)
        where = format_path(ctx.path)
        if where in self.blames:
            ctx.note(blame=self.blames[where])
        value += self.slips.get(where, 0)
        return Answer(text=str(value), data=value)


def summed(slips: dict[str, int], blames: dict[str, Any] | None = None) -> tuple[Tree, Summer]:
    agent = Summer(slips=slips, blames=blames or {})
    tree = hch.run(
        question_for("sum", ITEMS), agent, limits=Limits(max_depth=2), task="lists", truth=36
    )
    return tree, agent


def blamed(slips: dict[str, int], **options: Any) -> Blame:
    tree, agent = summed(slips)
    return blame(tree, LISTS, agent=agent, **options)


# -- hand-built trees --------------------------------------------------------------------
def test_an_error_passed_up_a_chain_is_blamed_where_it_was_born() -> None:
    found = blamed({"root.0.0": 1})
    assert found.candidates == [(0,), (0, 0)]
    assert found.single_fixes == [(0,), (0, 0)]
    assert found.minimal_sets == [((0,),), ((0, 0),)]
    assert found.decisive == [((0, 0),)]
    assert found.culprits == [(0, 0)]
    assert found.pivotality == {(0,): 0.5, (0, 0): 0.5}
    assert found.exact and not found.own and found.size == 1


def test_two_independent_errors_need_two_corrections() -> None:
    found = blamed({"root.0": 2, "root.1.1": -1})
    assert found.size == 2 and found.single_fixes == []
    assert found.minimal_sets == [((0,), (1,)), ((0,), (1, 1))]
    assert found.decisive == [((0,), (1, 1))]
    assert found.culprits == [(0,), (1, 1)]
    assert found.pivotality == {(0,): 1.0, (1,): 0.5, (1, 1): 0.5}


def test_errors_that_offset_each_other_are_blamed_together() -> None:
    found = blamed({"root.0.0": 2, "root.1.0": -1})  # the root is off by 1
    assert found.size == 2
    assert found.minimal_sets == [
        ((0,), (1,)),
        ((0,), (1, 0)),
        ((0, 0), (1,)),
        ((0, 0), (1, 0)),
    ]
    assert found.culprits == [(0, 0), (1, 0)]


def test_a_root_that_slips_on_its_own_is_its_own_culprit() -> None:
    found = blamed({"root": 3})
    assert found.candidates == [] and found.size is None and found.minimal_sets == []
    assert found.own and found.exact and found.culprits == [()]


def test_an_error_below_can_offset_the_roots_own_slip() -> None:
    found = blamed({"root": -1, "root.0.0": 1, "root.1.0": 1})  # off by +1 in all
    assert found.own  # with every child right the root is still off by -1
    assert found.size == 1
    assert found.single_fixes == [(0,), (0, 0), (1,), (1, 0)]
    assert found.decisive == [((0, 0),), ((1, 0),)]


def test_a_node_that_answered_right_has_nothing_to_blame() -> None:
    tree, agent = summed({"root.0.0": 1, "root.0.1": -1})  # offset below root.0
    with pytest.raises(ConfigError, match="did not err"):
        blame(tree, LISTS, agent=agent)
    with pytest.raises(ConfigError, match=r"no node root\.5"):
        blame(tree, LISTS, (5,), agent=agent)


def test_any_wrong_node_can_be_the_target() -> None:
    tree, agent = summed({"root.1.0": 1, "root.1.1": 1})
    found = blame(tree, LISTS, (1,), agent=agent)
    assert found.target == (1,) and found.minimal_sets == [((1, 0), (1, 1))]


def test_blame_needs_a_task_that_knows_every_nodes_truth() -> None:
    tree, agent = summed({"root.0.0": 1})
    with pytest.raises(ConfigError, match="NodeTruth and NodeChecker"):
        blame(tree, object(), agent=agent)


def test_the_search_says_when_its_bounds_cut_it_short() -> None:
    full = blamed({"root.0": 2, "root.1.1": -1})
    small = blamed({"root.0": 2, "root.1.1": -1}, max_size=1)
    assert not small.exact and small.size is None and small.searched == 1
    starved = blamed({"root.0": 2, "root.1.1": -1}, max_replays=2)
    assert not starved.exact and starved.replays == 2 and starved.searched < full.size  # type: ignore[operator]


def test_blame_lines_name_the_smallest_corrections_and_culprits() -> None:
    lines = "\n".join(explain_blame(blamed({"root.0": 2, "root.1.1": -1})))
    assert "(exact;" in lines
    assert "smallest correction that makes the root right: 2 nodes (2 such sets" in lines
    assert "    root.0 + root.1.1" in lines
    assert "culprits: root.0 (depth 1), root.1.1 (depth 2)" in lines
    assert "root.0 1.00, root.1 0.50, root.1.1 0.50" in lines


# -- against brute force -----------------------------------------------------------------
def antichains(candidates: list[Path], size: int) -> list[tuple[Path, ...]]:
    def apart(s: tuple[Path, ...]) -> bool:
        return all(a == b or b[: len(a)] != a for a in s for b in s)

    return [s for s in itertools.combinations(candidates, size) if apart(s)]


def fixes(tree: Tree, task: Any, chosen: tuple[Path, ...], corrected: bool = False) -> bool:
    """Whether correcting ``chosen`` makes the root right, by one plain replay."""
    change: dict[Path, Any] = {}
    for path in chosen:
        if corrected:  # the true answer to whatever the node is asked then
            change[path] = Corrected(task)
        else:
            truth = task.node_truth(tree[path].question)
            change[path] = Answer(text=str(truth), data=truth)
    root = hch.replay(tree, change).tree.root
    return task.check_node(root.question, root.answer) is True


def brute_force(tree: Tree, task: Any, corrected: bool = False) -> list[tuple[Path, ...]]:
    """Every smallest fixing set, trying every set of wrong nodes in turn."""
    judged = verdicts(tree, task)
    wrong = sorted(p for p, v in judged.items() if v is False and p)
    for size in range(1, len(wrong) + 1):
        found = [s for s in antichains(wrong, size) if fixes(tree, task, s, corrected)]
        if found:
            return found
    return []


def check_against_brute_force(tree: Tree, task: Any, corrected: bool = False) -> Blame:
    found = blame(tree, task)
    assert found.exact
    assert found.minimal_sets == brute_force(tree, task, corrected)
    for chosen in found.minimal_sets:  # each fixes the root, and no part of it does
        assert fixes(tree, task, chosen, corrected)
        for k in range(1, len(chosen)):
            assert not any(
                fixes(tree, task, part, corrected) for part in antichains(list(chosen), k)
            )
    assert all(0 <= share <= 1 for share in found.pivotality.values())
    assert set(found.pivotality) == set(found.candidates)
    for chosen in found.decisive:
        assert chosen in found.minimal_sets
    return found


def wrong_root(tree: Tree, task: Any) -> bool:
    return task.check_node(tree.root.question, tree.root.answer) is False


def grown(task: Any, agent: Any, depth: int, seed: int, trace: FilePath | None = None) -> Tree:
    """A tree of ``agent`` on the task's sample ``seed``, its task and truth recorded."""
    sample = task.sample(seed)
    return hch.run(
        sample.question,
        agent,
        limits=Limits(max_depth=depth),
        seed=seed,
        task=task.name,
        truth=sample.truth,
        trace=trace,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    leaves=st.integers(8, 16),
    depth=st.integers(2, 4),
    p_error=st.floats(0.1, 0.3),
)
def test_minimal_sets_match_brute_force_on_random_arithmetic_trees(
    seed: int, leaves: int, depth: int, p_error: float
) -> None:
    tree = grown(
        ArithmeticTask(leaves=leaves), NoisyCalculator(p_error=p_error, capacity=2), depth, seed
    )
    if wrong_root(tree, ARITHMETIC):
        check_against_brute_force(tree, ARITHMETIC)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), op=st.sampled_from(["sum", "sort"]))
def test_minimal_sets_match_brute_force_on_random_list_trees(seed: int, op: str) -> None:
    task = ListTask(length=12, op=op)  # type: ignore[arg-type]
    tree = grown(task, NoisyLists(p_error=0.12), 3, seed)
    if wrong_root(tree, task):
        check_against_brute_force(tree, task)


def test_lookup_blame_corrects_the_question_each_node_is_asked_then() -> None:
    """A lookup's second hop is asked about the first hop's answer: correcting the first
    changes the second's question, and a corrected second hop answers that question."""
    task = LookupTask(hops=8, people=6)
    checked = 0
    for seed in range(40):
        tree = grown(task, NoisyLookup(p_error=0.2), 3, seed)
        if wrong_root(tree, task):
            check_against_brute_force(tree, task, corrected=True)
            checked += 1
    assert checked >= 10


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), beam=st.integers(1, 3), max_size=st.integers(1, 3))
def test_bounded_search_agrees_with_the_exact_one_where_both_run(
    seed: int, beam: int, max_size: int
) -> None:
    tree = grown(ArithmeticTask(leaves=16), NoisyCalculator(p_error=0.2, capacity=2), 4, seed)
    if not wrong_root(tree, ARITHMETIC):
        return
    exact = blame(tree, ARITHMETIC)
    bounded = blame(tree, ARITHMETIC, beam=beam, max_size=max_size)
    assert exact.exact
    if bounded.exact:
        assert bounded.minimal_sets == exact.minimal_sets
        assert bounded.culprits == exact.culprits
    assert set(bounded.minimal_sets) <= set(exact.minimal_sets) or (
        bounded.size is not None and exact.size is not None and bounded.size > exact.size
    )
    for chosen in bounded.minimal_sets:  # whatever it found does fix the root
        assert fixes(tree, ARITHMETIC, chosen)
    assert exact.size is None or bounded.searched < exact.size or bounded.size == exact.size


@pytest.mark.anyio
async def test_one_blamer_serves_several_targets_on_both_backends() -> None:
    tree, agent = summed({"root.0.0": 1, "root.1.1": 2})
    blamer = Blamer(tree, LISTS, agent=agent)
    root = await blamer.blame()
    left = await blamer.blame((0,))
    assert root.culprits == [(0, 0), (1, 1)]
    assert left.culprits == [(0, 0)]
    again = await blamer.blame()
    assert again.minimal_sets == root.minimal_sets and again.replays < root.replays


@pytest.mark.anyio
async def test_a_search_cut_short_leaves_nothing_half_done_behind() -> None:
    tree, agent = summed({"root.0.0": 1})
    blamer = Blamer(tree, LISTS, agent=agent, max_replays=2)
    cut = await blamer.blame()  # stopped before the root's own replay
    assert not cut.exact and cut.size is None
    blamer.max_replays = None
    again = await blamer.blame()
    assert again.exact and again.minimal_sets == [((0,),), ((0, 0),)]


@pytest.mark.anyio
async def test_a_replayer_replays_like_replay_tree() -> None:
    tree, agent = summed({"root.0.0": 1})
    replayer = hch.Replayer(tree, agent=agent)
    change = {(0, 0): Answer(text="3", data=3)}
    for _ in range(2):  # a Replayer is reusable
        got = await replayer.run(change)
        want = await hch.replay_tree(tree, change, agent=agent)
        assert got.tree.fingerprint() == want.tree.fingerprint()
        assert (got.reused, got.rerun) == (want.reused, want.rerun)


# -- claims ------------------------------------------------------------------------------
def test_claims_are_read_by_the_convention() -> None:
    tree, _ = summed(
        {"root.0.0": 1},
        {
            "root": [0, "root.1.1", [0, 0], "nowhere", 7, True, {"x": 1}],
            "root.0": 0,
            "root.1": {"failed": 0, "blamed": 1},  # root.1.0, asked, blamed root.1.1
            "root.1.0": ["root.1"],
        },
    )
    assert blame_claims(tree) == {
        (): ([(0,), (1, 1), (0, 0)], 4),
        (0,): ([(0, 0)], 0),
        (1, 0): ([(1, 1), (1,)], 0),
    }


def test_claims_are_judged_against_counterfactual_blame() -> None:
    slips = {"root.0.0": 1, "root.1": 5}
    notes = {
        "root": [0],  # blames a child that merely passed an error on: no culprit
        "root.0": [0],  # honest: its child erred
        "root.1": [1],  # shifting: it slipped on its own
        "root.1.1": [],  # an empty claim is no claim
    }
    tree, agent = summed(slips, notes)
    judged = claimed_blame(tree, LISTS, agent=agent)
    by_path = {c.path: c for c in judged.checks}
    assert by_path[()].culprits == [(0, 0), (1,)]
    assert not by_path[()].agrees and not by_path[()].hits
    assert by_path[(0,)].agrees and by_path[(0,)].hits and not by_path[(0,)].shifts
    assert by_path[(1,)].culprits == [(1,)]
    assert by_path[(1,)].shifts and not by_path[(1,)].agrees
    rates = claim_rates([judged])
    assert (rates.claims, rates.agree, rates.hit, rates.shift) == (3, 1, 1, 1)
    share, (low, high) = rates.rate(rates.agree)
    assert share == pytest.approx(1 / 3) and low < share < high


def test_claims_at_nodes_that_did_not_err_are_counted_not_judged() -> None:
    tree, agent = summed({"root.0.0": 1}, {"root.1": [0]})
    judged = claimed_blame(tree, LISTS, agent=agent)
    assert judged.checks == [] and judged.unjudged == 1


# -- the attribution benchmark -----------------------------------------------------------
def test_attribution_baselines_name_wrong_nodes_and_are_scored_against_culprits() -> None:
    found = list(attribution.cases("arithmetic", 3))
    assert len(found) == 3
    for case in found:
        assert case.blame.exact and case.blame.culprits
        wrong = {n.path for n in attribution.wrong_nodes(case.tree)}
        for method in attribution.BASELINES.values():
            assert method(case.tree) in wrong
        assert attribution.deepest_wrong(case.tree) == max(
            wrong, key=lambda p: (len(p), -case.tree[p].end)
        )
    culprit = attribution.score(lambda t: found[0].blame.culprits[0], found[:1])
    assert (culprit.trees, culprit.node_hits, culprit.agent_hits) == (1, 1, 1)
    nobody = attribution.score(lambda t: None, found)
    assert (nobody.node_hits, nobody.agent_hits) == (0, 0)


def test_attribution_benchmark_prints_every_method_with_the_offline_grader(
    capsys: pytest.CaptureFixture[str],
) -> None:
    attribution.main(["--trees", "2", "--world", "lookup", "--world", "list sorts"])
    out = capsys.readouterr().out
    for method in [*attribution.BASELINES, "LLM grader (simulated)"]:
        for world, trees in (("lookup", 2), ("list sorts", 2), ("all", 4)):
            line = rf"^{world}\s+{re.escape(method)}\s+{trees}\s+\d\.\d\d \[.*\]\s+\d\.\d\d \["
            assert re.search(line, out, re.MULTILINE), (world, method, out)


def test_the_simulated_grader_blames_a_node_of_the_tree() -> None:
    from agents.grader import TreeGrader
    from agents.llm import LLMAgent
    from agents.server import GraderModel, ModelServer

    case = next(attribution.cases("list sorts", 1))
    with ModelServer(GraderModel(diligence=1.0, p_confused=0.0)) as server:
        grader = TreeGrader(agent=LLMAgent(model="g", base_url=server.base_url, api_key="x"))
        named = grader(case.tree)
        graded = grader.grade(case.tree)
    assert named is not None and named in {n.path for n in attribution.wrong_nodes(case.tree)}
    assert "The right final answer:" in graded.root.question.text
    assert graded.root.answer is not None and format_path(named) in graded.root.answer.text


# -- hch analyze -------------------------------------------------------------------------
def hch_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hch", *args], capture_output=True, text=True, timeout=120
    )


def test_hch_analyze_shows_the_fixes_culprits_and_pivotal_nodes(tmp_path: FilePath) -> None:
    sizes: set[int] = set()
    for seed in range(40):
        file = tmp_path / f"t{seed}.jsonl"
        tree = grown(ArithmeticTask(leaves=16), NoisyCalculator(p_error=0.1), 4, seed, file)
        if not wrong_root(tree, ARITHMETIC):
            continue
        found = blame(tree, ARITHMETIC)
        if found.size is None or found.size in sizes:
            continue
        sizes.add(found.size)
        done = hch_cli("analyze", str(file))
        assert done.returncode == 0, done.stderr
        out = done.stdout
        if found.size == 1:
            named = ", ".join(format_path(p) for p in found.single_fixes)
            assert f"corrected alone, each of these makes the root right: {named}" in out
        else:
            assert "no single node, corrected alone, makes the root right" in out
        for chosen in found.decisive:
            assert "    " + " + ".join(format_path(p) for p in chosen) in out
        assert "culprits: " + format_path(found.culprits[0]) in out
        assert "most pivotal" in out
        if sizes >= {1, 2}:
            return
    raise AssertionError(f"found trees whose smallest fixes have sizes {sizes} only")


def test_hch_analyze_says_why_a_trace_cannot_be_blamed(tmp_path: FilePath) -> None:
    tree, _ = summed({"root.0.0": 1})
    file = tmp_path / "opaque.jsonl"
    opaque = hch.Spec(kind="opaque", why="a test agent")
    header = tree.header.model_copy(update={"spec": opaque})
    hch.save(tree.model_copy(update={"header": header}), file)
    done = hch_cli("analyze", str(file))
    assert done.returncode == 0, done.stderr
    assert "no counterfactual blame: the trace cannot rebuild its agent (a test agent)" in (
        done.stdout
    )


def test_a_corrected_node_gives_the_true_answer_to_what_it_is_asked() -> None:
    question = question_for("sort", [3, 1, 2])
    assert true_answer(LISTS, question) == Answer(text="[1, 2, 3]", data=[1, 2, 3])
    assert true_answer(LISTS, Question(text="what?")) is None
    assert true_answer(object(), question) is None


# -- a study -----------------------------------------------------------------------------
class Accuser(NoisyLists):
    """A noisy list agent that always blames its first child (a leaf names nobody)."""

    async def answer(self, question: Question, ctx: Context) -> Answer:
        ctx.note(blame=[0])
        return await super().answer(question, ctx)


@experiment(grid={"depth": [2, 3]}, trials=8, seed=5)
def accusing(depth: int, seed: int) -> Trial:
    task = ListTask(length=16)
    return Trial(
        task=task,
        sample=task.sample(seed),
        agent=Accuser(p_error=0.1),
        limits=Limits(max_depth=depth),
    )


def test_hch_analyze_a_study_prints_where_culprits_sit_and_judges_claims(
    tmp_path: FilePath,
) -> None:
    run_study(accusing, tmp_path, keep_traces="all")
    rows = load_study(tmp_path)
    found = study_blame(rows, tmp_path, task_for)
    trees = [hch.load(tmp_path / row.trace) for row in rows if row.trace]
    judged = [claimed_blame(tree, LISTS) for tree in trees]
    wrong = [tree for tree in trees if wrong_root(tree, LISTS)]
    assert sum(c.wrong_roots for c in found.cells) == len(wrong) > 0
    assert sum(c.blamed for c in found.cells) == len(wrong)  # under the cap of 20 per cell
    exact = [blame(tree, LISTS) for tree in wrong]
    depths = Counter(len(p) for b in exact if b.exact for p in b.culprits)
    total: Counter[int] = Counter()
    for cell in found.cells:
        total.update(cell.culprit_depths)
    assert total == depths
    assert sum(c.claims.claims for c in found.cells) == sum(len(j.checks) for j in judged) > 0

    done = hch_cli("analyze", str(tmp_path), "--no-plots")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"counterfactual blame of {len(wrong)} of {len(wrong)} wrong roots" in out
    assert "exact culprits of wrong roots: share at node depth d" in out
    assert "corrections a wrong root needed" in out
    assert "claimed against counterfactual blame" in out
    skipped = hch_cli("analyze", str(tmp_path), "--no-plots", "--no-blame")
    assert skipped.returncode == 0 and "counterfactual blame" not in skipped.stdout
