"""Every code block of the README runs as written: in order, in one folder, as a reader
would run them (a later block may use what an earlier one wrote).

Blocks that call a model reach a local ``hch serve-model`` through ``OPENAI_BASE_URL``
(tests use no network). The few blocks that cannot run exactly as written here say why
in ``INSTEAD`` and what runs in their place; a new block needs no entry unless it is one
of those, and an entry that matches no block is an error.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import hch
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits
from hch.registry import GROUPS
from hch.study import load as load_rows

ROOT = Path(__file__).resolve().parent.parent
SIM = "{sim}"
"""Stands for the URL of the local simulated model in ``Instead.replace``."""


@dataclass(frozen=True)
class Block:
    """One fenced code block of the README."""

    language: str
    code: str
    line: int


@dataclass(frozen=True)
class Instead:
    """How one block runs here when it cannot run exactly as written, and why.

    Attributes:
        fragment: Text found in that block only.
        why: What keeps it from running as written.
        before: Shell commands run first (what the block expects to exist).
        replace: Text replaced in the block (``SIM``: the local model's URL).
        drop: Commands (by their start) that the test runs itself, or not at all.
        statuses: The exit status of each command, when not all 0.
        real_model: Runs only with ``-m real_model`` (needs ``make real-model``).
    """

    fragment: str
    why: str
    before: tuple[str, ...] = ()
    replace: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    statuses: tuple[int, ...] | None = None
    real_model: bool = False


INSTEAD = [
    Instead(
        "--trials 300 --out runs/mine",
        "long: 300 trials per point take about 15 s; 10 run the same commands",
        replace={"--trials 300": "--trials 10"},
    ),
    Instead(
        'hch show "runs/flagship/',
        "looks at what `make run` made; a one-point version of that study is made first",
        before=(
            "hch study experiments/depth_vs_quality.py -p depth=6 -p p_error=0.005 "
            "--trials 1 --out runs/flagship --quiet",
        ),
    ),
    Instead(
        "hch diff recorded.jsonl fixed.jsonl",
        "hch diff exits 1 when the trees differ, as its comment says",
        statuses=(1, 0, 0),
    ),
    Instead(
        "python experiments/noisy_trees.py --workers 2",
        "long: its run takes about 3 minutes; 5 trials per point run the same code",
        replace={"--workers 2 ": "--workers 2 --trials 5 "},
    ),
    Instead(
        "--base-url http://127.0.0.1:8000/v1",
        "no vLLM or Ollama here: the local simulated model answers at their URLs",
        replace={"http://127.0.0.1:8000/v1": SIM, "http://127.0.0.1:11434/v1": SIM},
    ),
    Instead(
        "hch serve-model --port 8080",
        "the test starts this server itself (on a free port, with these options): it "
        "serves every block that calls a model, and runs until Ctrl-C",
        replace={"http://127.0.0.1:8080/v1": SIM},
        drop=("hch serve-model",),
    ),
    Instead(
        "hch serve-model --real",
        "needs `make real-model`; its server runs until Ctrl-C (the test starts it and "
        "fills in its PORT); its study's 40 trees take many minutes on 2 cores (1 trial "
        "per depth runs the same code); `make test-real` would run this test again",
        replace={"--out runs/real-sums": "--out runs/real-sums --trials 1"},
        drop=("hch serve-model --real", "make test-real"),
        real_model=True,
    ),
]


def blocks() -> list[Block]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for m in re.finditer(r"^( *)```(\w*)\n(.*?)^\1```", text, re.S | re.M):
        code = textwrap.dedent(m.group(3))
        found.append(Block(m.group(2), code, text.count("\n", 0, m.start()) + 1))
    return found


def instead_of(block: Block) -> Instead:
    matches = [i for i in INSTEAD if i.fragment in block.code]
    assert len(matches) <= 1, f"README line {block.line}: several INSTEAD entries match"
    return matches[0] if matches else Instead("", "")


def commands(code: str) -> list[str]:
    """A shell block's commands, one per line once continued lines are joined."""
    joined = re.sub(r"\\\n\s*", "", code)
    return [line for line in joined.splitlines() if line.strip()]


@dataclass
class Ran:
    """What running one block gave."""

    block: Block
    statuses: list[int]
    stdout: str
    stderr: str


def _env(sim: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "OPENAI_BASE_URL": sim,
        "PYTHONPATH": str(ROOT),
    }


def run_block(block: Block, how: Instead, folder: Path, sim: str) -> Ran:
    env = _env(sim)
    code = block.code
    for old, new in how.replace.items():
        assert old in code, f"README line {block.line}: {old!r} is no longer in the block"
        code = code.replace(old, new.replace(SIM, sim))
    if block.language == "python":
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True
        )
        return Ran(block, [done.returncode], done.stdout, done.stderr)
    assert block.language == "sh", f"README line {block.line}: cannot run {block.language}"
    for command in how.before:
        subprocess.run(command, shell=True, cwd=folder, env=env, check=True, capture_output=True)
    kept = [c for c in commands(code) if not any(c.startswith(d) for d in how.drop)]
    script = "".join(f"{c}\nstatuses+=($?)\n" for c in kept) + 'echo "statuses: ${statuses[*]}"\n'
    done = subprocess.run(
        ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True
    )
    *out, last = done.stdout.rstrip("\n").split("\n")
    return Ran(block, [int(s) for s in last.split()[1:]], "\n".join(out), done.stderr)


