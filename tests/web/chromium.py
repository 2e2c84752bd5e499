"""Headless Chromium for the browser specs: Debian's /usr/bin/chromium (or SVAR_CHROMIUM),
driven by Playwright. Without it the specs skip locally and fail under CI (tests/ci_rules.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.ci_rules import unavailable

# Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
# between browser steps are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip


def executable() -> str:
    return os.environ.get("SVAR_CHROMIUM") or CHROMIUM


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    path = executable()
    if not Path(path).is_file():
        unavailable(f"no Chromium at {path} (apt-get install chromium, or set SVAR_CHROMIUM)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            first_line = str(error).strip().splitlines()[0]
            unavailable(f"Playwright cannot launch the Chromium at {path}: {first_line}")
        yield browser
        browser.close()
