"""People handle pointers in ``hch serve-humans``: over its JSON API, and in a real
headless Chromium, where content behind a pointer never runs as HTML."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agents.human import TerminalHuman
from hch import Hold, Limits, ModelCall, Unlock, by_depth, load, reveal, run
from hch.cache import Cache
from tests.test_human_pointers import Ledger, Opener, exact
from tests.test_humans_web import Person, Served, browsers, serve

__all__ = ["browsers", "serve"]  # the fixtures, shared with the other web tests

WORLD = Path(__file__).resolve().parent / "test_human_pointers.py"
HOSTILE = "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>"
ARGS = (
    f"--task={WORLD}:Ledger",
    f"--agent={WORLD}:Opener",
    "--human-at",
    "0",
    "--max-depth",
    "1",
    "--budget",
    "8",
)


def hostile(*args: str) -> tuple[str, ...]:
    return (*ARGS, "-t", f"note={json.dumps(HOSTILE)}", *args)


def test_a_person_unlocks_holds_and_forwards_over_the_api(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    s = serve(*hostile())
    s.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"])
    lease = s.take("ann")
    view = s.ok("/api/workspace", {"lease": lease})["view"]
    assert view["question"] == "What is the total of the amounts in $1 and $2?"
    assert view["pointers"] == [{"n": 1, "locked": True}, {"n": 2, "locked": True}]

    assert s.act(lease, action="unlock", pointer=2) == {"ok": True, "lease_goes_on": True}
    view = s.settled(lease)["view"]
    assert view["pointers"][1] == {"n": 2, "locked": False, "text": "4 pears at 5" + HOSTILE}
    assert view["budget"] == 6 and view["log"] == [{"kind": "unlock", "pointer": 2, "cost": 1}]
    status, got = s.call("/api/act", {"lease": lease, "action": {"action": "unlock", "pointer": 9}})
    assert (status, got) == (422, {"error": "$9 names no pointer here (pointers: $1..$2)"})
    bad = {"action": "ask", "questions": ["what of $5?"]}
    status, got = s.call("/api/act", {"lease": lease, "action": bad})
    assert (status, got) == (422, {"error": "$5 names no pointer here (pointers: $1..$2)"})

    s.act(lease, action="ask", questions=["What is the subtotal of $1?"])
    s.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"])
    lease = s.take("bo")
    view = s.ok("/api/workspace", {"lease": lease})["view"]
    assert view["log"][-1]["asked"][0]["answer"] == "$3" and view["pointers"][2]["locked"]
    s.act(lease, action="hold", text="$3 plus 20")
    held = s.settled(lease)["view"]["pointers"][3]
    assert held == {"n": 4, "locked": False, "text": "$3 plus 20"}
    s.act(lease, action="answer", text="$4")
    code, out, _ = s.finish()
    assert code == 0 and "answer: subtotal: 13 plus 20\n" in out  # the answer, opened

    tree = load(tmp_path / "session" / "trace.jsonl")
    root = tree.root
    assert root.answer is not None
    assert reveal(root.answer, tree.content).text == "subtotal: 13 plus 20"
    assert [e.pointer for e in root.events if isinstance(e, Unlock)] == ["task:2"]
    assert [e.pointer for e in root.events if isinstance(e, Hold)] == ["root:1"]
    who = [e.response["by"] for e in root.events if isinstance(e, ModelCall)]  # type: ignore[index]
    assert who == ["ann", "ann", "bo", "bo"]

    # The people's actions replay from the trace, nobody at the page or the keyboard.
    nobody = TerminalHuman(
        "people", cache=Cache.from_trace(tree), input=io.StringIO(), output=io.StringIO()
    )
    again = run(
        Ledger(note=HOSTILE).sample(0).question,
        by_depth({0: nobody}, default=Opener()),
        limits=Limits(max_depth=1, budget=8),
    )
    assert exact(again) == exact(tree) and again.content == tree.content


@pytest.mark.browser
def test_content_behind_a_pointer_never_runs_in_the_page(
    serve: Callable[..., Served], browsers: Callable[[], Any], tmp_path: Path
) -> None:
    s = serve(*hostile("--max-depth", "0"))
    ann = Person(browsers(), s.page, "ann")
    ann.take_next("root")
    locked = "return [...document.querySelectorAll('#ws-pointers li')].map(e => e.textContent)"
    assert ann.d.execute_script(locked) == ["$1 locked Unlock $1", "$2 locked Unlock $2"]
    ann.d.find_element(ann.by.CSS_SELECTOR, "#ws-pointers li[data-n='2'] button").click()
    shown = "return document.querySelector(\"#ws-pointers li[data-n='2'] .pointer\")?.textContent"
    ann.wait(lambda: ann.d.execute_script(shown) == "$2: 4 pears at 5" + HOSTILE)
    assert "budget left 6" in ann.text("ws-where") and "unlocked $2 (cost 1)" in ann.text("ws-log")
    inside = "#ws-pointers .pointer *, #ws-log *:not(li):not(div)"
    assert ann.d.find_elements(ann.by.CSS_SELECTOR, inside) == []

    ann.el("hold-text").send_keys("$2 (checked) and $1")
    ann.el("hold-btn").click()
    ann.wait(lambda: "held $3: $2 (checked) and $1" in ann.text("ws-log"))
    ann.el("hold-text").send_keys("$7")
    ann.el("hold-btn").click()
    ann.wait(lambda: ann.text("ws-error") == "$7 names no pointer here (pointers: $1..$3)")
    ann.answer("$3")
    assert s.finish()[0] == 0
    assert ann.d.title != "owned"

    tree = load(tmp_path / "session" / "trace.jsonl")
    assert tree.root.answer is not None
    assert reveal(tree.root.answer, tree.content).text == (
        f"4 pears at 5{HOSTILE} (checked) and 3 apples at 2, and 1 melon at 7"
    )
