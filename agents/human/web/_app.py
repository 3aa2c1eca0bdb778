"""The humans' web app: a small page and a JSON API over the board, behind a token.

Every API call needs ``Authorization: Bearer <token>`` (compared in constant time); the
page, its script and its style are static and public. Every response carries a strict
Content-Security-Policy: the page runs only its own script, which renders every text
from the tree with ``textContent``, never as HTML.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agents.human._actions import parse_action
from agents.human.web._board import Board, BoardError

__all__ = ["SECURITY_HEADERS", "humans_app"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/app.css": ("app.css", "text/css; charset=utf-8"),
}
_MAX_BODY = 1_000_000


def humans_app(board: Board, token: str) -> ASGIApp:
    """The web app serving ``board`` to people who hold ``token``."""
    api = _Api(board, token)
    routes = [
        Route(path, _static(name, kind), methods=["GET"]) for path, (name, kind) in _STATIC.items()
    ]
    routes.append(Route("/favicon.ico", _no_icon, methods=["GET"]))
    routes.append(Route("/api/state", api.state, methods=["GET"]))
    for name in ("take", "workspace", "heartbeat", "release", "act", "scratchpad"):
        routes.append(Route(f"/api/{name}", api.post(getattr(api, name)), methods=["POST"]))
    return _Secured(Starlette(routes=routes))


def _static(name: str, kind: str) -> Any:
    body = files("agents.human.web").joinpath("static", name).read_bytes()

    async def serve(request: Request) -> Response:
        return Response(body, media_type=kind)

    return serve


async def _no_icon(request: Request) -> Response:
    return Response(status_code=204)


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class _Api:
    """The JSON endpoints: each POST takes an object and answers one (or an error)."""

    def __init__(self, board: Board, token: str) -> None:
        self.board = board
        self._token = token.encode()

    def _check(self, request: Request) -> None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if not (scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), self._token)):
            raise BoardError(401, "a valid access token is needed (hch serve-humans printed it)")

    async def state(self, request: Request) -> Response:
        try:
            self._check(request)
        except BoardError as exc:
            return JSONResponse({"error": str(exc)}, exc.status)
        return JSONResponse(self.board.state())

    def post(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """An endpoint: the token checked, the body read as an object, errors as JSON."""

        async def endpoint(request: Request) -> Response:
            try:
                self._check(request)
                raw = await request.body()
                if len(raw) > _MAX_BODY:
                    raise BoardError(413, "the request body is too large")
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    raise BoardError(400, "the request body is not JSON") from None
                if not isinstance(body, dict):
                    raise BoardError(400, "the request body must be a JSON object")
                return JSONResponse(handler(body))
            except BoardError as exc:
                return JSONResponse({"error": str(exc)}, exc.status)

        return endpoint

    def take(self, body: dict[str, Any]) -> dict[str, Any]:
        key = body.get("workspace")
        lease = self.board.take(_text(body, "person"), None if key is None else str(key))
        return {"lease": lease, "workspace": self.board.workspace(lease)}

    def workspace(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.board.workspace(_text(body, "lease"))

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        self.board.heartbeat(_text(body, "lease"))
        return {"ok": True}

    def release(self, body: dict[str, Any]) -> dict[str, Any]:
        self.board.release(_text(body, "lease"))
        return {"ok": True}

    def act(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            action = parse_action(body.get("action"))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise BoardError(400, f"not an action: {problems}") from None
        keeps = self.board.act(_text(body, "lease"), action)
        return {"ok": True, "lease_goes_on": keeps}

    def scratchpad(self, body: dict[str, Any]) -> dict[str, Any]:
        self.board.write_scratchpad(_text(body, "lease"), _text(body, "text", empty=True))
        return {"ok": True}


def _text(body: dict[str, Any], name: str, *, empty: bool = False) -> str:
    value = body.get(name)
    if not isinstance(value, str) or (not value and not empty):
        raise BoardError(400, f"the request needs a {name!r} string")
    return value


class _Secured:
    """Adds the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self._headers]}
            await send(message)

        await self.app(scope, receive, secured)
