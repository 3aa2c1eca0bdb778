"""The README's "Humans at the nodes" section runs as written: a person at the root in
a terminal, the replay of what they did, the web app, and a person handling pointers."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.pty_terminal import Terminal

ROOT = Path(__file__).resolve().parents[1]


def blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Humans at the nodes") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def test_the_section_runs_as_written(tmp_path: Path) -> None:
    (kind1, terminal), (kind2, replay), (kind3, web), (kind4, pointers) = blocks()
    assert (kind1, kind2, kind3, kind4) == ("sh", "python", "sh", "python")

    argv = shlex.split(terminal)
    assert argv[:2] == ["hch", "run"]
    t = Terminal(*argv[1:], cwd=tmp_path)
    try:
        t.expect("root> ")
        t.type("ask 1 + 1")
        t.expect("A: ")
        t.expect("root> ")
        t.type("answer 42")
        assert t.wait() == 0
    finally:
        t.close()
    assert (tmp_path / "runs" / "me.jsonl").is_file()

    done = subprocess.run(
        [sys.executable, "-c", replay], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    argv = shlex.split(web)
    assert argv[:2] == ["hch", "serve-humans"]
    extra = ["--port", "0", "--token", "t", "--exit-when-done"]  # a free port, and stop
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", *argv[1:], *extra],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        assert proc.stdout.readline().startswith("open http://127.0.0.1:")

        def post(path: str, body: dict[str, object]) -> dict[str, object]:
            request = urllib.request.Request(
                url + path, json.dumps(body).encode(), {"Authorization": "Bearer t"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                return dict(json.loads(response.read()))

        deadline = time.monotonic() + 30
        while True:  # the root's workspace reaches the queue just after the server starts
            try:
                lease = post("/api/take", {"person": "reader"})["lease"]
                break
            except urllib.error.HTTPError as exc:
                assert exc.code == 404 and time.monotonic() < deadline
                time.sleep(0.05)
        post("/api/act", {"lease": lease, "action": {"action": "answer", "text": "1"}})
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert (tmp_path / "runs" / "people" / "trace.jsonl").is_file()

    done = subprocess.run(
        [sys.executable, "-c", pointers], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # The person read $2 ("a b") and passed $1 on unread; the reveal opens both.
    assert done.stdout == "longer than a b, the short one: a b c d e f g\n"
