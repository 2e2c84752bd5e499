"""Conversation endpoints: parse, call a selector or service, serialise. Nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors.base import Platform
from inbox import services
from inbox.events.snapshots import (
    conversation_snapshot,
    grant_snapshot,
    message_snapshot,
    note_snapshot,
    snapshots_for,
)
from inbox.exceptions import InvalidInput
from inbox.params import (
    Query,
    choice_param,
    id_param,
    int_param,
    raw_value,
    text_param,
    to_int,
)
from inbox.selectors import conversations as selectors
from inbox.selectors.conversations import ConversationFilters, ListOrder
from web.api import serializers as s

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse}


def parse_body(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _assignee(query: Query) -> str | None:
    raw = raw_value(query, "assignee")
    if raw in (None, "me", "unassigned"):
        return raw
    try:
        return str(to_int(raw, "assignee"))
    except InvalidInput:
        message = _("assignee must be 'me', 'unassigned' or an agent id.")
        raise InvalidInput(message, field="assignee") from None


def _list_query(query: Query) -> tuple[ConversationFilters, str | None, int]:
    """The list's filters, cursor and page size (documented by ``s.ConversationListQuery``)."""
    statuses = (text_param(query, "status") or "").split(",")
    order = choice_param(query, "order", [o.value for o in ListOrder], default=ListOrder.RECENT)
    filters = ConversationFilters(
        status=[v.strip() for v in statuses if v.strip()],
        assignee=_assignee(query),
        team_id=id_param(query, "team"),
        platform=choice_param(query, "platform", [p.value for p in Platform]),
        tag=text_param(query, "tag", max_length=s.TAG_MAX),
        search=text_param(query, "q", max_length=s.SEARCH_MAX),
        order=ListOrder(order),
    )
    cursor = text_param(query, "cursor", max_length=s.CURSOR_MAX)
    limit = int_param(query, "limit", default=50, minimum=1, maximum=s.PAGE_MAX)
    return filters, cursor, limit


def _conversation_body(conversation: Any) -> dict[str, Any]:
    return snapshots_for([conversation])[conversation.pk]


class ConversationListApi(APIView):
    @extend_schema(
        parameters=[s.ConversationListQuery, *s.CONVERSATION_LIST_PARAMETERS],
        responses={200: s.ConversationPageResponse, 400: s.ErrorResponse},
        summary="List conversations, newest activity (or longest wait) first",
    )
    def get(self, request: Request) -> Response:
        filters, cursor, limit = _list_query(request.query_params)
        page = selectors.conversation_list(
            user=request.user, filters=filters, cursor=cursor, limit=limit
        )
        return Response(
            {
                "results": [conversation_snapshot(row, row.tag_names) for row in page.items],
                "next_cursor": page.next_cursor,
            }
        )


class ConversationDetailApi(APIView):
    @extend_schema(
        responses={200: s.ConversationDetailResponse, 404: s.ErrorResponse},
        summary="One conversation with its latest messages and its notes",
        operation_id="conversation_detail",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        detail = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
        return Response(
            {
                "conversation": _conversation_body(detail.conversation),
                "messages": [message_snapshot(m) for m in detail.messages],
                "earlier_messages": detail.earlier_messages,
                "notes": [note_snapshot(n) for n in detail.notes],
                "grants": [grant_snapshot(g) for g in detail.grants],
            }
        )


# One action on a conversation: the request's fields, checked by ``body``, are the keyword
# arguments of ``service`` (``version`` as ``expected_version``). The answer is the
# conversation's row, or for an action that adds something (``adds``: its key and snapshot) 201
# with the row and the new thing. A comment, not a docstring: drf-spectacular would publish a
# docstring as every action's description.
class ConversationActionApi(APIView):
    body: type[serializers.Serializer]
    service: Callable[..., Any]  # a staticmethod
    adds: tuple[str, Callable[[Any], dict[str, Any]]] | None = None

    def answer(self, result: Any) -> dict[str, Any]:
        if self.adds is None:
            return _conversation_body(result)
        key, snapshot = self.adds
        return {"conversation": _conversation_body(result.conversation), key: snapshot(result)}

    def post(self, request: Request, conversation_id: int) -> Response:
        arguments = dict(parse_body(self.body, request.data))
        if "version" in arguments:
            arguments["expected_version"] = arguments.pop("version")
        result = self.service(user=request.user, conversation_id=conversation_id, **arguments)
        code = status.HTTP_200_OK if self.adds is None else status.HTTP_201_CREATED
        return Response(self.answer(result), status=code)


def action_schema(body: type, response: Any, summary: str, code: int = 200) -> Any:
    return extend_schema(request=body, responses={code: response, **ERRORS}, summary=summary)


@action_schema(
    s.ReplyRequest, s.ReplyResponse, "Reply to the customer, signed with your public name", 201
)
class ConversationReplyApi(ConversationActionApi):
    body, service = s.ReplyRequest, staticmethod(services.reply_create)
    adds = ("message", message_snapshot)


@action_schema(
    s.AssignRequest,
    s.ConversationRow,
    "Assign to an agent of the conversation's team, or unassign with null",
)
class ConversationAssignApi(ConversationActionApi):
    body, service = s.AssignRequest, staticmethod(services.conversation_assign)


@action_schema(s.ClaimRequest, s.ConversationRow, "Assign the conversation to yourself")
class ConversationClaimApi(ConversationActionApi):
    body, service = s.ClaimRequest, staticmethod(services.conversation_claim)


@action_schema(s.StatusRequest, s.ConversationRow, "Change the status: open, pending or resolved")
class ConversationStatusApi(ConversationActionApi):
    body, service = s.StatusRequest, staticmethod(services.conversation_set_status)


@action_schema(
    s.NoteRequest, s.NoteResponse, "Add an internal note (never shown to the customer)", 201
)
class ConversationNotesApi(ConversationActionApi):
    body, service = s.NoteRequest, staticmethod(services.note_create)
    adds = ("note", note_snapshot)


@action_schema(s.TagsRequest, s.ConversationRow, "Add and remove tags")
class ConversationTagsApi(ConversationActionApi):
    body, service = s.TagsRequest, staticmethod(services.conversation_tag)
