"""The one HTTP stack of hch's local servers: Starlette apps served by uvicorn.

``listen`` binds the socket first, so a port in use is one clear error and the server
accepts connections (into the kernel's backlog) before uvicorn even starts.
``BackgroundServer`` serves an app on a thread with an event loop of its own, so it
runs beside any caller: a test on trio, a tree on asyncio, or a plain script.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import time
from typing import Any

import uvicorn

from hch.errors import ConfigError

__all__ = ["BackgroundServer", "listen"]


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port) and listening.

    Raises:
        ConfigError: one line naming the address when it is in use or not ours to take.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP lets asyncio set TCP_NODELAY on each accepted connection; without
    # it, a response written as headers then body waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)  # bursts of new connections are queued, not refused
    except OSError as exc:
        sock.close()
        why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise ConfigError(f"{host}:{port} {why}; choose another port with --port") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class BackgroundServer:
    """Serves an ASGI ``app`` on ``sock`` from a daemon thread until ``stop()``."""

    def __init__(self, app: Any, sock: socket.socket, *, name: str = "hch-server") -> None:
        self.sock = sock
        self.url = url_of(sock)
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,
            log_level="warning",
            log_config=None,
            timeout_graceful_shutdown=1,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._failed: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self.sock]))
        except BaseException as exc:  # reported by start(), which waits for this thread
            self._failed = exc

    def start(self) -> BackgroundServer:
        """Start serving; returns once uvicorn has taken the socket."""
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} did not start: {self._failed!r}")
            time.sleep(0.002)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (until Ctrl-C, in the main thread)."""
        self._server.run(sockets=[self.sock])

    def stop(self) -> None:
        """Stop accepting, drop open connections and wait for the thread to end."""
        self._server.force_exit = True
        self._server.exit_soon()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.sock.close()


class _Server(uvicorn.Server):
    """uvicorn's server, woken at once by ``exit_soon`` rather than at its next tick."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def exit_soon(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(wake.set)
