"""The inbox's server-rendered pages: who may see them, what they show, and that customer
text is always text."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import CannedResponse, Conversation
from inbox.services import conversation_tag, messages_ingest, note_create, reply_create
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'


@pytest.fixture
def browser(agent) -> Client:
    return logged_in(agent)


def logged_in(agent) -> Client:
    client = Client()
    # Reloaded: the session hash must come from the stored password, not an unsaved one.
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


@pytest.fixture
def conversation(x_account) -> Conversation:
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t1", external_id="101", body=f"Hjælp {HOSTILE}", name=HOSTILE)],
    )
    return Conversation.objects.get()


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_login_page_logs_in_and_out(agent, client):
    agent.user.set_password("correct horse battery")
    agent.user.save()
    assert "Log in to Svar" in client.get("/login/").content.decode()
    response = client.post(
        "/login/", {"username": agent.user.username, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_the_inbox_lists_conversations_with_platform_kind_customer_and_waiting(
    browser, conversation
):
    page = browser.get("/?view=open").content.decode()
    assert f'data-id="{conversation.pk}"' in page
    assert "Public" in page
    assert "Waiting 5 min" in page
    assert "Unassigned" in page


def test_customer_content_is_escaped_everywhere(browser, conversation, agent):
    pages = [
        browser.get("/").content.decode(),
        browser.get(f"/conversations/{conversation.pk}/").content.decode(),
        browser.get(f"/conversations/{conversation.pk}/pane").content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert 'onerror="alert' not in page
        assert "&lt;script&gt;alert" in page


def test_the_conversation_shows_the_thread_with_authors_and_notes_apart(
    browser, agent, conversation
):
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Vi kigger på det.")
    note_create(user=agent.user, conversation_id=conversation.pk, body="Ring til ham i morgen")
    page = browser.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "@kirsten_m" in page
    assert "Vi kigger på det. /Mette" in page
    assert page.index("Vi kigger på det.") < page.index("Ring til ham i morgen")
    assert 'class="entry note"' in page
    assert "Mette Jensen" in page


def test_tags_of_another_teams_conversations_are_not_offered(browser, agent, outsider, other_team):
    theirs = ChannelAccountFactory(team=other_team)
    messages_ingest(account_id=theirs.pk, messages=[inbound(thread="t9")])
    conversation_tag(user=outsider.user, conversation_id=Conversation.objects.get().pk,
                     add=["sag-4711-fortrolig"])  # fmt: skip

    assert "sag-4711-fortrolig" not in browser.get("/").content.decode()
    assert "sag-4711-fortrolig" in logged_in(outsider).get("/").content.decode()


def test_another_teams_conversation_is_not_found(outsider, conversation):
    client = logged_in(outsider)
    assert client.get(f"/conversations/{conversation.pk}/").status_code == 404
    assert client.get(f"/conversations/{conversation.pk}/pane").status_code == 404


def test_canned_responses_come_with_placeholders_filled(browser, agent, conversation, team):
    CannedResponse.objects.create(
        title="Tak", body="Hej {customer_name}, tak for din besked. /{agent_name}", team=team
    )
    page = browser.get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert "tak for din besked. /Mette Jensen" in page
    assert "&lt;script&gt;" in page  # the customer's hostile name, escaped inside the attribute


def test_the_customers_earlier_conversations_are_listed(browser, x_account, conversation):
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t0", external_id="90", body="Et gammelt spørgsmål")],
    )
    page = browser.get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert "Et gammelt spørgsmål" in page


def test_an_unhealthy_account_is_shown_on_its_conversations(browser, x_account, conversation):
    x_account.health = "unhealthy"
    x_account.last_error = "401 token expired"
    x_account.save()
    page = browser.get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert "Polling is paused" in page
    assert "401 token expired" in page


def test_messenger_conversations_show_the_reply_window(browser, team):
    account = ChannelAccountFactory(team=team, platform="facebook", display_name="Siden")
    messages_ingest(
        account_id=account.pk, messages=[inbound(thread="m1", external_id="m.1", kind="private")]
    )
    conversation = Conversation.objects.get(account=account)
    page = browser.get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert "Messenger reply window: open until" in page


def test_the_profile_page_saves_name_initials_signatures_and_language(browser, agent):
    response = browser.post(
        "/profile/",
        {
            "public_name": "Mette K.",
            "initials": "MK",
            "signature_x": " ^{initials}",
            "signature_facebook": "",
            "language": "da",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.public_name, agent.signatures["x"], agent.language) == (
        "Mette K.",
        " ^{initials}",
        "da",
    )
    assert "Indbakke" in browser.get("/").content.decode()  # the profile's language wins


def test_the_profile_refuses_a_signature_without_the_agents_name(browser, agent):
    response = browser.post(
        "/profile/",
        {"public_name": "Mette", "initials": "MJ", "signature_x": " – Skat", "language": ""},
    )
    assert response.status_code == 200
    assert "must contain your name or initials" in response.content.decode()


def test_the_browser_language_is_used_when_the_profile_sets_none(browser):
    page = browser.get("/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Indbakke" in page
    assert 'lang="da"' in page


def test_a_user_without_an_agent_profile_is_refused(db):
    user = User.objects.create_user("visitor", password="x" * 12)
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 403


def test_the_account_list_says_when_a_token_needs_someone_to_act(browser, x_account):
    """A dead token is named in the inbox itself, not only on the Channels page (admins only)."""
    x_account.reconnect_needed = True
    x_account.reconnect_reason = "refresh token revoked"
    x_account.save()

    page = browser.get("/").content.decode()
    panel = page.split('id="accounts-title"', 1)[1].split("</section>", 1)[0]
    assert "Reconnect needed: refresh token revoked" in panel
    assert 'href="/channels/"' not in panel  # an agent cannot reconnect; an admin is told where


def test_an_account_whose_token_is_fine_shows_no_token_note(browser, x_account):
    page = browser.get("/").content.decode()
    assert "account-token" not in page.split('id="accounts-title"', 1)[1].split("</section>")[0]


def test_an_admin_is_pointed_to_the_channels_page_to_reconnect(admin_agent, x_account):
    x_account.reconnect_needed = True
    x_account.save()

    page = logged_in(admin_agent).get("/").content.decode()
    panel = page.split('id="accounts-title"', 1)[1].split("</section>", 1)[0]
    assert "Reconnect needed: the token no longer works" in panel
    assert 'href="/channels/"' in panel


def test_instagram_dm_conversations_show_instagrams_reply_window(browser, team):
    account = ChannelAccountFactory(team=team, platform="instagram", display_name="@skattemor")
    messages_ingest(
        account_id=account.pk, messages=[inbound(thread="ig1", external_id="ig.1", kind="private")]
    )
    conversation = Conversation.objects.get(account=account)
    page = browser.get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert "Instagram reply window: open until" in page
    assert "Messenger" not in page
