"""`hch analyze` and the error section of `hch report`, from a real shell, on small studies."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.image import imread

import hch
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch.analysis import ERROR_PLOTS, Verdict, study_errors, tree_errors
from hch.cli import main
from hch.commands.analyze import task_for
from hch.study import load, run_study
from tests.study_experiments import flips

FLAGSHIP = Path(__file__).resolve().parent.parent / "experiments" / "depth_vs_quality.py"
TITLES = (
    "where wrong roots' errors were born",
    "errors born per checked node",
    "propagation at node depth d",
    "how far errors travel",
)


def hch_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hch", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flagship experiment, small: depths 0, 2 and 4 at a high error rate."""
    out = tmp_path_factory.mktemp("study")
    run_study(
        str(FLAGSHIP),
        out,
        params={"depth": [0, 2, 4], "p_error": 0.01},
        trials=12,
        keep_traces="all",
    )
    return out


def _wrong_root_trace(study: Path) -> Path:
    for row in load(study):
        if row.correct is False and row.params["depth"] == 4 and row.trace:
            return study / row.trace
    raise AssertionError("no wrong root at depth 4")


def test_analyze_a_trace_explains_where_the_roots_error_came_from(study: Path) -> None:
    trace = _wrong_root_trace(study)
    done = hch_cli("analyze", str(trace))
    assert done.returncode == 0, done.stderr
    tree = hch.load(trace)
    errors = tree_errors(tree, ArithmeticTask())
    assert errors.root is Verdict.WRONG
    out = done.stdout
    assert f"truth {tree.header.truth}: wrong" in out
    assert f"the root's error was born at {len(errors.root_trails)} node" in out
    for trail in errors.root_trails:
        assert hch.format_path(trail.origin) in out
        node = tree[trail.origin]
        truth = ArithmeticTask().node_truth(node.question)
        assert f"answered: {node.answer.text}   truth: {truth}" in out  # type: ignore[union-attr]
        if trail.levels:
            assert " -> ".join(hch.format_path(p) for p in trail.path) in out
    assert "nodes by depth" in out


def test_analyze_a_study_prints_tables_and_writes_plots(study: Path) -> None:
    done = hch_cli("analyze", str(study))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for title in TITLES:
        assert any(line.startswith(title) for line in lines), title
    assert "errors in 36 kept traces whose nodes the task checks:" in done.stdout
    for name in ERROR_PLOTS:
        png, svg = study / "plots" / f"{name}.png", study / "plots" / f"{name}.svg"
        assert f"plot: {png}" in done.stdout
        assert imread(png).shape[0] > 100
        assert ET.parse(svg).getroot().tag.endswith("svg")
    # the tables agree with the analysis they print
    errors = study_errors(load(study), study, task_for)
    travel = lines[lines.index(next(x for x in lines if x.startswith(TITLES[3]))) + 2 :]
    for cell, line in zip(errors.cells, travel, strict=False):
        assert line.split()[:3] == [str(cell.params["depth"]), "0.01", str(cell.errors)]


def test_report_adds_the_error_tables(study: Path) -> None:
    done = hch_cli("report", str(study), "--no-plots")
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("accuracy") < done.stdout.index(TITLES[0])
    assert "plot:" not in done.stdout


def test_study_level_figures_add_up_over_traces(study: Path) -> None:
    rows = load(study)
    errors = study_errors(rows, study, task_for)
    assert [c.params["depth"] for c in errors.cells] == [0, 2, 4]
    for cell in errors.cells:
        trees = [
            tree_errors(hch.load(study / r.trace), ArithmeticTask())
            for r in rows
            if r.params == cell.params and r.trace
        ]
        assert cell.trees == len(trees) == 12
        assert cell.wrong_roots == sum(t.root is Verdict.WRONG for t in trees)
        assert cell.wrong_roots == sum(r.correct is False for r in rows if r.params == cell.params)
        assert sum(cell.root_origins.values()) == sum(len(t.root_trails) for t in trees)
        assert cell.errors == sum(len(t.trails) for t in trees) == cell.travelled(0)
        assert sum(cell.fates().values()) == cell.errors
        for d in cell.depths:
            assert d.nodes == sum(t.depths[d.depth].nodes for t in trees if len(t.depths) > d.depth)
            for rate in (d.accuracy, d.origin_rate, d.propagation_rate, d.correction_rate):
                assert rate is None or 0 <= rate <= 1


