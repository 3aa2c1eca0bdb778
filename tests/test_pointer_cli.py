"""The pointer world from a real shell: `hch study`, `hch analyze`, the ready study's
command line, and the README's "Pointers (strong HCH)" section as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.image import imread

import hch
from hch.study import load
from hch.text import printable
from tests.cli_harness import ROOT
from tests.cli_harness import hch as hch_cli

STUDY = ROOT / "experiments" / "pointer_world.py"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small pointer study made by `hch study`, every trace kept."""
    out = tmp_path_factory.mktemp("pointers")
    done = hch_cli(
        "study",
        str(STUDY),
        "-p",
        "read=forward,all",
        "-p",
        "length=16,32",
        "-p",
        "p_wrong_pointer=0",
        "--trials",
        "4",
        "--keep-traces",
        "all",
        "--no-plots",
        "--quiet",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "pointers in 4 grid points:" in done.stdout  # the report's sections include it
    return out


def test_analyze_a_trace_shows_its_pointers(study: Path) -> None:
    row = next(r for r in load(study) if r.params["read"] == "forward" and r.trace)
    done = hch_cli("analyze", str(study / row.trace))  # type: ignore[operator]
    assert done.returncode == 0, done.stderr
    out = done.stdout
    tree = hch.load(study / row.trace)  # type: ignore[operator]
    pieces = len(tree) - 1 + 1  # a note per node reaches the root, the root's included
    assert f"reached the root: {pieces} piece(s)" in out
    assert f"travelled unread: {pieces - 1}/{pieces}" in out
    assert re.search(r"^pointer\s+made by\s+chars\s+asked with", out, re.MULTILINE)
    assert "Traceback" not in done.stderr


def test_a_trace_without_pointers_has_no_pointer_section(tmp_path: Path) -> None:
    trace = tmp_path / "plain.jsonl"
    done = hch_cli("run", "--task", "arithmetic", "--max-depth", "2", "--trace", str(trace))
    assert done.returncode == 0, done.stderr
    done = hch_cli("analyze", str(trace))
    assert done.returncode == 0, done.stderr
    assert "pointers:" not in done.stdout and "nodes by depth" in done.stdout


def test_analyze_a_study_prints_the_pointer_tables_and_plots(study: Path) -> None:
    done = hch_cli("analyze", str(study), "--no-blame")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = lines.index("pointers: content that reached the root, and what unlocking cost")
    header, *cells = lines[first + 1 : first + 6]
    assert header.split()[:4] == ["read", "length", "p_wrong_pointer", "trees"]
    assert [c.split()[:2] for c in cells] == [
        ["all", "16"],
        ["all", "32"],
        ["forward", "16"],
        ["forward", "32"],
    ]
    assert "memes riding pointers: capture and per-hop transmission, read or unread" in lines
    for name in ("pointers_unread", "pointers_unlocks"):
        png, svg = study / "plots" / f"{name}.png", study / "plots" / f"{name}.svg"
        assert f"plot: {png}" in done.stdout
        assert imread(png).shape[0] > 100
        assert ET.parse(svg).getroot().tag.endswith("svg")


def test_the_ready_study_runs_from_its_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.pointer_world",
            "--out",
            str(tmp_path),
            "--trials",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for title in (
        "pointers: content that reached the root, and what unlocking cost",
        "memes riding pointers: capture and per-hop transmission, read or unread",
        "measured against the closed forms (agents.pointer_lists)",
    ):
        assert title in out
    assert len(load(tmp_path)) == 24 * 2
    assert (tmp_path / "plots" / "pointers_unread.png").is_file()
    assert (tmp_path / "plots" / "accuracy.png").is_file()


def test_hch_run_checks_the_answer_as_the_asker_reads_it(tmp_path: Path) -> None:
    """A root answer that is a pointer is right when what it points to is right; the
    meme section of `hch analyze` sees memes riding inside content."""
    trace = tmp_path / "memes.jsonl"
    done = hch_cli(
        "run", "--task", "pointer-lists", "-a", "p_error=0", "-a", "p_meme=0.3",
        "--max-depth", "6", "--trace", str(trace),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "correct: True" in done.stdout
    tree = hch.load(trace)
    assert tree.root.answer is not None and tree.root.answer.pointers
    opened = printable(hch.reveal(tree.root.answer, tree.content).text)  # newlines escaped
    assert f"revealed: {opened}\n" in done.stdout  # what the asker reads, beside "answer: $1"
    done = hch_cli("analyze", str(trace))
    assert done.returncode == 0, done.stderr
    assert "reached the root" in done.stdout and "unread on its way" in done.stdout
    assert "; the root carries ledger" in done.stdout
