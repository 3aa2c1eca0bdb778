"""One concurrency limiter per model endpoint, shared by every node of every tree.

A ``CapacityLimiter`` belongs to one event loop, so limiters live in an anyio
``RunVar``: each running loop (asyncio or trio) gets its own set, created on first use.
Only model calls take a slot; nodes waiting for children never do (no deadlock).
"""

from __future__ import annotations

import anyio
from anyio.lowlevel import RunVar

__all__ = ["endpoint_limiter"]

_LIMITERS: RunVar[dict[str, anyio.CapacityLimiter]] = RunVar("hch_endpoint_limiters")


def endpoint_limiter(base_url: str, total: int) -> anyio.CapacityLimiter:
    """The limiter of ``base_url`` in the running event loop, holding ``total`` slots.

    Agents sharing an endpoint share its limiter; the last ``total`` asked for wins.
    """
    limiters = _LIMITERS.get(None)
    if limiters is None:
        limiters = {}
        _LIMITERS.set(limiters)
    limiter = limiters.get(base_url)
    if limiter is None:
        limiter = limiters[base_url] = anyio.CapacityLimiter(total)
    elif limiter.total_tokens != total:
        limiter.total_tokens = total
    return limiter
