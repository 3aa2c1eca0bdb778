"""A person handles pointers in a real ``hch run`` through a pseudo-terminal: the numbered
pointers, unlocking, holding, forwarding, with untrusted content shown escaped."""

from __future__ import annotations

from pathlib import Path

from hch import Hold, Unlock, load, reveal
from tests.pty_terminal import Terminal

HERE = Path(__file__).resolve().parent
WORLD = HERE / "test_human_pointers.py"
HOSTILE = "\x1b[2J\x1b]0;owned\x07\u202e"


def test_a_person_forwards_pointers_unread_and_content_is_escaped(tmp_path: Path) -> None:
    trace = tmp_path / "ledger.jsonl"
    note = '"' + HOSTILE.encode("unicode_escape").decode().replace("\\x", "\\u00") + '"'
    t = Terminal(
        "run",
        f"--task={WORLD}:Ledger",
        "-t",
        f"note={note}",
        f"--agent={WORLD}:Opener",
        "--agent-at",
        "0=human",
        "--max-depth",
        "1",
        "--budget",
        "8",
        "--trace",
        str(trace),
        cwd=tmp_path,
    )
    try:
        screen = t.expect("root> ")
        assert "Question: What is the total of the amounts in $1 and $2?" in screen
        assert "  $1 locked (unlock $1 to see it)\n" in screen.replace("\r\n", "\n")
        t.type("unlock $2")
        screen = t.expect("root> ")
        assert "  $2: 4 pears at 5\\x1b[2J\\x1b]0;owned\\x07\\u202e" in screen
        assert "\x1b" not in screen and "\x07" not in screen and "\u202e" not in screen
        assert "budget left 6" in screen and "unlocked $2 (cost 1)" in screen
        t.type("unlock 8")
        t.expect("refused: $8 names no pointer here (pointers: $1..$2)")
        t.type("ask What is the subtotal of $1?")
        t.expect("A: $3")
        t.type("hold $3 plus 20")
        t.expect("held $4: $3 plus 20")
        t.expect("root> ")
        t.type("answer $4")
        assert t.wait() == 0
    finally:
        t.close()

    tree = load(trace)
    root = tree.root
    assert [e.pointer for e in root.events if isinstance(e, Unlock)] == ["task:2"]
    assert [e.pointer for e in root.events if isinstance(e, Hold)] == ["root:1"]
    assert tree[(0,)].question.pointers == ("task:1",)  # passed on unread
    assert root.answer is not None
    assert reveal(root.answer, tree.content).text == "subtotal: 13 plus 20"
