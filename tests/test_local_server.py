"""The local OpenAI-compatible server: the real SDK over real HTTP, faults, limits, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import anyio
import openai
import pytest

from agents.llm import LLMAgent
from agents.server import ChatRequest, Faults, ModelServer, SimulatedModel, TableModel
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits, Status, run_tree

pytestmark = pytest.mark.anyio

LEAVES8 = ArithmeticTask(leaves=8)


def post(url: str, body: dict[str, object]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url + "/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


BODY = {"model": "m", "messages": [{"role": "user", "content": "Question: 2 * 3"}]}


async def test_the_official_client_lists_models_and_completes() -> None:
    with ModelServer(SimulatedModel(), model_name="sim-1") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        async with client:
            models = await client.models.list()
            reply = await client.chat.completions.create(model="sim-1", messages=BODY["messages"])  # type: ignore[arg-type]
    assert [m.id for m in models.data] == ["sim-1"]
    assert json.loads(reply.choices[0].message.content or "")["answer"] == "6"
    assert reply.usage is not None and reply.usage.prompt_tokens > 0


def test_faults_answer_as_configured() -> None:
    faults = Faults(fail_first=["429", "500", "malformed"], retry_after=2)
    with ModelServer(SimulatedModel(), faults) as server:
        status, headers, _ = post(server.base_url, BODY)
        assert status == 429 and headers["Retry-After"] == "2"
        assert post(server.base_url, BODY)[0] == 500
        status, _, body = post(server.base_url, BODY)
        assert status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
        status, _, body = post(server.base_url, BODY)
        assert status == 200 and json.loads(body)["choices"]
        assert server.requests == 4 and server.statuses == {429: 1, 500: 1, 200: 2}


def test_fault_fractions_are_drawn_from_a_seeded_generator() -> None:
    counts = []
    for _ in range(2):
        with ModelServer(SimulatedModel(), Faults(p_500=0.5, seed=4)) as server:
            for i in range(20):
                post(server.base_url, {**BODY, "seed": i})
            counts.append(server.statuses)
    assert counts[0] == counts[1] and 0 < counts[0][500] < 20


def test_scripted_mode_takes_a_table_or_a_callable() -> None:
    seen: list[ChatRequest] = []

    def reply(request: ChatRequest) -> str:
        seen.append(request)
        return "from the callable"

    with ModelServer(TableModel({"2 * 3": "six", "x": reply}, default="other")) as server:
        texts = []
        for question in ("2 * 3", "x", "y"):
            body = {
                "model": "m",
                "messages": [{"role": "user", "content": f"Question: {question}"}],
            }
            texts.append(json.loads(post(server.base_url, body)[2])["choices"][0]["message"])
    assert [t["content"] for t in texts] == ["six", "from the callable", "other"]
    assert seen[0].messages[0]["content"] == "Question: x"


@pytest.mark.parametrize("limit", [1, 3])
async def test_concurrency_limit_per_endpoint_holds_across_trees_and_agents(limit: int) -> None:
    with ModelServer(SimulatedModel(), Faults(latency=0.005)) as server:
        agents = [
            LLMAgent(model="sim", base_url=server.base_url, api_key="k", concurrency=limit, name=n)
            for n in ("a", "b")
        ]
        trees = []

        async def one(seed: int) -> None:
            q = LEAVES8.sample(seed).question
            trees.append(await run_tree(q, agents[seed % 2], limits=Limits(max_depth=3)))

        async with anyio.create_task_group() as tg:
            for seed in range(8):
                tg.start_soon(one, seed)
    assert all(t.root.status is Status.OK for t in trees)
    assert server.requests > 8 * 3
    assert server.max_in_flight <= limit


async def test_without_a_tight_limit_calls_do_overlap() -> None:
    """The measurement above can see overlap: the limit, not the load, bounds it."""
    with ModelServer(SimulatedModel(), Faults(latency=0.05)) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="k", concurrency=16)
        async with anyio.create_task_group() as tg:
            for seed in range(8):
                tg.start_soon(run_tree, LEAVES8.sample(seed).question, agent)
    assert server.max_in_flight > 3


async def test_one_slot_never_deadlocks_a_deep_tree() -> None:
    """Nodes waiting for their children hold no slot (DESIGN invariant 5)."""
    task = ArithmeticTask(leaves=16)
    sample = task.sample(seed=1)
    with ModelServer(SimulatedModel()) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="k", concurrency=1)
        with anyio.fail_after(60):
            tree = await run_tree(sample.question, agent, limits=Limits(max_depth=4))
    assert tree.depth >= 3 and tree.root.status is Status.OK
    assert task.check(sample, tree.root.answer)  # type: ignore[arg-type]
    assert server.max_in_flight == 1


def test_serve_model_command_prints_its_base_url_when_ready() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", "serve-model", "--name", "cli-sim"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        with urllib.request.urlopen(base_url + "/models", timeout=5) as response:
            assert json.loads(response.read())["data"][0]["id"] == "cli-sim"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_a_port_in_use_is_one_clear_line() -> None:
    with ModelServer() as running:
        port = running.base_url.rsplit(":", 1)[1].split("/")[0]
        done = subprocess.run(
            [sys.executable, "-m", "hch", "serve-model", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr == (
        f"hch serve-model: error: 127.0.0.1:{port} is in use; choose another port with --port\n"
    )
