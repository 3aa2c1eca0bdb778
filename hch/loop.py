"""Run async code from sync code, also where an event loop is already running."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.lowlevel

__all__ = ["run_sync"]

T = TypeVar("T")


def run_sync(fn: Callable[..., Awaitable[T]], *args: Any, backend: str = "asyncio") -> T:
    """``anyio.run(fn, *args)`` on a fresh event loop.

    Where this thread already runs one (a notebook, async code), the new loop runs in a
    worker thread and this call waits for it, so ``hch.run`` works in Jupyter too.
    """
    call: Callable[[], T] = partial(anyio.run, fn, *args, backend=backend)
    try:
        anyio.lowlevel.current_token()
    except RuntimeError:  # no event loop in this thread
        return call()
    with ThreadPoolExecutor(1, thread_name_prefix="hch-loop") as pool:
        return pool.submit(call).result()
