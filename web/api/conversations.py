"""Conversation endpoints: parse, call a selector or service, serialise. Nothing more."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import services
from inbox.events import conversation_snapshot, message_snapshot, note_snapshot, snapshots_for
from inbox.selectors import conversations as selectors
from inbox.selectors.conversations import ConversationFilters, ListOrder
from web.api import serializers as s

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse}


def _parse(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _conversation_body(conversation: Any) -> dict[str, Any]:
    return snapshots_for([conversation])[conversation.pk]


class ConversationListApi(APIView):
    @extend_schema(
        parameters=[s.ConversationListQuery],
        responses={200: s.ConversationPageResponse, 400: s.ErrorResponse},
        summary="List conversations, newest activity (or longest wait) first",
    )
    def get(self, request: Request) -> Response:
        query = _parse(s.ConversationListQuery, request.query_params)
        statuses = [v for v in query.get("status", "").split(",") if v.strip()]
        filters = ConversationFilters(
            status=[v.strip() for v in statuses],
            assignee=query.get("assignee"),
            team_id=query.get("team"),
            platform=query.get("platform"),
            tag=query.get("tag"),
            search=query.get("q"),
            order=ListOrder(query["order"]),
        )
        page = selectors.conversation_list(
            user=request.user, filters=filters, cursor=query.get("cursor"), limit=query["limit"]
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
            }
        )


class ConversationReplyApi(APIView):
    @extend_schema(
        request=s.ReplyRequest,
        responses={201: s.ReplyResponse, **ERRORS},
        summary="Reply to the customer, signed with your public name",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.ReplyRequest, request.data)
        message = services.reply_create(
            user=request.user,
            conversation_id=conversation_id,
            body=data["body"],
            expected_version=data.get("version"),
        )
        return Response(
            {
                "conversation": _conversation_body(message.conversation),
                "message": message_snapshot(message),
            },
            status=status.HTTP_201_CREATED,
        )


class ConversationAssignApi(APIView):
    @extend_schema(
        request=s.AssignRequest,
        responses={200: s.ConversationRow, **ERRORS},
        summary="Assign to an agent of the conversation's team, or unassign with null",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.AssignRequest, request.data)
        conversation = services.conversation_assign(
            user=request.user,
            conversation_id=conversation_id,
            assignee_id=data["assignee_id"],
            expected_version=data.get("version"),
        )
        return Response(_conversation_body(conversation))


class ConversationClaimApi(APIView):
    @extend_schema(
        request=s.ClaimRequest,
        responses={200: s.ConversationRow, **ERRORS},
        summary="Assign the conversation to yourself",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.ClaimRequest, request.data)
        conversation = services.conversation_claim(
            user=request.user,
            conversation_id=conversation_id,
            expected_version=data.get("version"),
        )
        return Response(_conversation_body(conversation))


class ConversationStatusApi(APIView):
    @extend_schema(
        request=s.StatusRequest,
        responses={200: s.ConversationRow, **ERRORS},
        summary="Change the status: open, pending or resolved",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.StatusRequest, request.data)
        conversation = services.conversation_set_status(
            user=request.user,
            conversation_id=conversation_id,
            status=data["status"],
            expected_version=data.get("version"),
        )
        return Response(_conversation_body(conversation))


class ConversationNotesApi(APIView):
    @extend_schema(
        request=s.NoteRequest,
        responses={201: s.NoteResponse, **ERRORS},
        summary="Add an internal note (never shown to the customer)",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.NoteRequest, request.data)
        note = services.note_create(
            user=request.user, conversation_id=conversation_id, body=data["body"]
        )
        return Response(
            {"conversation": _conversation_body(note.conversation), "note": note_snapshot(note)},
            status=status.HTTP_201_CREATED,
        )


class ConversationTagsApi(APIView):
    @extend_schema(
        request=s.TagsRequest,
        responses={200: s.ConversationRow, **ERRORS},
        summary="Add and remove tags",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = _parse(s.TagsRequest, request.data)
        conversation = services.conversation_tag(
            user=request.user,
            conversation_id=conversation_id,
            add=data["add"],
            remove=data["remove"],
        )
        return Response(_conversation_body(conversation))
