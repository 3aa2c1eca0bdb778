"""The model client's connections: sized to the endpoint's concurrency, kept alive, read
whole (chunked, gzip), replaced when the server closes them, through an environment proxy.

Real servers on 127.0.0.1: the local model server, and a raw TCP one that answers with
the exact bytes a test wants.
"""

from __future__ import annotations

import gzip
import json
import re
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
import openai
import pytest

from agents._pool import connection_pool
from agents.llm import LLMAgent, RetryPolicy
from agents.server import Faults, ModelServer, SimulatedModel
from hch import Limits, Status, run_tree

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=3, initial=0.001, jitter=0.001, max_wait=0.01, total=10)


def completion(text: str) -> bytes:
    reply = json.dumps({"action": "answer", "questions": [], "answer": text})
    message = {"role": "assistant", "content": reply}
    return json.dumps(
        {
            "id": "c",
            "object": "chat.completion",
            "model": "raw",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
        }
    ).encode()


Reply = Callable[[str], bytes]
"""The bytes a raw server sends for a request, given the request's head."""


def plain(body: bytes, *, close: bool = False) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + ("Connection: close\r\n" if close else "") + "\r\n").encode() + body


def chunked_gzip(body: bytes) -> bytes:
    packed = gzip.compress(body)
    parts = [packed[i : i + 7] for i in range(0, len(packed), 7)]
    chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts) + b"0\r\n\r\n"
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return head.encode() + chunks


class RawServer(socketserver.ThreadingTCPServer):
    """Answers each HTTP/1.1 request with ``reply(head)``; ``heads`` and ``connections``
    record what it saw. With ``one_per_connection`` it closes each connection after one
    answer, without saying so (as a server whose keep-alive ran out)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, reply: Reply, *, one_per_connection: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _RawHandler)
        self.reply = reply
        self.one_per_connection = one_per_connection
        self.heads: list[str] = []
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RawHandler(socketserver.BaseRequestHandler):
    server: RawServer

    def handle(self) -> None:
        self.server.connections += 1
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                data = self.request.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            found = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            length = int(found.group(1)) if found else 0
            while len(buffer) < length:
                buffer += self.request.recv(65536)
            buffer = buffer[length:]
            self.server.heads.append(head.decode())
            self.request.sendall(self.server.reply(head.decode()))
            if self.server.one_per_connection:
                return


@contextmanager
def serving(server: RawServer) -> Iterator[RawServer]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sdk(base_url: str, size: int) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key="k",
        max_retries=0,
        timeout=10,
        http_client=connection_pool(base_url, size),
    )


async def test_the_pool_holds_at_most_concurrency_connections() -> None:
    with ModelServer(SimulatedModel(), Faults(latency=0.15)) as server:
        client = sdk(server.base_url, 3)
        body = {"model": "m", "messages": [{"role": "user", "content": "Question: 2 + 2"}]}
        texts: list[str] = []

        async def one() -> None:
            reply = await client.chat.completions.create(**body)  # type: ignore[call-overload]
            texts.append(reply.choices[0].message.content)

        async with anyio.create_task_group() as tg:
            for _ in range(9):
                tg.start_soon(one)
        await client.close()
    assert len(texts) == 9 and all('"4"' in t for t in texts)
    assert server.requests == 9 and server.max_in_flight == 3


async def test_connections_are_kept_alive_between_calls() -> None:
    with serving(RawServer(lambda head: plain(completion("5")))) as raw:
        agent = LLMAgent(model="raw", base_url=raw.url + "/v1", api_key="k", retry=FAST)
        for _ in range(3):
            tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
            assert tree.root.answer is not None and tree.root.answer.text == "5"
    assert len(raw.heads) == 3 and raw.connections == 1


async def test_a_connection_the_server_closed_is_replaced() -> None:
    server = RawServer(lambda head: plain(completion("5")), one_per_connection=True)
    with serving(server) as raw:
        agent = LLMAgent(model="raw", base_url=raw.url + "/v1", api_key="k", retry=FAST)
        for _ in range(3):
            tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
            assert tree.root.status is Status.OK
            await anyio.sleep(0.05)  # the server has closed the idle connection by now
    assert raw.connections == 3 and len(raw.heads) == 3


async def test_a_reply_that_closes_the_connection_is_read_and_not_reused() -> None:
    with serving(RawServer(lambda head: plain(completion("5"), close=True))) as raw:
        agent = LLMAgent(model="raw", base_url=raw.url + "/v1", api_key="k", retry=FAST)
        for _ in range(2):
            tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
            assert tree.root.answer is not None and tree.root.answer.text == "5"
    assert raw.connections == 2


async def test_chunked_gzip_replies_are_read_whole() -> None:
    with serving(RawServer(lambda head: chunked_gzip(completion("a long answer " * 20)))) as raw:
        agent = LLMAgent(model="raw", base_url=raw.url + "/v1", api_key="k", retry=FAST)
        tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
    assert tree.root.answer is not None
    assert tree.root.answer.text == ("a long answer " * 20).strip()
    (call,) = [e for e in tree.root.events if type(e).__name__ == "ModelCall"]
    assert call.usage is not None and call.usage.prompt_tokens == 7  # type: ignore[attr-defined]
    assert "accept-encoding: gzip" in raw.heads[0].lower()


async def test_an_endpoint_behind_the_environments_proxy_is_reached_through_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(RawServer(lambda head: plain(completion("5")))) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        agent = LLMAgent(model="raw", base_url="http://models.example/v1", api_key="k", retry=FAST)
        tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
    assert tree.root.answer is not None and tree.root.answer.text == "5"
    assert proxy.heads[0].startswith("POST http://models.example/v1/chat/completions ")


async def test_hosts_the_environment_exempts_from_the_proxy_are_reached_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with (
        serving(RawServer(lambda head: plain(completion("6")))) as proxy,
        serving(RawServer(lambda head: plain(completion("5")))) as direct,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        agent = LLMAgent(model="raw", base_url=direct.url + "/v1", api_key="k", retry=FAST)
        tree = await run_tree("2 + 3", agent, limits=Limits(max_depth=0))
    assert tree.root.answer is not None and tree.root.answer.text == "5"
    assert proxy.heads == [] and len(direct.heads) == 1


async def test_a_copy_with_other_settings_gets_its_own_client() -> None:
    with ModelServer(SimulatedModel(), Faults(latency=0.1)) as server:
        agent = LLMAgent(model="sim", base_url=server.base_url, api_key="k", concurrency=8)
        await run_tree("1 + 1", agent, limits=Limits(max_depth=0))
        narrow = agent.model_copy(update={"concurrency": 2})
        questions = [f"{n} + 1" for n in range(6)]

        async def root(q: str) -> None:
            await run_tree(q, narrow, limits=Limits(max_depth=0))

        async with anyio.create_task_group() as tg:
            for q in questions:
                tg.start_soon(root, q)
    assert server.max_in_flight == 2
