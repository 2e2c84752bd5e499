"""The conversations API as a client sees it: filters, keyset pages, and clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbox.models import Conversation
from inbox.services import conversation_assign, conversation_tag, messages_ingest
from tests.conftest import api_client_for
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db


def _conversations(account, count: int, *, start=None) -> list[Conversation]:
    start = start or timezone.now() - timedelta(days=1)
    messages_ingest(
        account_id=account.pk,
        messages=[
            inbound(thread=f"t{i}", author=f"c{i}", handle=f"kunde{i}",
                    at=start + timedelta(minutes=i))
            for i in range(count)
        ],
    )  # fmt: skip
    return list(Conversation.objects.filter(account=account).order_by("-last_message_at"))


def test_the_list_needs_authentication():
    response = APIClient().get("/api/conversations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_script_authenticates_with_a_token(agent, x_account):
    _conversations(x_account, 1)
    token = Token.objects.create(user=agent.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/conversations")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_pages_follow_the_cursor_without_gaps_or_repeats(api, x_account):
    expected = [c.pk for c in _conversations(x_account, 23)]
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/conversations", params).json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_rows_carry_what_the_inbox_list_shows(api, x_account):
    _conversations(x_account, 1)
    row = api.get("/api/conversations").json()["results"][0]
    assert row["platform"] == "x"
    assert row["kind"] == "public"
    assert row["contact"]["handle"] == "kunde0"
    assert row["status"] == "open"
    assert row["assignee"] is None
    assert row["waiting_since"] is not None
    assert row["snippet"].startswith("Hej")
    assert row["version"] == 1


def test_filters_by_assignee_status_platform_tag_and_text(api, agent, x_account, team):
    fb = ChannelAccountFactory(team=team, platform="facebook", display_name="Skat på Facebook")
    first, second, third = _conversations(x_account, 3)
    _conversations(fb, 1)
    conversation_assign(user=agent.user, conversation_id=first.pk, assignee_id=agent.pk)
    conversation_tag(user=agent.user, conversation_id=second.pk, add=["Forskud"])

    def ids(**params):
        response = api.get("/api/conversations", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(assignee="me") == {first.pk}
    assert ids(assignee="unassigned", platform="x") == {second.pk, third.pk}
    assert ids(tag="forskud") == {second.pk}
    assert ids(status="resolved") == set()
    assert ids(status="open,pending", platform="facebook") == {
        Conversation.objects.get(account=fb).pk
    }
    assert ids(q="kunde2") == {first.pk}  # the newest thread is kunde2's
    assert ids(team=team.pk, order="waiting") == ids()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"assignee": "someone"}, "assignee"),
        ({"order": "random"}, "order"),
        ({"platform": "myspace"}, "platform"),
    ],
)
def test_bad_list_parameters_are_a_clear_400(api, x_account, params, field):
    response = api.get("/api/conversations", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["message"] or field == error["details"].get("field")


def test_a_cursor_from_another_order_is_refused(api, x_account):
    _conversations(x_account, 3)
    cursor = api.get("/api/conversations", {"limit": 1}).json()["next_cursor"]
    response = api.get("/api/conversations", {"limit": 1, "order": "waiting", "cursor": cursor})
    assert response.status_code == 400


def test_detail_holds_messages_in_order_and_notes(api, agent, x_account):
    (conversation,) = _conversations(x_account, 1)
    api.post(f"/api/conversations/{conversation.pk}/notes", {"body": "Ring til borgeren"},
             format="json")  # fmt: skip
    api.post(f"/api/conversations/{conversation.pk}/reply", {"body": "Tak, vi kigger på det"},
             format="json")  # fmt: skip

    body = api.get(f"/api/conversations/{conversation.pk}").json()

    assert [m["direction"] for m in body["messages"]] == ["in", "out"]
    assert body["messages"][1]["author_agent"]["public_name"] == "Mette Jensen"
    assert body["notes"][0]["body"] == "Ring til borgeren"
    assert body["earlier_messages"] is False


def test_unknown_ids_and_routes_are_json_404s(api):
    for path in ("/api/conversations/999999", "/api/nothing-here"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    response = api.post("/api/conversations/999999/reply", {"body": "hej"}, format="json")
    assert response.status_code == 404


def test_a_malformed_json_body_is_a_400_not_a_500(api, x_account):
    (conversation,) = _conversations(x_account, 1)
    response = api.post(
        f"/api/conversations/{conversation.pk}/reply",
        data='{"body": "hej',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_me_tells_role_teams_and_signatures(api, agent, team):
    body = api.get("/api/me").json()
    assert body["role"] == "agent"
    assert body["agent"]["public_name"] == "Mette Jensen"
    assert body["teams"] == [{"id": team.pk, "name": "Skat"}]
    assert body["signatures"]["x"] == " /Mette"


def test_an_admin_sees_every_team(admin_agent, x_account, other_team):
    _conversations(x_account, 2)
    _conversations(ChannelAccountFactory(team=other_team), 2)
    rows = api_client_for(admin_agent).get("/api/conversations").json()["results"]
    assert len(rows) == 4
