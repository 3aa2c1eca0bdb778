"""Fault injection for the local model server: latency, 429/500, hangs, broken bodies."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Fault", "FaultPlan", "Faults"]

Fault = Literal["429", "500", "timeout", "malformed"]
"""What a faulty answer is: a rate limit, a server error, a hang, or a broken JSON body."""


class Faults(BaseModel):
    """How the server misbehaves. Fractions are drawn per request from a seeded generator.

    Attributes:
        latency: Seconds every chat completion takes before it answers.
        p_429: Fraction of requests answered 429 with a ``Retry-After`` header.
        p_500: Fraction answered 500.
        p_timeout: Fraction that hang for ``hang`` seconds (longer than a client timeout);
            a client still waiting then gets 504.
        p_malformed: Fraction answered 200 with a body that is not JSON.
        fail_first: Faults each distinct request body meets, in order, before it is
            answered normally: ``["429", "500"]`` fails every request twice, then serves it
            (deterministic whatever the concurrency).
        retry_after: Seconds sent in ``Retry-After`` with a 429.
        hang: Seconds a hanging request waits before the server drops it.
        require_key: If set, requests without ``Authorization: Bearer <key>`` get 401.
        no_structured_output: Answer 400 to requests carrying ``response_format``, as
            servers without JSON-schema support do.
        seed: Seed of the fault draws.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    latency: float = Field(0.0, ge=0)
    p_429: float = Field(0.0, ge=0, le=1)
    p_500: float = Field(0.0, ge=0, le=1)
    p_timeout: float = Field(0.0, ge=0, le=1)
    p_malformed: float = Field(0.0, ge=0, le=1)
    fail_first: list[Fault] = []
    retry_after: float = Field(0.05, ge=0)
    hang: float = Field(30.0, gt=0)
    require_key: str | None = Field(None, repr=False)
    no_structured_output: bool = False
    seed: int = 0


class FaultPlan:
    """Decides, thread-safely, which fault (if any) one request meets."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def draw(self, body_key: str) -> Fault | None:
        f = self.faults
        with self._lock:
            n = self._seen[body_key]
            self._seen[body_key] += 1
            if n < len(f.fail_first):
                return f.fail_first[n]
            x = self._rng.random()
        for fault, p in (
            ("429", f.p_429),
            ("500", f.p_500),
            ("timeout", f.p_timeout),
            ("malformed", f.p_malformed),
        ):
            if x < p:
                return fault  # type: ignore[return-value]
            x -= p
        return None
