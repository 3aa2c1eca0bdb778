"""The simulator against theory: noise on chains, up majority trees, down broadcasts.

Each experiment of ``experiments/noisy_trees.py`` runs through the real engine with a
few hundred trees per grid point; every measured root error must fall in the binomial
interval of the closed form (``hch.analysis.theory``), at a confidence that keeps the
whole test's chance of a false alarm under 0.1% (Bonferroni over its grid points).
The closed forms themselves are checked against brute force and known thresholds.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from statistics import NormalDist

import pytest

from agents.binary import NoisyMajority
from experiments import noisy_trees
from experiments.tasks.bits import BitTask
from hch import Limits
from hch.analysis import (
    broadcast_majority_accuracy,
    chain_error,
    kesten_stigum,
    kesten_stigum_threshold,
    majority_error,
    majority_fixed_point,
    majority_step,
    majority_threshold,
)
from hch.stats import binomial_interval
from hch.study import Results, Trial, experiment, run_study

BITS = BitTask()


def _z(comparisons: int, alpha: float = 0.001) -> float:
    """Two-sided z for a family-wise false-alarm chance ``alpha`` over ``comparisons``."""
    return NormalDist().inv_cdf(1 - alpha / (2 * comparisons))


def _errors(rows: Results) -> dict[tuple[object, ...], tuple[float, int]]:
    """Grid point (its values in order) -> (share of wrong roots, trees)."""
    cells: dict[tuple[object, ...], list[bool]] = {}
    for row in rows:
        assert row.status == "ok"
        cells.setdefault(tuple(row.params.values()), []).append(row.correct is not True)
    return {k: (sum(v) / len(v), len(v)) for k, v in cells.items()}


def _assert_matches(measured: dict[tuple[object, ...], tuple[float, int]], theory: dict) -> None:  # type: ignore[type-arg]
    z = _z(len(measured))
    assert measured.keys() == theory.keys()
    for key, (observed, n) in measured.items():
        low, high = binomial_interval(theory[key], n, z=z)
        assert low <= observed <= high, (key, observed, theory[key], (low, high))


def test_a_chain_of_hand_offs_is_wrong_with_the_closed_form(tmp_path: Path) -> None:
    rows = run_study(
        noisy_trees.chain,
        tmp_path,
        params={"epsilon": [0.05, 0.2], "hops": [1, 3, 8]},
        trials=400,
        keep_traces="none",
    )
    assert {r.nodes - r.params["hops"] for r in rows} == {1}  # d hand-offs: d + 1 nodes
    measured = _errors(rows)
    _assert_matches(measured, {(e, d): chain_error(e, d) for e, d in measured})


@pytest.mark.parametrize(("inputs", "below", "above"), [(3, 0.1, 0.2), (5, 0.2, 0.27)])
def test_majority_trees_follow_the_recursion_on_both_sides_of_the_threshold(
    tmp_path: Path, inputs: int, below: float, above: float
) -> None:
    threshold = majority_threshold(inputs)
    assert below < threshold < above
    depths = [1, 3] if inputs == 3 else [1, 2]
    rows = run_study(
        noisy_trees.majority,
        tmp_path,
        params={"inputs": inputs, "epsilon": [below, above], "depth": depths},
        trials=400,
        keep_traces="none",
    )
    measured = _errors(rows)
    _assert_matches(measured, {(k, e, d): majority_error(e, d, k) for k, e, d in measured})
    # below the threshold the error settles under 1/2; above it, it climbs toward 1/2
    assert majority_fixed_point(below, inputs) < 0.5 == majority_fixed_point(above, inputs)
    assert majority_error(below, 200, inputs) == pytest.approx(majority_fixed_point(below, inputs))
    assert majority_error(above, 2000, inputs) > 0.49


@experiment(grid={"inputs": [3], "epsilon": [0.1], "depth": [2]}, trials=400)
def settled(inputs: int, epsilon: float, depth: int, seed: int) -> Trial:
    """Leaves already wrong at the fixed point's rate: the error should stay there."""
    leaf = majority_fixed_point(epsilon, inputs)
    agent = NoisyMajority(epsilon=epsilon, inputs=inputs, p_leaf=leaf)
    return Trial(task=BITS, sample=BITS.sample(seed), agent=agent, limits=Limits(max_depth=depth))


def test_below_the_threshold_the_fixed_point_is_where_the_error_stays(tmp_path: Path) -> None:
    grid = {"inputs": [3, 5], "epsilon": [0.1, 0.2], "depth": [2]}
    rows = run_study(settled, tmp_path, params=grid, trials=400, keep_traces="none")
    measured = _errors(rows)
    theory = {
        (k, e, d): majority_fixed_point(e, k) for k, e, d in measured if e < majority_threshold(k)
    }
    _assert_matches({key: measured[key] for key in theory}, theory)


def test_majority_closed_forms() -> None:
    assert majority_threshold(3) == pytest.approx(1 / 6)
    assert majority_threshold(5) == pytest.approx(0.2333, abs=5e-5)
    for p, eps in itertools.product([0.0, 0.1, 0.3, 0.5], [0.0, 0.05, 0.2]):
        assert majority_step(p, eps) == pytest.approx(eps + (1 - 2 * eps) * (3 * p * p - 2 * p**3))
    for eps in (0.01, 0.05, 0.1, 0.15, 0.16):
        # the 3-input fixed point in closed form, and its stability (slope below 1)
        exact = (1 - math.sqrt((1 - 6 * eps) / (1 - 2 * eps))) / 2
        fixed = majority_fixed_point(eps)
        assert fixed == pytest.approx(exact, abs=1e-6)
        h = 1e-6
        slope = (majority_step(fixed + h, eps) - majority_step(fixed - h, eps)) / (2 * h)
        assert slope < 1
    for inputs in (3, 5, 7):
        threshold = majority_threshold(inputs)
        assert majority_fixed_point(threshold * 0.98, inputs) < 0.5
        assert majority_fixed_point(threshold * 1.02, inputs) == 0.5
    with pytest.raises(ValueError, match="odd"):
        majority_step(0.1, 0.1, inputs=4)


