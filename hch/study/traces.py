"""Which trees of a study keep their trace, and where under ``DIR/traces/`` it goes."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["KeepTraces", "TracePolicy", "trace_name"]

TRACES_DIR = "traces"


class KeepTraces(StrEnum):
    """Which traces a study writes."""

    ALL = "all"
    SAMPLE = "sample"
    FAILURES = "failures"
    NONE = "none"


class TracePolicy(BaseModel):
    """Keep all traces, every ``every``-th trial of each grid point, failures, or none.

    A failure is a tree whose root did not answer or answered wrongly.
    """

    model_config = ConfigDict(frozen=True)

    keep: KeepTraces = KeepTraces.SAMPLE
    every: int = Field(20, ge=1)

    def keeps(self, trial: int, *, failed: bool) -> bool:
        if self.keep is KeepTraces.ALL:
            return True
        if self.keep is KeepTraces.SAMPLE:
            return trial % self.every == 0
        return self.keep is KeepTraces.FAILURES and failed


_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+-]")


def trace_name(params: dict[str, Any], trial: int) -> str:
    """``traces/depth=3,p_error=0.005/7.jsonl``: readable, one file per (params, trial)."""
    text = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(params.items()))
    cell = _UNSAFE.sub("_", text)[:120] or "default"
    if cell != text:  # keep apart cells that differ only in characters replaced or cut
        cell += "-" + hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
    return f"{TRACES_DIR}/{cell}/{trial}.jsonl"
