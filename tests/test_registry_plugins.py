"""A package outside this repository registers a task, an agent and a command.

The package is laid down as pip installs a wheel (a module beside its ``.dist-info``
with ``entry_points.txt``) in a folder on ``PYTHONPATH``, and used from a fresh ``hch``
process: nothing in hch names it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = '''
import argparse

from pydantic import BaseModel

from hch import Answer, Question, Sample


class Echo:
    """Answers every question with its own text, shouted."""

    name = "echo"

    async def answer(self, question, ctx):
        return Answer(text=question.text.upper())


class Greetings(BaseModel):
    name: str = "greetings"
    who: str = "world"

    def sample(self, seed):
        truth = f"HELLO {self.who.upper()}"
        return Sample(question=Question(text=f"hello {self.who}"), truth=truth, task=self.name)

    def check(self, sample, answer):
        return answer.text == sample.truth


def add_parser(sub):
    p = sub.add_parser("wave", help="wave back")
    p.set_defaults(func=lambda args: print("waving") or 0)
'''

ENTRY_POINTS = """\
[hch.agents]
echo = thirdparty_hch:Echo

[hch.tasks]
greetings = thirdparty_hch:Greetings

[hch.commands]
wave = thirdparty_hch
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "thirdparty_hch.py").write_text(PACKAGE)
    info = tmp_path / "thirdparty_hch-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-hch\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return tmp_path


def hch(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "hch", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_third_party_agent_and_task_are_found_by_name(site: Path) -> None:
    helped = hch(site, "run", "--help")
    assert "echo" in helped.stdout and "greetings" in helped.stdout
    done = hch(site, "run", "--task", "greetings", "-t", "who=bob", "--agent", "echo", "--json")
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["answer"] == "HELLO BOB" and facts["correct"] is True


def test_a_third_party_command_joins_the_cli(site: Path) -> None:
    assert "wave" in hch(site, "--help").stdout
    assert hch(site, "wave").stdout == "waving\n"


def test_without_the_package_the_names_are_unknown(tmp_path: Path) -> None:
    done = hch(tmp_path, "run", "--agent", "echo")
    assert done.returncode == 2
    assert "'echo' is neither a registered agent" in done.stderr
    assert "Traceback" not in done.stderr
