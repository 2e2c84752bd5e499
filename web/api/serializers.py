"""Request parsing and the documented response shapes.

Responses are built by ``inbox.events.snapshots`` functions, the same dicts the WebSocket sends,
so a list row and a live event can never disagree. The output serializers below describe those
shapes for the OpenAPI schema; a test validates real responses against that schema.
"""

from __future__ import annotations

from rest_framework import serializers

from connectors.base import Platform
from inbox.models import ConversationStatus
from inbox.selectors.conversations import ListOrder

# --- requests ---------------------------------------------------------------------------------


class ConversationListQuery(serializers.Serializer):
    status = serializers.CharField(
        required=False, help_text="One status or several, comma-separated: open,pending"
    )
    assignee = serializers.CharField(required=False, help_text="'me', 'unassigned' or an id")
    team = serializers.IntegerField(required=False, min_value=1)
    platform = serializers.ChoiceField(choices=[p.value for p in Platform], required=False)
    tag = serializers.CharField(required=False, max_length=50)
    q = serializers.CharField(required=False, max_length=200, help_text="Words to search for")
    order = serializers.ChoiceField(
        choices=[o.value for o in ListOrder], required=False, default=ListOrder.RECENT.value
    )
    cursor = serializers.CharField(required=False, max_length=500)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class VersionedRequest(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version the client saw; a newer stored version answers 409.",
    )


class ReplyRequest(VersionedRequest):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)


class AssignRequest(VersionedRequest):
    assignee_id = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="An agent id, or null to unassign"
    )


class ClaimRequest(VersionedRequest):
    pass


class StatusRequest(VersionedRequest):
    status = serializers.ChoiceField(choices=ConversationStatus.values)


class NoteRequest(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)


class TagsRequest(serializers.Serializer):
    add = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=20
    )
    remove = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=20
    )


# --- responses (documentation of the snapshot dicts) ------------------------------------------


class AgentRef(serializers.Serializer):
    id = serializers.IntegerField()
    public_name = serializers.CharField()
    initials = serializers.CharField()


class AccountRef(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ContactRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    handle = serializers.CharField(allow_blank=True)


class ConversationRow(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ConversationStatus.values)
    kind = serializers.ChoiceField(choices=["public", "private"])
    platform = serializers.ChoiceField(choices=[p.value for p in Platform])
    account = AccountRef()
    team_id = serializers.IntegerField()
    contact = ContactRef()
    assignee = AgentRef(allow_null=True)
    waiting_since = serializers.DateTimeField(allow_null=True)
    last_message_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    snippet = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())


class ConversationPageResponse(serializers.Serializer):
    results = ConversationRow(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=["in", "out"])
    external_id = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    author_contact_id = serializers.IntegerField(allow_null=True)
    author_agent = AgentRef(allow_null=True)
    platform_time = serializers.DateTimeField()
    delivery_state = serializers.CharField()
    delivery_error = serializers.CharField(allow_blank=True)
    delivery_attempts = serializers.IntegerField()


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = AgentRef()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ConversationDetailResponse(serializers.Serializer):
    conversation = ConversationRow()
    messages = MessageOut(many=True)
    earlier_messages = serializers.BooleanField()
    notes = NoteOut(many=True)


class ReplyResponse(serializers.Serializer):
    conversation = ConversationRow()
    message = MessageOut()


class NoteResponse(serializers.Serializer):
    conversation = ConversationRow()
    note = NoteOut()


class MeResponse(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    agent = AgentRef()
    teams = serializers.ListField(child=serializers.DictField())
    signatures = serializers.DictField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorResponse(serializers.Serializer):
    error = ErrorDetail()
