"""Seeds derived from named parts, stable across processes and Python versions."""

from __future__ import annotations

from typing import Any

from hch.hashing import stable_hash

__all__ = ["derive_seed"]


def derive_seed(*parts: Any) -> int:
    """A 63-bit seed from JSON-able parts (never from ``hash()``, which is salted)."""
    return int(stable_hash(parts, size=8), 16) >> 1
