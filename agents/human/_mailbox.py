"""Hand items from any thread to a task waiting in an event loop (asyncio or trio).

A person's input arrives on another thread (a terminal read, a web request); the node
waiting for it must not block its event loop, and a wait that is cancelled must lose
nothing. The sender never blocks: it appends under a lock and writes a byte to a socket
pair that the waiting task watches with ``anyio.wait_readable``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from typing import Generic, TypeVar

import anyio

__all__ = ["Mailbox"]

T = TypeVar("T")


class Mailbox(Generic[T]):
    """A thread-safe queue whose ``get`` is awaited in an event loop and cancellable."""

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._closed = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)

    def put(self, item: T) -> None:
        """Add ``item`` (from any thread); never blocks."""
        with self._lock:
            if self._closed:
                return
            self._items.append(item)
            # A full socket buffer holds wake-ups already.
            with contextlib.suppress(BlockingIOError):
                self._wake_w.send(b"\0")

    async def get(self) -> T:
        """The next item, waiting for one without blocking the event loop."""
        while True:
            with self._lock:
                if self._items:
                    return self._items.popleft()
            await anyio.wait_readable(self._wake_r)
            with contextlib.suppress(BlockingIOError):
                self._wake_r.recv(4096)

    def close(self) -> None:
        """Release the socket pair; later ``put`` calls are dropped."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._wake_r.close()
                self._wake_w.close()
