"""E-mail in a real browser: a mail delivered to a real Dovecot appears in the inbox (the real
worker polls it), the agent answers by name, and the real SMTP server receives the reply
threaded under the question."""

from __future__ import annotations

import pytest

from inbox.credentials import seal
from inbox.models import ChannelAccount
from tests.connectors.email_support import CUSTOMER, mail, mail_settings
from tests.connectors.mail_servers import PASSWORD as MAILBOX_PASSWORD
from tests.connectors.mail_servers import USER
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
