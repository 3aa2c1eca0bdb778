"""Every registered task and agent name resolves and builds with its defaults."""

from __future__ import annotations

import pytest

from hch import Agent, NodeChecker, Task
from hch.loading import build
from hch.registry import find, registered


def test_the_builtins_are_registered_through_entry_points() -> None:
    assert {"arithmetic", "lookup", "lists", "game24", "reasoning-gym"} <= set(registered("task"))
    assert {"noisy-calculator", "noisy-lookup", "noisy-lists", "llm"} <= set(registered("agent"))
    assert "serve-model" in registered("command")


@pytest.mark.parametrize("name", sorted(registered("task")))
def test_builtin_tasks_build_and_sample(name: str) -> None:
    task = build(find("task", name), {}, "task")
    assert isinstance(task, Task)
    sample = task.sample(0)
    assert sample.task.startswith(task.name)


@pytest.mark.parametrize("name", ["arithmetic", "lookup", "lists", "game24"])
def test_generated_tasks_check_every_node(name: str) -> None:
    assert isinstance(build(find("task", name), {}, "task"), NodeChecker)


@pytest.mark.parametrize("name", ["noisy-calculator", "noisy-lookup", "noisy-lists"])
def test_simulated_agents_build(name: str) -> None:
    agent = build(find("agent", name), {"p_error": 0.1}, "agent")
    assert isinstance(agent, Agent) and agent.name == name
