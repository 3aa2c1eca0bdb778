"""How the tree page copes with big trees, measured in headless Chromium.

Trees come from the noisy calculator (the flagship's agent) answering balanced random
sums of 10,000 and 100,000 numbers, decomposed all the way down: every node has the
real question text (the whole subexpression), its structured data and its answer, so a
page holds what such a trace really holds (about 20 MB at 100,000 nodes).

Printed: nodes, page size and the time to write the page; in Chromium the time to open
it (script done, from the start of navigation), to expand every node, to scroll to the
middle, to search, and how many rows are in the DOM while all of them are open.

    python benchmarks/viewer.py            # 10,000 and 100,000 nodes
    python benchmarks/viewer.py --sizes 10000
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hch  # noqa: E402
from agents.simulated import NoisyCalculator  # noqa: E402
from experiments.tasks.arithmetic import Expr, evaluate, question_for  # noqa: E402
from hch import Limits  # noqa: E402
from hch.viewer.page import write_tree_page  # noqa: E402
from tests.browser import CHROMEDRIVER, CHROMIUM, FLAGS, unavailable  # noqa: E402

AFTER_PAINT = (
    "const done = arguments[arguments.length - 1];"
    "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));"
)


def expression(rng: random.Random, leaves: int) -> Expr:
    """A balanced random sum/difference of ``leaves`` digits (as ArithmeticTask builds)."""
    if leaves == 1:
        return rng.randint(1, 9)
    half = leaves // 2
    return [rng.choice("+-"), expression(rng, half), expression(rng, leaves - half)]


def tree_of(nodes: int) -> hch.Tree:
    """A noisy-calculator tree of ``nodes`` nodes (one per operation of the sum)."""
    expr = expression(random.Random(nodes), nodes + 1)
    return hch.run(
        question_for(expr),
        NoisyCalculator(p_error=0.002),
        limits=Limits(max_depth=64),
        seed=nodes,
        task="arithmetic",
        truth=evaluate(expr),
    )


def timed(driver: Any, action: str) -> float:
    """Milliseconds from running ``action`` in the page to the second frame after it."""
    return float(
        driver.execute_async_script(f"const t0 = performance.now(); {action};" + AFTER_PAINT)
    )


def measure(driver: Any, page: Path) -> dict[str, float]:
    start = time.perf_counter()
    driver.get(page.resolve().as_uri())
    driver.execute_script("return window.hchView.rows")
    figures = {
        "open_ms": float(driver.execute_script("return window.hchView.openMs")),
        "load_wall_ms": (time.perf_counter() - start) * 1000,
    }
    figures["expand_all_ms"] = timed(driver, "document.getElementById('expand-all').click()")
    figures["visible_rows"] = float(driver.execute_script("return window.hchView.visibleRows()"))
    figures["dom_rows"] = float(driver.execute_script("return window.hchView.domRows()"))
    figures["scroll_middle_ms"] = timed(
        driver, "const s = document.getElementById('rows'); s.scrollTop = s.scrollHeight / 2"
    )
    figures["collapse_all_ms"] = timed(driver, "document.getElementById('collapse-all').click()")
    figures["expand_region_ms"] = timed(
        driver,
        "const r = [...document.querySelectorAll('#rows .row')].find("
        "  x => x.querySelector('.pid').textContent === 'root.0'); r.querySelector('.tog').click()",
    )
    figures["search_ms"] = timed(
        driver,
        "const q = document.getElementById('search'); q.value = '7 + 3';"
        "q.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))",
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    reason = unavailable()
    if reason is not None:
        print(f"viewer benchmark skipped: headless Chromium unavailable: {reason}")
        return 0
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    work = Path(tempfile.mkdtemp(prefix="hch-viewer-bench-"))
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={work / 'profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(300)
    driver.set_page_load_timeout(300)
    try:
        for size in args.sizes:
            tree = tree_of(size)
            start = time.perf_counter()
            page = write_tree_page(work / f"tree-{size}.html", tree, labels=(f"{size} nodes", ""))
            written = time.perf_counter() - start
            mb = page.stat().st_size / 1e6
            print(
                f"{len(tree):,} nodes (depth {tree.depth}): page {mb:.1f} MB, "
                f"written in {written:.2f} s"
            )
            f = measure(driver, page)
            print(
                f"  open {f['open_ms']:.0f} ms (script done; {f['load_wall_ms']:.0f} ms wall), "
                f"expand all {f['expand_all_ms']:.0f} ms ({f['visible_rows']:,.0f} rows open, "
                f"{f['dom_rows']:.0f} in the DOM), scroll to the middle "
                f"{f['scroll_middle_ms']:.0f} ms"
            )
            print(
                f"  collapse all {f['collapse_all_ms']:.0f} ms, expand one subtree "
                f"{f['expand_region_ms']:.0f} ms, search '7 + 3' {f['search_ms']:.0f} ms"
            )
            if size <= 10_000:
                total = f["open_ms"] + f["expand_all_ms"]
                print(f"  open + expand all: {total:.0f} ms (goal: under 2000 ms)")
    finally:
        driver.quit()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
