"""Walk every route of the URL resolver, and the live inbox's subscriptions, as staff of
another team holding real ids of this team's objects: every request is refused (403/404),
nothing is changed, and no answer carries this team's data.

Routes come from the resolver, so a new route is walked the day it is added. A route with a
path parameter the walk does not know fails the walk until ``PATH_VALUES`` says what to put
there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from inbox.models import (
    AuditEntry,
    BusinessSchedule,
    ChannelAccount,
    Conversation,
    Message,
    Note,
    SlaTarget,
    Team,
)
from inbox.permissions.roles import Role
from inbox.services import messages_ingest, note_create, reply_create
from tests.factories import AgentFactory, inbound
from tests.web.live import next_frame, opened, run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
MARKER = "ZEBRA7731"  # in every customer-visible string of the team under attack
METHODS = ("get", "post", "put", "patch", "delete")
REFUSED = {403, 404}
NOT_ALLOWED = 405


@dataclass(frozen=True)
class Target:
    """The team under attack and real ids of its objects."""

    team: Team
    account: ChannelAccount
    conversation: Conversation
    reply: Message


@pytest.fixture
def target(team: Team, agent: Any) -> Target:
    account = ChannelAccount.objects.create(
        platform="x", display_name=f"@{MARKER}", external_id="4242", team=team,
        credentials_ref="SVAR_CREDENTIAL_X", handle=MARKER.lower(),
    )  # fmt: skip
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread="t-a", body=f"{MARKER} min skat", name=f"Kunde {MARKER}")],
    )
    conversation = Conversation.objects.get(account=account)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body=f"Svar {MARKER}")
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"Note {MARKER}")
    return Target(team=team, account=account, conversation=conversation, reply=reply)


PATH_VALUES: dict[str, Callable[[Target], object]] = {
    "conversation_id": lambda t: t.conversation.pk,
    "message_id": lambda t: t.reply.pk,
    "account_id": lambda t: t.account.pk,
    "team_id": lambda t: t.team.pk,
    "table": lambda t: "team",  # metrics CSV exports: the team is a query parameter
}
# Parameters that name an object of the target team: the route must refuse outright.
OBJECT_PARAMETERS = {"conversation_id", "message_id", "account_id", "team_id"}


def payload(outsider_agent_id: int) -> dict[str, Any]:
    """A body valid for every write route, so a refusal is a permission check and never a
    400 about the body."""
    return {
        "body": f"hijack {MARKER}", "assignee_id": outsider_agent_id, "status": "pending",
        "add": ["hijacked"], "remove": [], "note_to_customer": "",
        "time_zone": "Europe/Copenhagen", "weekly": {"1": [["08:00", "16:00"]]},
        "holidays": [], "kind": "first_response", "target_seconds": 3600,
        "business_hours": True,
    }  # fmt: skip


def routes() -> Iterator[tuple[str, list[str]]]:
    """Every URL pattern except the Django admin (superusers only, Django's own checks)."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, list[str]]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route != "admin/":
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, list(pattern.pattern.regex.groupindex)

    yield from walk(get_resolver().url_patterns, "")


def concrete(route: str, target: Target) -> str:
    path = route.replace("^", "").replace("$", "").replace(".*", "anything")

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in PATH_VALUES:
            raise AssertionError(f"the isolation walk does not know what {name} is: add it")
        return str(PATH_VALUES[name](target))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, path).replace("\\", "")


def leaks(body: str, target: Target) -> list[str]:
    found = []
    if MARKER in body or MARKER.lower() in body:
        found.append("a string of the target team")
    if re.search(rf'"team_id":\s*{target.team.pk}\b', body):
        found.append("the target team's id as team_id")
    return found


@pytest.fixture(params=[Role.AGENT, Role.MANAGER])
def intruder(request: pytest.FixtureRequest, other_team: Team) -> APIClient:
    member = AgentFactory(public_name="Ole Told", teams=[other_team], role=request.param)
    client = APIClient()
    client.force_login(User.objects.get(pk=member.user.pk))  # the stored password's hash
    client.agent_id = member.pk
    return client


