"""The README's "Looking at trees" section runs as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Looking at trees") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def commands(block: str) -> list[list[str]]:
    """Each line of a shell block as argv, comments dropped."""
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_the_section_runs_as_written(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hch = [sys.executable, "-m", "hch"]
    found = blocks()
    assert [kind for kind, _ in found] == ["sh", "python", "sh", "python", "sh"]
    # What `make run` makes, smaller: the one grid point the first block looks at.
    study = [str(ROOT / "experiments" / "depth_vs_quality.py"), "-p", "depth=6"]
    study += ["-p", "p_error=0.005", "--trials", "1", "--out", "runs/flagship", "--quiet"]
    subprocess.run([*hch, "study", *study], cwd=tmp_path, env=env, check=True, capture_output=True)
    for argv in commands(found[0][1]):
        assert argv[0] == "hch"
        done = subprocess.run(
            [*hch, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "runs" / "flagship" / "index.html").is_file()
    done = subprocess.run(
        [sys.executable, "-c", found[1][1]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "reaches the root" in done.stdout or "stops at" in done.stdout
    codes = []
    for argv in commands(found[2][1]):
        done = subprocess.run(
            [*hch, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        codes.append(done.returncode)
    assert codes == [1, 0, 0]
    assert (tmp_path / "diff.html").is_file() and (tmp_path / "tree.graphml").is_file()
    done = subprocess.run(
        [sys.executable, "-c", found[3][1]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4 3 2 1"
    shown = []
    for argv in commands(found[4][1]):
        done = subprocess.run(
            [*hch, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        shown.append(done.stdout)
    assert "A: $1→root.1:1 $2→root.0:1" in shown[0] and "passed on unread" in shown[0]
    assert (tmp_path / "pointers.html").is_file() and (tmp_path / "pointers.graphml").is_file()
