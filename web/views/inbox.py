"""The inbox page: the conversation list, and the open conversation beside it.

Views parse the query, call selectors, render. Domain errors (a bad filter, a conversation
the user may not see) are left to rise: web/errors.py answers them with Svar's error page. Every
customer string reaches the page through Django's auto-escaping; nothing here marks text safe.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connectors.base import Platform
from inbox.composer.canned import fill_placeholders
from inbox.composer.customer_texts import CUSTOMER_LANGUAGES, customer_language, customer_texts
from inbox.composer.reply_window import reply_window
from inbox.metrics.sla import sla_clocks
from inbox.models import Agent, Conversation, Direction
from inbox.params import choice_param, id_list_param, id_param, raw_value, text_param
from inbox.permissions.access import agent_of, visible_team_ids
from inbox.selectors import conversations as selectors
from inbox.selectors.agents import agent_list
from inbox.selectors.canned_responses import canned_response_list
from inbox.selectors.channel_accounts import channel_account_list
from inbox.selectors.conversations import ConversationFilters, ListOrder
from inbox.selectors.mentions import guest_stream_head
from inbox.selectors.moderation import moderation_for_messages, private_replies_for_messages
from inbox.selectors.notifications import notification_head, notification_unread_count
from inbox.selectors.tags import tag_name_list
from inbox.selectors.teams import team_list
from web.channels.present import inbox_token_note
from web.inbox_sort import list_sort
from web.templatetags.svar import platform_label
from web.views import first_run
from web.views.guidelines import guideline_html
from web.views.inbox_views import VIEWS, inbox_view
from web.views.strings import js_strings

PAGE_SIZE = 50
TAG_CHOICES_MAX = 200
SLA_IDS_MAX = 2 * PAGE_SIZE
TAG_MAX = 50  # Tag.name's length
CURSOR_MAX = 500


def _list_params(request: HttpRequest) -> dict[str, str]:
    """The list's query, checked (inbox/params.py), as given: only known keys, trimmed."""
    query = request.GET
    team = id_param(query, "team")
    checked = {
        "view": raw_value(query, "view"),
        "platform": choice_param(query, "platform", [p.value for p in Platform]),
        "team": None if team is None else str(team),
        "tag": text_param(query, "tag", max_length=TAG_MAX),
        "q": text_param(query, "q"),
        "sort": list_sort(request),
    }
    return {key: value for key, value in checked.items() if value is not None}


def _filters(params: dict[str, str]) -> ConversationFilters:
    view = inbox_view(params.get("view"))
    return ConversationFilters(
        status=view.statuses,
        assignee=view.assignee,
        team_id=int(params["team"]) if "team" in params else None,
        platform=params.get("platform"),
        tag=params.get("tag"),
        search=params.get("q"),
        order=ListOrder(params["sort"]),
    )


def _accounts_with_token_notes(user: Any) -> list[Any]:
    """The health panel's accounts, each with ``token_note``: what needs someone to act."""
    now = timezone.now()
    accounts = list(channel_account_list(user=user))
    for account in accounts:
        account.token_note = inbox_token_note(account, now)
    return accounts


def _list_context(request: HttpRequest) -> dict[str, Any]:
    params = _list_params(request)
    user = request.user
    # Each team's log head is read with it, before the list: whatever commits in between is
    # replayed to the live layer, and a replayed change the list already shows is dropped by
    # its version.
    teams = team_list(team_ids=visible_team_ids(user))
    heads = {t.pk: t.event_seq for t in teams}
    page = selectors.conversation_list(
        user=user,
        filters=_filters(params),
        cursor=text_param(request.GET, "cursor", max_length=CURSOR_MAX),
        limit=PAGE_SIZE,
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
        "notifications_unread": notification_unread_count(agent_id=agent_of(user).pk),
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
        "tags": tag_name_list(user=user, limit=TAG_CHOICES_MAX),
        "sorts": [
            (ListOrder.RECENT.value, _("Newest activity")),
            (ListOrder.WAITING.value, _("Longest wait")),
        ],
        "platforms": [(p.value, platform_label(p.value)) for p in Platform],
        "accounts": _accounts_with_token_notes(user),
        "live": {
            "me": agent_of(user).pk,
            "last_seq": {str(team_id): seq for team_id, seq in heads.items()},
            # Read before the centre's first page: what commits after is replayed to it.
            "notifications_seq": notification_head(agent_id=agent_of(user).pk),
            "filter": {
                "statuses": list(view.statuses),
                "assignee": view.assignee,
                "team": int(params["team"]) if params.get("team") else None,
                "platform": params.get("platform"),
                "tag": params.get("tag"),
                "search": bool(params.get("q")),
                "sort": params["sort"],
            },
        },
    }


