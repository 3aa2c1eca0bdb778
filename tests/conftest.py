"""Shared fixtures: every async test runs on asyncio and on trio; ``browser`` drives
headless Chromium (``tests/browser.py``)."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.browser"]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
