"""A reply with files, posted exactly once (docs/media.md "Media out").

The reply's own attempt record (``inbox.services.delivery``) covers the post that carries the
text; the files add steps before it, each committed before the next platform call:

1. **Upload** each file that has no platform id yet, and keep the id at once
   (``attachment_uploaded``). A retried job (the post failed, the worker was killed) reuses it:
   nothing is uploaded twice. X's ids expire after a day: an older one is uploaded again.
2. **Messenger only**: each file is its own message, posted before the text. Its post is
   recorded as begun, then as done with its message id. A retry after an unknown outcome
   looks for a Page message with media sent since the post began, not claimed by another file,
   before posting again.
3. **The post**: an X post or DM with ``media_ids``, a comment with the photo's id, or the
   Messenger text. A retry first searches for it by its text, as for any reply
   (``connectors.jobs.deliver_reply``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.utils import timezone

from connectors.base import Connector, OutboundReply, Platform, SentReply, ThreadKind
from connectors.errors import PlatformRejected
from connectors.facebook import uploads as facebook_uploads
from connectors.twitter import uploads as x_uploads
from inbox.models import Message, ReplyAttachment
from inbox.selectors.reply_attachments import attachment_list_for_message
from inbox.services import attachment_delivery as bookkeeping

X_MEDIA_ID_LIFETIME = timedelta(hours=23)  # X: expires_after_secs 86400


def send_reply(connector: Connector, reply: OutboundReply, message: Message) -> SentReply:
    """Post ``reply``, with the files its message carries, if any."""
    attachments = attachment_list_for_message(message_id=message.pk)
    if not attachments:
        return connector.send(reply)
    platform = message.account.platform
    media_ids = [_uploaded(connector, reply, platform, a) for a in attachments]
    if platform == Platform.X:
        return x_uploads.send_with_media(connector, reply, media_ids)  # type: ignore[arg-type]
    if reply.kind is ThreadKind.PUBLIC:
        return facebook_uploads.comment_with_photo(connector, reply, media_ids[0])  # type: ignore[arg-type]
    for attachment in attachments:
        _post_in_messenger(connector, reply, attachment, attachments)
    return connector.send(reply)


def _reusable(attachment: ReplyAttachment, platform: str) -> bool:
    if not attachment.platform_media_id or attachment.uploaded_at is None:
        return False
    if platform != Platform.X:
        return True  # Graph keeps unpublished photos and reusable attachments
    return attachment.uploaded_at > timezone.now() - X_MEDIA_ID_LIFETIME


def _uploaded(
    connector: Connector, reply: OutboundReply, platform: str, attachment: ReplyAttachment
) -> str:
    if _reusable(attachment, platform):
        return attachment.platform_media_id
    try:
        with attachment.file.open("rb") as file:
            media_id = _upload(connector, reply, platform, attachment, file)
    except PlatformRejected as error:
        raise PlatformRejected(
            f"The platform refused the file {attachment.filename}: {error}"
        ) from error
    bookkeeping.attachment_uploaded(attachment_id=attachment.pk, media_id=media_id)
    attachment.platform_media_id = media_id
    return media_id


def _upload(
    connector: Any, reply: OutboundReply, platform: str, attachment: ReplyAttachment,
    file: IO[bytes],
) -> str:  # fmt: skip
    details = {"content_type": attachment.content_type}
    if platform == Platform.X:
        return x_uploads.upload(
            connector, file, kind=attachment.kind, size=attachment.size,
            public=reply.kind is ThreadKind.PUBLIC, **details,
        )  # fmt: skip
    if reply.kind is ThreadKind.PUBLIC:
        return facebook_uploads.upload_photo(
            connector, file, filename=attachment.filename, **details
        )
    return facebook_uploads.upload_attachment(
        connector, file, kind=attachment.kind, filename=attachment.filename, **details
    )


def _post_in_messenger(
    connector: Connector, reply: OutboundReply, attachment: ReplyAttachment,
    attachments: list[ReplyAttachment],
) -> None:  # fmt: skip
    if attachment.platform_post_id:
        return  # posted by an earlier attempt
    if attachment.post_started_at is not None:  # an earlier attempt's outcome is unknown
        known = {a.platform_post_id for a in attachments if a.platform_post_id}
        found = facebook_uploads.find_attachment_message(
            connector,
            reply,
            attachment.post_started_at,
            known,  # type: ignore[arg-type]
        )
        if found:
            _posted(attachment, found)
            return
    bookkeeping.attachment_post_begun(attachment_id=attachment.pk)
    post_id = facebook_uploads.send_attachment(
        connector,
        reply,
        attachment_id=attachment.platform_media_id,
        kind=attachment.kind,  # type: ignore[arg-type]
    )
    _posted(attachment, post_id)


def _posted(attachment: ReplyAttachment, post_id: str) -> None:
    bookkeeping.attachment_posted(attachment_id=attachment.pk, post_id=post_id)
    attachment.platform_post_id = post_id