def state(target: Target) -> dict[str, Any]:
    conversation = Conversation.objects.get(pk=target.conversation.pk)
    account = ChannelAccount.objects.get(pk=target.account.pk)
    return {
        "conversation": (conversation.version, conversation.status, conversation.assignee_id),
        "tags": list(conversation.tags.values_list("name", flat=True)),
        "messages": Message.objects.filter(conversation=conversation).count(),
        "notes": Note.objects.filter(conversation=conversation).count(),
        "reply_state": Message.objects.get(pk=target.reply.pk).delivery_state,
        "account": (account.health, account.next_poll_at),
        "schedule": BusinessSchedule.objects.filter(team=target.team).exists(),
        "sla": SlaTarget.objects.filter(team=target.team).exists(),
        "audit": AuditEntry.objects.count(),
    }


def test_every_route_refuses_staff_of_another_team(target, intruder):
    before = state(target)
    walked, failures = [], []
    for route, parameters in routes():
        path = concrete(route, target)
        aimed = bool(OBJECT_PARAMETERS & set(parameters))
        answered = 0
        for method in METHODS:
            query = "" if aimed else f"?team={target.team.pk}"
            body = payload(intruder.agent_id) if method != "get" else None
            response = getattr(intruder, method)(path + query, body, format="json")
            text = response.content.decode(errors="replace")
            walked.append((method.upper(), path, response.status_code))
            if response.status_code == NOT_ALLOWED:
                continue
            answered += 1
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path}: {response.status_code}")
            elif aimed and response.status_code not in REFUSED:
                failures.append(f"{method.upper()} {path}: {response.status_code}, not refused")
            elif found := leaks(text, target):
                failures.append(f"{method.upper()} {path}: {response.status_code} shows {found}")
        if aimed and not answered:
            failures.append(f"{path}: no method answered, nothing was checked")

    answered = [w for w in walked if w[2] != NOT_ALLOWED]
    print(f"\nisolation walk: {len({p for _, p, _ in walked})} routes, {len(answered)} "
          f"requests answered: {sorted({s for *_, s in answered})}")  # fmt: skip
    assert not failures, "\n".join(failures)
    assert state(target) == before  # nothing changed, not even an audit entry
    assert sum(1 for _, _, status in walked if status != NOT_ALLOWED) >= 30


# --- the live inbox ---------------------------------------------------------------------------


@pytest.fixture
def intruder_cookie(other_team: Team, channel_prefix: str) -> str:
    member = AgentFactory(public_name="Ole Told", teams=[other_team], role=Role.MANAGER)
    return session_cookie(member.user)


@pytest.mark.parametrize(
    "hello",
    [
        lambda t: {"teams": [t.team.pk]},
        lambda t: {"last_seq": {str(t.team.pk): 0}},
        lambda t: {"teams": [], "last_seq": {str(t.team.pk): 0}},
    ],
    ids=["teams", "last_seq", "last_seq-only"],
)
def test_a_subscription_to_another_team_is_refused(target, intruder_cookie, hello):
    async def scenario() -> None:
        socket = await opened(intruder_cookie)
        await socket.send_json_to({"type": "hello", **hello(target)})
        frame = await next_frame(socket)
        assert frame["type"] == "error"
        assert frame["code"] == "team_not_visible"
        assert MARKER not in str(frame)
        await socket.disconnect()

    run(scenario)


def test_presence_on_another_teams_conversation_is_refused(target, intruder_cookie):
    async def scenario() -> None:
        socket = await opened(intruder_cookie)
        await socket.send_json_to({"type": "hello"})
        while (await next_frame(socket))["type"] != "caught_up":
            pass
        await socket.send_json_to(
            {"type": "presence", "conversation_id": target.conversation.pk, "state": "viewing"}
        )
        frame = await next_frame(socket)
        assert frame["type"] == "error"
        assert frame["code"] == "conversation_not_found"
        await socket.disconnect()

    run(scenario)


def test_events_of_another_team_never_reach_the_intruder(target, intruder_cookie, agent):
    from asgiref.sync import sync_to_async

    async def scenario() -> None:
        socket = await opened(intruder_cookie)
        await socket.send_json_to({"type": "hello"})
        frames = []
        while (frame := await next_frame(socket))["type"] != "caught_up":
            frames.append(frame)
        await sync_to_async(note_create)(
            user=agent.user, conversation_id=target.conversation.pk, body=f"Ny {MARKER}"
        )
        await socket.send_json_to({"type": "ping", "id": "after"})  # a ping also catches up
        while (frame := await next_frame(socket))["type"] != "pong":
            frames.append(frame)
        assert MARKER not in str(frames)
        assert all(f["type"] != "events" for f in frames)
        await socket.disconnect()

    run(scenario)
