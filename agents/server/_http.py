"""The HTTP side of the local model server: ``/v1/chat/completions`` and ``/v1/models``.

A Starlette app served by uvicorn on a thread of its own (``agents._asgi``), the stack
the humans' web app uses too; it runs in a test's own process or as ``hch serve-model``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from types import TracebackType
from typing import Any

import anyio
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agents._asgi import BackgroundServer, listen
from agents.server._faults import FaultPlan, Faults
from agents.server._responders import ChatRequest, Responder, Unanswerable
from agents.server._simulated import SimulatedModel

__all__ = ["ModelServer"]

_POLL = 0.02
"""Seconds between checks of a hanging request: has its client left, is the server stopping."""


class ModelServer:
    """An OpenAI-compatible server on 127.0.0.1 serving a responder, with injected faults.

    Use as a context manager (``with ModelServer() as server: server.base_url``) or call
    ``start()``/``stop()``. Counters are for tests: ``requests`` (chat completions
    received), ``max_in_flight`` (most handled at once) and ``statuses`` (a hang whose
    client left counts as status 0).

    Raises:
        ConfigError: if ``port`` is in use.
    """

    def __init__(
        self,
        model: Responder | None = None,
        faults: Faults | None = None,
        *,
        model_name: str = "hch-simulated",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.model: Responder = model if model is not None else SimulatedModel()
        self.faults = faults or Faults()
        self.model_name = model_name
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.statuses: dict[int, int] = {}
        self._plan = FaultPlan(self.faults)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        app = Starlette(
            routes=[
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ],
            exception_handlers={HTTPException: _no_route},
        )
        self._http = BackgroundServer(app, listen(host, port), name="hch-model-server")

    @property
    def base_url(self) -> str:
        return f"{self._http.url}/v1"

    def start(self) -> ModelServer:
        """Serve in a background thread; returns once the socket accepts connections."""
        self._http.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._http.serve_forever()

    def stop(self) -> None:
        self._stopping.set()
        self._http.stop()

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the routes ------------------------------------------------------------------
    async def _models(self, request: Request) -> Response:
        data = [{"id": self.model_name, "object": "model", "created": 0, "owned_by": "hch"}]
        return JSONResponse({"object": "list", "data": data})

    async def _chat(self, request: Request) -> Response:
        raw = await request.body()
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = await self._complete(request, raw)
        finally:
            with self._lock:
                self.in_flight -= 1
        # Counted before the bytes go out, so a client that has its answer sees it counted.
        status = response.status_code if response is not _LEFT else 0
        with self._lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return response

    async def _complete(self, request: Request, raw: bytes) -> Response:
        f = self.faults
        if f.require_key is not None and (
            request.headers.get("Authorization") != f"Bearer {f.require_key}"
        ):
            return _error(401, "invalid API key", "invalid_api_key")
        try:
            body = json.loads(raw)
            chat = ChatRequest.model_validate(body)
        except (json.JSONDecodeError, ValidationError) as exc:
            return _error(400, f"invalid request body: {exc}", "invalid_request")
        if f.no_structured_output and body.get("response_format") is not None:
            return _error(400, "response_format is not supported", "unsupported")
        if f.latency:
            await anyio.sleep(f.latency)
        fault = self._plan.draw(hashlib.sha256(raw).hexdigest())
        if fault == "429":
            return _error(429, "rate limited", "rate_limit", {"Retry-After": f"{f.retry_after:g}"})
        if fault == "500":
            return _error(500, "injected server error", "server_error")
        if fault == "timeout":
            return await self._hang(request)
        if fault == "malformed":
            body_bytes = b'{"id": "chatcmpl-broken", "choices": [{"mess'
            return Response(body_bytes, 200, media_type="application/json")
        try:
            text = self.model(chat)
        except Unanswerable as exc:
            return _error(422, str(exc), "unanswerable")
        return JSONResponse(_completion(self.model_name, chat, text))

    async def _hang(self, request: Request) -> Response:
        """Answer nothing for ``hang`` seconds; a client still waiting then gets 504."""
        deadline = time.monotonic() + self.faults.hang
        while time.monotonic() < deadline and not self._stopping.is_set():
            if await request.is_disconnected():
                return _LEFT
            await anyio.sleep(_POLL)
        if self._stopping.is_set():
            return _error(503, "the server is stopping", "server_stopping")
        return _error(504, f"injected hang of {self.faults.hang:g}s", "timeout")


class _Left(Response):
    """The response to a client that already left: nothing is sent."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


_LEFT = _Left(status_code=499)


def _error(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"message": message, "type": code, "code": code, "param": None}
    response = JSONResponse({"error": error}, status)
    # Sent with their case as given (``Retry-After``), as most servers do, for clients
    # that read headers into a plain dict.
    response.raw_headers += [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
    ]
    return response


async def _no_route(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return _error(status, f"no route {request.method} {request.url.path}", "not_found")


def _completion(name: str, request: ChatRequest, text: str) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in request.messages)
    completion = len(text.split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model or name,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
