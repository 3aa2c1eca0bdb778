"""LLMAgent against a real small model (SmolLM2-135M on llama.cpp): `make test-real`.

The model is weak and often ignores formats. What must hold is that the agent copes:
constrained output where the server offers it, unusable replies sent back with the
reason, then a typed node failure, never a crash; and every call is recorded.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import hch
from agents.llm import LLMAgent
from agents.real_model import MODEL_ALIAS, RealModelServer
from experiments.tasks.lists import ListTask
from hch import Limits, ModelCall, Status, Tree

pytestmark = pytest.mark.real_model

TASK = ListTask(length=4, op="sum", max_value=9)


@pytest.fixture(scope="module")
def server() -> Iterator[RealModelServer]:
    with RealModelServer() as s:
        yield s


def smol(server: RealModelServer, **options: object) -> LLMAgent:
    settings: dict[str, object] = {
        "structured": "json_object_schema",
        "max_tokens": 64,
        "max_rounds": 1,
        "max_output_retries": 1,
        "temperature": 0.0,
        "seed": 0,
        "timeout": 120.0,
    }
    settings.update(options)
    return LLMAgent(model=MODEL_ALIAS, base_url=server.base_url, api_key="unused", **settings)  # type: ignore[arg-type]


def model_calls(tree: Tree) -> list[ModelCall]:
    return [e for n in tree for e in n.events if isinstance(e, ModelCall)]


def test_a_small_tree_ends_with_typed_outcomes_and_every_call_recorded(
    server: RealModelServer, tmp_path: Path
) -> None:
    sample = TASK.sample(seed=1)
    agent = smol(server)
    tree = hch.run(
        sample.question,
        agent,
        limits=Limits(max_depth=1, budget=3),
        seed=1,
        trace=tmp_path / "t.jsonl",
    )
    assert tree.complete
    for node in tree:
        assert node.status in (Status.OK, Status.FAILED), node
        if node.status is Status.FAILED:
            assert node.error is not None
            assert node.error.type in {"ModelOutputError", "ChildFailed"}
        else:
            assert node.answer is not None and node.answer.text.strip()
        calls = [e for e in node.events if isinstance(e, ModelCall)]
        assert 1 <= len(calls) <= (agent.max_rounds + 1) * (agent.max_output_retries + 1)
        for call in calls:
            assert call.usage is not None and call.usage.completion_tokens > 0
            assert call.request["messages"][0]["role"] == "system"
    assert hch.load(tmp_path / "t.jsonl") == tree


def test_unusable_replies_are_sent_back_then_fail_the_node_with_the_raw_text(
    server: RealModelServer,
) -> None:
    # One token can never hold a usable decision: every reply is unusable.
    agent = smol(server, structured="off", max_tokens=1, max_output_retries=2)
    tree = hch.run(TASK.sample(seed=2).question, agent, limits=Limits(max_depth=0))
    root = tree.root
    assert root.status is Status.FAILED
    assert root.error is not None and root.error.type == "ModelOutputError"
    assert "3 unusable replies" in root.error.message
    calls = model_calls(tree)
    assert len(calls) == 3
    last_request = calls[-1].request["messages"]
    assert "could not be used" in last_request[-1]["content"]
    raw = calls[-1].response["content"] if calls[-1].response else None
    assert raw is not None and repr(raw)[:8].strip("'\"") in root.error.message


def test_openai_style_json_schema_falls_back_at_once_on_llama_cpp(server: RealModelServer) -> None:
    # llama.cpp answers response_format json_schema with a 500 validation error.
    agent = smol(server, structured="json_schema", max_tokens=32)
    tree = hch.run(TASK.sample(seed=3).question, agent, limits=Limits(max_depth=0))
    calls = model_calls(tree)
    assert calls[0].error is not None and calls[0].attempt == 1
    assert all(c.request.get("response_format") is None for c in calls[1:])
    assert {"structured_output": "rejected by the server; asking without response_format"} in (
        tree.root.notes
    )
    assert tree.root.status in (Status.OK, Status.FAILED)


def test_a_cached_rerun_replays_every_real_call(server: RealModelServer, tmp_path: Path) -> None:
    cache = tmp_path / "calls.sqlite"
    agent = smol(server, cache=cache)
    limits = Limits(max_depth=1, budget=3)
    question = TASK.sample(seed=4).question
    first = hch.run(question, agent, limits=limits, seed=4)
    again = hch.run(question, smol(server, cache=cache), limits=limits, seed=4)
    assert again.fingerprint() != "" and len(again) == len(first)
    assert [n.answer for n in again] == [n.answer for n in first]
    assert all(c.cached for c in model_calls(again))
    assert not any(c.cached for c in model_calls(first))


def test_hch_serve_model_real_prints_its_url_and_serves_the_model() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", "serve-model", "--real"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        with urllib.request.urlopen(f"{url}/models", timeout=10) as resp:
            assert MODEL_ALIAS in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    with pytest.raises(OSError):  # the model server went down with the command
        urllib.request.urlopen(f"{url}/models", timeout=5)
