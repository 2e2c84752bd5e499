"""A customer as one person (issue #19): their contacts and conversations on every channel,
merge suggestions, merging and splitting (agents); data-subject export and erasure (managers
and admins). Another team's customer is not found."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import Contact, Conversation
from inbox.permissions.access import readable_team_ids
from inbox.selectors.customer_data import data_scope, data_summary
from inbox.selectors.customers import (
    contact_access,
    merge_suggestions,
    person_contacts,
    person_conversations,
)
from inbox.services.customer_profiles import ProfileChange, contact_unmerge, contacts_merge
from inbox.services.data_requests import data_erase
from web.api import serializers as s
from web.api.fields import WholeNumberField
from web.customers.download import archive_response

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class ContactOut(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    platform_id = serializers.CharField()
    name = serializers.CharField()
    handle = serializers.CharField()
    email = serializers.CharField()


class SuggestionOut(serializers.Serializer):
    contact = ContactOut()
    reason = serializers.ChoiceField(choices=["instagram_username", "email", "name_and_handle"])


class PersonConversationOut(serializers.Serializer):
    id = serializers.IntegerField()
    contact_id = serializers.IntegerField()
    platform = serializers.CharField()
    status = serializers.CharField()
    snippet = serializers.CharField()
    last_message_at = serializers.DateTimeField()


class CustomerPersonOut(serializers.Serializer):
    profile_id = serializers.IntegerField(allow_null=True)
    contacts = ContactOut(many=True)
    conversations = PersonConversationOut(many=True)
    suggestions = SuggestionOut(many=True)


class MergeRequest(serializers.Serializer):
    contact_id = WholeNumberField(min_value=1)


class ProfileChangeOut(serializers.Serializer):
    changed = serializers.BooleanField()
    profile_id = serializers.IntegerField(allow_null=True)
    contact_ids = serializers.ListField(child=serializers.IntegerField())


class DataSummaryOut(serializers.Serializer):
    contacts = ContactOut(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class ErasureOut(serializers.Serializer):
    request_id = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    held_conversation_ids = serializers.ListField(child=serializers.IntegerField())
    kept_contact_ids = serializers.ListField(child=serializers.IntegerField())


def contact_out(c: Contact) -> dict[str, Any]:
    return {"id": c.pk, "platform": c.platform, "platform_id": c.external_id, "name": c.name,
            "handle": c.handle, "email": c.email}  # fmt: skip


def _conversation_out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.pk, "contact_id": c.contact_id, "platform": c.account.platform,
        "status": c.status, "snippet": c.snippet, "last_message_at": c.last_message_at,
    }  # fmt: skip


def _change_out(change: ProfileChange) -> dict[str, Any]:
    return {"changed": change.changed, "profile_id": change.profile_id,
            "contact_ids": change.contact_ids}  # fmt: skip


class CustomerApi(APIView):
    @extend_schema(responses={200: CustomerPersonOut, **ERRORS},
                   summary="A customer's contacts and conversations on every channel, with "
                           "contacts that look like the same person")  # fmt: skip
    def get(self, request: Request, contact_id: int) -> Response:
        contact = contact_access(request.user, contact_id)
        teams = readable_team_ids(request.user)
        return Response({
            "profile_id": contact.profile_id,
            "contacts": [contact_out(c) for c in person_contacts(teams, contact)],
            "conversations": [_conversation_out(c) for c in person_conversations(teams, contact)],
            "suggestions": [{"contact": contact_out(x.contact), "reason": x.reason}
                            for x in merge_suggestions(teams, contact)],
        })  # fmt: skip


class CustomerMergeApi(APIView):
    @extend_schema(request=MergeRequest, responses={200: ProfileChangeOut, **ERRORS},
                   summary="Merge another contact (and its profile) into this customer's "
                           "profile; changed is false if they already were one")  # fmt: skip
    def post(self, request: Request, contact_id: int) -> Response:
        body = MergeRequest(data=request.data)
        body.is_valid(raise_exception=True)
        other = body.validated_data["contact_id"]
        return Response(_change_out(contacts_merge(user=request.user, contact_id=contact_id,
                                                   other_id=other)))  # fmt: skip


class CustomerUnmergeApi(APIView):
    @extend_schema(request=None, responses={200: ProfileChangeOut, **ERRORS},
                   summary="Split this contact off its profile")  # fmt: skip
    def post(self, request: Request, contact_id: int) -> Response:
        return Response(_change_out(contact_unmerge(user=request.user, contact_id=contact_id)))


class CustomerDataApi(APIView):
    @extend_schema(responses={200: DataSummaryOut, **ERRORS},
                   summary="What Svar holds about the person (managers and admins)")  # fmt: skip
    def get(self, request: Request, contact_id: int) -> Response:
        scope = data_scope(request.user, contact_id)
        return Response({"contacts": [contact_out(c) for c in scope.contacts],
                         "counts": data_summary(scope)})  # fmt: skip


class CustomerExportApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, **ERRORS},
                   summary="Everything about the person as a ZIP of JSON files, streamed "
                           "(managers and admins)")  # fmt: skip
    def get(self, request: Request, contact_id: int) -> StreamingHttpResponse:
        return archive_response(request._request, request.user, contact_id)


class CustomerEraseApi(APIView):
    @extend_schema(request=None, responses={200: ErasureOut, **ERRORS},
                   summary="Erase the person's data in your teams (managers and admins); "
                           "conversations on legal hold stay and are named")  # fmt: skip
    def post(self, request: Request, contact_id: int) -> Response:
        erasure = data_erase(user=request.user, contact_id=contact_id)
        return Response({"request_id": erasure.request_id, "counts": erasure.counts,
                         "held_conversation_ids": erasure.held_conversation_ids,
                         "kept_contact_ids": erasure.kept_contact_ids})  # fmt: skip
