"""The code's shape, outside migrations and tests: no module over 450 lines, no function over
60, no function nothing uses (issue #12). Small modules of one concept and short functions are
what let a reader hold one piece at a time; past these sizes a module or function is split, not
stretched; and code nothing calls is removed, not kept "for later"."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("inbox", "connectors", "web", "bench")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
# Functions a framework finds by name alone (Django's error views in the URLconf).
CALLED_BY_NAME = {"handler400", "handler403", "handler404", "handler500"}


def modules() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_the_packages_are_read():
    found = {path.relative_to(ROOT).parts[0] for path in modules()}

    assert found == set(PACKAGES)


def test_no_module_is_over_450_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }

    assert too_long == {}, f"modules over {MAX_MODULE_LINES} lines: split them by concept"


def test_no_function_is_over_60_lines():
    too_long = {}
    for path in modules():
        for node in functions(ast.parse(path.read_text(), filename=str(path))):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines

    assert too_long == {}, f"functions over {MAX_FUNCTION_LINES} lines (def to last line)"


def test_every_top_level_function_is_used():
    """By name: a module-level function (a template filter too) whose name appears nowhere but
    in its own ``def`` is dead. Templates, tests and the `svar` script count as users."""
    sources = [*modules(), *(ROOT / "tests").rglob("*.py"), *(ROOT / "web").rglob("*.html")]
    words = Counter(
        word
        for path in [*sources, ROOT / "svar"]
        for word in re.findall(r"\w+", path.read_text(errors="replace"))
    )
    unused = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in modules()
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and words[node.name] < 2
        and node.name not in CALLED_BY_NAME
    ]

    assert unused == [], "functions nothing uses: remove them"
