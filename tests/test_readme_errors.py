"""The README's "Why a tree got it wrong" section runs as written and says what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _blocks(language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Why a tree got it wrong", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def _python(code: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_python_example_shows_what_the_text_says(tmp_path: Path) -> None:
    out = _python(_blocks("python")[0], tmp_path)
    assert out.splitlines()[0] == "wrong ['root.0.0', 'root.1.1.0.1']"
    assert "root.0.0 (depth 2), notes: slips=['handoff']" in out
    assert "travelled 2 levels: root.0.0 -> root.0 -> root" in out
    assert "travelled 4 levels: root.1.1.0.1 -> " in out
    assert "born at root.1.0.1 (depth 3), corrected by root.1.0 (depth 2)" in out


def test_the_shell_example_runs(tmp_path: Path) -> None:
    first = _blocks("sh")[0]
    (tmp_path / "experiments").symlink_to(ROOT / "experiments")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", first], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "root:" in done.stdout and "where wrong roots' errors were born" in done.stdout
    assert (tmp_path / "runs" / "errors" / "plots" / "errors_origins.svg").exists()


def test_the_blame_example_shows_what_the_text_says(tmp_path: Path) -> None:
    out = _python(_blocks("python")[1], tmp_path)
    assert out.splitlines()[0] == "2 ['root.0.0', 'root.1.0.1', 'root.1.1.0.1'] True"
    assert "    root.0.0 + root.1.1.0.1\n    root.1.0.1 + root.1.1.0.1\n" in out
    assert "no single" not in out and "(exact;" in out


def test_the_attribution_example_runs(tmp_path: Path) -> None:
    (tmp_path / "experiments").symlink_to(ROOT / "experiments")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["bash", "-e", "-c", _blocks("sh")[1]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for method in ("random wrong node", "deepest wrong node", "first wrong node in time"):
        assert re.search(rf"^all +{method} +60 ", done.stdout, re.MULTILINE), done.stdout
    assert "LLM grader (simulated)" in done.stdout
