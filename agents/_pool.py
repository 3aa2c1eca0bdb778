"""The HTTP connections of one endpoint: at most as many as calls it takes at once.

``connection_pool`` gives the HTTP client under the SDK's ``AsyncOpenAI``: the SDK still
builds every request (auth, base URL, headers, timeouts) and turns every failure into
its error types; only moving bytes is done here, by ``Connections``, a small transport
on h11 (the HTTP/1.1 state machine httpx2 itself uses) and anyio streams. httpx2's own
pool spends more CPU per call than the rest of a call together: it scans every
connection and probes each idle socket on each request and each release, and wraps
each step in cancel scopes. Here a request takes the most recently used idle connection
(one probe) or opens one, at most ``size`` at once, and reads the whole response.

Where the environment names a proxy for the endpoint (``HTTPS_PROXY``, minus
``NO_PROXY``) the client is httpx2's own, with its pool sized the same way.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlsplit

import anyio
import anyio.abc
import h11
import httpx2
import openai

__all__ = ["KEEPALIVE", "Connections", "connection_pool"]

KEEPALIVE = 4.0
"""Seconds an idle connection is kept: less than the 5 s after which common servers
(uvicorn, httpx2's own default) close theirs, so that a request rarely meets a
connection the server is closing."""


def connection_pool(base_url: str, size: int) -> httpx2.AsyncClient:
    """An HTTP client with the SDK's defaults and at most ``size`` connections."""
    proxy = _environment_proxy(base_url)
    if proxy is not None:
        limits = httpx2.Limits(max_connections=size, max_keepalive_connections=size)
        return openai.DefaultAsyncHttpxClient(limits=limits, proxy=proxy, verify=_tls())
    return openai.DefaultAsyncHttpxClient(transport=Connections(size))


class _Connection:
    __slots__ = ("h11", "idle_since", "socket", "stream")

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self.stream = stream
        self.socket: socket.socket | None = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0


class Connections(httpx2.AsyncBaseTransport):
    """HTTP/1.1 keep-alive connections, at most ``size`` of them in use at once.

    Made in the event loop that uses it (the SDK client holding it is per loop).
    A connection whose request fails or is cancelled is closed, never reused.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = anyio.Semaphore(size)
        self._idle: list[_Connection] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        timeouts = request.extensions.get("timeout", {})
        with _timeout(timeouts.get("pool"), httpx2.PoolTimeout, request):
            await self._slots.acquire()
        try:
            conn = await self._connection(request, timeouts.get("connect"))
            try:
                response = await self._exchange(conn, request, timeouts)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await conn.stream.aclose()
                raise
        finally:
            self._slots.release()
        return response

    async def _connection(self, request: httpx2.Request, timeout: float | None) -> _Connection:
        """The most recently used idle connection still open, or a new one."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if now - conn.idle_since < KEEPALIVE and not _readable(conn.socket):
                return conn
            await conn.stream.aclose()  # expired, or the server closed it (EOF is readable)
        url = request.url
        https = url.scheme == "https"
        with _timeout(timeout, httpx2.ConnectTimeout, request):
            try:
                port = url.port or (443 if https else 80)
                stream: anyio.abc.ByteStream = (
                    await anyio.connect_tcp(
                        url.host, port, ssl_context=_tls(), tls_hostname=url.host
                    )
                    if https
                    else await anyio.connect_tcp(url.host, port)
                )
            except (OSError, anyio.BrokenResourceError) as exc:  # ssl.SSLError is an OSError
                raise httpx2.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return _Connection(stream)

    async def _exchange(
        self, conn: _Connection, request: httpx2.Request, timeouts: dict[str, float | None]
    ) -> httpx2.Response:
        """Send ``request`` on ``conn`` and read the whole response."""
        state = conn.h11
        body = await request.aread()
        try:
            head = h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            )
            data = b"".join(
                state.send(event) or b""
                for event in (head, h11.Data(data=body), h11.EndOfMessage())
            )
        except h11.LocalProtocolError as exc:
            raise httpx2.LocalProtocolError(str(exc), request=request) from exc
        with _timeout(timeouts.get("write"), httpx2.WriteTimeout, request):
            try:
                await conn.stream.send(data)
            except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
                raise httpx2.WriteError(str(exc) or type(exc).__name__, request=request) from exc
        head_in: h11.Response | None = None
        chunks: list[bytes] = []
        read = timeouts.get("read")
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx2.RemoteProtocolError(str(exc), request=request) from exc
            if event is h11.NEED_DATA:
                with _timeout(read, httpx2.ReadTimeout, request):
                    state.receive_data(await _receive(conn.stream, request))
            elif isinstance(event, h11.Response):
                head_in = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise httpx2.RemoteProtocolError("server closed the connection", request=request)
        assert head_in is not None  # h11 yields the head before any body event
        if state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            await conn.stream.aclose()
        return httpx2.Response(
            head_in.status_code,
            headers=head_in.headers.raw_items(),
            stream=httpx2.ByteStream(b"".join(chunks)),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head_in.reason},
        )

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        with anyio.CancelScope(shield=True):  # also when the loop shuts down cancelled
            for conn in idle:
                await conn.stream.aclose()


async def _receive(stream: anyio.abc.ByteStream, request: httpx2.Request) -> bytes:
    """The next bytes from the server; ``b""`` once it has closed its side."""
    try:
        return await stream.receive(65536)
    except anyio.EndOfStream:
        return b""
    except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
        raise httpx2.ReadError(str(exc) or type(exc).__name__, request=request) from exc


@contextmanager
def _timeout(
    seconds: float | None, error: type[httpx2.TimeoutException], request: httpx2.Request
) -> Iterator[None]:
    """Raise ``error`` (an httpx2 timeout, as the SDK expects) if the block takes longer
    than ``seconds``."""
    if seconds is None:
        yield
        return
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError as exc:
        raise error("timed out", request=request) from exc


def _readable(sock: socket.socket | None) -> bool:
    """Whether an idle connection has bytes or EOF waiting: the server closed it."""
    if sock is None or sock.fileno() < 0:
        return True
    return bool(select.select([sock], [], [], 0)[0])


@cache
def _tls() -> ssl.SSLContext:
    """httpx2's TLS context (the system's trust store), made once per process: loading
    the trust store costs more than the rest of a new client."""
    return httpx2.create_ssl_context()


def _environment_proxy(base_url: str) -> str | None:
    """The proxy the environment names for ``base_url``; None if none, or bypassed."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy is None or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy
