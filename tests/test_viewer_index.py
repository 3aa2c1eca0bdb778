"""The study index: `hch report` and `hch view DIR` write it; in Chromium a researcher
goes from the worst grid point to its trees and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from hch.cli import main
from hch.study import load_experiment, run_study
from tests.browser import Browser

FLAGSHIP = str(Path(__file__).resolve().parents[1] / "experiments" / "depth_vs_quality.py")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("study")
    run_study(
        load_experiment(FLAGSHIP),
        out,
        params={"depth": [0, 2], "p_error": [0.002, 0.01]},
        trials=10,
        trace_every=3,
    )
    return out


def test_report_writes_the_index_and_a_page_per_kept_tree(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(study), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert f"index: {study / 'index.html'}" in out
    kept = sorted((study / "traces").rglob("*.jsonl"))
    pages = sorted((study / "trees").rglob("*.html"))
    assert len(kept) == len(pages) == 16  # trials 0, 3, 6, 9 of 4 grid points
    assert [p.relative_to(study / "trees").with_suffix("") for p in pages] == [
        k.relative_to(study / "traces").with_suffix("") for k in kept
    ]
    before = pages[0].stat().st_mtime_ns
    assert main(["view", str(study)]) == 0
    assert pages[0].stat().st_mtime_ns == before  # unchanged trees are not written again


@pytest.mark.browser
def test_from_the_worst_grid_point_to_its_tree_and_back(browser: Browser, study: Path) -> None:
    assert main(["report", str(study)]) == 0
    browser.open(study / "index.html")
    browser.wait_for("return window.hchIndex ? true : false")
    assert browser.console() == []
    assert browser.js("return document.querySelectorAll('#plots img').length") == 2
    assert browser.js("return document.querySelectorAll('#cells tbody tr').length") == 4
    browser.screenshot("index")
    # Sort by accuracy, worst first: the worst cell is marked and comes first.
    browser.js(
        "[...document.querySelectorAll('#cells th')].find(t => t.textContent === 'accuracy')"
        ".click()"
    )
    first = browser.js("return document.querySelector('#cells tbody tr').textContent")
    assert "worst" in first
    browser.click("#cells tbody tr")
    title = browser.text("#trees-title")
    assert title.startswith("Trees at depth=") and title.endswith("4 rows")
    browser.click("#wrong-only")
    links = browser.js(
        "return [...document.querySelectorAll('#trees a.open')].map(a => a.getAttribute('href'))"
    )
    assert links and all(link.startswith("trees/depth=") for link in links)
    browser.click("#trees a.open")
    browser.wait_for("return window.hchView ? true : false")
    assert browser.console() == []
    summary = browser.text("#summary")
    assert "study index" in summary and "trial" in summary
    browser.screenshot("tree")
    browser.click("#summary a.back")
    browser.wait_for("return window.hchIndex ? true : false")
    assert browser.js("return location.pathname").endswith("/index.html")


def test_view_a_directory_that_is_not_a_study(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["view", str(tmp_path)]) == 2
    assert "is not a study directory" in capsys.readouterr().err
