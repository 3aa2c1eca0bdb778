"""Depth against quality on long lists: the flagship's grid, summing 128 numbers.

Each node may split its list in half and ask two children, down to ``depth``. Alone, a
node errs more the longer its list; every split adds two handoffs and a combining
addition that can err too (``agents.noise`` is the shared law).

    hch study experiments/depth_vs_quality_lists.py --out runs/lists
"""

from agents.noisy_lists import NoisyLists
from experiments.tasks.lists import ListTask
from hch import Limits
from hch.study import Trial, experiment

TASK = ListTask(length=128, op="sum")


@experiment(grid={"depth": range(7), "p_error": [0.001, 0.002, 0.005]}, trials=200)
def depth_vs_quality_lists(depth: int, p_error: float, seed: int) -> Trial:
    # Reading a child's answer is twice as error-prone as one addition of one's own.
    agent = NoisyLists(p_error=p_error, capacity=32, p_handoff=2 * p_error)
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=Limits(max_depth=depth))
