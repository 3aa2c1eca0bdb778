"""The HTTP side of the local model server: ``/v1/chat/completions`` and ``/v1/models``.

Stdlib ``ThreadingHTTPServer`` (one thread per connection, keep-alive), so it needs no
dependency and runs in a test's own process or as ``hch serve-model``.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from pydantic import ValidationError

from agents.server._faults import FaultPlan, Faults
from agents.server._responders import ChatRequest, Responder
from agents.server._simulated import SimulatedModel

__all__ = ["ModelServer"]


class ModelServer:
    """An OpenAI-compatible server on 127.0.0.1 serving a responder, with injected faults.

    Use as a context manager (``with ModelServer() as server: server.base_url``) or call
    ``start()``/``stop()``. Counters are for tests: ``requests`` (chat completions
    received), ``max_in_flight`` (most handled at once) and ``statuses``.
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
        self._httpd = _Server((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> ModelServer:
        """Serve in a background thread; returns once the socket accepts connections."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="hch-model-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- called from handler threads --------------------------------------------------
    def _enter(self) -> None:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _answered(self, status: int) -> None:
        """Count a completion's status before its bytes go out, so a client that has its
        answer always sees it counted."""
        with self._lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _complete(self, handler: _Handler, raw: bytes) -> int:
        f = self.faults
        if f.require_key is not None and (
            handler.headers.get("Authorization") != f"Bearer {f.require_key}"
        ):
            return handler.send_error_json(401, "invalid API key", "invalid_api_key")
        try:
            body = json.loads(raw)
            request = ChatRequest.model_validate(body)
        except (json.JSONDecodeError, ValidationError) as exc:
            return handler.send_error_json(400, f"invalid request body: {exc}", "invalid_request")
        if f.no_structured_output and body.get("response_format") is not None:
            return handler.send_error_json(400, "response_format is not supported", "unsupported")
        if f.latency:
            time.sleep(f.latency)
        fault = self._plan.draw(hashlib.sha256(raw).hexdigest())
        if fault == "429":
            return handler.send_error_json(
                429, "rate limited", "rate_limit", {"Retry-After": f"{f.retry_after:g}"}
            )
        if fault == "500":
            return handler.send_error_json(500, "injected server error", "server_error")
        if fault == "timeout":
            self._stopping.wait(f.hang)
            handler.close_connection = True
            return 0
        if fault == "malformed":
            return handler.send_bytes(200, b'{"id": "chatcmpl-broken", "choices": [{"mess')
        text = self.model(request)
        return handler.send_json(200, _completion(self.model_name, request, text))


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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_ref: ModelServer
    counting = False  # True while answering a chat completion (what the counters count)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without this, Nagle's algorithm holds
        # the body back until the client's delayed ACK (~40 ms) arrives.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and benchmarks read the counters instead."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            name = self.server_ref.model_name
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "hch"}]
            self.send_json(200, {"object": "list", "data": data})
        else:
            self.send_error_json(404, f"no route GET {self.path}", "not_found")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_error_json(404, f"no route POST {self.path}", "not_found")
            return
        server = self.server_ref
        server._enter()
        self.counting = True
        try:
            if not server._complete(self, raw):  # a hang that never answered
                server._answered(0)
        finally:
            self.counting = False
            server._leave()

    def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> int:
        return self.send_bytes(status, json.dumps(obj).encode(), headers)

    def send_error_json(
        self, status: int, message: str, code: str, headers: dict[str, str] | None = None
    ) -> int:
        error = {"message": message, "type": code, "code": code, "param": None}
        return self.send_json(status, {"error": error}, headers)

    def send_bytes(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> int:
        if self.counting:
            self.server_ref._answered(status)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        return status


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default 5 refuses bursts of new connections
    daemon_threads = True
    block_on_close = False


def _handler(server: ModelServer) -> type[_Handler]:
    return type("Handler", (_Handler,), {"server_ref": server})
