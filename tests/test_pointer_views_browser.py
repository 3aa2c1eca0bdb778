"""Pointers on the tree page, in a real headless Chromium: chips that reveal content and
say whether the node saw it, what a node made, unlocked and passed, the content view,
and a diff of two pointer trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from hch.cli import main
from tests.browser import Browser
from tests.pointer_trees import Reverser, reversal

pytestmark = pytest.mark.browser

CHIPS = """
return [...document.querySelectorAll(arguments[0])].map(c => [
  c.dataset.pointer, c.classList.contains('seen') ? 'seen'
    : c.classList.contains('unseen') ? 'unseen' : 'neutral', c.textContent])
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pointer-page")
    reversal(trace=folder / "reversal.jsonl")
    out = folder / "reversal.html"
    assert main(["view", str(folder / "reversal.jsonl"), "-o", str(out)]) == 0
    return out


def open_at(browser: Browser, page: Path, node: str = "") -> None:
    browser.open(page, node)
    browser.wait_for("return window.hchView ? true : false")


def test_chips_say_whether_the_node_saw_the_content(browser: Browser, page: Path) -> None:
    open_at(browser, page, "root.0")
    question = browser.js(CHIPS, "#panel .msg button.ptr")[:1]
    assert question == [["task:2", "seen", "$1task:2"]]  # it unlocked its list
    answer = browser.js(CHIPS, "#panel .msg button.ptr")[1:3]
    assert answer == [
        ["root.0.1:1", "unseen", "$1root.0.1:1"],  # forwarded unread
        ["root.0.0:1", "unseen", "$2root.0.0:1"],
    ]
    title = browser.js("return document.querySelector('#panel button.ptr.unseen').title")
    assert "this node did NOT see it" in title and "4 3" in title  # hover shows the content
    browser.click("#panel button.ptr.unseen")
    box = browser.text("#panel .reveal.unseen")
    assert "root.0.1:1" in box and "made by root.0.1" in box and "did NOT see it" in box
    assert "4 3" in box
    browser.click("#panel button.ptr.unseen")  # a second click hides it again
    assert browser.js("return document.querySelectorAll('#panel .reveal').length") == 0
    panel = browser.js("return document.getElementById('panel').textContent")
    assert "this node did not see all of it" in panel and "4 3 2 1" in panel
    # rows: chips too, inert
    rows = browser.js(CHIPS, "#rows .row span.ptr")
    assert ["root.0.0:1", "seen", "$1root.0.0:1"] in rows  # root.0.0 made it
    assert ["root.0.1:1", "unseen", "$1root.0.1:1"] in rows
    browser.screenshot("chips")


def test_a_node_shows_what_it_made_unlocked_and_passed(browser: Browser, page: Path) -> None:
    open_at(browser, page, "root")
    section = browser.text("#panel details.pointers")
    assert "made 1, unlocked 1 for 1 of its budget" in section
    made = browser.js(CHIPS, "#panel details.pointers .kv.made .ptr")
    assert made == [["root:1", "seen", "root:1"]]
    unlocked = browser.text("#panel details.pointers .kv.unlocked")
    assert "task:1" in unlocked and "cost 1" in unlocked
    down = browser.js(CHIPS, "#panel details.pointers .kv.passed .ptr")
    assert ["task:2", "unseen", "task:2"] in down and ["root:1", "seen", "root:1"] in down
    # the root's note: content of content, its pointers revealed one level at a time
    browser.click("#panel details.pointers .kv.made button.ptr")
    inner = browser.js(CHIPS, "#panel .reveal button.ptr")
    assert [c[0] for c in inner] == ["root.1:1", "root.0.1:1", "root.0.0:1"]
    assert {c[1] for c in inner} == {"unseen"}
    assert "reversed: 6 5 4 3 2 1" in browser.text("#summary")


def test_the_content_view_lists_every_pointer(browser: Browser, page: Path) -> None:
    open_at(browser, page)
    assert browser.text("#content-view") == "content (9)"
    browser.click("#content-view")
    entries = browser.js(
        "return [...document.querySelectorAll('#panel .pentry')].map(e => e.dataset.pointer)"
    )
    assert entries[:5] == ["task:1", "task:2", "task:3", "task:4", "task:5"] and len(entries) == 9
    leaf = browser.text('#panel .pentry[data-pointer="root.0.0:1"]')
    assert "by root.0.0" in leaf and "never unlocked" in leaf
    assert "root.0.0 ↑ root.0, root.0 ↑ root (unread), root ⊂ root:1 (unread)" in leaf
    assert "unlocked by root.0.0 (cost 1)" in browser.text('#panel .pentry[data-pointer="task:4"]')
    browser.click('#panel .pentry[data-pointer="task:2"] button.pname')
    story = browser.text("#panel")
    assert "pointer task:2" in story and "part of the task" in story
    assert "root ↓ root.0 (unread)" in story and "root.0 (cost 1)" in story
    browser.click("#panel .pointer-view button.pathlink")  # to the node that unlocked it
    assert browser.js("return window.hchView.selected()") == "root.0"
    browser.js("document.getElementById('rows').focus()")
    browser.keys("o")
    assert browser.js("return document.querySelectorAll('#panel .pentry').length") == 9
    browser.screenshot("content")


def test_a_diff_of_pointer_trees_marks_what_changed(browser: Browser, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    reversal(trace=a)
    reversal(Reverser(slip=(0, 0)), trace=b)
    out = tmp_path / "diff.html"
    assert main(["view", str(a), str(b), "-o", str(out)]) == 0
    open_at(browser, out, "root.0.0")
    assert "the root changed" in browser.text("#summary")
    change = browser.text("#panel details.sec")
    assert "held root.0.0:1 '2 1' -> '1 2'" in change
    browser.click("#content-view")
    sides = browser.js(
        "return [...document.querySelectorAll('#panel .content-list > summary')]"
        ".map(s => s.textContent)"
    )
    assert sides == ["A: a.jsonl (9)", "B: b.jsonl (9)"]
    texts = browser.js(
        "return [...document.querySelectorAll("
        "'#panel .pentry[data-pointer=\"root.0.0:1\"] .ctext')].map(e => e.textContent)"
    )
    assert texts == ["2 1", "1 2"]
