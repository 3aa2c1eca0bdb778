"""Concealment, test avoidance and blame shifting: how far do memes and errors travel?

Everyone has a perfect free lab and honest habits by default: each node checks its
children's answers (``Verify``), asks a failing child which part caused the error and
redoes that part, and tests each meme before carrying it (``Carry(test=True)``). Each
arm adds one misbehaviour at every node:

* ``conceal``: failed checks are hidden (refuted memes carried, refuted answers used);
* ``avoid-tests``: memes, which it expects to fail, are never tested;
* ``shift-blame``: asked which part caused an error, it names a sibling's part, so the
  right part is redone and the wrong one kept.

Memes are born at rate 0.02 (persuasiveness 0.7) and replace answers; calculators err
at 0.01 (handoffs 0.02). The tables give root capture, how far errors travel (the share
of error births that reach the root, mean height) and accuracy, per arm and depth.

    python -m experiments.concealment                 # make concealment
"""

from __future__ import annotations

from agents.memetic import (
    AvoidTests,
    Behaviour,
    Carry,
    Conceal,
    Inject,
    ShiftBlame,
    Verify,
    misbehave,
)
from experiments.memetic_world import MEASURE, TASK, calculator, lab, main, meme
from hch import Limits, declare_memes
from hch.cli import run_script
from hch.study import Trial, experiment

ARMS: dict[str, list[Behaviour]] = {
    "honest": [],
    "conceal": [Conceal(p=1.0)],
    "avoid-tests": [AvoidTests(p=1.0)],
    "shift-blame": [ShiftBlame(p=1.0)],
}
"""The misbehaviour each arm adds to the honest, grounded stack."""


@experiment(grid={"depth": range(1, 6), "behaviour": list(ARMS)}, trials=200)
def concealment(depth: int, behaviour: str, seed: int) -> Trial:
    the_meme = meme(0.7)
    agent = misbehave(
        calculator(0.01),
        Inject(meme=the_meme, p=0.02, mode="replace"),
        Carry(memes=(the_meme,), mode="replace", test=True),
        Verify(blame=True),
        *ARMS[behaviour],
    )
    return Trial(
        task=TASK,
        sample=TASK.sample(seed),
        agent=agent,
        limits=Limits(max_depth=depth),
        tools={"lab": lab(the_meme, seed)},
        meta=declare_memes(the_meme),
        measure=MEASURE,
    )


if __name__ == "__main__":
    raise SystemExit(run_script("concealment", lambda: main(concealment)))
