"""Prices of well-known hosted models, to put a cost on each recorded model call."""

from __future__ import annotations

from hch.model import Usage

__all__ = ["PRICES", "cost"]

PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}
"""USD per million (prompt, completion) tokens. Dated snapshots (``gpt-4o-2024-08-06``)
match their longest listed prefix."""


def cost(model: str, usage: Usage | None, price: tuple[float, float] | None = None) -> float | None:
    """USD a call cost, or None when neither ``price`` nor the table knows the model."""
    if usage is None:
        return None
    if price is None:
        known = [name for name in PRICES if model == name or model.startswith(name + "-")]
        if not known:
            return None
        price = PRICES[max(known, key=len)]
    return (usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6
