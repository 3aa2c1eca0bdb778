"""Headless Chromium for tests: Debian's ``chromium`` driven through ``chromedriver``.

Use the ``browser`` fixture (registered for every test by ``tests/conftest.py``)::

    @pytest.mark.browser
    def test_page(browser: Browser, tmp_path: Path) -> None:
        browser.open(tmp_path / "page.html")
        assert browser.js("return document.title") == "..."
        browser.screenshot("page")  # tmp_path/page.png

Nothing is downloaded: selenium is pointed at the Debian binaries, so Selenium Manager
never runs. ``make test`` installs ``chromium`` and ``chromium-driver`` with apt when
they are missing; where they still cannot be had, browser tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CHROMEDRIVER", "CHROMIUM", "FLAGS", "Browser", "browser", "chromium", "unavailable"]

CHROMIUM = Path(os.environ.get("HCH_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("HCH_CHROMEDRIVER", "/usr/bin/chromedriver"))

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]
"""Headless, offline, no background traffic; a fresh ``--user-data-dir`` is added per run."""


def unavailable() -> str | None:
    """Why headless Chromium cannot be driven here, or None when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[dev]'"
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (binary.exists() and os.access(binary, os.X_OK)):
            return f"{binary} is missing: apt-get install {package} (make test does it as root)"
    return None


class Browser:
    """One headless Chromium page; screenshots go to the test's own folder."""

    def __init__(self, driver: Any, out: Path) -> None:
        self.driver = driver
        self.out = out

    def open(self, file: str | Path, fragment: str = "") -> None:
        """Load a local file (``file://``), optionally at ``#fragment``."""
        url = Path(file).resolve().as_uri() + (f"#{fragment}" if fragment else "")
        self.driver.get("about:blank")  # a new document even when only the fragment differs
        self.driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body: ``return ...``) in the page."""
        return self.driver.execute_script(script, *args)

    def wait_for(self, script: str, timeout: float = 10.0) -> Any:
        """Wait until ``script`` returns something truthy; return it."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(lambda d: d.execute_script(script))

    def keys(self, *keys: str) -> None:
        """Type ``keys`` into whatever has focus (selenium ``Keys`` for special keys)."""
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(*keys).perform()

    def click(self, css: str) -> None:
        """Click the first element matching ``css`` (a real click, as a person does)."""
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def text(self, css: str) -> str:
        """The rendered text of the first element matching ``css``."""
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def screenshot(self, name: str) -> Path:
        """Save the viewport as ``<test folder>/<name>.png`` and return the file."""
        file = self.out / f"{name}.png"
        self.driver.save_screenshot(str(file))
        return file

    def console(self) -> list[str]:
        """Messages the page logged since the last call (errors, CSP reports)."""
        return [str(entry["message"]) for entry in self.driver.get_log("browser")]


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium for the whole session (starting one takes a second or two)."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"headless Chromium unavailable: {reason}")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chromium: Any, tmp_path: Path) -> Browser:
    """The session's Chromium, on a blank page, saving screenshots into ``tmp_path``."""
    chromium.get("about:blank")
    chromium.get_log("browser")  # drop what earlier tests left
    return Browser(chromium, tmp_path)
