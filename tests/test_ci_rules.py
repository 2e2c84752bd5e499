"""A browser spec without a usable Chromium skips with its reason on an engineer's machine and
fails under CI=true; under CI a browser spec skipped for any other reason fails too. Each case
is a real pytest run of a small spec, with SVAR_CHROMIUM pointed where the case needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFTEST = """\
from tests.ci_rules import pytest_collection_modifyitems, pytest_runtest_makereport
from tests.web.chromium import chromium
"""
SPECS = """\
import pytest

def test_uses_the_browser(chromium):
    assert chromium.version

@pytest.mark.browser
@pytest.mark.skip(reason="skipped by hand")
def test_marked_and_skipped():
    pass

def test_plain():
    pass
"""


def run(
    tmp_path: Path, chromium: str, *, ci: bool, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_specs.py").write_text(SPECS)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: drives Chromium\n")
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(SVAR_CHROMIUM=chromium, PYTHONPATH=str(ROOT), **({"CI": "true"} if ci else {}))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-rA", "-p", "no:django", "-p", "no:cacheprovider",
         "-c", str(tmp_path / "pytest.ini"), *options, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def outcome(result: subprocess.CompletedProcess[str], test: str) -> str:
    """PASSED, SKIPPED, FAILED or ERROR: the first outcome pytest -v reports for `test`."""
    for line in result.stdout.splitlines():
        if line.startswith(f"test_specs.py::{test} "):
            return line.split()[1]
    raise AssertionError(f"{test} is not in the output:\n{result.stdout}")


def test_without_chromium_a_browser_spec_skips_locally_with_the_reason(tmp_path):
    result = run(tmp_path, "/nonexistent/chromium", ci=False)

    assert result.returncode == 0, result.stdout
    assert outcome(result, "test_uses_the_browser") == "SKIPPED"
    assert "no Chromium at /nonexistent/chromium" in result.stdout
    assert outcome(result, "test_marked_and_skipped") == "SKIPPED"
    assert outcome(result, "test_plain") == "PASSED"


def test_under_ci_a_browser_spec_without_chromium_fails(tmp_path):
    result = run(tmp_path, "/nonexistent/chromium", ci=True)

    assert result.returncode == 1, result.stdout
    assert outcome(result, "test_uses_the_browser") == "ERROR"
    assert "no Chromium at /nonexistent/chromium" in result.stdout
    assert outcome(result, "test_marked_and_skipped") == "ERROR"  # skip markers act in set-up
    assert outcome(result, "test_plain") == "PASSED"


def test_a_chromium_that_will_not_start_counts_as_missing(tmp_path):
    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("#!/bin/sh\nexit 1\n")
    not_a_browser.chmod(0o755)

    local = run(tmp_path, str(not_a_browser), ci=False)
    in_ci = run(tmp_path, str(not_a_browser), ci=True)

    assert outcome(local, "test_uses_the_browser") == "SKIPPED"
    assert "Playwright cannot launch" in local.stdout
    assert outcome(in_ci, "test_uses_the_browser") == "ERROR"


@pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="no /usr/bin/chromium here")
def test_with_chromium_the_browser_spec_runs(tmp_path):
    result = run(tmp_path, "/usr/bin/chromium", ci=True)

    assert outcome(result, "test_uses_the_browser") == "PASSED"


def test_deselecting_the_browser_marker_leaves_no_browser_spec_to_fail(tmp_path):
    """The second CI run (`-m "not browser"`): a spec is a browser spec by its fixture alone."""
    result = run(tmp_path, "/nonexistent/chromium", ci=True, options=("-m", "not browser"))

    assert result.returncode == 0, result.stdout
    assert "2 deselected" in result.stdout
    assert outcome(result, "test_plain") == "PASSED"
