"""The retry policy: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import anyio
import httpx2
import openai
import pytest

from agents._retry import retry_after, retryable
from agents.llm import LLMAgent, RetryPolicy
from agents.server import Faults, ModelServer, SimulatedModel
from hch import Limits, ModelCall, Status, run_tree

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=6, initial=0.001, jitter=0.001, max_wait=0.02, total=20)


def llm(base_url: str, **options: object) -> LLMAgent:
    options.setdefault("retry", FAST)
    return LLMAgent(model="sim", base_url=base_url, api_key="sk-test", **options)


def attempts(events: list[object]) -> list[ModelCall]:
    return [e for e in events if isinstance(e, ModelCall)]


async def test_recovers_from_every_kind_of_transient_fault_and_records_each_attempt() -> None:
    faults = Faults(fail_first=["429", "500", "timeout", "malformed"], retry_after=0.001, hang=5)
    with ModelServer(SimulatedModel(), faults) as server:
        tree = await run_tree("2 + 3", llm(server.base_url, timeout=0.5))
        assert server.statuses[429] == 1 and server.statuses[500] == 1
    assert tree.root.status is Status.OK
    assert tree.root.answer is not None and tree.root.answer.text == "5"
    calls = attempts(tree.root.events)
    assert [c.attempt for c in calls] == [1, 2, 3, 4, 5]
    errors = [c.error for c in calls[:4]]
    assert all(e is not None for e in errors)
    assert "429" in errors[0].message and "500" in errors[1].message  # type: ignore[union-attr]
    assert errors[2].type == "APITimeoutError"  # type: ignore[union-attr]
    assert "not JSON" in errors[3].message  # type: ignore[union-attr]
    assert calls[4].error is None and calls[4].response is not None


async def test_a_whole_tree_recovers_from_rate_limits_and_server_errors() -> None:
    faults = Faults(fail_first=["429", "500"], retry_after=0.001)
    with ModelServer(SimulatedModel(), faults) as server:
        tree = await run_tree("((1 + 2) + (3 + 4)) - (5 + 6)", llm(server.base_url))
    assert tree.root.status is Status.OK
    assert tree.root.answer is not None and tree.root.answer.text == str((1 + 2 + 3 + 4) - 11)
    for node in tree:
        ok = [c for c in attempts(node.events) if c.error is None]
        assert ok and all(c.attempt == 3 for c in ok), node.id


async def test_a_server_that_never_recovers_fails_the_node_not_the_process() -> None:
    policy = RetryPolicy(attempts=3, initial=0.001, jitter=0.001, max_wait=0.01)
    with ModelServer(SimulatedModel(), Faults(p_500=1.0)) as server:
        tree = await run_tree("(1 + 2) + (3 + 4)", llm(server.base_url, retry=policy))
        assert server.requests == 3
    assert tree.root.status is Status.FAILED
    error = tree.root.error
    assert error is not None and error.type == "ModelAPIError"
    assert "node root" in error.message and server.base_url in error.message
    assert "gave up after 3 attempt(s)" in error.message and "500" in error.message
    assert len(attempts(tree.root.events)) == 3
    with ModelServer(SimulatedModel()) as server:  # the process carries on
        assert (await run_tree("1 + 2", llm(server.base_url))).root.status is Status.OK


async def test_not_found_fails_at_once_with_a_clear_message() -> None:
    with ModelServer(SimulatedModel()) as server:
        tree = await run_tree("1 + 2", llm(server.base_url + "/nowhere"))
        assert server.requests == 0 and len(attempts(tree.root.events)) == 1
    error = tree.root.error
    assert error is not None and "404" in error.message and "not retried" in error.message
    assert "base URL" in error.message


async def test_connection_errors_are_retried_then_fail() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    policy = RetryPolicy(attempts=3, initial=0.001, jitter=0.001, max_wait=0.01)
    tree = await run_tree("1 + 2", llm(f"http://127.0.0.1:{port}/v1", retry=policy))
    assert tree.root.status is Status.FAILED
    assert [c.attempt for c in attempts(tree.root.events)] == [1, 2, 3]
    assert tree.root.error is not None and "connection refused" in tree.root.error.message


async def test_an_endpoint_that_refuses_connections_is_given_up_on_soon() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    policy = RetryPolicy(attempts=1000, initial=0.001, jitter=0.001, max_wait=0.01, unreachable=0.3)
    tree = await run_tree("1 + 2", llm(url, retry=policy))
    error = tree.root.error
    assert error is not None and f"is the server running at {url}?" in error.message
    assert 1 < len(attempts(tree.root.events)) < 1000  # retried, then stopped long before


async def test_a_server_that_starts_while_it_is_retried_answers() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    policy = RetryPolicy(attempts=1000, initial=0.05, jitter=0.001, max_wait=0.05, unreachable=30)
    agent = llm(f"http://127.0.0.1:{port}/v1", retry=policy)
    async with anyio.create_task_group() as tg:

        async def serve_soon() -> None:
            await anyio.sleep(0.3)
            with ModelServer(SimulatedModel(), port=port):
                await done.wait()

        done = anyio.Event()
        tg.start_soon(serve_soon)
        tree = await run_tree("1 + 2", agent)
        done.set()
    assert tree.root.status is Status.OK, tree.root.error
    assert len(attempts(tree.root.events)) > 1


def test_a_base_url_without_a_scheme_is_refused_at_once() -> None:
    for bad in ["notaurl", "127.0.0.1:8000/v1", "ftp://host/v1", "http:///v1"]:
        with pytest.raises(ValueError, match="not an http"):
            llm(bad)


async def test_a_retry_after_beyond_the_total_time_stops_without_waiting() -> None:
    policy = RetryPolicy(attempts=10, initial=0.001, jitter=0.001, total=5)
    with ModelServer(SimulatedModel(), Faults(p_429=1.0, retry_after=60)) as server:
        tree = await run_tree("1 + 2", llm(server.base_url, retry=policy), limits=Limits())
        assert server.requests == 1
    assert tree.root.error is not None and "gave up after 1 attempt(s)" in tree.root.error.message


def _rate_limited(headers: dict[str, str]) -> openai.RateLimitError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(429, headers=headers, request=request)
    return openai.RateLimitError("rate limited", response=response, body=None)


def test_retry_after_reads_seconds_milliseconds_and_http_dates() -> None:
    assert retry_after(_rate_limited({"Retry-After": "7"})) == 7
    assert retry_after(_rate_limited({"Retry-After": "0.25"})) == 0.25
    assert retry_after(_rate_limited({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    now = time.time()
    when = datetime.fromtimestamp(now, UTC).replace(microsecond=0) + timedelta(seconds=30)
    waited = retry_after(_rate_limited({"Retry-After": format_datetime(when, usegmt=True)}), now)
    assert waited is not None and 29 <= waited <= 30
    assert retry_after(_rate_limited({"Retry-After": "soon"})) is None
    assert retry_after(_rate_limited({})) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, False),
        (401, False),
        (404, False),
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
    ],
)
def test_which_statuses_are_retried(status: int, expected: bool) -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, request=request)
    exc = openai.APIStatusError("x", response=response, body=None)
    assert retryable(exc) is expected


def test_a_5xx_that_reports_an_invalid_request_is_not_retried() -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(500, request=request)
    message = "1 validation error: Input should be 'text' or 'json_object' (response_format)"
    assert not retryable(openai.APIStatusError(message, response=response, body=None))
    assert retryable(openai.APIStatusError("backend crashed", response=response, body=None))
