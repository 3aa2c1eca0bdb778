"""A simulated distiller: the next epoch's agent imitates the amplified tree, imperfectly.

``FallibleDistiller`` fits the error law of ``agents.noise`` to what an epoch's trees
achieved (``hch.ida.run_ida`` calls it after every epoch). The distilled agent is the
fresh student (any ``Fallible`` agent: its ``capacity``, ``p_handoff`` and ``max_slip``
are kept) with ``p_error`` fitted so that, answering a root question of ``ops``
operations alone, it errs with

    e' = f * e_tree + (1 - f) * e_student,

where ``e_tree`` is the error of the epoch's trees on the roots no meme captured,
``e_student`` the fresh student's own error alone (``solo_error``) and ``f`` the
imitation fidelity: 1 imitates the tree perfectly, 0 learns nothing from it. Alone on
``n`` operations an agent fails each with ``r = p_error (1 + (n - 1) / capacity)``,
so ``e = 1 - (1 - r)^n`` and ``p_error = (1 - (1 - e)^(1/n)) / (1 + (n - 1) / capacity)``
(``fit_p_error``). Hand-offs are reading, not answering: distillation leaves them as
the student has them.

Memes are inherited too. With a ``meme``, the distilled agent injects it with

    m' = f * inheritance * capture + (1 - f) * meme_rate

(capped at 1), where ``capture`` is the epoch's root capture and ``meme_rate`` the
fresh student's own, and carries it when persuaded (``agents.memetic``: ``Inject``,
``Carry``). With ``inheritance = 1`` the tree's memetic output is imitated like its
answers; memes compound across epochs when the tree captures more roots than its agents
inject, as ``hch.analysis.memes.root_capture`` says it does when ``fanout * carry > 1``.

The fixed point, for noisy calculators (``agents.simulated``) on balanced sums
(``experiments.tasks.arithmetic``, ops ``+-``) under ``Limits(max_depth=D)``. A node
at depth ``d < D`` with a subexpression of ``n >= 3`` numbers splits it into ``n // 2``
and ``n - n // 2`` numbers, asks a child for each part that is not a single number,
misreads each answer with ``h = p_handoff`` and slips on its own addition with ``p``;
any other node adds its ``n - 1`` numbers alone. A wrong value stays wrong unless two
slips cancel exactly (a chance of order ``1 / max_slip``, negligible for a large
``max_slip``), so the tree is right with

    ok(n, d) = (1 - p) * prod over parts j that are not one number of (1 - h) ok(n_j, d + 1)
    ok(n, d) = (1 - r(n - 1))^(n - 1)            (no split)

(``calculator_tree_error``). With every node the agent of error ``e``, the tree errs
with ``F(e) = 1 - ok(leaves, 0)`` at ``p = fit_p_error(e)``; with perfect fidelity and
no memes ``e_{k+1} = F(e_k)``, and with fidelity ``f``
``e_{k+1} = f F(e_k) + (1 - f) e_student``. The error settles at ``e* = F(e*)``
(``calculator_fixed_point``): hand-offs cost the tree errors that one agent alone does
not make, splitting saves it the errors of working past its capacity, and ``e*`` is
where the two balance. Below ``e*`` a tree is worse than the agent it amplifies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from agents.memetic import Carry, Inject, misbehave
from agents.noise import Fallible
from agents.simulated import NoisyCalculator
from hch import Agent, Meme
from hch.analysis.memes import METRICS_KEY
from hch.ida import Distilled, EpochOutcome
from hch.study import ResultRow

__all__ = [
    "FallibleDistiller",
    "calculator_fixed_point",
    "calculator_tree_error",
    "clean_error",
    "fit_p_error",
    "solo_error",
]


def solo_error(agent: Fallible, ops: int) -> float:
    """Chance ``agent`` gets a problem of ``ops`` operations wrong alone (no slip cancels)."""
    return 1 - (1 - agent.solo_rate(ops)) ** ops


def fit_p_error(error: float, ops: int, capacity: float) -> float:
    """The ``p_error`` at which an agent of ``capacity`` errs with ``error`` on ``ops``
    operations alone: the inverse of ``solo_error``."""
    if not 0 <= error <= 1:
        raise ValueError(f"an error rate is in [0, 1], got {error}")
    if ops < 1:
        raise ValueError(f"ops must be >= 1, got {ops}")
    return (1 - (1 - error) ** (1 / ops)) / (1 + (ops - 1) / capacity)


def calculator_tree_error(agent: NoisyCalculator, leaves: int, depth: int) -> float:
    """Chance a tree of ``agent`` at every node gets a balanced sum of ``leaves`` numbers
    wrong under ``Limits(max_depth=depth)`` (the closed form of the module docstring)."""

    def ok(n: int, d: int) -> float:
        ops = n - 1
        if d >= depth or ops < max(agent.min_ops_to_split, 2):
            return (1 - agent.solo_rate(ops)) ** ops
        right = 1 - agent.p_error
        for part in (n // 2, n - n // 2):
            if part > 1:
                right *= (1 - agent.handoff_rate) * ok(part, d + 1)
        return right

    return 1 - ok(leaves, 0)


def calculator_fixed_point(
    student: NoisyCalculator, leaves: int, depth: int, fidelity: float = 1.0
) -> float:
    """The error ``e*`` an IDA run of noisy calculators settles at without memes.

    Iterates ``e -> f F(e) + (1 - f) e_student`` from the student's own error, where
    ``F(e)`` is the error of a tree of agents distilled to error ``e`` (the student
    with ``p_error = fit_p_error(e)``); each step is one epoch of a run without noise.
    """
    ops = leaves - 1
    fresh = solo_error(student, ops)
    e = fresh
    for _ in range(100_000):
        agent = student.model_copy(update={"p_error": fit_p_error(e, ops, student.capacity)})
        nxt = fidelity * calculator_tree_error(agent, leaves, depth) + (1 - fidelity) * fresh
        if abs(nxt - e) < 1e-14:
            return nxt
        e = nxt
    return e


class FallibleDistiller(BaseModel):
    """Distills the agent of the next epoch by fitting ``agents.noise``'s law (see above).

    Attributes:
        student: The fresh student: its law (``capacity``, ``p_handoff``, ``max_slip``)
            is kept and its own ``p_error`` is what it knows without imitation.
        ops: Operations in a root question, which the distilled agent must answer alone.
        fidelity: How faithfully the student imitates the tree, in [0, 1].
        meme: The meme the agents inject and carry; None for none.
        inheritance: Scales the tree's root capture into the distilled agent's meme
            birth rate (1: imitated like everything else; 0: memes are not inherited).
        meme_rate: The fresh student's own meme birth rate.
        scepticism: Carriers' scepticism (``Carry``).
        mode: ``replace`` (a meme takes the answer's place, so a captured root is
            wrong) or ``append`` (it rides along), for injecting and carrying.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    student: SerializeAsAny[Fallible] = Field(default_factory=NoisyCalculator)
    ops: int = Field(ge=1)
    fidelity: float = Field(1.0, ge=0, le=1)
    meme: Meme | None = None
    inheritance: float = Field(1.0, ge=0)
    meme_rate: float = Field(0.0, ge=0, le=1)
    scepticism: float = Field(0.0, ge=0, le=1)
    mode: Literal["replace", "append"] = "replace"

    def agent(self, p_error: float, meme_rate: float = 0.0) -> Agent:
        """The student with ``p_error``, injecting ``self.meme`` with ``meme_rate`` and
        carrying it, when there is a meme."""
        fitted: Any = self.student.model_copy(update={"p_error": p_error})
        if self.meme is None:
            return fitted
        return misbehave(
            fitted,
            Inject(meme=self.meme, p=meme_rate, mode=self.mode),
            Carry(memes=(self.meme,), scepticism=self.scepticism, mode=self.mode),
        )

    def distill(self, outcome: EpochOutcome) -> Distilled:
        """The agent imitating ``outcome``'s trees, and what was fitted."""
        f = self.fidelity
        error = f * clean_error(outcome.rows) + (1 - f) * solo_error(self.student, self.ops)
        p_error = fit_p_error(error, self.ops, self.student.capacity)
        capture = outcome.capture.value or 0.0
        births = min(1.0, f * self.inheritance * capture + (1 - f) * self.meme_rate)
        if self.meme is None:
            births = 0.0  # nothing to inject
        fitted = {
            "p_error": p_error,
            "meme_rate": births,
            "error": error,
            "capacity": self.student.capacity,
            "p_handoff": self.student.handoff_rate,
        }
        return Distilled(agent=self.agent(p_error, births), fitted=fitted)


def clean_error(rows: Iterable[ResultRow]) -> float:
    """Error of the trees whose root no meme captured (1 when there are none).

    A tree whose root gave no answer counts as wrong; one nobody could check is left out.
    """
    counted = [
        r
        for r in rows
        if not r.metrics.get(METRICS_KEY, {}).get("captured")
        and (r.correct is not None or r.status != "ok")
    ]
    if not counted:
        return 1.0
    return 1 - sum(r.correct is True for r in counted) / len(counted)
