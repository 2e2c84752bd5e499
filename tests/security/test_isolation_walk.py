"""Walk every route of the URL resolver, and the live inbox's subscriptions, as staff of
another team holding real ids of this team's objects: every request is refused (403/404),
nothing is changed, and no answer carries this team's data. In the outsider's own scope too
(every page, the metrics dashboard, API and CSV exports under every filter) no name of this
team's agents, tags, notes or canned responses shows.

Routes come from the resolver, so a new route is walked the day it is added. A route with a
path parameter the walk does not know fails the walk until ``PATH_VALUES`` says what to put
there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from inbox.models import (
    Agent,
    AuditEntry,
    AutomationRule,
    AutoModerationRule,
    BusinessSchedule,
    CannedResponse,
    ChannelAccount,
    Contact,
    Conversation,
    ConversationGrant,
    CustomerProfile,
    DataRequest,
    GuidelineRule,
    Invitation,
    Media,
    Message,
    MessageHtml,
    ModerationAction,
    Note,
    PrivateReply,
    ReplyAttachment,
    RetentionPolicy,
    SlaTarget,
    Team,
    TeamAssignment,
    WebhookDelivery,
)
from inbox.permissions.roles import Role
from inbox.services import (
    conversation_set_status,
    conversation_tag,
    messages_ingest,
    note_create,
    reply_create,
)
from inbox.services.grants import conversation_grant_revoke
from tests.factories import AgentFactory, inbound
from tests.web.live import next_frame, opened, run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
MARKER = "ZEBRA7731"  # in every customer-visible string of the team under attack
TAG = f"{MARKER.lower()}-vip"  # a tag used only by the team under attack
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
    member: Agent


@pytest.fixture
def target(team: Team, settings: Any, tmp_path: Any) -> Target:
    member = AgentFactory(public_name=f"Kim {MARKER}", initials="KZ", teams=[team])
    account = ChannelAccount.objects.create(
        platform="x", display_name=f"@{MARKER}", external_id="4242", team=team,
        credentials_ref="SVAR_CREDENTIAL_X", handle=MARKER.lower(),
    )  # fmt: skip
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread="t-a", body=f"{MARKER} min skat", name=f"Kunde {MARKER}")],
    )
    conversation = Conversation.objects.get(account=account)
    settings.SVAR_MEDIA_ROOT = tmp_path / "media"
    _stored_photo(conversation.messages.get())  # issue #13: its file and thumbnail routes
    _reply_attachment(conversation, member)  # issue #13: listed by /attachments, never leaked
    reply = reply_create(user=member.user, conversation_id=conversation.pk, body=f"Svar {MARKER}")
    MessageHtml.objects.create(message=reply, html=f"<p>HTML {MARKER}</p>")  # e-mail's sandbox
    note_create(user=member.user, conversation_id=conversation.pk, body=f"Note {MARKER}")
    conversation_tag(user=member.user, conversation_id=conversation.pk, add=[TAG])
    conversation_set_status(user=member.user, conversation_id=conversation.pk, status="resolved")
    CannedResponse.objects.create(title=f"Tak {MARKER}", body=f"Tak for {MARKER}", team=team)
    _invitation_to(team)
    RetentionPolicy.objects.create(team=team, days=365, action="delete", updated_at=timezone.now())
    GuidelineRule.objects.create(
        team=team, name=f"Regel {MARKER}", kind="words", action="warn", words=[MARKER],
        created_at=timezone.now(),
    )  # fmt: skip
    AutomationRule.objects.create(
        team=team,
        name=f"Automatik {MARKER}",
        trigger="created",
        actions={"tags": [TAG]},
    )  # fmt: skip (issue #17)
    return Target(team=team, account=account, conversation=conversation, reply=reply,
                  member=member)  # fmt: skip


def _stored_photo(message: Message) -> Media:
    media = Media.objects.create(
        message=message, kind="photo", state="stored", content_type="image/jpeg", size=20,
        alt_text=f"Foto {MARKER}",
    )  # fmt: skip
    media.file.save("a.jpg", ContentFile(b"\xff\xd8\xff" + MARKER.encode()))
    media.thumbnail.save("a-thumb.jpg", ContentFile(b"\xff\xd8\xff" + MARKER.encode()))
    return media


def _reply_attachment(conversation: Conversation, member: Agent) -> ReplyAttachment:
    attachment = ReplyAttachment(
        team=conversation.team, conversation=conversation, uploaded_by=member, kind="photo",
        filename=f"Brev {MARKER}.jpg", content_type="image/jpeg", size=20, sha256="0" * 64,
    )  # fmt: skip
    attachment.file.save("b.jpg", ContentFile(b"\xff\xd8\xff" + MARKER.encode()), save=False)
    attachment.save()
    return attachment


def _invitation_to(team: Team) -> Invitation:
    """An invitation still open to join the team under attack (made as the service stores it)."""
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=f"{MARKER.lower()}@example.dk", public_name=f"Invitee {MARKER}", initials="IZ",
        roles=["agent"], token_hash="0" * 64, expires_at=now + timedelta(days=7),
        created_at=now, sent_at=now,
    )  # fmt: skip
    invitation.teams.set([team])
    return invitation


PATH_VALUES: dict[str, Callable[[Target], object]] = {
    "conversation_id": lambda t: t.conversation.pk,
    "message_id": lambda t: t.reply.pk,
    "account_id": lambda t: t.account.pk,
    "team_id": lambda t: t.team.pk,
    "table": lambda t: "team",  # metrics CSV exports: the team is a query parameter
    "agent_id": lambda t: t.member.pk,
    "invitation_id": lambda t: Invitation.objects.get(teams=t.team).pk,
    "token": lambda t: "a-link-nobody-was-sent",  # the invitation page: no login, no team
    "rule_id": lambda t: GuidelineRule.objects.get(team=t.team).pk,  # issue #16
    "contact_id": lambda t: t.conversation.contact_id,  # the team's customer (issue #19)
    "media_id": lambda t: Media.objects.get(message__conversation=t.conversation).pk,  # #13
    "automation_rule_id": lambda t: AutomationRule.objects.get(team=t.team).pk,  # issue #17
    # #13: an unsent file of the team's conversation (DELETE would remove it)
    "attachment_id": lambda t: ReplyAttachment.objects.get(conversation=t.conversation).pk,
}
# Parameters that name an object of the target team: the route must refuse outright.
OBJECT_PARAMETERS = {
    "conversation_id", "message_id", "account_id", "team_id", "agent_id", "invitation_id",
    "rule_id", "contact_id", "media_id", "automation_rule_id", "attachment_id",
}  # fmt: skip


def payload(outsider_agent_id: int) -> dict[str, Any]:
    """A body valid for every write route, so a refusal is a permission check and never a
    400 about the body."""
    return {
        "body": f"hijack {MARKER}", "assignee_id": outsider_agent_id, "status": "pending",
        "add": ["hijacked"], "remove": [], "note_to_customer": "",
        "time_zone": "Europe/Copenhagen", "weekly": {"1": [["08:00", "16:00"]]},
        "holidays": [], "kind": "first_response", "target_seconds": 3600,
        "business_hours": True, "revision": 1, "note": f"hijack {MARKER}",
        "contact_id": 1,
        "days": 30, "action": "delete", "held": True,  # retention, legal hold (issue #19)
        "until": None,  # a snooze until the customer writes (issue #17)
        "enabled": True, "strategy": "round_robin", "capacity": 5,  # automatic assignment
        "offline_release_minutes": 15, "name": f"hijack {MARKER}", "trigger": "created",
        "conditions": {}, "actions": {"tags": ["hijacked"]},  # an automation rule
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
        "member": Agent.objects.filter(pk=target.member.pk)
        .values_list("public_name", "version", "user__is_active", "needs_approval")
        .get(),
        "invitation": Invitation.objects.filter(teams=target.team)
        .values_list("token_hash", "expires_at", "revoked_at")
        .get(),
        "team_name": Team.objects.get(pk=target.team.pk).name,
        "rules": list(GuidelineRule.objects.filter(team=target.team).values()),
        "moderations": ModerationAction.objects.count(),
        "private_replies": PrivateReply.objects.count(),
        "auto_moderation": AutoModerationRule.objects.count(),
        "customer": Contact.objects.filter(pk=conversation.contact_id)
        .values_list("name", "handle", "external_id", "profile_id")
        .get(),
        "texts": sorted(Message.objects.filter(conversation=conversation).values_list("text")),
        "customer_profiles": CustomerProfile.objects.count(),
        "data_requests": DataRequest.objects.count(),
        "webhook_deliveries": WebhookDelivery.objects.count(),  # /webhooks/meta (issue #20)
        "retention": list(RetentionPolicy.objects.values()),
        "legal_hold": conversation.legal_hold,
        "assignment": TeamAssignment.objects.count(),
        "automation": list(AutomationRule.objects.values()),
        "reply_attachments": list(ReplyAttachment.objects.values_list("pk", "message_id")),
        "grants": list(ConversationGrant.objects.values_list("agent_id", "conversation_id")),
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


# Routes only admins may use at all (issue #22): every method that answers refuses, whether or
# not the route names an object of the target team.
ADMIN_ONLY_ROUTES = ("channels/", "api/accounts/oauth/")


def test_the_channel_routes_refuse_staff_of_another_team_outright(target, intruder):
    before, walked, failures = state(target), 0, []
    for route, _parameters in routes():
        if not route.startswith(ADMIN_ONLY_ROUTES):
            continue
        path = concrete(route, target) + f"?team={target.team.pk}&state=s&code=c"
        for method in METHODS:
            body = {"team": target.team.pk, "team_id": target.team.pk} if method != "get" else None
            response = getattr(intruder, method)(path, body, format="json")
            if response.status_code == NOT_ALLOWED:
                continue
            walked += 1
            if response.status_code not in REFUSED:
                failures.append(f"{method.upper()} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert walked >= 10
    assert state(target) == before


# --- the outsider's own scope ----------------------------------------------------------------


@pytest.fixture
def own_work(other_team: Team) -> None:
    """The outsider's team has figures of its own, so every table and export has rows."""
    colleague = AgentFactory(public_name="Ida Told", teams=[other_team])
    account = ChannelAccount.objects.create(
        platform="x", display_name="@toldsvar", external_id="4343", team=other_team,
        credentials_ref="SVAR_CREDENTIAL_X", handle="toldsvar",
    )  # fmt: skip
    messages_ingest(account_id=account.pk, messages=[inbound(thread="t-b", name="Kunde Told")])
    conversation = Conversation.objects.get(account=account)
    reply_create(user=colleague.user, conversation_id=conversation.pk, body="Svar fra Told")
    conversation_tag(user=colleague.user, conversation_id=conversation.pk, add=["told-sag"])
    SlaTarget.objects.create(team=other_team, kind="reply", target_seconds=60)


