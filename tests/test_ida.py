"""IDA across epochs (``hch.ida``): the loop, its records, resuming, placement, and the
fixed point a simulated run converges to (``agents.distill``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from agents.distill import (
    FallibleDistiller,
    calculator_fixed_point,
    calculator_tree_error,
    fit_p_error,
)
from agents.simulated import NoisyCalculator
from experiments.ida_epochs import DEPTH, STUDENT, TASK, distiller, trial
from hch import ConfigError, Question, StudyMismatch, load
from hch.ida import (
    EPOCHS_FILE,
    Distilled,
    EpochOutcome,
    EpochRecord,
    Proportion,
    epoch_directory,
    placed,
    read_epochs,
    run_ida,
)
from hch.stats import wilson_interval
from hch.study import load as load_rows

Z999 = 3.2905
"""z of a two-sided 99.9% interval."""


def base_agent(d: FallibleDistiller) -> object:
    return d.agent(STUDENT.p_error, d.meme_rate)


def test_perfect_fidelity_without_memes_converges_to_the_stated_fixed_point(
    tmp_path: Path,
) -> None:
    d = distiller(fidelity=1.0)
    records = run_ida(trial, base_agent(d), d, tmp_path, epochs=6, trials=1000, seed=3)
    e_star = calculator_fixed_point(STUDENT, TASK.leaves, DEPTH)
    assert 0.05 < e_star < 0.15  # a real fixed point, not 0 or 1/2

    # Every epoch's trees err as the closed form says for the agent they used.
    agent = STUDENT
    for r in records:
        low, high = wilson_interval(r.accuracy.hits, r.accuracy.n, z=Z999)
        assert low <= 1 - calculator_tree_error(agent, TASK.leaves, DEPTH) <= high, r.epoch
        agent = STUDENT.model_copy(update={"p_error": r.fitted["p_error"]})

    # It starts far from the fixed point and ends at it.
    first, last = records[0], records[-2:]
    assert first.accuracy.high < 1 - e_star
    right, n = sum(r.accuracy.hits for r in last), sum(r.accuracy.n for r in last)
    low, high = wilson_interval(right, n, z=Z999)
    assert low <= 1 - e_star <= high
    errors = [r.fitted["error"] for r in records]
    assert abs(errors[-1] - e_star) < abs(errors[0] - e_star) / 5


@given(
    p=st.floats(0.0, 0.05),
    capacity=st.floats(0.5, 64),
    ops=st.integers(1, 200),
)
def test_fitting_inverts_the_solo_error_law(p: float, capacity: float, ops: int) -> None:
    agent = NoisyCalculator(p_error=p, capacity=capacity)
    right = (1 - agent.solo_rate(ops)) ** ops
    assume(right > 1e-6)  # a saturated law (every answer wrong) has no inverse
    error = 1 - right
    assert fit_p_error(error, ops, capacity) == pytest.approx(p, rel=1e-6, abs=1e-12)


@given(f=st.floats(0, 1), e=st.floats(0.0, 0.9))
def test_the_fixed_point_is_fixed(f: float, e: float) -> None:
    student = STUDENT.model_copy(update={"p_error": fit_p_error(e, TASK.leaves - 1, 4.0)})
    star = calculator_fixed_point(student, TASK.leaves, DEPTH, fidelity=f)
    again = student.model_copy(
        update={"p_error": fit_p_error(star, TASK.leaves - 1, student.capacity)}
    )
    step = f * calculator_tree_error(again, TASK.leaves, DEPTH) + (1 - f) * e
    assert step == pytest.approx(star, abs=1e-9)


def _outcome(right: int, wrong: int, captured: int) -> EpochOutcome:
    from hch.analysis.memes import MemeCounts
    from hch.study import ResultRow, Results

    def row(i: int, correct: bool, capture: bool) -> ResultRow:
        memes = {"memes": {"captured": int(capture)}}
        return ResultRow(
            study="s", params={}, trial=i, seed=i, correct=correct, status="ok", metrics=memes
        )

    rows = [row(i, True, False) for i in range(right)]
    rows += [row(right + i, False, False) for i in range(wrong)]
    rows += [row(right + wrong + i, False, True) for i in range(captured)]
    n = len(rows)
    return EpochOutcome(
        epoch=1,
        agent=STUDENT,
        accuracy=Proportion.of(right, n),
        capture=Proportion.of(captured, n),
        memes=MemeCounts(trees=n, captured=captured),
        rows=Results(rows),
        directory=Path("."),
    )


@given(
    f=st.floats(0, 1),
    inherit=st.floats(0, 2),
    rate=st.floats(0, 1),
    counts=st.tuples(st.integers(1, 50), st.integers(0, 50), st.integers(0, 50)),
)
def test_the_distilled_agent_mixes_tree_and_student_by_fidelity(
    f: float, inherit: float, rate: float, counts: tuple[int, int, int]
) -> None:
    right, wrong, captured = counts
    d = distiller(fidelity=f, meme_rate=rate, inheritance=inherit)
    made = d.distill(_outcome(right, wrong, captured))
    student_error = 1 - (1 - STUDENT.solo_rate(15)) ** 15
    tree_error = wrong / (right + wrong)  # captured roots teach memes, not errors
    assert made.fitted["error"] == pytest.approx(f * tree_error + (1 - f) * student_error)
    assert made.fitted["p_error"] == pytest.approx(fit_p_error(made.fitted["error"], 15, 4.0))
    capture = captured / (right + wrong + captured)
    births = min(1.0, f * inherit * capture + (1 - f) * rate)
    assert (d.meme is None) == (rate == 0)  # the study's distiller: a meme only with a rate
    if d.meme is None:
        births = 0.0
    assert made.fitted["meme_rate"] == pytest.approx(births)
    assert made.fitted["p_handoff"] == STUDENT.p_handoff


def test_memes_compound_when_inherited_and_die_out_when_not(tmp_path: Path) -> None:
    kept = distiller(fidelity=1.0, meme_rate=0.03, inheritance=1.0, persuasiveness=0.8)
    up = run_ida(trial, base_agent(kept), kept, tmp_path / "up", epochs=3, trials=300)
    assert up[0].capture.high < up[-1].capture.low  # capture grows epoch on epoch
    assert up[0].accuracy.low > up[-1].accuracy.high  # and costs answers (mode replace)
    lost = kept.model_copy(update={"inheritance": 0.0})
    down = run_ida(trial, base_agent(lost), lost, tmp_path / "down", epochs=2, trials=300)
    assert down[0].capture == up[0].capture  # the same first epoch
    assert down[0].fitted["meme_rate"] == 0
    assert down[1].capture.hits == 0


class Named(FallibleDistiller):
    """Names each distilled agent after its epoch, so a trace shows who sat where."""

    def distill(self, outcome: EpochOutcome) -> Distilled:
        made = super().distill(outcome)
        assert isinstance(made.agent, NoisyCalculator)
        name = f"epoch-{outcome.epoch}"
        return Distilled(agent=made.agent.model_copy(update={"name": name}), fitted=made.fitted)


@given(k=st.integers(1, 8), depth=st.integers(0, 12))
def test_ladder_puts_newer_agents_nearer_the_root(k: int, depth: int) -> None:
    agents = [NoisyCalculator(name=f"a{i}") for i in range(k)]
    policy = placed(agents, "ladder")
    assert policy(depth, (0,) * depth) is agents[max(0, k - 1 - depth)]  # type: ignore[operator]
    assert placed(agents, "latest") is agents[-1]


def test_a_ladder_run_places_each_epochs_agent_at_its_depth(tmp_path: Path) -> None:
    d = Named(student=STUDENT.model_copy(update={"name": "base"}), ops=15)
    records = run_ida(
        trial, d.student, d, tmp_path, epochs=3, trials=4, placement="ladder", keep_traces="all"
    )
    assert [r.agent for r in records] == ["base", "epoch-1", "epoch-2"]
    traces = sorted((tmp_path / epoch_directory(3) / "traces").rglob("*.jsonl"))
    assert len(traces) == 4
    for file in traces:
        names = {(n.depth, n.agent) for n in load(file)}
        assert names == {(0, "epoch-2"), (1, "epoch-1"), (2, "base")}


def test_same_seed_same_records_on_asyncio_and_trio(tmp_path: Path, anyio_backend: str) -> None:
    d = distiller(fidelity=0.8, meme_rate=0.05)
    here = run_ida(
        trial, base_agent(d), d, tmp_path / "a", epochs=2, trials=40, backend=anyio_backend
    )
    other = "trio" if anyio_backend == "asyncio" else "asyncio"
    there = run_ida(trial, base_agent(d), d, tmp_path / "b", epochs=2, trials=40, backend=other)
    assert here == there
    assert read_epochs(tmp_path / "a") == here
    again = run_ida(trial, base_agent(d), d, tmp_path / "c", epochs=2, trials=40, seed=1)
    assert again != here


def test_a_killed_run_resumes_to_the_same_records(tmp_path: Path) -> None:
    d = distiller(fidelity=0.9, meme_rate=0.02)
    whole = run_ida(trial, base_agent(d), d, tmp_path / "whole", epochs=3, trials=30)

    cut = tmp_path / "cut"
    run_ida(trial, base_agent(d), d, cut, epochs=3, trials=30)
    # As if killed in epoch 2: half its rows (the last one cut mid-line), no epoch 2 or 3.
    results = cut / epoch_directory(2) / "results.jsonl"
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:15]) + lines[15][:20])
    first = (cut / EPOCHS_FILE).read_text().splitlines(keepends=True)[0]
    (cut / EPOCHS_FILE).write_text(first)
    for later in (cut / epoch_directory(3)).iterdir():
        if later.is_file():
            later.unlink()

    assert run_ida(trial, base_agent(d), d, cut, epochs=3, trials=30) == whole
    assert len(load_rows(cut / epoch_directory(2))) == 30  # each tree once

    more = run_ida(trial, base_agent(d), d, cut, epochs=4, trials=30)
    assert more[:3] == whole and len(read_epochs(cut)) == 4


def test_resuming_with_another_distiller_is_refused(tmp_path: Path) -> None:
    d = distiller(fidelity=1.0)
    run_ida(trial, base_agent(d), d, tmp_path, epochs=1, trials=10)
    other = distiller(fidelity=0.5)
    with pytest.raises(StudyMismatch, match="epoch 1 gave another distilled"):
        run_ida(trial, base_agent(other), other, tmp_path, epochs=1, trials=10)


def test_records_are_jsonl_with_intervals(tmp_path: Path) -> None:
    d = distiller()
    (record,) = run_ida(trial, base_agent(d), d, tmp_path, epochs=1, trials=20)
    stored = json.loads((tmp_path / EPOCHS_FILE).read_text())
    assert EpochRecord.model_validate(stored) == record
    acc = stored["accuracy"]
    assert acc["low"] <= acc["value"] <= acc["high"] and acc["n"] == 20
    assert stored["policy"]["kind"] == "object" and stored["distilled"]["params"]["p_error"] > 0
    assert record.nodes == 7 and record.directory == epoch_directory(1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs and trials must be >= 1"),
        ({"trials": 0}, "epochs and trials must be >= 1"),
        ({"placement": "sideways"}, "placement must be one of latest, ladder"),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    d = distiller()
    args: dict[str, object] = {"epochs": 1, "trials": 1, **kwargs}
    with pytest.raises(ConfigError, match=message):
        run_ida(trial, base_agent(d), d, tmp_path, **args)  # type: ignore[arg-type]
    assert not (tmp_path / EPOCHS_FILE).exists()


def test_an_agent_of_another_task_fails_its_trees_not_the_run(tmp_path: Path) -> None:
    d = distiller()

    def lookup(agent: object, seed: int) -> object:
        from hch.study import Trial

        return Trial(question=Question(text="who is Ada's mother?"), truth="x", agent=agent)

    (record,) = run_ida(lookup, base_agent(d), d, tmp_path, epochs=1, trials=5)  # type: ignore[arg-type]
    assert record.failed == 5 and record.accuracy.hits == 0


def test_the_public_names_are_listed_sorted() -> None:
    import hch.ida

    public = {n for n in vars(hch.ida) if not n.startswith("_")}
    assert hch.ida.__all__ == sorted(hch.ida.__all__, key=lambda n: (not n.isupper(), n))
    assert set(hch.ida.__all__) == public
