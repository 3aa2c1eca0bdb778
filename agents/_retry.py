"""One retry policy for model calls, on tenacity: which failures to retry, and how long.

Retried: 408, 409, 429 and 5xx answers, connection errors, timeouts and response bodies
that are not JSON. Anything else (400, 401, 404, ...) fails at once. Waits grow
exponentially with jitter and are never shorter than the server's ``Retry-After``;
attempts and total time are both bounded. An endpoint that cannot be reached at all (its
connection refused, its host not found) is retried only for ``RetryPolicy.unreachable``
seconds, for a server that is still starting, and the error says what to check.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import TypeVar

import anyio
import openai
from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from hch.errors import ModelAPIError

__all__ = [
    "RetryPolicy",
    "call_with_retries",
    "describe",
    "rejected_request",
    "retry_after",
    "retryable",
    "unreachable",
]

T = TypeVar("T")
log = logging.getLogger("hch.llm")

RETRY_STATUSES = frozenset({408, 409, 429})


class RetryPolicy(BaseModel):
    """How failed model requests are retried.

    Attributes:
        attempts: Requests at most, the first included.
        total: Seconds from the first request after which no new attempt starts.
        initial: First backoff in seconds; it doubles each retry.
        max_wait: Longest backoff between two attempts (a longer Retry-After still wins
            while it fits in ``total``).
        jitter: Up to this many seconds are added at random to each backoff.
        unreachable: Seconds after which an endpoint that refuses connections (or whose
            host is not found) is given up on: no attempt starts later than this.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(6, ge=1)
    total: float = Field(300.0, gt=0)
    initial: float = Field(0.5, ge=0)
    max_wait: float = Field(30.0, ge=0)
    jitter: float = Field(0.5, ge=0)
    unreachable: float = Field(5.0, ge=0)


def retryable(exc: BaseException) -> bool:
    """Whether a failed request may succeed if sent again."""
    if isinstance(exc, openai.APIStatusError):
        if rejected_request(exc):
            return False
        return exc.status_code in RETRY_STATUSES or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | json.JSONDecodeError)


def unreachable(exc: BaseException) -> str | None:
    """ "connection refused" or "host not found" where ``exc`` (or what caused it) says the
    endpoint cannot be reached at all; None for any other failure."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "host not found"
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
    return None


def _check(endpoint: str, problem: str) -> str:
    if problem == "connection refused":
        return f"is the server running at {endpoint}?"
    return f"is the host name in {endpoint} right?"


def rejected_request(exc: openai.APIStatusError) -> bool:
    """A 5xx that reports the request itself as invalid (llama.cpp's server answers a
    request that fails its validation with 500): sending it again cannot help."""
    return exc.status_code >= 500 and "validation error" in str(exc.message)


def retry_after(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, or ``Retry-After`` as
    seconds or an HTTP date), or None."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def describe(exc: BaseException) -> tuple[int | None, str]:
    """The HTTP status (None if there was no answer) and a one-line account of a failure."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code, f"HTTP {exc.status_code}: {exc.message}"
    if isinstance(exc, openai.APITimeoutError):
        return None, "timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = unreachable(exc) or exc.__cause__
        return None, f"connection error: {cause or exc.message}"
    if isinstance(exc, json.JSONDecodeError):
        return None, f"response body is not JSON ({exc.msg})"
    return None, f"{type(exc).__name__}: {exc}"


_HINTS = {
    400: "the server rejected the request (check the parameters and the model's limits)",
    401: "check the API key (argument api_key or the OPENAI_API_KEY environment variable)",
    403: "the API key may not use this model or endpoint",
    404: "check the model name and the base URL (it usually ends in /v1)",
    422: "the model cannot answer this request",
}


class _Wait:
    """Exponential backoff with jitter, never shorter than the server's Retry-After."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.backoff = wait_exponential_jitter(
            multiplier=policy.initial, max=policy.max_wait, jitter=policy.jitter
        )

    def __call__(self, state: RetryCallState) -> float:
        wait = float(self.backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after(exc) if exc is not None else None
        return wait if asked is None else max(wait, asked)


async def call_with_retries(
    call: Callable[[int], Awaitable[T]], policy: RetryPolicy, *, where: str, endpoint: str
) -> T:
    """Run ``call(attempt)`` under ``policy``; raise ModelAPIError when it gives up.

    ``where`` names the request in messages (node path and URL). The first attempt runs
    outside tenacity, whose machinery costs several percent of a call's CPU: most calls need
    no retry. When it fails, tenacity takes over with that outcome as its first attempt.
    """
    start = time.monotonic()
    try:
        return await call(1)
    except (openai.OpenAIError, json.JSONDecodeError) as exc:
        first = exc

    async def attempt_n(n: int) -> T:
        if n == 1:
            raise first  # made above
        return await call(n)

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        _, what = describe(exc) if exc else (None, "?")
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.2fs",
            where,
            state.attempt_number,
            what,
            state.upcoming_sleep,
        )

    class Gone(stop_base):
        """Stop retrying an unreachable endpoint once the next attempt would start late."""

        def __call__(self, state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            late = time.monotonic() - start + (state.upcoming_sleep or 0) > policy.unreachable
            return exc is not None and late and unreachable(exc) is not None

    retrying = AsyncRetrying(
        sleep=anyio.sleep,
        stop=stop_after_attempt(policy.attempts)
        | stop_before_delay(policy.total - (time.monotonic() - start))
        | Gone(),
        wait=_Wait(policy),
        retry=retry_if_exception(retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    attempts = 0
    try:
        async for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                return await attempt_n(attempts)
    except (openai.OpenAIError, json.JSONDecodeError) as exc:
        status, what = describe(exc)
        if not retryable(exc):
            raise ModelAPIError(
                f"{where}: {what}; not retried: {_HINTS.get(status or 0, 'the request is wrong')}",
                endpoint=endpoint,
                status=status,
                attempts=attempts,
            ) from exc
        elapsed = time.monotonic() - start
        problem = unreachable(exc)
        if problem is not None:
            raise ModelAPIError(
                f"{where}: {problem} ({attempts} attempt(s) in {elapsed:.1f}s); "
                f"{_check(endpoint, problem)}",
                endpoint=endpoint,
                status=None,
                attempts=attempts,
            ) from exc
        raise ModelAPIError(
            f"{where}: gave up after {attempts} attempt(s) in {elapsed:.1f}s "
            f"(retry policy: attempts={policy.attempts}, total={policy.total}s); last: {what}",
            endpoint=endpoint,
            status=status,
            attempts=attempts,
        ) from exc
    raise AssertionError("unreachable: tenacity either returns or raises")
