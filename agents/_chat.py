"""One model call for a node: cache, endpoint limiter, retries, and a trace event per attempt.

Requests go through the SDK client's own ``post`` with a ``ChatCompletion`` result, so
auth, base URL, timeouts, error types and response parsing are the SDK's. The typed
``chat.completions.create`` is skipped on purpose: it re-walks every message through
TypedDict transforms (about 0.6 ms of CPU per call), which on a small machine caps one
process at a few hundred calls per second; our messages are plain role/content strings
that need no transform.

The API key lives only in the ``AsyncOpenAI`` client; what is recorded and cached is
the request (public base URL, messages, parameters, sample index) and the reply.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai
from anyio.lowlevel import RunVar
from openai.types.chat import ChatCompletion

from agents._limiter import endpoint_limiter
from agents._prices import cost
from agents._retry import RetryPolicy, call_with_retries, describe
from hch.cache import Cache, CachedCall
from hch.context import Context
from hch.errors import ModelAPIError
from hch.model import ModelCall, NodeError, Usage, format_path

__all__ = ["ChatClient", "public_url"]


def public_url(url: str) -> str:
    """``url`` without user:password, query or fragment (which may carry credentials)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


class ChatClient:
    """Sends chat requests for one agent's settings; one ``AsyncOpenAI`` per event loop."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str,
        api_key: str,
        timeout: float,
        concurrency: int,
        retry: RetryPolicy,
        cache: Cache | None,
        price: tuple[float, float] | None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.endpoint = public_url(base_url)
        self._api_key = api_key
        self.timeout = timeout
        self.concurrency = concurrency
        self.retry = retry
        self.cache = cache
        self.price = price
        key_hash = hashlib.sha256(api_key.encode()).hexdigest()
        self._identity = (base_url, key_hash, timeout)

    def __repr__(self) -> str:
        return f"ChatClient({self.model!r}, {self.endpoint!r})"

    async def _client(self) -> openai.AsyncOpenAI:
        """This loop's client for these settings, shared by every agent that has them
        (one connection pool per endpoint), and closed when the loop shuts down."""
        clients = _CLIENTS.get(None)
        if clients is None:
            clients = {}
            _CLIENTS.set(clients)
        held = clients.get(self._identity)
        if held is None:
            client = openai.AsyncOpenAI(
                base_url=self.base_url,
                api_key=self._api_key,
                timeout=self.timeout,
                max_retries=0,
            )
            closer = _close_at_loop_end(client)
            await anext(closer)
            held = clients[self._identity] = (client, closer)
        return held[0]

    async def complete(
        self, messages: list[dict[str, str]], params: dict[str, Any], sample: int, ctx: Context
    ) -> str:
        """The reply text to ``messages``; every attempt (or the cache hit) is recorded."""
        request = {
            "base_url": self.endpoint,
            "messages": [dict(m) for m in messages],
            "params": params,
            "sample": sample,
        }

        def record(start: float, **fields: Any) -> None:
            latency = round(time.perf_counter() - start, 6)
            ctx.record(ModelCall(model=self.model, request=request, latency=latency, **fields))

        where = f"node {format_path(ctx.path)}: POST {self.endpoint}/chat/completions"
        replayed = ctx.replayed(self.model, request)
        if replayed is not None:  # a replay: the recording's attempts, exactly as they were
            for event in replayed.attempts:
                ctx.record(event)
            reply = replayed.reply
            if reply is None:  # it failed: as the node's error, or as the agent first saw it
                last = replayed.attempts[-1]
                problem = replayed.error or last.error
                raise ModelAPIError(
                    problem.message if problem else f"{where}: the call failed",
                    endpoint=self.endpoint,
                    status=last.status,
                    attempts=len(replayed.attempts),
                )
            return reply
        if self.cache is not None:
            start = time.perf_counter()
            hit = await self.cache.get(self.model, request)
            if hit is not None:
                record(start, response=hit.response, usage=hit.usage, cost=0.0, cached=True)
                return str(hit.response.get("content") or "")
        limiter = endpoint_limiter(self.endpoint, self.concurrency)

        async def attempt(n: int) -> CachedCall:
            start = time.perf_counter()
            try:
                async with limiter:
                    start = time.perf_counter()  # latency of the call, not of the queue
                    client = await self._client()
                    reply = await client.post(
                        "/chat/completions",
                        body={"model": self.model, "messages": messages, **params},
                        cast_to=ChatCompletion,
                    )
            except Exception as exc:
                status, what = describe(exc)
                error = NodeError(type=type(exc).__name__, message=what)
                record(start, attempt=n, error=error, status=status)
                raise
            call = _as_cached(reply)
            price = cost(self.model, call.usage, self.price)
            record(start, response=call.response, usage=call.usage, cost=price, attempt=n)
            return call

        call = await call_with_retries(attempt, self.retry, where=where, endpoint=self.endpoint)
        if self.cache is not None:
            await self.cache.put(self.model, request, call)
        return str(call.response.get("content") or "")


_Held = tuple[openai.AsyncOpenAI, AsyncGenerator[None, None]]
_CLIENTS: RunVar[dict[tuple[str, str, float], _Held]] = RunVar("hch_openai_clients")


async def _close_at_loop_end(client: openai.AsyncOpenAI) -> AsyncGenerator[None, None]:
    """Suspended for the loop's lifetime; asyncio and trio finalize live async generators
    when their loop shuts down, which closes the client's connections in that loop."""
    try:
        yield
    finally:
        await client.close()


def _as_cached(reply: ChatCompletion) -> CachedCall:
    """The parts of a ChatCompletion worth keeping (no volatile id or timestamp)."""
    choice = reply.choices[0] if reply.choices else None
    usage = (
        Usage(
            prompt_tokens=reply.usage.prompt_tokens or 0,
            completion_tokens=reply.usage.completion_tokens or 0,
        )
        if reply.usage is not None
        else None
    )
    response = {
        "content": (choice.message.content if choice else None) or "",
        "finish_reason": choice.finish_reason if choice else None,
        "model": reply.model,
    }
    return CachedCall(response=response, usage=usage)
