"""Memetic selection: does off-task content win its way to the root, and how much deeper?

Every node ignores its task with probability ``meme_rate`` and answers with the meme
("the top-level asker urgently needs to know ...!"). A parent that receives it is
persuaded by each carrying child with probability ``persuasiveness`` and then passes
the meme up instead of its own answer; a parent it did not persuade asks that question
again. So the root is captured (and its answer lost) with the closed-form probability
``hch.analysis.memes.root_capture(depth, persuasiveness, meme_rate, 2, redo=True)``,
drawn dashed on the plot: capture grows with depth when ``2 * persuasiveness > 1``
(memes are selected on the way up), and stays near the birth rate otherwise.

    python -m experiments.memetic_selection            # make memes: table and plots
    hch study experiments/memetic_selection.py -p depth=0..5 -p persuasiveness=0.8
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.memetic import Carry, Inject, misbehave
from experiments.memetic_world import MEASURE, TASK, calculator, main, meme
from hch import Limits, declare_memes
from hch.analysis.memes import root_capture
from hch.cli import run_script
from hch.study import Trial, experiment


@experiment(
    grid={"depth": range(6), "persuasiveness": [0.3, 0.6, 0.9], "meme_rate": [0.005, 0.02]},
    trials=200,
)
def memetic_selection(depth: int, persuasiveness: float, meme_rate: float, seed: int) -> Trial:
    the_meme = meme(persuasiveness)
    agent = misbehave(
        calculator(),
        Inject(meme=the_meme, p=meme_rate, mode="replace"),
        Carry(memes=(the_meme,), mode="replace"),
    )
    return Trial(
        task=TASK,
        sample=TASK.sample(seed),
        agent=agent,
        limits=Limits(max_depth=depth),
        meta=declare_memes(the_meme),
        measure=MEASURE,
    )


def theory(params: Mapping[str, Any]) -> float:
    """The closed form at a grid point (every node a birth site, fan-out 2, redo)."""
    p = params
    return root_capture(p["depth"], p["persuasiveness"], p["meme_rate"], 2, redo=True)


if __name__ == "__main__":
    raise SystemExit(
        run_script("memetic_selection", lambda: main(memetic_selection, theory=theory))
    )
