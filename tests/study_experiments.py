"""Small experiments the study tests run (a module, so worker processes can import them)."""

from __future__ import annotations

import anyio

from hch import AgentError, Answer, Context, Limits, Question, agent
from hch.study import Trial, experiment


@agent
async def coin(question: Question, ctx: Context) -> Answer:
    """Answers 0 or 1 from the node's seeded rng: right half the time, reproducibly."""
    return Answer(text=str(ctx.rng.randint(0, 1)))


@experiment(grid={"k": [0, 1], "depth": [0]}, trials=6, seed=3)
def flips(k: int, depth: int, seed: int) -> Trial:
    return Trial(question=f"flip {seed}", truth=str(k), agent=coin, limits=Limits(max_depth=depth))


@agent
async def crashes(question: Question, ctx: Context) -> Answer:
    raise AgentError("this agent always crashes")


@experiment(grid={"mode": ["ok", "agent", "spec", "notagent", "raise", "returns"]}, trials=2)
def fragile(mode: str) -> Trial:
    """Each mode but "ok" breaks one tree in a different way."""
    if mode == "raise":
        raise RuntimeError("the experiment function itself failed")
    if mode == "returns":
        return "not a trial"  # type: ignore[return-value]
    if mode == "spec":
        return Trial(question="q", truth="1", agent=coin, limits=Limits(max_depth=-1))
    if mode == "notagent":
        return Trial(question="q", truth="1", agent=42)
    return Trial(question="q", truth="1", agent=crashes if mode == "agent" else coin)


class InFlight:
    """Counts trees waiting at once in this process, to show how many a runner keeps."""

    now = 0
    most = 0


@agent
async def waits(question: Question, ctx: Context) -> Answer:
    InFlight.now += 1
    InFlight.most = max(InFlight.most, InFlight.now)
    try:
        await anyio.sleep(0.01)
    finally:
        InFlight.now -= 1
    return Answer(text=str(InFlight.most))


@experiment(trials=300)
def waiting() -> Trial:
    """Each answer is the most trees its process has had waiting at once so far."""
    return Trial(question="wait", agent=waits)


@experiment(grid={"url": [""], "concurrency": [1]}, trials=24)
def llm_leaves(url: str, concurrency: int, trial: int) -> Trial:
    """One model call per tree, at the endpoint ``url`` with ``concurrency`` calls at once."""
    from agents.llm import LLMAgent

    agent = LLMAgent(model="sim", base_url=url, api_key="local", concurrency=concurrency)
    return Trial(
        question=f"{trial} + 1", truth=str(trial + 1), agent=agent, limits=Limits(max_depth=0)
    )
