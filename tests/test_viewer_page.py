"""The tree page in a real headless Chromium: open, expand, search, keys, panel, colours,
and two trees with the chain of changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

import hch
from hch.cli import main
from hch.viewer.page import write_tree_page
from tests.browser import Browser
from tests.viewer_trees import conversation_tree, corrected, deepest_wrong, wrong_tree

pytestmark = pytest.mark.browser

READY = "return window.hchView ? true : false"


def open_page(browser: Browser, page: Path, fragment: str = "") -> None:
    browser.open(page, fragment)
    browser.wait_for(READY)


def rows_shown(browser: Browser) -> list[str]:
    """The labels of the rows in the DOM, top to bottom."""
    return list(
        browser.js(
            "return [...document.querySelectorAll('#rows .row:not([hidden])')]"
            ".sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)"
            ".map(r => r.querySelector('.pid').textContent)"
        )
    )


@pytest.fixture
def wrong(tmp_path: Path) -> tuple[hch.Tree, Path]:
    trace = tmp_path / "wrong.jsonl"
    tree = wrong_tree(trace)
    page = tmp_path / "wrong.html"
    assert main(["view", str(trace), "-o", str(page)]) == 0
    return tree, page


def test_the_page_opens_on_the_root_with_where_it_went_wrong(
    browser: Browser, wrong: tuple[hch.Tree, Path]
) -> None:
    tree, page = wrong
    open_page(browser, page)
    assert browser.js("return window.hchView.rows") == len(tree) == 15
    assert browser.js("return window.hchView.selected()") == "root"
    assert browser.console() == []
    born = deepest_wrong(tree)
    label = hch.format_path(born)
    assert label in browser.text("#summary .born-list")
    # The path from where the error was born up to the root is open and highlighted.
    on_path = browser.js(
        "return [...document.querySelectorAll('#rows .row.onpath .pid')].map(e => e.textContent)"
    )
    assert label in on_path and "root" in on_path
    assert browser.text("#panel .ptitle").startswith("✗ root")
    browser.screenshot("opened")


def test_expand_collapse_and_keyboard(browser: Browser, wrong: tuple[hch.Tree, Path]) -> None:
    tree, page = wrong
    open_page(browser, page)
    browser.click("#collapse-all")
    assert rows_shown(browser) == ["root", "root.0", "root.1"]
    browser.click("#expand-all")
    assert rows_shown(browser) == [n.id for n in tree]
    browser.click("#rows .row")  # the root
    browser.keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert browser.js("return window.hchView.selected()") == "root.0.0"
    browser.keys(Keys.ARROW_LEFT)  # collapse root.0.0
    assert "root.0.0.0" not in rows_shown(browser)
    browser.keys(Keys.ARROW_LEFT)  # to the parent
    assert browser.js("return window.hchView.selected()") == "root.0"
    browser.keys(Keys.END)
    assert browser.js("return window.hchView.selected()") == "root.1.1.1"
    browser.keys(Keys.HOME, Keys.ARROW_RIGHT)  # root is open: go to its first child
    assert browser.js("return window.hchView.selected()") == "root.0"
    assert browser.text("#panel .ptitle").split()[1] == "root.0"
    browser.screenshot("keyboard")


def test_search_highlights_and_counts_matches(
    browser: Browser, wrong: tuple[hch.Tree, Path]
) -> None:
    tree, page = wrong
    open_page(browser, page)
    leaf = tree[(1, 1, 1)]
    needle = leaf.question.text  # e.g. "9 + 8": also inside every ancestor's question
    browser.click("#search")
    browser.keys(needle, Keys.ENTER)
    browser.wait_for("return document.getElementById('found').textContent.includes('match')")
    texts = [n.question.text for n in tree] + [n.answer.text for n in tree if n.answer]
    total = sum(t.count(needle) for t in texts)
    nodes = sum(1 for n in tree if needle in n.question.text or needle in (n.answer.text or ""))
    found = browser.text("#found")
    assert f"{total} match" in found and f"in {nodes} node" in found
    marks = browser.js(
        "return [...document.querySelectorAll('#rows mark')].map(m => m.textContent)"
    )
    assert marks and set(marks) == {needle}
    assert browser.js("return document.querySelectorAll('#panel mark').length") >= 1
    before = browser.js("return window.hchView.selected()")
    browser.keys(Keys.ENTER)  # next match
    assert browser.js("return window.hchView.selected()") != before
    browser.screenshot("search")
    browser.keys(Keys.ESCAPE)
    assert browser.text("#found") == ""
    assert browser.js("return document.querySelectorAll('#rows mark').length") == 0


def test_clicking_a_node_fills_the_panel(browser: Browser, wrong: tuple[hch.Tree, Path]) -> None:
    tree, page = wrong
    open_page(browser, page)
    born = tree[deepest_wrong(tree)]
    browser.js(
        "const want = arguments[0];"
        "[...document.querySelectorAll('#rows .row')].find("
        "  r => r.querySelector('.pid').textContent === want).click()",
        born.id,
    )
    panel = browser.text("#panel")
    assert born.id in panel
    assert "went wrong here" in panel
    assert born.question.text in panel
    assert born.answer is not None and born.answer.text in panel
    assert "slips" in panel  # the note the noisy calculator left where it slipped
    assert "budget" in panel and "time" in panel
    assert browser.js("return location.hash") == "#" + born.id
    browser.screenshot("panel")


def test_a_fragment_opens_that_node(browser: Browser, wrong: tuple[hch.Tree, Path]) -> None:
    _, page = wrong
    open_page(browser, page, "root.1.0")
    assert browser.js("return window.hchView.selected()") == "root.1.0"


@pytest.mark.parametrize("mode", ["correctness", "status", "agent", "depth"])
def test_colour_modes(browser: Browser, wrong: tuple[hch.Tree, Path], mode: str) -> None:
    tree, page = wrong
    open_page(browser, page)
    browser.js(
        "const s = document.getElementById('colour'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'))",
        mode,
    )
    chips = browser.js(
        "return [...document.querySelectorAll('#rows .row:not([hidden]) .chip')]"
        ".map(c => getComputedStyle(c).backgroundColor)"
    )
    legend = browser.text("#legend")
    assert chips and legend
    if mode == "correctness":  # right and wrong nodes differ in colour
        assert len(set(chips)) >= 2 and "went wrong here" in legend
    if mode == "status":
        assert len(set(chips)) == 1 and "failed" in legend  # every node ok
    if mode == "depth":
        browser.click("#expand-all")
        chips = browser.js(
            "return [...document.querySelectorAll('#rows .row:not([hidden]) .chip')]"
            ".map(c => getComputedStyle(c).backgroundColor)"
        )
        assert len(set(chips)) == tree.depth + 1
    browser.screenshot(f"colour-{mode}")


def test_two_trees_show_the_chain_of_changes(browser: Browser, tmp_path: Path) -> None:
    a_file, b_file = tmp_path / "recorded.jsonl", tmp_path / "fixed.jsonl"
    a = wrong_tree(a_file)
    born = deepest_wrong(a)
    b = corrected(a, born, b_file)
    d = hch.diff(a, b)
    page = tmp_path / "diff.html"
    assert main(["view", str(a_file), str(b_file), "-o", str(page)]) == 0
    open_page(browser, page)
    assert browser.console() == []
    summary = browser.text("#summary")
    assert "recorded.jsonl" in summary and "fixed.jsonl" in summary
    counts = f"{len(d.paths('changed'))} changed, 0 added, 0 removed"
    assert counts in summary
    chain = d.chains[0]
    assert chain.describe() in summary
    marked = browser.js(
        "return [...document.querySelectorAll('#rows .row.chain')]"
        ".map(r => r.querySelector('.pid').textContent)"
    )
    assert sorted(marked) == sorted(hch.format_path(p) for p in chain.changed)
    changed = browser.js(
        "return [...document.querySelectorAll('#rows .row.ch-changed')]"
        ".map(r => r.querySelector('.pid').textContent)"
    )
    assert sorted(changed) == sorted(hch.format_path(p) for p in d.paths("changed"))
    browser.click("#summary .chain-link")
    assert browser.js("return window.hchView.selected()") == hch.format_path(chain.source)
    panel = browser.text("#panel")
    assert "changed: answer" in panel
    assert "A: recorded.jsonl" in panel and "B: fixed.jsonl" in panel
    browser.screenshot("diff")


def test_a_trace_cut_off_mid_run_opens(browser: Browser, tmp_path: Path) -> None:
    trace = tmp_path / "full.jsonl"
    wrong_tree(trace)
    lines = trace.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:6]) + "\n" + lines[6][:20])  # header, 5 nodes, half a line
    tree = hch.load(cut)
    assert not tree.complete and () not in tree
    page = tmp_path / "cut.html"
    assert main(["view", str(cut), "-o", str(page)]) == 0
    open_page(browser, page)
    assert browser.console() == []
    assert "incomplete" in browser.text("#summary")
    assert "no root" in browser.text("#summary")
    assert "not recorded" in browser.text("#panel")  # the root never finished
    assert browser.js("return window.hchView.rows") > len(tree)  # placeholders for ancestors


def test_the_panel_shows_calls_tools_notes_follow_ups_and_memes(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "talk.html"
    write_tree_page(page, conversation_tree())
    open_page(browser, page, "root.0")
    panel = browser.text("#panel")
    for shown in [
        "model call 1: sim-1 (cached)",
        "attempt 2 · latency 250.0 ms · tokens 12 in, 5 out · cost $0.000400 · from the cache",
        "What is 2 + 2?",
        "4, trust me",
        '"temperature": 0',
        "tool call: calculator",
        '"expr": "2+2"',
        "◆trust-me",
    ]:
        assert shown in panel, shown
    open_page(browser, page, "root.1")
    panel = browser.text("#panel")
    assert "turn 2 of a conversation" in panel and "root.0" in panel
    assert '"mood": "certain"' in panel
    # Colour by meme and highlight its path: the carriers and their ancestors.
    browser.js(
        "const c = document.getElementById('colour'); c.value = 'meme';"
        "c.dispatchEvent(new Event('change'));"
        "const m = document.getElementById('meme'); m.value = 'trust-me';"
        "m.dispatchEvent(new Event('change'));"
        "const h = document.getElementById('highlight'); h.value = 'meme';"
        "h.dispatchEvent(new Event('change'))"
    )
    on_path = browser.js(
        "return [...document.querySelectorAll('#rows .row.onpath .pid')].map(e => e.textContent)"
    )
    assert sorted(on_path) == ["root", "root.0"]
    chips = browser.js(
        "return Object.fromEntries([...document.querySelectorAll('#rows .row')].map("
        "r => [r.querySelector('.pid').textContent, getComputedStyle(r.querySelector('.chip'))"
        ".backgroundColor]))"
    )
    assert chips["root.0"] != chips["root"]  # born at root.0, carried by the root
    assert chips["root.1"] == chips["root.2"]  # neither carries it
    assert "meme born here" in browser.text("#legend")
    browser.screenshot("memes")
