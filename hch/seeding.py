"""Seeds derived from named parts, stable across processes and Python versions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["derive_seed"]


def derive_seed(*parts: Any) -> int:
    """A 63-bit seed from JSON-able parts (never from ``hash()``, which is salted)."""
    data = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big") >> 1
