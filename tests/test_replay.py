"""Replay from a trace alone, counterfactual interventions, and what they cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hch
from agents.llm import LLMAgent, RetryPolicy
from agents.server import Faults, ModelServer, SimulatedModel
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import CUT, Answer, ConfigError, Limits, ModelCall, NotRecorded, Status, Tree
from tests.test_properties import ACTIONS, Chaos, limits_strategy

TASK = ArithmeticTask(leaves=32)
FAST = RetryPolicy(attempts=4, initial=0.001, jitter=0.001, max_wait=0.02, total=10)


def recorded(seed: int = 3, depth: int = 5, p_error: float = 0.05) -> Tree:
    sample = TASK.sample(seed)
    return hch.run(
        sample.question,
        NoisyCalculator(p_error=p_error),
        limits=Limits(max_depth=depth),
        seed=seed,
        task="arithmetic",
        truth=sample.truth,
    )


def test_a_replay_with_no_intervention_is_the_recording_and_runs_nothing() -> None:
    rec = recorded()
    same = hch.replay(rec)
    assert same.tree.fingerprint() == rec.fingerprint()
    assert (same.reused, same.rerun, same.model_calls) == (len(rec), 0, 0)
    assert same.diff.identical and not same.diff.root_changed


def test_rerunning_every_node_from_the_trace_file_gives_the_recording(tmp_path: Path) -> None:
    rec = recorded()
    hch.save(rec, tmp_path / "rec.jsonl")
    again = hch.replay(tmp_path / "rec.jsonl", rerun=True)  # the agent rebuilt from the header
    assert again.tree.fingerprint() == rec.fingerprint()
    assert again.rerun == len(rec) and again.reused == 0


def leaf_of(tree: Tree) -> tuple[int, ...]:
    return max((n.path for n in tree if not n.n_children), key=len)


def test_a_leaf_intervention_reruns_only_its_ancestors() -> None:
    rec = recorded()
    leaf = leaf_of(rec)
    forced = Answer(text=str(int(rec[leaf].answer.text) + 1000))  # type: ignore[union-attr]
    cf = hch.replay(rec, {leaf: forced})
    assert cf.rerun == len(leaf) + 1  # the leaf and each ancestor
    assert cf.reused == len(rec) - len(leaf) - 1
    assert cf.tree[leaf].answer == forced
    assert cf.diff.root_changed
    changed = {c.path for c in cf.diff.changes}
    assert changed <= {leaf[:k] for k in range(len(leaf) + 1)}  # only on the way up
    assert cf.tree.header.interventions == [hch.Intervention(path=leaf, answer=forced)]


def test_the_same_counterfactual_from_replay_and_from_a_fresh_run_agree() -> None:
    rec = recorded()
    leaf = leaf_of(rec)
    forced = Answer(text="7")
    cf = hch.replay(rec, {leaf: forced})
    fresh = hch.run(
        rec.header.question,
        NoisyCalculator(p_error=0.05),
        limits=rec.header.limits,
        seed=rec.header.seed,
        task="arithmetic",
        truth=rec.header.truth,
        interventions={leaf: forced},
    )
    assert cf.tree.fingerprint() == fresh.fingerprint()


def test_interventions_at_the_root_cut_and_another_agent() -> None:
    rec = recorded(p_error=0.3)
    at_root = hch.replay(rec, {(): Answer(text="0")})
    assert len(at_root.tree) == 1 and at_root.tree.root.answer == Answer(text="0")
    cut = hch.replay(rec, {(0,): CUT})
    assert cut.tree[(0,)].n_children == 0 and (0, 0) not in cut.tree
    assert cut.tree[(1,)] == rec[(1,)]  # the sibling subtree is reused as it was
    honest = hch.replay(rec, {(1,): NoisyCalculator(p_error=0.0)})
    assert all(TASK.check_node(n.question, n.answer) for n in honest.tree if n.path[:1] == (1,))  # type: ignore[arg-type]
    assert honest.tree.header.interventions[0].agent is not None


def test_an_intervention_at_a_missing_path_names_the_nearest_node() -> None:
    rec = recorded(depth=2)
    with pytest.raises(
        ConfigError, match=r"no node root\.0\.0\.5\.1 .* nearest recorded node is root\.0\.0"
    ):
        hch.replay(rec, {(0, 0, 5, 1): Answer(text="1")})
    with pytest.raises(ConfigError, match="not a node path"):
        hch.replay(rec, {"root.x": Answer(text="1")})


def test_a_closure_agent_cannot_be_rebuilt_and_the_error_says_how_to_pass_it() -> None:
    def make() -> object:
        async def closure(question: hch.Question, ctx: hch.Context) -> str:
            return "x" if not ctx.can_ask else (await ctx.ask("y")).text

        return closure

    rec = hch.run("q", make(), limits=Limits(max_depth=1))  # type: ignore[arg-type]
    assert rec.header.spec.kind == "opaque"
    assert hch.replay(rec).tree.fingerprint() == rec.fingerprint()  # nothing must run
    with pytest.raises(ConfigError, match=r"cannot rebuild its agent .* agent="):
        hch.replay(rec, {(0,): Answer(text="z")})
    given_agent = hch.replay(rec, {(0,): Answer(text="z")}, agent=make())
    assert given_agent.tree.root.answer == Answer(text="z")


def test_a_version_1_trace_replays_when_given_its_agent(tmp_path: Path) -> None:
    rec = recorded(depth=2)
    lines = hch_lines(rec, tmp_path)
    head = json.loads(lines[0])
    head["hch_trace"] = 1
    head["header"]["schema_version"] = 1
    del head["header"]["spec"], head["header"]["interventions"]
    old = tmp_path / "v1.jsonl"
    old.write_text("\n".join([json.dumps(head), *lines[1:]]))
    loaded = hch.load(old)
    assert loaded.header.spec.kind == "opaque"
    again = hch.replay(old, rerun=True, agent=NoisyCalculator(p_error=0.05))
    assert [n.answer for n in again.tree] == [n.answer for n in rec]


def hch_lines(tree: Tree, folder: Path) -> list[str]:
    hch.save(tree, folder / "t.jsonl")
    return (folder / "t.jsonl").read_text().splitlines()


@settings(max_examples=20, deadline=None)
@given(
    weights=st.tuples(*(st.integers(0, 4) for _ in ACTIONS)).filter(any),
    limits=limits_strategy,
    seed=st.integers(0, 2**32),
    backend=st.sampled_from(["asyncio", "trio"]),
    forced=st.booleans(),
)
def test_replay_is_exact_for_random_trees(
    weights: tuple[int, ...], limits: Limits, seed: int, backend: str, forced: bool
) -> None:
    """Failed, limited and timed-out nodes, follow-ups and recorded interventions alike."""
    limits = limits.model_copy(update={"node_timeout": 0.05})
    agent = Chaos(weights)
    first = hch.run("q", agent, limits=limits, seed=seed)
    interventions = {first.nodes[-1].path: Answer(text="forced")} if forced else {}
    rec = hch.run("q", agent, limits=limits, seed=seed, interventions=interventions)
    again = hch.replay(rec, rerun=True, backend=backend)
    assert again.tree.fingerprint() == rec.fingerprint()
    assert hch.replay(rec, backend=backend).tree.fingerprint() == rec.fingerprint()


def llm(url: str) -> LLMAgent:
    return LLMAgent(model="sim", base_url=url, api_key="sk-test", retry=FAST)


@pytest.fixture
def llm_recording(tmp_path: Path) -> tuple[Tree, Path]:
    """An LLM tree recorded against a server with retried faults; the server is gone after."""
    sample = ArithmeticTask(leaves=8).sample(5)
    trace = tmp_path / "llm.jsonl"
    faults = Faults(p_500=0.2, seed=1)
    with ModelServer(SimulatedModel(p_error=0.2), faults) as server:
        rec = hch.run(
            sample.question, llm(server.base_url), limits=Limits(max_depth=3), trace=trace
        )
    calls = [e for n in rec for e in n.events if isinstance(e, ModelCall)]
    assert any(c.error for c in calls) and rec.root.status is Status.OK
    return rec, trace


def test_an_llm_tree_replays_exactly_with_its_server_stopped(
    llm_recording: tuple[Tree, Path],
) -> None:
    rec, trace = llm_recording
    again = hch.replay(trace, rerun=True)  # the agent rebuilt; its URL now refuses connections
    assert again.tree.fingerprint() == rec.fingerprint()  # failed attempts and latencies too
    assert again.model_calls == 0
    elsewhere = hch.replay(trace, rerun=True, agent=llm("http://127.0.0.1:9/v1"))
    assert [n.events for n in elsewhere.tree] == [n.events for n in rec]


def test_an_llm_counterfactual_calls_the_model_only_above_the_change(
    llm_recording: tuple[Tree, Path],
) -> None:
    rec, trace = llm_recording
    leaf = leaf_of(rec)
    with pytest.raises(NotRecorded, match=r"node root.* the recording has no call"):
        hch.replay(trace, {leaf: Answer(text="1000")})
    with ModelServer(SimulatedModel(p_error=0.2)) as server:
        cf = hch.replay(trace, {leaf: Answer(text="1000")}, live=True, agent=llm(server.base_url))
        requests = server.requests
    assert cf.model_calls == requests > 0
    ancestors = {leaf[:k] for k in range(len(leaf))}

    def made_anew(path: tuple[int, ...]) -> bool:
        old = [e for e in rec[path].events if isinstance(e, ModelCall)]
        return any(e not in old for e in cf.tree[path].events if isinstance(e, ModelCall))

    new = {n.path for n in cf.tree if n.path in rec and made_anew(n.path)}
    assert new and new <= ancestors


def test_hch_replay_replays_a_study_trace_with_no_other_argument(tmp_path: Path) -> None:
    out = tmp_path / "study"
    hch_cli(
        "study",
        "experiments/depth_vs_quality.py",
        "--out",
        str(out),
        "-p",
        "depth=3",
        "-p",
        "p_error=0.005",
        "--trials",
        "1",
        "--quiet",
        "--no-plots",
    )
    (trace,) = out.glob("traces/*/*.jsonl")
    done = hch_cli("replay", str(trace), "--rerun", "--json")
    summary = json.loads(done.stdout)
    assert summary["rerun"] == summary["nodes"] == 15 and not summary["root_changed"]
    changed = hch_cli("replay", str(trace), "--set", "root.0=1000000", check=False)
    assert changed.returncode == 1 and "the root changed" in changed.stdout
    missing = hch_cli("replay", str(trace), "--cut", "root.7", check=False)
    assert missing.returncode == 2 and "no node root.7" in missing.stderr
    assert "Traceback" not in missing.stderr


def hch_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "hch", *args], capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done
