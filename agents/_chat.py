"""One model call for a node: cache, endpoint limiter, retries, and a trace event per attempt.

Requests go through the SDK client's own ``post``, so auth, base URL, timeouts and error
types are the SDK's, but the reply comes back as the plain HTTP response and only the
fields kept are read from its JSON. The typed path costs more CPU than the rest of a call:
``chat.completions.create`` re-walks every message through TypedDict transforms, and a
typed ``ChatCompletion`` is built field by field; on a small machine either caps one
process at a few hundred calls per second.

Each event loop has one SDK client per endpoint, key, timeout and concurrency, whose
connections (``agents._pool``) are as many as the calls the endpoint takes at once.

The API key lives only in the ``AsyncOpenAI`` client; what is recorded and cached is
the request (public base URL, messages, parameters, sample index) and the reply.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from anyio.lowlevel import RunVar

from agents._limiter import endpoint_limiter
from agents._pool import connection_pool
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
        self._identity = (base_url, key_hash, timeout, concurrency)

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
                # A call waiting for a connection waits for one to free, as in the limiter.
                timeout=httpx2.Timeout(self.timeout, pool=None),
                max_retries=0,
                http_client=connection_pool(self.base_url, self.concurrency),
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
            "messages": list(messages),  # the agent appends to its list, never edits a message
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
                    response = await client.post(
                        "/chat/completions",
                        body={"model": self.model, "messages": messages, **params},
                        cast_to=httpx2.Response,
                    )
                call = _as_cached(json.loads(response.content))
            except Exception as exc:
                status, what = describe(exc)
                error = NodeError(type=type(exc).__name__, message=what)
                record(start, attempt=n, error=error, status=status)
                raise
            price = cost(self.model, call.usage, self.price)
            record(start, response=call.response, usage=call.usage, cost=price, attempt=n)
            return call

        call = await call_with_retries(attempt, self.retry, where=where, endpoint=self.endpoint)
        if self.cache is not None:
            await self.cache.put(self.model, request, call)
        return str(call.response.get("content") or "")


_Held = tuple[openai.AsyncOpenAI, AsyncGenerator[None, None]]
_CLIENTS: RunVar[dict[tuple[str, str, float, int], _Held]] = RunVar("hch_openai_clients")


async def _close_at_loop_end(client: openai.AsyncOpenAI) -> AsyncGenerator[None, None]:
    """Suspended for the loop's lifetime; asyncio and trio finalize live async generators
    when their loop shuts down, which closes the client's connections in that loop."""
    try:
        yield
    finally:
        await client.close()


def _as_cached(reply: Any) -> CachedCall:
    """The parts of a chat completion worth keeping (no volatile id or timestamp).

    Read leniently, as the typed ``ChatCompletion`` was: a missing or odd part is None.
    """
    body = _object(reply)
    choices = body.get("choices")
    choice = _object(choices[0] if isinstance(choices, list) and choices else None)
    usage = body.get("usage")
    return CachedCall(
        response={
            "content": _object(choice.get("message")).get("content") or "",
            "finish_reason": choice.get("finish_reason"),
            "model": body.get("model"),
        },
        usage=(
            Usage(
                prompt_tokens=usage.get("prompt_tokens") or 0,
                completion_tokens=usage.get("completion_tokens") or 0,
            )
            if isinstance(usage, dict)
            else None
        ),
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
