"""Depth against quality: how deep should a bureaucracy of noisy calculators be?

The root is asked a sum of 128 one-digit numbers. Each node may split its expression
in half and ask two children, down to ``depth`` (at depth 6 the leaves add two pairs).
Alone, a node errs more the bigger its piece (limited capacity); every split adds two
handoffs and a combine that can err too. So accuracy first rises with depth, then falls
once the handoffs outweigh the relief.

    hch study experiments/depth_vs_quality.py -p depth=0..6 -p p_error=0.002 --trials 500
"""

from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits
from hch.study import Trial, experiment

TASK = ArithmeticTask(leaves=128)


@experiment(grid={"depth": range(7), "p_error": [0.001, 0.002, 0.005]}, trials=200)
def depth_vs_quality(depth: int, p_error: float, seed: int) -> Trial:
    # Reading a child's answer is twice as error-prone as one operation of one's own.
    agent = NoisyCalculator(p_error=p_error, capacity=32, p_handoff=2 * p_error)
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=Limits(max_depth=depth))