def test_traces_that_cannot_be_read_are_left_out_and_counted(tmp_path: Path, study: Path) -> None:
    rows = load(study)
    broken = study / str(rows[0].trace)
    kept = broken.read_text()
    try:
        broken.write_text("not a trace\n")
        errors = study_errors(rows, study, task_for)
        assert errors.skipped == {"unreadable trace": 1}
        assert errors.trees == len(rows) - 1
    finally:
        broken.write_text(kept)


def test_a_study_without_checkable_traces_has_no_error_section(tmp_path: Path) -> None:
    run_study(flips, tmp_path, keep_traces="all")
    report = hch_cli("report", str(tmp_path), "--no-plots")
    assert report.returncode == 0, report.stderr
    assert TITLES[0] not in report.stdout
    done = hch_cli("analyze", str(tmp_path))
    assert done.returncode == 2
    assert "none of its 12 kept traces can be analysed" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def _write_trace(file: Path, header_task: str | None, *, cut: bool = False) -> Path:
    task = ArithmeticTask(leaves=4)
    sample = task.sample(1)
    tree = hch.run(
        sample.question,
        NoisyCalculator(p_error=0.2),
        limits=hch.Limits(max_depth=2),
        seed=1,
        task=header_task,
        truth=sample.truth,
        trace=file,
    )
    assert len(tree) > 1
    if cut:  # what a killed run leaves: every node but the root (the last to finish)
        lines = file.read_text().splitlines()
        assert json.loads(lines[-2]).get("path") in ([], None) and "end" in lines[-1]
        file.write_text("\n".join(lines[:-2]) + "\n")
    return file


def _not_a_trace(directory: Path) -> Path:
    file = directory / "x.jsonl"
    file.write_text("hello\n")
    return file


BAD: list[tuple[Callable[[Path], Path], str]] = [
    (lambda d: d / "missing.jsonl", "no such trace file or study directory"),
    (lambda d: d, "is not a study directory (no results.jsonl)"),
    (_not_a_trace, "not an hch trace"),
    (lambda d: _write_trace(d / "t.jsonl", "arithmetic", cut=True), "cut off before its root"),
    (lambda d: _write_trace(d / "t.jsonl", "no-such"), "task 'no-such' is not a registered task"),
    (lambda d: _write_trace(d / "t.jsonl", "os:system"), "'os:system' is not a registered task"),
]


@pytest.mark.parametrize(("make", "message"), BAD)
def test_bad_input_is_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path],
    message: str,
) -> None:
    assert main(["analyze", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hch analyze: error:") and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_from_the_shell_gives_no_traceback(tmp_path: Path) -> None:
    trace = _write_trace(tmp_path / "t.jsonl", "arithmetic", cut=True)
    done = hch_cli("analyze", str(trace))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cut off before its root answered" in done.stderr


def test_a_trace_without_a_task_says_it_cannot_tell(tmp_path: Path) -> None:
    plain = _write_trace(tmp_path / "plain.jsonl", None)
    done = hch_cli("analyze", str(plain))
    assert done.returncode == 0, done.stderr
    assert "nothing to check against" in done.stdout
    header = json.loads(plain.read_text().splitlines()[0])
    assert header["header"]["task"] is None


HOSTILE = "\x1b]0;owned\x07\x1b[2J[red]boo[/red]\u202e"


def _in_a_terminal(*args: str) -> str:
    """What ``hch ARGS`` writes to a pseudo-terminal (so rich draws its tables)."""
    import os

    main_fd, child_fd = os.openpty()
    env = {**os.environ, "COLUMNS": "220", "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", *args], stdout=child_fd, stderr=child_fd, env=env
    )
    os.close(child_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode()


def test_a_terminal_gets_tables_and_no_escape_sequence_from_the_trace(tmp_path: Path) -> None:
    question = hch.Question(text=HOSTILE, data=["+", ["+", 1, 2], ["-", 9, 4]])
    tree = hch.run(
        question,
        NoisyCalculator(p_error=1.0),
        limits=hch.Limits(max_depth=1),
        seed=3,
        task="arithmetic",
        truth=8,
        trace=tmp_path / "hostile.jsonl",
    )
    assert tree.root.answer is not None and tree.root.answer.data != 8
    shown = _in_a_terminal("analyze", str(tmp_path / "hostile.jsonl"))
    assert "the root's error was born at" in shown and "┃" in shown  # a rich table
    assert "[red]boo[/red]" in shown and "\\x1b]0;owned\\x07" in shown and "\\u202e" in shown
    assert "\x1b]0;" not in shown and "\x1b[2J" not in shown and "\u202e" not in shown
