"""Running the real ``hch`` console script in a subprocess, and what its failures must
look like: an exit status, a line or two naming the problem, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HCH = str(Path(sys.executable).with_name("hch"))
"""The console script of this environment (not ``python -m``, which imports the current
folder by itself)."""

ROOT = Path(__file__).resolve().parent.parent


def hch(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``hch ARGS`` in ``cwd``; ``env`` is added to this process's environment."""
    return subprocess.run(
        [HCH, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_fails(
    done: subprocess.CompletedProcess[str], *words: str, status: int = 2, lines: int = 2
) -> None:
    """Exit ``status``; at most ``lines`` lines on stderr, the first naming the command
    and holding every one of ``words``; no traceback anywhere."""
    shown = f"status {done.returncode}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr}"
    assert done.returncode == status, shown
    assert "Traceback" not in done.stdout + done.stderr, shown
    said = done.stderr.strip().splitlines()
    assert 1 <= len(said) <= lines, shown
    assert said[0].startswith("hch"), shown
    for word in words:
        assert word in said[0], f"{word!r} not in the message\n{shown}"


def write(folder: Path, name: str, source: str) -> Path:
    """A Python file (or any text) in ``folder``, dedented."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path