# Each metrics view, API and export, under each filter; the filters name the target's objects
# where they take one (an outsider may guess or know them; the answer must not tell).
METRIC_FILTERS = (
    "", f"tag={TAG}", "agent={member}", "account={account}", "clock=business",
    "kind=reply&platform=x", "kind=resolution&bucket=hour", "bucket=week",
)  # fmt: skip
METRIC_VIEWS = (
    "/metrics/?more=platforms", "/metrics/?more=teams", "/metrics/?more=tags",
    f"/metrics/intervals?by=tag&key={TAG}", "/metrics/intervals?by=agent&key={member}",
    "/metrics/intervals?by=team&key={team}", "/metrics/intervals?by=account&key={account}",
    "/metrics/intervals?by=platform&key=x",
    *(f"/metrics/export/{table}.csv?" for table in (
        "agents", "channels", "platforms", "teams", "tags", "series", "distribution", "heatmap",
        "sla", "intervals")),
    f"/metrics/export/intervals.csv?by=tag&key={TAG}",
    *(f"/api/metrics/breakdown?by={by}" for by in ("agent", "team", "platform", "account", "tag")),
    "/api/metrics/summary?", "/api/metrics/series?", "/api/metrics/distribution?",
    "/api/metrics/heatmap?", "/api/metrics/sla?", "/api/metrics/sla/at-risk?",
    f"/api/metrics/intervals?by=tag&key={TAG}", "/api/metrics/intervals?by=agent&key={member}",
)  # fmt: skip


