"""What a missing prerequisite means: a skip with its reason on an engineer's machine, a failure
under CI (CI=true), where every spec must have run. Browser specs (any test that uses the
``chromium`` fixture) carry the ``browser`` marker, and under CI a skipped browser spec fails
whatever skipped it.

tests/conftest.py imports the hooks below, so they apply to the whole suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

BROWSER_FIXTURE = "chromium"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip the test for lack of `reason` locally; fail it under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this spec must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    browser = item.get_closest_marker("browser") is not None
    if report.skipped and browser and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser spec skipped under CI=true: {reason}"
