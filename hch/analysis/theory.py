"""Closed forms the simulator must reproduce: how noise composes along chains and trees.

* A chain of ``d`` hand-offs, each flipping a bit with probability ε, is wrong with
  probability (1 − (1 − 2ε)^d) / 2.
* A tree of noisy k-input majority gates (k odd), each flipped with probability ε,
  maps an input error p to p' = ε + (1 − 2ε) P(most of k inputs wrong); for k = 3 that
  is ε + (1 − 2ε)(3p² − 2p³). The error stays below 1/2 at every depth (a stable fixed
  point below 1/2) only when ε is below 1/2 − 2^(k−2) / (k C(k−1, (k−1)/2)): 1/6 for
  k = 3 (Hajek and Weller 1991), about 0.2333 for k = 5 (Evans and Schulman 2003).
* A bit broadcast down a tree with ``b`` children per node, each copy flipped with
  probability ε, can be recovered from the leaves as the tree grows deep only when
  b(1 − 2ε)² > 1 (Kesten and Stigum 1966; Evans, Kenyon, Peres and Schulman 2000). For
  this binary symmetric channel, the majority of the leaves has the same threshold as
  the best estimator (Mossel and Peres 2003).
"""

from __future__ import annotations

import math
from functools import cache

__all__ = [
    "broadcast_majority_accuracy",
    "chain_error",
    "kesten_stigum",
    "kesten_stigum_threshold",
    "majority_error",
    "majority_fixed_point",
    "majority_step",
    "majority_threshold",
]


def chain_error(epsilon: float, hops: int) -> float:
    """Chance a bit is wrong after ``hops`` hand-offs that each flip it with ``epsilon``."""
    return (1 - (1 - 2 * epsilon) ** hops) / 2


def _odd(inputs: int) -> None:
    if inputs < 1 or inputs % 2 == 0:
        raise ValueError(f"a majority gate needs an odd number of inputs, got {inputs}")


def majority_step(p: float, epsilon: float, inputs: int = 3) -> float:
    """Error of a noisy ``inputs``-majority gate whose inputs are each wrong with ``p``."""
    _odd(inputs)
    most_wrong = sum(
        math.comb(inputs, j) * p**j * (1 - p) ** (inputs - j)
        for j in range(inputs // 2 + 1, inputs + 1)
    )
    return epsilon + (1 - 2 * epsilon) * most_wrong


def majority_error(epsilon: float, depth: int, inputs: int = 3, leaf: float | None = None) -> float:
    """Root error of a majority tree ``depth`` gates tall above leaves wrong with ``leaf``.

    ``leaf`` defaults to ``epsilon``: each leaf is a gate reading the truth, flipped
    with the same chance.
    """
    p = epsilon if leaf is None else leaf
    for _ in range(depth):
        p = majority_step(p, epsilon, inputs)
    return p


def majority_threshold(inputs: int = 3) -> float:
    """The gate noise above which a deep majority tree forgets its input (1/6 for 3)."""
    _odd(inputs)
    half = (inputs - 1) // 2
    slope = inputs * math.comb(inputs - 1, half) / 2 ** (inputs - 1)  # of P(most wrong) at 1/2
    return (1 - 1 / slope) / 2


def majority_fixed_point(epsilon: float, inputs: int = 3) -> float:
    """The error a deep majority tree settles at: the smallest fixed point of the step.

    It is below 1/2 (and stable) only when ``epsilon`` is below ``majority_threshold``;
    at or above it the error tends to 1/2.
    """
    if epsilon >= majority_threshold(inputs):
        return 0.5
    p = 0.0
    for _ in range(1_000_000):  # the step is increasing, so this climbs to the fixed point
        nxt = majority_step(p, epsilon, inputs)
        if abs(nxt - p) < 1e-14:
            return nxt
        p = nxt
    return p


def kesten_stigum(fanout: int, epsilon: float) -> float:
    """b(1 − 2ε)²: above 1 the root's bit can be recovered from deep leaves, below not."""
    return fanout * (1 - 2 * epsilon) ** 2


def kesten_stigum_threshold(fanout: int) -> float:
    """The flip chance at which b(1 − 2ε)² = 1 (about 0.146 for two children)."""
    return (1 - 1 / math.sqrt(fanout)) / 2


def broadcast_majority_accuracy(epsilon: float, depth: int, fanout: int = 2) -> float:
    """Chance the majority of the leaves names the root's bit (a tie is a coin toss).

    The bit goes down ``depth`` levels, each node passing a copy to each of its
    ``fanout`` children, flipped with ``epsilon``. Exact: the distribution of the count
    of leaves that hold the root's bit is built level by level.
    """
    ones = _leaves_holding(epsilon, depth, fanout)
    leaves = len(ones) - 1
    right = sum(ones[k] for k in range(leaves + 1) if 2 * k > leaves)
    tie = ones[leaves // 2] if leaves % 2 == 0 else 0.0
    return right + tie / 2


@cache
def _leaves_holding(epsilon: float, depth: int, fanout: int) -> tuple[float, ...]:
    """P(k of the leaves hold the root's bit), k = 0..fanout^depth; one level on the last."""
    if depth == 0:
        return (0.0, 1.0)  # the root is the one leaf, and holds its bit
    above = _leaves_holding(epsilon, depth - 1, fanout)
    # a child's subtree: its copy kept (counts as above) or flipped (counts reversed)
    copy = [(1 - epsilon) * a + epsilon * b for a, b in zip(above, reversed(above), strict=True)]
    below = [1.0]
    for _ in range(fanout):
        below = _convolve(below, copy)
    return tuple(below)


def _convolve(a: list[float], b: list[float]) -> list[float]:
    out = [0.0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out