def own_scope_paths(target: Target) -> Iterator[str]:
    """Every route without path parameters as is, then the metrics views under each filter."""
    names = {"member": target.member.pk, "account": target.account.pk, "team": target.team.pk}
    for route, parameters in routes():
        if not parameters:
            yield concrete(route, target)
    for view in METRIC_VIEWS:
        for extra in METRIC_FILTERS:
            joiner = "&" if "?" in view else "?"
            yield (view + joiner + extra).format(**names).replace("?&", "?").rstrip("?&")


def test_nothing_of_another_team_shows_in_the_outsiders_own_views(target, own_work, intruder):
    failures, answered = [], 0
    for path in own_scope_paths(target):
        response = intruder.get(path)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode(errors="replace")
        if TAG in path:  # the outsider's own words may come back to them (a link, a filter)
            text = text.replace(TAG, "")
        if response.status_code >= 500:
            failures.append(f"GET {path}: {response.status_code}")
        elif found := leaks(text, target):
            failures.append(f"GET {path}: {response.status_code} shows {found}")
        answered += response.status_code == 200
    assert not failures, "\n".join(failures)
    assert answered >= 15  # an agent's role reads no metrics; the pages and lists remain


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


# --- a colleague of another team mentioned in a note (issue #17) ------------------------------

