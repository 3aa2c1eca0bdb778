"""Depth against quality on multi-hop lookup: the flagship's grid, 64-hop chains.

"Who is the manager of the mentor of ... of X?" over a generated knowledge base of 40
people. Each node may split its chain in two and ask one child for the first half and
another for the rest, down to ``depth``. Alone, a node errs more the longer its chain;
every split adds handoffs and a rewritten follow-up question that can err too.

    hch study experiments/depth_vs_quality_lookup.py --out runs/lookup
"""

from agents.noisy_lookup import NoisyLookup
from experiments.tasks.lookup import LookupTask
from hch import Limits
from hch.study import Trial, experiment

TASK = LookupTask(hops=64, people=40)


@experiment(grid={"depth": range(7), "p_error": [0.002, 0.005, 0.01]}, trials=200)
def depth_vs_quality_lookup(depth: int, p_error: float, seed: int) -> Trial:
    # Reading a child's answer is twice as error-prone as one hop of one's own.
    agent = NoisyLookup(p_error=p_error, capacity=8, p_handoff=2 * p_error)
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=Limits(max_depth=depth))
