"""In a real browser (Chromium), the inbox and every conversation page show the hostile
corpus without running any of it: no dialog, no script error, no CSP violation (which would
mean something got into the page as markup and only the policy stopped it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inbox.models import Conversation
from tests.security.test_hostile_input import hostile_inbox  # noqa: F401 (fixture)
from tests.web.chromium import chromium  # noqa: F401 (fixture)
from tests.web.live import session_cookie
from tests.web.servers import AsgiServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.browser,
]


@pytest.fixture
def web(channel_prefix: str) -> Iterator[AsgiServer]:
    server = AsgiServer().start()
    yield server
    server.stop()


def test_no_hostile_string_runs_as_script_in_the_browser(hostile_inbox, web, agent, chromium):  # noqa: F811
    name, value = session_cookie(agent.user).split("=", 1)
    ids = list(Conversation.objects.values_list("pk", flat=True))
    dialogs: list[str] = []
    console: list[str] = []
    errors: list[str] = []
    context = chromium.new_context()
    context.add_cookies([{"name": name, "value": value, "url": web.origin}])
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    visited = 0
    for path in ["/", *[f"/conversations/{pk}/" for pk in ids]]:
        response = page.goto(web.origin + path, wait_until="networkidle")
        assert response is not None
        assert response.status == 200, path
        visited += 1
    shown = page.content()
    context.close()

    print(
        f"\nbrowser: {visited} pages with {len(hostile_inbox)} hostile messages; "
        f"{len(dialogs)} dialogs, {len(errors)} page errors, {len(console)} console lines"
    )
    assert dialogs == []
    assert errors == []
    assert not [line for line in console if "Content Security Policy" in line], console
    assert not [line for line in console if "svar-xss" in line], console
    assert "alert('svar-xss-1')" in shown  # the text is on the page, as text
