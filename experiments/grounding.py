"""Grounding: does a lab that checks claims against reality stop memes and errors?

The world of ``memetic_selection`` (memes born at rate 0.02, persuasiveness 0.7,
carried instead of answers) with calculators that err more (``p_error`` 0.01, handoffs
0.02). Without a lab, errors and memes both climb. With one, every node checks each
child's answer (``Verify``: a failed answer is asked again) and every meme it would
carry (``Carry(test=True)``). Lab settings: ``perfect`` (free, never wrong), ``noisy``
(wrong on 20% of claims), ``costly`` (3 nodes of budget per check, under a budget of
three times the full tree, so deep nodes check less). Plots: accuracy and root capture
against depth, one line per lab setting, with 95% intervals.

    python -m experiments.grounding                   # make grounding
"""

from __future__ import annotations

from agents.memetic import Carry, Inject, Verify, misbehave
from experiments.memetic_world import MEASURE, TASK, calculator, lab, main, meme
from hch import Limits, declare_memes
from hch.cli import run_script
from hch.study import Trial, experiment

LABS: dict[str, tuple[float, int] | None] = {
    "none": None,
    "perfect": (0.0, 0),
    "noisy": (0.2, 0),
    "costly": (0.0, 3),
}
"""Lab setting -> (error rate, cost per check), or None for no lab."""


@experiment(grid={"depth": range(6), "lab": list(LABS)}, trials=200)
def grounding(depth: int, lab: str, seed: int) -> Trial:
    the_meme = meme(0.7)
    setting = LABS[lab]
    behaviours = [
        Inject(meme=the_meme, p=0.02, mode="replace"),
        Carry(memes=(the_meme,), mode="replace", test=setting is not None),
    ]
    tools = {}
    if setting is not None:
        error_rate, cost = setting
        behaviours.append(Verify())
        tools["lab"] = _lab(the_meme, seed, error_rate, cost)
    return Trial(
        task=TASK,
        sample=TASK.sample(seed),
        agent=misbehave(calculator(0.01), *behaviours),
        limits=Limits(max_depth=depth, budget=3 * (2 ** (depth + 1) - 1)),
        tools=tools,
        meta=declare_memes(the_meme),
        measure=MEASURE,
    )


_lab = lab  # the grid parameter of the same name shadows it in grounding()

if __name__ == "__main__":
    raise SystemExit(run_script("grounding", lambda: main(grounding)))
