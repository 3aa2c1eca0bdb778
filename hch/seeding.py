"""Seeds derived from named parts, stable across processes and Python versions."""

from __future__ import annotations

from typing import Any

from hch.hashing import canonical_json, hash_text

__all__ = ["derive_seed", "seed_from_json"]


def derive_seed(*parts: Any) -> int:
    """A 63-bit seed from JSON-able parts (never from ``hash()``, which is salted)."""
    return seed_from_json(canonical_json(parts))


def seed_from_json(text: str) -> int:
    """``derive_seed(*parts)`` given ``canonical_json(parts)`` as ``text``: for callers that
    derive many seeds from parts whose JSON they cache (a study's grid points)."""
    return int(hash_text(text, size=8), 16) >> 1