@pytest.fixture(scope="module")
def sim_server() -> Iterator[str]:
    """``hch serve-model`` with the README's options, on a free port: its URL."""
    (block,) = [b for b in blocks() if "hch serve-model --port 8080" in b.code]
    argv = shlex.split(commands(block.code)[0], comments=True)
    argv[argv.index("--port") + 1] = "0"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", *argv[1:]], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1"), url
    yield url
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0  # Ctrl-C stops it cleanly
    proc.stdout.close()


@dataclass
class Readme:
    """Every block but the real model's, run in order in ``folder``."""

    folder: Path
    ran: list[Ran]

    def block(self, fragment: str) -> Ran:
        (found,) = [r for r in self.ran if fragment in r.block.code]
        return found


@pytest.fixture(scope="module")
def readme(sim_server: str, tmp_path_factory: pytest.TempPathFactory) -> Readme:
    folder = tmp_path_factory.mktemp("readme")
    (folder / "experiments").symlink_to(ROOT / "experiments")
    ran = []
    for block in blocks():
        how = instead_of(block)
        if block.language != "toml" and not how.real_model:
            ran.append(run_block(block, how, folder, sim_server))
    return Readme(folder, ran)


@pytest.mark.timeout(600)
def test_every_block_runs_as_written_or_says_why_not(readme: Readme) -> None:
    every = blocks()
    assert {b.language for b in every} == {"python", "sh", "toml"}
    for entry in INSTEAD:
        assert any(entry.fragment in b.code for b in every), f"stale INSTEAD: {entry.fragment}"
        assert entry.why
    for ran in readme.ran:
        expected = list(instead_of(ran.block).statuses or [0] * len(ran.statuses))
        where = f"README line {ran.block.line}:\n{ran.stderr[-3000:]}"
        assert ran.statuses == expected, where
        assert "Traceback" not in ran.stderr, where


def test_the_quickstart_prints_the_tree_this_process_gets(readme: Readme) -> None:
    ran = readme.block("task = ArithmeticTask(leaves=16)  # random expressions")
    answer, correct = ran.stdout.split()
    task = ArithmeticTask(leaves=16)
    sample = task.sample(seed=7)
    tree = hch.run(
        sample.question,
        NoisyCalculator(p_error=0.05),
        limits=Limits(max_depth=3, budget=200),
        seed=7,
    )
    assert tree.root.answer is not None
    assert (answer, correct) == (tree.root.answer.text, str(task.check(sample, tree.root.answer)))
    folder = readme.folder
    assert hch.load(folder / "run.jsonl").fingerprint() == tree.fingerprint()


