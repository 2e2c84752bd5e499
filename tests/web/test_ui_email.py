"""E-mail in a real browser: a mail delivered to a real Dovecot appears in the inbox (the real
worker polls it), the agent answers by name, and the real SMTP server receives the reply
threaded under the question."""

from __future__ import annotations

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from connectors.base import InboundMessage, ThreadKind
from inbox.credentials import seal
from inbox.models import ChannelAccount
from inbox.services import messages_ingest
from tests.connectors.email_support import CUSTOMER, mail, mail_settings
from tests.connectors.mail_servers import PASSWORD as MAILBOX_PASSWORD
from tests.connectors.mail_servers import USER
from tests.factories import inbound
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
)

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_an_email_is_answered_by_name_and_the_reply_is_threaded(
    stack, dovecot, smtp, chromium, contexts
):
    ChannelAccount.objects.create(
        platform="email", display_name="Kundeservice (e-mail)", external_id=USER,
        team=stack.team, credentials_encrypted=seal(MAILBOX_PASSWORD),
        mail_settings=mail_settings(dovecot, smtp), poll_interval_seconds=1,
    )  # fmt: skip
    page = log_in(new_page(chromium, contexts), stack, "mette")

    dovecot.deliver(mail("Hej, hvornår kommer min årsopgørelse?"))

    new_row = row(page, "Anna Berg")
    expect(new_row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(new_row).to_contain_text("E-mail")
    open_conversation(page, "Anna Berg")
    expect(page.locator("#pane-subject")).to_have_text("Subject: Årsopgørelse")
    page.locator("#composer-body").fill("Den kommer i marts.")
    expect(page.locator("#preview")).to_contain_text("Venlig hilsen")
    expect(page.locator("#preview")).to_contain_text("Mette Jensen")
    shot(page, "email-composer")
    page.get_by_role("button", name="Send", exact=True).click()

    outbound = page.locator(".entry.outbound", has_text="Den kommer i marts.")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    (sent,) = smtp.received
    assert sent["From"] == f'"Mette Jensen, Skattestyrelsen" <{USER}>'
    assert sent["To"] == CUSTOMER
    assert sent["Subject"] == "Re: Årsopgørelse"
    assert sent["In-Reply-To"] == "<q1@example.dk>"
    assert sent["References"] == "<q1@example.dk>"
    assert "Den kommer i marts." in sent.get_body(("plain",)).get_content()
    shot(page, "email-sent")


class _Tracker(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Tracker.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, *args: object) -> None:
        pass


def test_the_html_of_a_mail_shows_in_a_sandbox_that_runs_no_script_and_loads_no_pixel(
    stack, chromium, contexts
):
    tracker = ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=tracker.serve_forever, daemon=True).start()
    pixel = f"http://127.0.0.1:{tracker.server_port}"
    # Stored as if the sanitiser had let everything through: the sandbox and the CSP alone
    # must keep the script from running and the pixel from loading.
    unsanitised = (
        f"<p id='greeting'>Hej fra <b>HTML</b></p><img src='{pixel}/pixel.gif'>"
        f"<script>console.log('script ran'); new Image().src='{pixel}/from-script';</script>"
        f"<div style=\"background:url('{pixel}/from-css')\">x</div>"
    )
    message = replace(inbound(thread="mail-1", body="Hej fra tekst", name="Anna Berg",
                              kind=ThreadKind.PRIVATE), html=unsanitised)  # fmt: skip
    messages_ingest(account_id=stack.account.pk, messages=[message])
    page = log_in(new_page(chromium, contexts), stack, "mette")
    console: list[str] = []
    page.on("console", lambda entry: console.append(entry.text))

    open_conversation(page, "Anna Berg")
    page.get_by_text("Show the e-mail's formatting").click()

    frame = page.frame_locator(".email-html iframe")
    expect(frame.locator("#greeting")).to_have_text("Hej fra HTML")
    shot(page, "email-html-sandbox")
    page.wait_for_timeout(1000)  # time for anything that would load to try
    tracker.shutdown()
    assert _Tracker.hits == []
    assert "script ran" not in console


def ingest_as_a_worker(account_id: int, message: InboundMessage) -> None:
    """Ingest off Playwright's event-loop thread, as the worker process would: the doorbell
    after commit then rings the web process, which pushes the event to the page."""

    def work() -> None:
        try:
            messages_ingest(account_id=account_id, messages=[message])
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_a_live_pushed_email_offers_its_formatting_without_a_reload(stack, chromium, contexts):
    """The second mail arrives while the conversation is open: the live update shows its
    "Show the e-mail's formatting" box and the sandboxed HTML, as a reload would."""
    first = replace(inbound(thread="mail-2", body="Første mail", name="Anna Berg",
                            kind=ThreadKind.PRIVATE), html="<p>Første</p>")  # fmt: skip
    ingest_as_a_worker(stack.account.pk, first)
    page = log_in(new_page(chromium, contexts), stack, "mette")
    open_conversation(page, "Anna Berg")
    formatting = page.get_by_text("Show the e-mail's formatting")
    expect(formatting).to_have_count(1)
    page.evaluate("window.svarNotReloaded = true")  # a reload would forget it

    second = replace(inbound(thread="mail-2", body="Anden mail", name="Anna Berg",
                             kind=ThreadKind.PRIVATE),
                     html="<p id='second'>Anden <b>mail</b></p>")  # fmt: skip
    ingest_as_a_worker(stack.account.pk, second)

    entry = page.locator(".entry.inbound", has_text="Anden mail")
    expect(entry).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    entry.get_by_text("Show the e-mail's formatting").click()
    expect(entry.frame_locator(".email-html iframe").locator("#second")).to_have_text("Anden mail")
    assert page.evaluate("window.svarNotReloaded") is True
    shot(page, "email-html-live")
