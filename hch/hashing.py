"""One canonical hash for everything that must be stable across processes and versions.

Seeds, cache keys, result-row keys, tree fingerprints and trace names all hash the
canonical JSON of their parts (sorted keys, no spaces, UTF-8), never ``hash()``, which
Python salts per process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_json", "stable_hash"]


def canonical_json(obj: Any) -> str:
    """``obj`` as canonical JSON: sorted keys, no spaces, non-ASCII kept, other objects
    by ``str``."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def stable_hash(obj: Any, *, size: int = 32) -> str:
    """Hex sha256 of ``canonical_json(obj)``, cut to ``size`` bytes (2 hex digits each)."""
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[: 2 * size]