# What a grant opens: reading that one conversation and adding notes to it. Nothing else.
GUEST_ROUTES = {
    ("GET", "api/conversations/<int:conversation_id>"),
    ("POST", "api/conversations/<int:conversation_id>/notes"),
    ("GET", "api/conversations/<int:conversation_id>/mentionable"),
    ("GET", "conversations/<int:conversation_id>/"),
    ("GET", "conversations/<int:conversation_id>/pane"),
}


@pytest.fixture
def guest(target: Target, other_team: Team) -> APIClient:
    member = AgentFactory(public_name="Gitte Gæst", teams=[other_team])
    note_create(
        user=target.member.user,
        conversation_id=target.conversation.pk,
        body=f"@{member.user.username} kan du svare?",
    )
    client = APIClient()
    client.force_login(User.objects.get(pk=member.user.pk))
    client.agent_id = member.pk
    return client


def test_a_grant_opens_exactly_that_conversations_read_and_note_routes(target, guest):
    before = state(target)
    opened_routes, failures = set(), []
    for route, parameters in routes():
        path = concrete(route, target)
        aimed = bool(OBJECT_PARAMETERS & set(parameters))
        for method in METHODS:
            query = "" if aimed else f"?team={target.team.pk}"
            body = payload(guest.agent_id) if method != "get" else None
            response = getattr(guest, method)(path + query, body, format="json")
            if response.status_code == NOT_ALLOWED:
                continue
            key = (method.upper(), route)
            if response.status_code >= 500:
                failures.append(f"{key}: {response.status_code}")
            elif key in GUEST_ROUTES:
                opened_routes.add(key)
                if response.status_code not in (200, 201):
                    failures.append(f"{key}: {response.status_code}, the grant should open it")
            elif aimed and response.status_code not in REFUSED:
                failures.append(f"{key}: {response.status_code}, not refused")
            elif not aimed and (found := leaks(_without_mentioner(response, target), target)):
                failures.append(f"{key}: {response.status_code} shows {found}")
    assert not failures, "\n".join(failures)
    assert opened_routes == GUEST_ROUTES
    after = state(target)
    assert after.pop("notes") == before.pop("notes") + 1  # the one note the guest added
    after.pop("audit"), before.pop("audit")
    assert after == before  # no reply, status, assignee, tag or anything else changed
    assert AuditEntry.objects.filter(action="note.created").order_by("-id")[0].actor_id == (
        guest.agent_id
    )


def _without_mentioner(response: Any, target: Target) -> str:
    """The guest's own notification names who mentioned them, and nothing else of the team."""
    text = response.content.decode(errors="replace")
    return text.replace(f'"public_name":"{target.member.public_name}"', "")


def test_a_withdrawn_grant_opens_nothing_any_more(target, guest):
    # The one who mentioned the guest withdraws the access (issue #17): every route the grant
    # opened now refuses, like any other route aimed at the team's objects.
    conversation_grant_revoke(
        user=target.member.user, conversation_id=target.conversation.pk, agent_id=guest.agent_id
    )
    before, failures = state(target), []
    for method, route in sorted(GUEST_ROUTES):
        path = concrete(route, target)
        body = payload(guest.agent_id) if method != "GET" else None
        response = getattr(guest, method.lower())(path, body, format="json")
        if response.status_code not in REFUSED:
            failures.append(f"{method} {route}: {response.status_code}, not refused")
    assert not failures, "\n".join(failures)
    assert state(target) == before
