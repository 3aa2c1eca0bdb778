"""`hch show` in a real pseudo-terminal 80 columns wide."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

import hch
from hch.loading import parse_path
from hch.text import printable
from tests.viewer_trees import PAYLOADS, deepest_wrong, hostile_tree, wrong_tree

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def show(*args: str, columns: int = 80) -> tuple[int, str]:
    """Run ``hch show ARGS`` on a pseudo-terminal; its exit code and what it printed."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hch", "show", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child side closed
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=60), out.decode("utf-8").replace("\r\n", "\n")


def plain(text: str) -> list[str]:
    return ANSI.sub("", text).splitlines()


@pytest.fixture(scope="module")
def wrong(tmp_path_factory: pytest.TempPathFactory) -> tuple[hch.Tree, Path]:
    trace = tmp_path_factory.mktemp("show") / "wrong.jsonl"
    return wrong_tree(trace), trace


def test_every_line_fits_80_columns_and_nodes_are_marked(wrong: tuple[hch.Tree, Path]) -> None:
    tree, trace = wrong
    code, out = show(str(trace))
    assert code == 0
    assert "\x1b[" in out  # coloured on a terminal
    lines = plain(out)
    assert max(cell_len(line) for line in lines) <= 80
    born = hch.format_path(deepest_wrong(tree))
    (line,) = [x for x in lines if f"✸ {born} " in x]
    assert "went wrong here" in line
    assert any("✓ root." in x for x in lines)
    assert any(x.startswith("✗ root ") for x in lines)
    assert f"truth {tree.header.truth}" in out
    for node in tree:
        assert any(f" {node.id} " in x or x.startswith(f"✗ {node.id} ") for x in lines)


def test_only_wrong_keeps_wrong_nodes_and_their_ancestors(wrong: tuple[hch.Tree, Path]) -> None:
    tree, trace = wrong
    code, out = show(str(trace), "--only", "wrong")
    assert code == 0
    shown = {m.group(1) for m in re.finditer(r"[✓✗✸·] (root[.\d]*) ", ANSI.sub("", out))}
    task = tree.header.task
    assert task == "arithmetic"
    from experiments.tasks.arithmetic import ArithmeticTask

    checker = ArithmeticTask()
    wrong = {n.id for n in tree if n.answer and not checker.check_node(n.question, n.answer)}
    assert wrong <= shown
    assert all(any(w.startswith(s) for w in wrong) for s in shown)  # only wrong and ancestors
    assert "more child" in out or "more children" in out


def test_at_and_depth(wrong: tuple[hch.Tree, Path]) -> None:
    _, trace = wrong
    code, out = show(str(trace), "--at", "root.1", "--depth", "1")
    assert code == 0
    ids = re.findall(r"[✓✗✸·] (root[.\d]*) ", ANSI.sub("", out))
    assert ids == ["root.1", "root.1.0", "root.1.1"]
    assert "subtree at root.1" in out
    assert "deeper nodes not shown" in out
    code, out = show(str(trace), "--at", "7.7")
    assert code == 2
    assert "no node root.7.7 in this tree" in out
    assert "Traceback" not in out


def test_a_trace_cut_off_mid_run(wrong: tuple[hch.Tree, Path], tmp_path: Path) -> None:
    _, trace = wrong
    lines = trace.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:5]) + "\n" + lines[5][:30])
    code, out = show(str(cut))
    assert code == 0
    text = ANSI.sub("", out)
    assert "incomplete" in text
    assert "… root  not recorded" in text
    assert max(cell_len(x) for x in text.splitlines()) <= 80


def test_hostile_strings_are_shown_escaped(tmp_path: Path) -> None:
    trace = tmp_path / "hostile.jsonl"
    hch.save(hostile_tree(big=5000), trace)
    code, out = show(str(trace), "--fold", "200")
    assert code == 0
    assert "\x1b]0;pwned" not in out  # the terminal-title escape reaches the screen as text
    assert "\\x1b]0;pwned\\x07" in out
    assert "\u202e" not in out and "\\u202eevil" in out
    assert "(+4833 chars)" in out  # the 5000-character answer, folded
    assert "<script>window.pwned = 1" in out  # markup is plain text here
    assert max(cell_len(x) for x in plain(out)) <= 80


def test_no_colour_when_piped(wrong: tuple[hch.Tree, Path]) -> None:
    _, trace = wrong
    done = subprocess.run(
        [sys.executable, "-m", "hch", "show", str(trace), "--depth", "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\x1b" not in done.stdout
    assert "✗ root" in done.stdout


def test_paths_and_printable() -> None:
    assert parse_path("root") == ()
    assert parse_path("root.2.0") == parse_path("2.0") == parse_path("(2, 0)") == (2, 0)
    with pytest.raises(hch.ConfigError, match="not a node path"):
        parse_path("root.x")
    assert printable("a\nb\tc\x1b[31m\u202e") == "a↵ b c\\x1b[31m\\u202e"
    assert printable(PAYLOADS[0]) == PAYLOADS[0]
