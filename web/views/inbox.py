"""The inbox page: the conversation list, and the open conversation beside it.

Views parse the query, call selectors, render. Every customer string reaches the page through
Django's auto-escaping; nothing here marks text safe.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connectors.base import Platform
from inbox.composer.canned import fill_placeholders
from inbox.composer.reply_window import reply_window
from inbox.exceptions import InvalidInput, NotFound
from inbox.exceptions import PermissionDenied as DomainPermissionDenied
from inbox.metrics.sla import sla_clocks
from inbox.models import Direction, Team
from inbox.permissions.access import agent_of, visible_team_ids
from inbox.selectors import conversations as selectors
from inbox.selectors.conversations import ConversationFilters, ListOrder
from web.views.inbox_views import VIEWS, inbox_view
from web.views.strings import js_strings

PAGE_SIZE = 50
TAG_CHOICES_MAX = 200
SLA_IDS_MAX = 2 * PAGE_SIZE


def _list_params(request: HttpRequest) -> dict[str, str]:
    """The list's query, as given (only known keys, trimmed)."""
    keys = ("view", "platform", "team", "tag", "q")
    return {k: request.GET[k].strip() for k in keys if request.GET.get(k, "").strip()}


def _filters(params: dict[str, str]) -> ConversationFilters:
    view = inbox_view(params.get("view"))
    team = params.get("team")
    platform = params.get("platform")
    if team is not None and not team.isdigit():
        raise InvalidInput("team must be a number", field="team")
    if platform is not None and platform not in {p.value for p in Platform}:
        raise InvalidInput("unknown platform", field="platform")
    return ConversationFilters(
        status=view.statuses,
        assignee=view.assignee,
        team_id=int(team) if team else None,
        platform=platform,
        tag=params.get("tag"),
        search=params.get("q"),
        order=ListOrder.RECENT,
    )


def _list_context(request: HttpRequest) -> dict[str, Any]:
    params = _list_params(request)
    user = request.user
    team_ids = visible_team_ids(user)
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(id__in=team_ids)
    # Each team's log head is read with it, before the list: whatever commits in between is
    # replayed to the live layer, and a replayed change the list already shows is dropped by
    # its version.
    teams = list(teams.order_by("name").only("id", "name", "event_seq"))
    heads = {t.pk: t.event_seq for t in teams}
    page = selectors.conversation_list(
        user=user, filters=_filters(params), cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    # The SLA flag of every row on the page: one query for all of them, none per row.
    clocks = sla_clocks([c.pk for c in page.items])
    for conversation in page.items:
        conversation.sla_clocks = clocks.get(conversation.pk, [])
    view = inbox_view(params.get("view"))
    next_url = None
    if page.next_cursor:
        next_url = "?" + urlencode({**params, "cursor": page.next_cursor})
    return {
        "params": params,
        "query": urlencode(params),
        "views": [
            {"key": v.key, "label": v.label, "url": "?" + urlencode({**params, "view": v.key})}
            for v in VIEWS
        ],
        "view": view,
        "conversations": page.items,
        "next_url": next_url,
        "teams": teams,
        "tags": selectors.tag_names_visible_to(user=user, limit=TAG_CHOICES_MAX),
        "platforms": [(p.value, p.name.title() if p != Platform.X else "X") for p in Platform],
        "accounts": selectors.channel_account_list(user=user),
        "live": {
            "me": agent_of(user).pk,
            "last_seq": {str(team_id): seq for team_id, seq in heads.items()},
            "filter": {
                "statuses": list(view.statuses),
                "assignee": view.assignee,
                "team": int(params["team"]) if params.get("team") else None,
                "platform": params.get("platform"),
                "tag": params.get("tag"),
                "search": bool(params.get("q")),
            },
        },
    }


def _conversation_context(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    user = request.user
    agent = agent_of(user)
    detail = selectors.conversation_get(user=user, conversation_id=conversation_id)
    conversation = detail.conversation
    # One thread in time order: messages and notes side by side, notes set apart by style.
    entries = [("message", m.platform_time, m.pk, m) for m in detail.messages] + [
        ("note", n.created_at, n.pk, n) for n in detail.notes
    ]
    entries.sort(key=lambda e: (e[1], e[0] == "note", e[2]))
    last_customer = max(
        (m.platform_time for m in detail.messages if m.direction == Direction.INBOUND),
        default=None,
    )
    customer_name = conversation.contact.name or conversation.contact.handle
    canned = [
        {
            "title": c.title,
            "text": fill_placeholders(
                c.body, customer_name=customer_name, agent_name=agent.public_name
            ),
        }
        for c in selectors.canned_response_list(
            team_id=conversation.team_id, language=request.LANGUAGE_CODE
        )
    ]
    return {
        "me": agent,
        "conversation": conversation,
        "tags": sorted(t.name for t in conversation.tags.all()),
        "thread": [{"kind": kind, "item": item} for kind, _, _, item in entries],
        "earlier_messages": detail.earlier_messages,
        "others": selectors.contact_conversation_list(user=user, conversation=conversation),
        "window": reply_window(
            platform=conversation.account.platform,
            kind=conversation.kind,
            customer_last_message_at=last_customer,
            now=timezone.now(),
        ),
        "account": conversation.account,
        "colleagues": [
            a for a in selectors.team_agent_list(team_id=conversation.team_id) if a.pk != agent.pk
        ],
        "canned": canned,
        "signature_platform": conversation.account.platform,
        "handover_template": _("My colleague %(name)s will take over from here."),
    }


def _page(request: HttpRequest, conversation_id: int | None) -> HttpResponse:
    try:
        context = _list_context(request)
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message)
    except DomainPermissionDenied:
        raise PermissionDenied from None  # e.g. a user without an agent profile
    context["js_strings"] = js_strings()
    context["open_id"] = conversation_id
    if conversation_id is not None:
        try:
            context.update(_conversation_context(request, conversation_id))
        except NotFound:
            raise Http404 from None
    return render(request, "inbox/page.html", context)


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@login_required
@require_GET
def conversation_page(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _page(request, conversation_id)


@login_required
@require_GET
def conversation_pane(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation alone, for the page's script to swap in without a reload."""
    try:
        context = _conversation_context(request, conversation_id)
    except NotFound:
        raise Http404 from None
    except DomainPermissionDenied:
        raise PermissionDenied from None
    return render(request, "inbox/_conversation.html", context)


@login_required
@require_GET
def conversation_sla(request: HttpRequest) -> HttpResponse:
    """The SLA clocks of rows the page built from live events (server-rendered rows carry
    theirs): ``?ids=1,2,3``, answered for the conversations the user may see, in one query."""
    try:
        ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.strip()]
    except ValueError:
        return HttpResponseBadRequest("ids must be conversation ids, comma-separated")
    try:
        team_ids = visible_team_ids(request.user)
    except DomainPermissionDenied:
        raise PermissionDenied from None
    clocks = sla_clocks(ids[:SLA_IDS_MAX], team_ids=team_ids) if ids else {}
    return JsonResponse({str(k): [c.as_dict() for c in v] for k, v in clocks.items()})


@login_required
@require_GET
def conversation_list_fragment(request: HttpRequest) -> HttpResponse:
    """The list alone, to reload it after the live layer asks for a resync."""
    try:
        context = _list_context(request)
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message)
    return render(request, "inbox/_list.html", context)
