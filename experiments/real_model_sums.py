"""Does decomposition help a weak real model? SmolLM2-135M sums short lists, depth 0..3.

Each node may split its list and ask helpers (copies of the same model) for the sums
of the parts, then add their answers. Needs ``make real-model``. The model server
starts on first use (or set ``OPENAI_BASE_URL`` to one already running, e.g. from
``hch serve-model --real``); every call is cached, so a re-run is free.

    hch study experiments/real_model_sums.py --out runs/real-sums --trials 10
"""

from __future__ import annotations

import atexit
import os
from functools import cache

from agents.llm import LLMAgent, Prompts
from agents.real_model import MODEL_ALIAS, RealModelServer
from experiments.tasks.lists import ListTask
from hch import Limits
from hch.study import Trial, experiment

TASK = ListTask(length=8, op="sum", max_value=9)

PROMPTS = Prompts(
    system=(
        "You add numbers. You may give parts of the list to helpers. Reply with one JSON "
        'object. To ask helpers: {"action": "ask", "questions": ["What is the sum of these '
        '3 numbers: 1, 2, 3?"], "answer": ""}. To answer: {"action": "answer", '
        '"questions": [], "answer": "6"}.'
    ),
)


@cache
def base_url() -> str:
    """The running model server's URL, starting one for this process if none is given."""
    if url := os.environ.get("OPENAI_BASE_URL"):
        return url
    server = RealModelServer().start()
    atexit.register(server.stop)
    return server.base_url


@experiment(grid={"depth": [0, 1, 2, 3]}, trials=10)
def real_model_sums(depth: int, seed: int) -> Trial:
    agent = LLMAgent(
        model=MODEL_ALIAS,
        base_url=base_url(),
        api_key="local",
        structured="json_object_schema",
        prompts=PROMPTS,
        max_tokens=64,
        max_rounds=1,
        max_output_retries=1,
        temperature=0.0,
        seed=0,
        timeout=300.0,
        cache="runs/real-sums-calls.sqlite",
    )
    limits = Limits(max_depth=depth, budget=2**depth * 2 - 1, max_children=2)
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=limits)
