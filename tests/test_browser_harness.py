"""The headless Chromium harness itself: it loads a local page and runs its script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Browser

pytestmark = pytest.mark.browser


def test_a_local_page_loads_and_runs_its_script(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><title>before</title><p id=p>hi</p>"
        "<script>document.title = 'after';"
        "document.getElementById('p').textContent = 'ran'</script>",
        encoding="utf-8",
    )
    browser.open(page)
    assert browser.js("return document.title") == "after"
    assert browser.text("#p") == "ran"
    shot = browser.screenshot("page")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
