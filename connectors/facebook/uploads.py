"""Files in Facebook replies: a photo in a Page comment, attachments in Messenger.

- **Comment**: the photo is uploaded as an unpublished Page photo (``POST /{page}/photos``,
  ``published=false``, multipart ``source``) and the reply names it: ``POST
  /{comment}/comments`` with ``message`` and ``attachment_id``. One photo per comment.
- **Messenger**: each file goes through the Attachment Upload API (``POST
  /{page}/message_attachments``, multipart ``filedata`` with ``message={"attachment": {"type":
  …, "payload": {"is_reusable": true}}}``) → ``attachment_id``; then the Send API posts it as
  its own message (``message={"attachment": {"type", "payload": {"attachment_id"}}}``): a
  Messenger message has text or an attachment, never both. The same window, tag and persona
  as the reply's text apply.
"""

from __future__ import annotations

import json
from collections.abc import Set
from datetime import UTC, datetime
from functools import partial
from typing import IO, Any

from connectors.base import OutboundReply, SentReply
from connectors.errors import PlatformUnavailable
from connectors.facebook.connector import CLOCK_SKEW, FacebookConnector
from connectors.facebook.fields import MESSAGE_FIELDS, PAGE_SIZE
from connectors.facebook.parse import each, messenger_message
from connectors.facebook.window import send_policy

MESSENGER_TYPE = {"photo": "image", "animated_gif": "image", "video": "video", "file": "file"}


def _required(result: dict[str, Any], key: str) -> str:
    value = result.get(key)
    if not isinstance(value, str | int) or not str(value):
        raise PlatformUnavailable(f"Graph's answer lacks {key}: {result!r}")
    return str(value)


def upload_photo(
    connector: FacebookConnector, file: IO[bytes], *, filename: str, content_type: str
) -> str:
    """An unpublished Page photo, for a comment to carry; its id."""
    result = connector.client.post_file(
        f"{connector.page_id}/photos",
        files={"source": (filename, file, content_type)},
        published="false",
    )
    return _required(result, "id")


def upload_attachment(
    connector: FacebookConnector, file: IO[bytes], *, kind: str, filename: str,
    content_type: str,
) -> str:  # fmt: skip
    """A Messenger attachment (Attachment Upload API); its reusable ``attachment_id``."""
    message = {"attachment": {"type": MESSENGER_TYPE[kind], "payload": {"is_reusable": True}}}
    result = connector.client.post_file(
        f"{connector.page_id}/message_attachments",
        files={"filedata": (filename, file, content_type)},
        message=json.dumps(message),
    )
    return _required(result, "attachment_id")


def comment_with_photo(
    connector: FacebookConnector, reply: OutboundReply, photo_id: str
) -> SentReply:
    result = connector.client.post(
        f"{reply.thread_external_id}/comments", message=reply.body, attachment_id=photo_id
    )
    return SentReply(external_id=_required(result, "id"), sent_at=datetime.now(UTC))


def send_attachment(
    connector: FacebookConnector, reply: OutboundReply, *, attachment_id: str, kind: str
) -> str:
    """One Messenger message carrying one uploaded attachment; its message id."""
    policy = send_policy(connector._customer_last_message_at(reply), datetime.now(UTC))
    attachment = {"type": MESSENGER_TYPE[kind], "payload": {"attachment_id": attachment_id}}
    data = {
        "recipient": json.dumps({"id": reply.recipient_external_id}),
        "messaging_type": policy.messaging_type,
        "message": json.dumps({"attachment": attachment}),
    }
    if policy.tag:
        data["tag"] = policy.tag
    persona_id = connector._persona_for(reply)
    if persona_id:
        data["persona_id"] = persona_id
    result = connector.client.post(f"{connector.page_id}/messages", **data)
    return _required(result, "message_id")


def find_attachment_message(
    connector: FacebookConnector, reply: OutboundReply, since: datetime, known: Set[str]
) -> str | None:
    """A message with media the Page sent in this conversation since ``since`` and that no
    other attachment of the reply claims: what an attempt whose outcome is unknown posted."""
    start = since - CLOCK_SKEW
    convert = partial(
        messenger_message, conversation_id=reply.thread_external_id, page_id=connector.page_id
    )
    path = f"{reply.thread_external_id}/messages"
    pacer = connector.client.conversations_pacer
    for page in connector.client.pages(path, pacer, fields=MESSAGE_FIELDS, limit=PAGE_SIZE):
        data = page.get("data") if isinstance(page.get("data"), list) else []
        found, _ = each(data, convert)
        for message in found:
            ours = message.from_account and message.sent_at >= start and message.media
            if ours and message.external_id not in known:
                return message.external_id
        if not found or min(m.sent_at for m in found) < start:
            return None
    return None
