"""Trace strings are untrusted: in a real Chromium, no payload runs, none becomes markup,
and each shows as the text it is; pointer ids, held content, holds and unlocks too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hch
from hch.cli import main
from hch.viewer.html import embed_json
from tests.browser import Browser
from tests.pointer_trees import NO_CONTENT, hostile_pointer_tree
from tests.viewer_trees import PAYLOADS, hostile_tree

pytestmark = pytest.mark.browser

NAME = "<img src=x onerror=window.pwned=9>.jsonl"

NOTHING_RAN = """
return {
  pwned: window.pwned === undefined ? null : window.pwned,
  title: document.title,
  scripts: document.scripts.length,
  foreign: document.querySelectorAll('img, svg, iframe, object, embed, link, base, form').length,
  styles: document.querySelectorAll('style').length,
  visible: getComputedStyle(document.body).display,
}
"""


def assert_nothing_ran(browser: Browser, title: str) -> None:
    state = browser.js(NOTHING_RAN)
    assert state == {
        "pwned": None,
        "title": title,
        "scripts": 2,  # the data block and the page's own script
        "foreign": 0,
        "styles": 1,
        "visible": "block",
    }
    problems = [m for m in browser.console() if "Content Security Policy" in m or "Uncaught" in m]
    assert problems == []


def shown_as(payload: str) -> str:
    """How the page writes a payload: characters that hide or reorder text as escapes."""
    if "\u202e" in payload:
        return "\\u202eevil\\u202c"
    if "\x1b" in payload:
        return "\\u001b]0;pwned\\u0007 <style>body{display:none}</style> & &amp;"
    return payload


def open_view(browser: Browser, trace: Path, page: Path) -> None:
    """Write the page of ``trace`` with ``hch view``, open it, and check nothing ran."""
    assert main(["view", str(trace), "-o", str(page)]) == 0
    browser.open(page)
    browser.wait_for("return window.hchView ? true : false")
    assert_nothing_ran(browser, NAME)
    browser.click("#expand-all")


def click_row(browser: Browser, node: str) -> None:
    browser.js(
        "[...document.querySelectorAll('#rows .row')].find("
        "  r => r.querySelector('.pid').textContent === arguments[0]).click()",
        node,
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    trace = tmp_path / NAME
    hch.save(hostile_tree(), trace)
    return trace


def test_no_payload_runs_on_a_tree_page(browser: Browser, hostile: Path, tmp_path: Path) -> None:
    open_view(browser, hostile, tmp_path / "hostile.html")
    shown = browser.text("#rows")
    for i, payload in enumerate(PAYLOADS):  # every node, clicked: its panel shows each as text
        click_row(browser, f"root.{i}")
        panel = browser.js("return document.getElementById('panel').textContent")
        literal = shown_as(payload)
        assert literal in panel, (i, literal)
        assert_nothing_ran(browser, NAME)
    assert "<script>window.pwned = 1" in shown
    browser.screenshot("hostile")


def test_a_megabyte_answer_is_folded_and_shown_whole_on_demand(
    browser: Browser, hostile: Path, tmp_path: Path
) -> None:
    page = tmp_path / "big.html"
    assert main(["view", str(hostile), "-o", str(page)]) == 0
    browser.open(page, f"root.{len(PAYLOADS)}")
    browser.wait_for("return window.hchView ? true : false")
    more = browser.js("return document.querySelector('#panel button.more').textContent")
    assert more == f"show all {1_000_033:,} characters"
    browser.click("#panel button.more")
    length = browser.js(
        "return Math.max(...[...document.querySelectorAll('#panel pre')]"
        ".map(p => p.textContent.length))"
    )
    assert length == 1_000_033
    assert_nothing_ran(browser, NAME)


def test_searching_for_markup_finds_it_as_text(
    browser: Browser, hostile: Path, tmp_path: Path
) -> None:
    page = tmp_path / "search.html"
    assert main(["view", str(hostile), "-o", str(page)]) == 0
    browser.open(page)
    browser.wait_for("return window.hchView ? true : false")
    browser.click("#search")
    browser.keys("<script>", "\n")
    browser.wait_for("return document.getElementById('found').textContent.includes('match')")
    assert browser.js(
        "return [...document.querySelectorAll('mark')].every(m => m.textContent === '<script>')"
    )
    assert_nothing_ran(browser, NAME)


def test_no_payload_runs_on_a_diff_page(browser: Browser, hostile: Path, tmp_path: Path) -> None:
    tree = hostile_tree(big=10)
    other = tree.model_copy(
        update={
            "nodes": [
                n.model_copy(update={"answer": hch.Answer(text=PAYLOADS[3])})
                if n.path == (0,)
                else n
                for n in tree.nodes
            ]
        }
    )
    a, b = tmp_path / "a.jsonl", tmp_path / NAME
    hch.save(tree, a)
    hch.save(other, b)
    page = tmp_path / "diff.html"
    assert main(["view", str(a), str(b), "-o", str(page)]) == 0
    browser.open(page, "root.0")
    browser.wait_for("return window.hchView ? true : false")
    assert_nothing_ran(browser, f"a.jsonl vs {NAME}")
    assert PAYLOADS[3] in browser.js("return document.getElementById('panel').textContent")


def test_the_page_forbids_remote_loads_and_other_scripts(hostile: Path, tmp_path: Path) -> None:
    page = tmp_path / "csp.html"
    assert main(["view", str(hostile), "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert "default-src 'none'" in head and "script-src 'sha256-" in head
    assert "unsafe-inline" not in head and "http" not in head.lower().replace("http-equiv", "")
    body = html[html.index('id="hch-data">') :]
    data = body[len('id="hch-data">') : body.index("</script>")]
    assert "<" not in data and ">" not in data and "\u2028" not in data
    assert json.loads(data)["trees"][0]["nodes"][1]["agent"] == PAYLOADS[0]
    assert embed_json({"x": "</script>"}) == '{"x":"\\u003c/script\\u003e"}'


def test_no_pointer_id_content_hold_or_unlock_runs(browser: Browser, tmp_path: Path) -> None:
    trace = tmp_path / NAME
    hch.save(hostile_pointer_tree(), trace)
    page = tmp_path / "pointers.html"
    open_view(browser, trace, page)
    rows = browser.js(
        "return [...document.querySelectorAll('#rows .ptr')].map(c => c.dataset.pointer)"
    )
    assert set(PAYLOADS) <= set(rows)
    for i, payload in enumerate(PAYLOADS):  # every node: every chip revealed, every story
        click_row(browser, f"root.{i}")
        browser.js("document.querySelectorAll('#panel button.ptr').forEach(c => c.click())")
        browser.js("document.querySelectorAll('#panel .reveal button.ptr').forEach(c => c.click())")
        panel = browser.js("return document.getElementById('panel').textContent")
        assert panel.count(shown_as(payload)) >= 3, i  # id, held content, unlock
        assert_nothing_ran(browser, NAME)
        browser.js("document.querySelector('#panel .reveal button.about').click()")
        assert shown_as(payload) in browser.js(
            "return document.getElementById('panel').textContent"
        )
        assert_nothing_ran(browser, NAME)
    browser.click("#content-view")
    listed = browser.js("return document.getElementById('panel').textContent")
    assert all(shown_as(p) in listed for p in PAYLOADS)
    assert f"{NO_CONTENT} by the task" in listed and "not in the trace" in listed
    browser.js("document.querySelectorAll('#panel .pentry button').forEach(b => b.click())")
    assert_nothing_ran(browser, NAME)
    browser.open(page, f"root.{len(PAYLOADS)}")  # content naming itself twice: cut short
    browser.wait_for("return window.hchView ? true : false")
    browser.js(
        "document.querySelector('#panel pre.revealed').parentNode.querySelector('.more').click()"
    )
    revealed = browser.js("return document.querySelector('#panel pre.revealed').textContent")
    assert 1_000_000 <= len(revealed) < 1_100_000 and revealed.endswith("…")
    browser.screenshot("hostile-pointers")
