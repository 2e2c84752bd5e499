"""axe-core in the browser specs: inject the vendored engine (tests/web/axe/) into a page and
fail with a readable list when it finds any WCAG 2.1 A or AA violation."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
AXE_SHA256 = "b511cd9dec01c76f4b2ad1723b66b6db37d4c2eb4ed199076e1829d9ee7b75e3"  # 4.10.2
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _engine() -> str:
    source = AXE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    assert digest == AXE_SHA256, f"tests/web/axe/axe.min.js is not the pinned axe-core ({digest})"
    return source.decode()


def axe_violations(page: Page) -> list[dict]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_engine())  # through the debugger protocol: Svar's CSP stays as it is
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }""",
        WCAG_21_AA,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"][:5])
    return "\n".join(lines)


def assert_accessible(page: Page, state: str) -> None:
    """Zero WCAG 2.1 A/AA violations in this state of the page; a new one fails CI."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {state}:\n{describe(violations)}"