def test_broadcast_majority_of_leaves_follows_the_exact_law(tmp_path: Path) -> None:
    below, above = 0.08, 0.25  # b(1 - 2e)^2 = 1.41 and 0.5 for two children
    assert kesten_stigum(2, below) > 1 > kesten_stigum(2, above)
    rows = run_study(
        noisy_trees.broadcast,
        tmp_path,
        params={"fanout": 2, "epsilon": [below, above], "depth": [1, 3, 5]},
        trials=300,
        keep_traces="none",
    )
    measured = _errors(rows)
    _assert_matches(
        measured,
        {(b, e, d): 1 - broadcast_majority_accuracy(e, d, b) for b, e, d in measured},
    )


def _brute_broadcast(epsilon: float, depth: int, fanout: int) -> float:
    """Majority-of-leaves accuracy by summing over every pattern of flipped copies."""
    edges = sum(fanout**level for level in range(1, depth + 1))
    total = 0.0
    for flips in itertools.product([0, 1], repeat=edges):
        p = math.prod(epsilon if f else 1 - epsilon for f in flips)
        bits, i = [1], 0
        for _ in range(depth):
            nxt = []
            for bit in bits:
                for _ in range(fanout):
                    nxt.append(bit ^ flips[i])
                    i += 1
            bits = nxt
        ones = sum(bits)
        total += p * (1.0 if 2 * ones > len(bits) else 0.5 if 2 * ones == len(bits) else 0.0)
    return total


def test_broadcast_closed_forms() -> None:
    for eps, depth, fanout in [(0.1, 1, 2), (0.2, 2, 2), (0.3, 2, 2), (0.15, 1, 3), (0.1, 2, 3)]:
        exact = _brute_broadcast(eps, depth, fanout)
        assert broadcast_majority_accuracy(eps, depth, fanout) == pytest.approx(exact)
    assert broadcast_majority_accuracy(0.3, 0) == 1.0
    for fanout in (2, 3, 5):
        threshold = kesten_stigum_threshold(fanout)
        assert kesten_stigum(fanout, threshold) == pytest.approx(1)
    assert kesten_stigum_threshold(2) == pytest.approx(0.1464, abs=5e-5)

    # what "recoverable" means: below the bound the margin over a coin toss shrinks by
    # at least sqrt(b(1 - 2e)^2) < 1 per level, so it vanishes; above it, the shrinking
    # slows level by level toward no shrinking at all, and a margin is left at any depth
    for fanout, recoverable, lost, deepest in [(2, 0.1, 0.2, 11), (3, 0.17, 0.25, 7)]:
        assert kesten_stigum(fanout, recoverable) > 1 > kesten_stigum(fanout, lost)
        kept = _ratios(recoverable, fanout, deepest)
        assert kept == sorted(kept) and kept[-1] > 0.97
        shrunk = _ratios(lost, fanout, deepest)
        assert max(shrunk) <= math.sqrt(kesten_stigum(fanout, lost))


def _ratios(epsilon: float, fanout: int, deepest: int) -> list[float]:
    """Margin over a coin toss at each depth from 2 on, over the one a level above."""
    margin = [broadcast_majority_accuracy(epsilon, d, fanout) - 0.5 for d in range(1, deepest)]
    return [deeper / deep for deep, deeper in itertools.pairwise(margin)]


def test_chain_closed_form() -> None:
    for eps, hops in itertools.product([0.0, 0.1, 0.5], [0, 1, 5]):
        # the chance of an odd number of flips among the hand-offs
        odd = sum(
            math.comb(hops, k) * eps**k * (1 - eps) ** (hops - k) for k in range(1, hops + 1, 2)
        )
        assert chain_error(eps, hops) == pytest.approx(odd)


def test_the_ready_study_reports_each_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert noisy_trees.main(["--out", str(tmp_path), "--trials", "3", "--quiet"]) == 0
    ran = capsys.readouterr().out
    for name in ("chain", "majority", "broadcast"):
        assert f"{name}: root error, measured (95% CI) against theory" in ran
        for suffix in ("png", "svg"):
            assert (tmp_path / "plots" / f"theory_{name}.{suffix}").stat().st_size > 1000
    assert "3-input majority: threshold ε = 0.1667" in ran
    assert "5-input majority: threshold ε = 0.2333" in ran
    assert "ε = 0.1: error settles at 0.1464 < 1/2" in ran and "ε = 0.27: error tends to 1/2" in ran
    assert "fanout 2: Kesten–Stigum threshold ε = 0.1464" in ran
    assert "ε = 0.1: b(1 − 2ε)² = 1.280: recoverable at any depth" in ran
    assert "ε = 0.2: b(1 − 2ε)² = 0.720: lost as depth grows" in ran
    # the report again from what is stored, running nothing
    assert noisy_trees.main(["--out", str(tmp_path), "--report"]) == 0
    assert capsys.readouterr().out == ran
    assert noisy_trees.main(["--out", str(tmp_path / "empty"), "--report"]) == 2
    assert "run without --report first" in capsys.readouterr().err
