"""Every built-in task and agent name resolves and builds with its defaults."""

from __future__ import annotations

import pytest

from agents import BUILTIN_AGENTS
from experiments.tasks import BUILTIN_TASKS
from hch import Agent, NodeChecker, Task
from hch.loading import build, load_object


@pytest.mark.parametrize("name", sorted(BUILTIN_TASKS))
def test_builtin_tasks_build_and_sample(name: str) -> None:
    task = build(load_object(name, BUILTIN_TASKS), {}, "task")
    assert isinstance(task, Task)
    sample = task.sample(0)
    assert sample.task.startswith(task.name)


@pytest.mark.parametrize("name", ["arithmetic", "lookup", "lists", "game24"])
def test_generated_tasks_check_every_node(name: str) -> None:
    assert isinstance(build(load_object(name, BUILTIN_TASKS), {}, "task"), NodeChecker)


@pytest.mark.parametrize("name", ["noisy-calculator", "noisy-lookup", "noisy-lists"])
def test_simulated_agents_build(name: str) -> None:
    agent = build(load_object(name, BUILTIN_AGENTS), {"p_error": 0.1}, "agent")
    assert isinstance(agent, Agent) and agent.name == name
