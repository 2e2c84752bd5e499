"""Request parsing and the documented response shapes.

Responses are built by ``inbox.events.snapshots`` functions, the same dicts the WebSocket sends,
so a list row and a live event can never disagree. The output serializers below describe those
shapes for the OpenAPI schema; a test validates real responses against that schema.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from connectors.base import MediaKind, Platform
from inbox.models import AttachmentKind, ConversationStatus, MediaState
from inbox.models.media import MediaReason
from inbox.params import ID_MAX
from inbox.selectors.conversations import ListOrder
from inbox.services.conversations import TAG_MAX_LENGTH
from inbox.services.notes import NOTE_MAX_LENGTH
from web.api.fields import (
    TextField,
    VisibleTextField,
    WholeNumberField,
    query_text,
    whole_number,
)

# --- requests ---------------------------------------------------------------------------------

# The list's query limits: web/api/conversations.py parses with them (inbox/params.py).
TAG_MAX, SEARCH_MAX, CURSOR_MAX, PAGE_MAX = 50, 200, 500, 200


class ConversationListQuery(serializers.Serializer):
    status = serializers.CharField(
        required=False, help_text="One status or several, comma-separated: open,pending"
    )
    assignee = serializers.CharField(required=False, help_text="'me', 'unassigned' or an id")
    team = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    platform = serializers.ChoiceField(choices=[p.value for p in Platform], required=False)
    tag = serializers.CharField(required=False, max_length=TAG_MAX)
    q = serializers.CharField(
        required=False, max_length=SEARCH_MAX, help_text="Words to search for"
    )
    order = serializers.ChoiceField(
        choices=[o.value for o in ListOrder], required=False, default=ListOrder.RECENT.value
    )
    cursor = serializers.CharField(required=False, max_length=CURSOR_MAX)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=PAGE_MAX, default=50)


# What the list's parser (web/api/conversations.py) takes, where the fields above say less.
CONVERSATION_LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        {"type": "array", "items": {"type": "string", "enum": ConversationStatus.values}},
        explode=False,
        description="One status or several, comma-separated: open,pending",
    ),
    OpenApiParameter(
        "assignee",
        {"anyOf": [{"enum": ["me", "unassigned"]}, whole_number()]},
        description="'me', 'unassigned' or an agent id",
    ),
    OpenApiParameter("tag", query_text(TAG_MAX)),
    OpenApiParameter("q", query_text(SEARCH_MAX), description="Words to search for"),
    OpenApiParameter(
        "cursor", query_text(CURSOR_MAX), description="The next_cursor of the page before"
    ),
]


class VersionedRequest(serializers.Serializer):
    version = WholeNumberField(
        required=False,
        min_value=1,
        help_text="The version the client saw; a newer stored version answers 409.",
    )


class ReplyRequest(VersionedRequest):
    # Not a VisibleTextField: a reply that carries files may have no text of its own.
    body = TextField(
        allow_blank=True, trim_whitespace=False, max_length=100_000,
        help_text="The reply's text; may be empty when attachment_ids names files (the posted "
        "text is then the signature). Neither text nor files: 400 reply_empty",
    )  # fmt: skip
    attachment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=10,
        help_text="Files uploaded to the conversation's attachments, posted with the reply",
    )


class AssignRequest(VersionedRequest):
    assignee_id = WholeNumberField(
        allow_null=True, min_value=1, help_text="An agent id, or null to unassign"
    )


class ClaimRequest(VersionedRequest):
    pass


class StatusRequest(VersionedRequest):
    status = serializers.ChoiceField(choices=ConversationStatus.values)


class NoteRequest(serializers.Serializer):
    body = VisibleTextField(trim_whitespace=False, max_length=NOTE_MAX_LENGTH)


class TagsRequest(serializers.Serializer):
    add = serializers.ListField(
        child=VisibleTextField(max_length=TAG_MAX_LENGTH),
        required=False,
        default=list,
        max_length=20,
    )
    remove = serializers.ListField(
        child=VisibleTextField(max_length=TAG_MAX_LENGTH),
        required=False,
        default=list,
        max_length=20,
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


class MediaOut(serializers.Serializer):
    """One file or link a message carries (docs/media.md); built by inbox.media.snapshots."""

    id = serializers.IntegerField()
    message_id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="Its place among the message's media")
    kind = serializers.ChoiceField(choices=[k.value for k in MediaKind])
    state = serializers.ChoiceField(
        choices=MediaState.values,
        help_text="pending: being fetched; stored: the file is kept (url set); unavailable: "
        "gone or refused (reason says why); link: a shared link, nothing to fetch",
    )
    alt_text = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(
        allow_null=True, help_text="Judged from the file's bytes; null until stored"
    )
    size = serializers.IntegerField(allow_null=True, help_text="Bytes kept; null until stored")
    url = serializers.CharField(allow_null=True, help_text="Svar's own route, signed-in users")
    thumbnail_url = serializers.CharField(
        allow_null=True, help_text="A JPEG thumbnail of a photo, or a video's poster frame"
    )
    download = serializers.BooleanField(
        help_text="Served only as a download (SVG, HTML, PDF, unknown types), never inline"
    )
    link_url = serializers.CharField(allow_null=True, help_text="What the customer shared")
    reason_code = serializers.ChoiceField(
        choices=["", *MediaReason.values],
        help_text="Why it is unavailable, as a code: gone (404/410), too_large, not_an_image, "
        "unreadable_image, image_bomb, unplayable_video, video_timeout, refused, gave_up "
        "(every attempt failed); empty when available, or for a row stored before the codes",
    )
    reason = serializers.CharField(
        allow_blank=True,
        help_text="Why it is unavailable, in the reader's language (a row stored before the "
        "codes: its stored English sentence)",
    )
    reason_detail = serializers.CharField(
        allow_blank=True, help_text="The technical detail (English), e.g. 'HTTP 410'"
    )


class AttachmentOut(serializers.Serializer):
    """A file an agent attached to a reply (docs/media.md "Media out")."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttachmentKind.values)
    filename = serializers.CharField()
    content_type = serializers.CharField(help_text="Judged from the file's bytes")
    size = serializers.IntegerField(help_text="Bytes, as it will be posted")
    created_at = serializers.DateTimeField()
    uploaded_by_id = serializers.IntegerField(allow_null=True, help_text="The uploader (agent)")


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
    media = MediaOut(many=True)
    attachments = AttachmentOut(many=True, help_text="Files an agent's reply carries")


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = AgentRef()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class GrantOut(serializers.Serializer):
    agent = AgentRef()
    granted_by = AgentRef(allow_null=True)
    created_at = serializers.DateTimeField()


class ConversationDetailResponse(serializers.Serializer):
    conversation = ConversationRow()
    messages = MessageOut(many=True)
    earlier_messages = serializers.BooleanField()
    notes = NoteOut(many=True)
    grants = GrantOut(many=True)


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
