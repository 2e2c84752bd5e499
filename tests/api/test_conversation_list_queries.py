"""The list's query budget: a page costs the same few queries whatever its length (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbox.models import Conversation
from inbox.services import conversation_assign, conversation_tag, messages_ingest
from tests.factories import inbound
from web.security.auth_backend import ModelBackendOneQuery

pytestmark = pytest.mark.django_db


def _fill(account, agent, count: int) -> None:
    start = timezone.now() - timedelta(days=1)
    messages_ingest(
        account_id=account.pk,
        messages=[
            inbound(thread=f"q{i}", author=f"qc{i}", at=start + timedelta(minutes=i))
            for i in range(count)
        ],
    )
    for conversation in Conversation.objects.filter(account=account):
        conversation_assign(user=agent.user, conversation_id=conversation.pk, assignee_id=agent.pk)
        conversation_tag(user=agent.user, conversation_id=conversation.pk, add=["vip"], remove=[])


def _queries(api, params: dict[str, str]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/api/conversations", params)
    assert response.status_code == 200
    assert response.json()["results"]
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("params", [{}, {"tag": "vip"}, {"order": "waiting"}, {"assignee": "me"}])
def test_a_page_costs_a_fixed_number_of_queries(api, agent, x_account, params):
    _fill(x_account, agent, 12)
    few = len(_queries(api, {**params, "limit": "2"}))
    many = len(_queries(api, {**params, "limit": "12"}))
    assert few == many


def test_the_list_never_offsets_or_counts(api, agent, x_account):
    _fill(x_account, agent, 3)
    for sql in _queries(api, {"status": "open", "tag": "vip"}):
        assert " OFFSET " not in sql.upper()
        assert "COUNT(" not in sql.upper()


def test_search_pages_over_the_matches_only(api, x_account):
    # The two newest conversations do not match: a page of two must still hold two matches.
    start = timezone.now() - timedelta(days=1)
    bodies = ["forskud 1", "forskud 2", "forskud 3", "andet 4", "andet 5"]
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread=f"s{i}", author=f"sc{i}", handle=f"h{i}", name="Kunde", body=body,
                    at=start + timedelta(minutes=i))
            for i, body in enumerate(bodies)
        ],
    )  # fmt: skip
    first = api.get("/api/conversations", {"q": "forsk", "limit": 2}).json()
    second = api.get("/api/conversations", {"q": "forsk", "cursor": first["next_cursor"]}).json()
    assert [r["snippet"] for r in first["results"]] == ["forskud 3", "forskud 2"]
    assert [r["snippet"] for r in second["results"]] == ["forskud 1"]


def test_an_agents_page_is_four_queries_token_permissions_teams_and_rows(agent, x_account):
    # The rows come with their tags in the same query; the agent's teams in one query, not the
    # agent and then its teams; the permissions in one, not the user's and the groups' apart;
    # the token with its user and agent profile in one (every route asks for the profile).
    _fill(x_account, agent, 5)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent.user).key}")
    queries = _queries(client, {})
    assert len(queries) == 4, queries
    assert "inbox_agent" in queries[0], "the token lookup reads the agent profile too"


def test_a_signed_in_user_is_read_with_the_agent_profile(agent, django_assert_num_queries):
    # Sessions load the user through the backend; pages ask for the profile on every request.
    with django_assert_num_queries(1):
        user = ModelBackendOneQuery().get_user(agent.user.pk)
        assert user.agent.public_name == agent.public_name
