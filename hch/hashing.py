"""One canonical hash for everything that must be stable across processes and versions.

Seeds, cache keys, result-row keys, tree fingerprints and trace names all hash the
canonical JSON of their parts (sorted keys, no spaces, UTF-8), never ``hash()``, which
Python salts per process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_json", "hash_text", "stable_hash"]


def canonical_json(obj: Any) -> str:
    """``obj`` as canonical JSON: sorted keys, no spaces, non-ASCII kept, other objects
    by ``str``."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def stable_hash(obj: Any, *, size: int = 32) -> str:
    """Hex sha256 of ``canonical_json(obj)``, cut to ``size`` bytes (2 hex digits each)."""
    return hash_text(canonical_json(obj), size=size)


def hash_text(text: str, *, size: int = 32) -> str:
    """Hex sha256 of ``text``, cut to ``size`` bytes: ``stable_hash`` of an object whose
    canonical JSON the caller already holds (built from cached pieces, say)."""
    return hashlib.sha256(text.encode()).hexdigest()[: 2 * size]