def _conversation_context(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    user = request.user
    agent = agent_of(user)
    guest_seq = guest_stream_head(user=user, conversation_id=conversation_id)  # before the read
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
    # Where each public comment stands (hidden, deleted, by whom): notes never are moderated.
    public_ids = [m.pk for m in detail.messages] if conversation.kind == "public" else []
    moderation = moderation_for_messages(message_ids=public_ids)
    private = private_replies_for_messages(message_ids=public_ids)
    guest = detail.guest  # pulled in by a mention: the thread and notes, nothing of the team
    return {
        "me": agent,
        "guest": guest,
        "guest_seq": guest_seq,
        "may_withdraw": not guest and user.has_perm("inbox.view_metrics"),  # a team manager
        "grants": detail.grants,
        "conversation": conversation,
        "tags": sorted(t.name for t in conversation.tags.all()),
        "thread": [
            {
                "kind": kind,
                "item": item,
                "moderation": moderation.get(item.pk) if kind == "message" else None,
                "private_reply": private.get(item.pk) if kind == "message" else None,
            }
            for kind, _, _, item in entries
        ],
        "can_delete_comments": user.has_perm("inbox.delete_public_comment"),
        **_customer_texts(conversation, customer_name, _customer_words(detail.messages)),
        "earlier_messages": detail.earlier_messages,
        "others": selectors.contact_conversation_list(user=user, conversation=conversation),
        "window": reply_window(
            platform=conversation.account.platform,
            kind=conversation.kind,
            customer_last_message_at=last_customer,
            now=timezone.now(),
        ),
        "account": conversation.account,
        "colleagues": []
        if guest
        else [a for a in agent_list(team_id=conversation.team_id) if a.pk != agent.pk],
        "canned": [] if guest else _canned(request, conversation, customer_name, agent),
        "guideline_html": "" if guest else guideline_html(conversation.team_id),
        "signature_platform": conversation.account.platform,
    }


def _customer_words(messages: list) -> str:
    """The customer's last words in the thread, what their language is told from."""
    inbound = [m.text for m in messages if m.direction == Direction.INBOUND and m.text]
    return " ".join(inbound[-3:])


def _customer_texts(conversation: Conversation, customer_name: str, words: str) -> dict:
    """What Svar writes to the customer, in each language, the customer's proposed."""
    texts = customer_texts(customer_name=customer_name)
    language = customer_language(conversation, customer_words=words)
    return {
        "customer_texts": texts,
        "customer_language": language,
        "customer_languages": list(CUSTOMER_LANGUAGES.items()),
        "private_reply_suggestion": texts[language]["hidden_comment"],
    }


def _canned(
    request: HttpRequest, conversation: Conversation, customer_name: str, agent: Agent
) -> list[dict[str, str]]:
    """The team's canned responses, their placeholders filled for this customer."""
    return [
        {
            "title": c.title,
            "text": fill_placeholders(
                c.body, customer_name=customer_name, agent_name=agent.public_name
            ),
        }
        for c in canned_response_list(team_id=conversation.team_id, language=request.LANGUAGE_CODE)
    ]


def _page(request: HttpRequest, conversation_id: int | None) -> HttpResponse:
    context = _list_context(request)
    context["js_strings"] = js_strings()
    context["open_id"] = conversation_id
    if conversation_id is not None:
        context.update(_conversation_context(request, conversation_id))
    return render(request, "inbox/page.html", context)


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    if (guide := first_run.guide_redirect(request)) is not None:
        return guide  # an admin's first visit of an empty Svar: the setup guide
    return _page(request, None)


@login_required
@require_GET
def conversation_page(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _page(request, conversation_id)


@login_required
@require_GET
def conversation_pane(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation alone, for the page's script to swap in without a reload."""
    return render(
        request, "inbox/_conversation.html", _conversation_context(request, conversation_id)
    )


@login_required
@require_GET
def conversation_sla(request: HttpRequest) -> HttpResponse:
    """The SLA clocks of rows the page built from live events (server-rendered rows carry
    theirs): ``?ids=1,2,3``, answered for the conversations the user may see, in one query."""
    ids = id_list_param(request.GET, "ids", max_items=SLA_IDS_MAX)
    team_ids = visible_team_ids(request.user)
    clocks = sla_clocks(ids, team_ids=team_ids) if ids else {}
    return JsonResponse({str(k): [c.as_dict() for c in v] for k, v in clocks.items()})


@login_required
@require_GET
def conversation_list_fragment(request: HttpRequest) -> HttpResponse:
    """The list alone, to reload it after the live layer asks for a resync."""
    return render(request, "inbox/_list.html", _list_context(request))
