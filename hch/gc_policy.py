"""The engine's garbage-collection policy while it runs trees, studies and loads traces.

A running tree holds many long-lived objects (pending nodes, their contexts, recorded
nodes) and makes no reference cycles on its hot path, yet CPython's cyclic collector
runs a full pass each time the long-lived heap grows by a quarter: on a tree of 2^16
nodes those passes took about 70% of the wall time and collected nothing. So while hch
runs or loads, the collector's young generation runs every ``YOUNG`` allocations (cycles
are still collected) and full passes are rare; the previous thresholds come back when
the last run ends. A user's own setting wins: hch changes the thresholds only when it
finds the interpreter's defaults and the collector enabled.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DEFAULT", "RELAXED", "relaxed_gc"]

DEFAULT = (700, 10, 10)
"""CPython's own thresholds: the only setting hch replaces."""

RELAXED = (100_000, 50, 100)
"""Young collections every 100,000 allocations; a full pass only after 5,000 of them."""

_lock = threading.Lock()
_active = 0  # runs under the relaxed policy (trees of one study overlap)
_changed = False


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Relax the collector for the duration (nested and concurrent uses share it)."""
    global _active, _changed
    with _lock:
        if _active == 0 and gc.isenabled() and gc.get_threshold() == DEFAULT:
            gc.set_threshold(*RELAXED)
            _changed = True
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _changed:
                if gc.get_threshold() == RELAXED:  # unless someone set their own meanwhile
                    gc.set_threshold(*DEFAULT)
                _changed = False
