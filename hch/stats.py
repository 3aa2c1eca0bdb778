"""Small statistics the reports and the theory checks share."""

from __future__ import annotations

import math

__all__ = ["binomial_interval", "wilson_interval"]


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default); (0, 1) when ``n == 0``."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def binomial_interval(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Where the success count of ``n`` trials with rate ``p`` falls, as a proportion."""
    half = z * math.sqrt(p * (1 - p) / n) if n else 1.0
    return (max(0.0, p - half), min(1.0, p + half))