def test_the_study_code_is_the_flagship_file() -> None:
    (block,) = [b for b in blocks() if "def depth_vs_quality(" in b.code]
    flagship = (ROOT / "experiments" / "depth_vs_quality.py").read_text(encoding="utf-8")
    assert flagship.endswith(block.code)


def test_the_study_block_writes_its_rows_and_plots(readme: Readme) -> None:
    folder = readme.folder
    rows = load_rows(folder / "runs" / "mine")
    assert len(rows) == 7 * 2 * 10
    assert (folder / "runs" / "mine" / "plots" / "accuracy.svg").is_file()


def test_looking_at_trees_writes_the_pages(readme: Readme) -> None:
    folder = readme.folder
    assert (folder / "runs" / "flagship" / "index.html").is_file()
    ran = readme.block("d = hch.diff(tree, fixed)")
    assert "reaches the root" in ran.stdout or "stops at" in ran.stdout
    assert (folder / "diff.html").is_file() and (folder / "tree.graphml").is_file()


def test_why_a_tree_got_it_wrong_shows_what_the_text_says(readme: Readme) -> None:
    out = readme.block("errors = tree_errors(tree, task)").stdout
    assert out.splitlines()[0] == "wrong ['root.0.0', 'root.1.1.0.1']"
    assert "root.0.0 (depth 2), notes: slips=['handoff']" in out
    assert "travelled 2 levels: root.0.0 -> root.0 -> root" in out
    assert "travelled 4 levels: root.1.1.0.1 -> " in out
    assert "born at root.1.0.1 (depth 3), corrected by root.1.0 (depth 2)" in out
    shell = readme.block("--out runs/errors --quiet")
    assert "root:" in shell.stdout and "where wrong roots' errors were born" in shell.stdout
    folder = readme.folder
    assert (folder / "runs" / "errors" / "plots" / "errors_origins.svg").exists()


def test_the_model_blocks_get_answers_from_the_local_model(readme: Readme) -> None:
    folder = readme.folder
    recorded = hch.load(folder / "runs" / "openai.jsonl")
    assert recorded.complete and recorded.root.status == "ok"
    assert "answer: " in readme.block("hch run --model sim").stdout
    # The Python example asks a question the simulated model reads, and it answers right.
    assert readme.block("from agents.llm import LLMAgent").stdout.split() == ["ok", "21"]


def test_the_entry_point_example_names_the_group_the_registry_reads() -> None:
    (block,) = [b for b in blocks() if b.language == "toml"]
    table = tomllib.loads(block.code)
    (group,) = table["project"]["entry-points"]
    assert group == GROUPS["agent"]
    (target,) = table["project"]["entry-points"][group].values()
    assert re.fullmatch(r"[\w.]+:\w+", target)


@pytest.mark.real_model
@pytest.mark.timeout(1800)
def test_the_real_model_block_runs(tmp_path: Path) -> None:
    (block,) = [b for b in blocks() if "hch serve-model --real" in b.code]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", "serve-model", "--real"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        port = url.rsplit(":", 1)[1].split("/")[0]
        how = instead_of(block)
        how = Instead(how.fragment, how.why, drop=how.drop, replace={**how.replace, "PORT": port})
        (tmp_path / "experiments").symlink_to(ROOT / "experiments")
        env_url = ""  # real_model_sums starts its own server, as the block says
        ran = run_block(block, how, tmp_path, env_url)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()
    # The weak model may fail its tree (exit status 1), as the README says; never crash.
    assert ran.statuses[0] in (0, 1) and ran.statuses[1] == 0, ran.stderr[-3000:]
    assert "Traceback" not in ran.stderr
