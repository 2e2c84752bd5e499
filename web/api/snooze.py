"""Snoozing a conversation (issue #17): until a time, or until the customer writes again."""

from __future__ import annotations

from rest_framework import serializers

from inbox.services.snooze import conversation_snooze
from web.api import serializers as s
from web.api.conversations import ConversationActionApi, action_schema


class SnoozeRequest(s.VersionedRequest):
    until = serializers.DateTimeField(
        allow_null=True,
        help_text="When it comes back (with a time zone); null: when the customer writes again.",
    )


@action_schema(
    SnoozeRequest,
    s.ConversationRow,
    "Snooze: out of the open views until a time, or until the customer writes again",
)
class ConversationSnoozeApi(ConversationActionApi):
    body, service = SnoozeRequest, staticmethod(conversation_snooze)
