"""Which trees of a study keep their trace, and where under ``DIR/traces/`` it goes."""

from __future__ import annotations

import hashlib
import json
import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hch.errors import ConfigError

__all__ = ["KeepTraces", "TracePolicy", "prepare_traces", "trace_name"]

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


def prepare_traces(out: Path, policy: TracePolicy) -> None:
    """Make ``out/traces`` where the policy keeps any trace, before a tree runs.

    Raises:
        ConfigError: naming the folder and the problem (a file in its place, no
            permission), so that a study stops before running trees it cannot record.
    """
    if policy.keep is KeepTraces.NONE:
        return
    folder = out / TRACES_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(
            f"the traces folder {folder} is a file: move it away, or run with --keep-traces none"
        ) from None
    except OSError as exc:
        problem = exc.strerror or str(exc)
        raise ConfigError(f"cannot make the traces folder {folder}: {problem}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write in the traces folder {folder}: permission denied")


_PLAIN = re.compile(r"[A-Za-z0-9._+-]+")
"""What a key or value may hold to be written as it is (``,`` and ``=`` separate parts)."""
_OTHER = re.compile(r"[^A-Za-z0-9._+-]+")
_LONGEST = 120


def _plain(value: Any) -> str | None:
    """A value written as it is, where that text reads back as exactly this value.

    Numbers, booleans and null are their JSON; a string is bare (``raises``) unless
    it would read as another value (``"1"`` or ``"true"``).
    """
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value if _PLAIN.fullmatch(value) else None
        return None
    text = json.dumps(value)
    return text if _PLAIN.fullmatch(text) else None


def trace_name(params: dict[str, Any], trial: int) -> str:
    """``traces/depth=3,kind=raises/7.jsonl``: readable, one file per (params, trial).

    Keys and values are written as they are where the text reads back exactly; other
    characters become ``_``, and then (or when the name would be too long) a short hash
    of the exact parameters keeps names apart: ``model=Qwen_Qwen2.5-7B-1a2b3c4d``.
    """
    parts, exact = [], True
    for key, value in sorted(params.items()):
        plain = _plain(value)
        text = (
            plain if plain is not None else value if isinstance(value, str) else json.dumps(value)
        )
        exact = exact and plain is not None and _PLAIN.fullmatch(key) is not None
        parts.append(f"{_OTHER.sub('_', key)}={_OTHER.sub('_', text)}")
    cell = ",".join(parts) or "default"
    if not exact or len(cell) > _LONGEST:
        digest = hashlib.blake2b(json.dumps(sorted(params.items())).encode(), digest_size=4)
        cell = f"{cell[:_LONGEST]}-{digest.hexdigest()}"
    return f"{TRACES_DIR}/{cell}/{trial}.jsonl"
