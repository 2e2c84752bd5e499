"""Files agents attach to replies: checked and stored on upload, taken by one reply.

The upload is judged by its bytes (``inbox.media.sniff``; images decoded and re-encoded by
Pillow, so a "JPEG" that is HTML is refused and an agent's photo loses its GPS position like a
customer's), then against Svar's limit (``SVAR_ATTACHMENT_MAX_BYTES``) and the channel's
(``inbox.composer.attachment_rules``). The file is stored before its row is written; the row
lock of the conversation is not held while a large file streams in.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from inbox.composer.attachment_rules import KIND_OF_TYPE, ChannelRule, rule_for
from inbox.exceptions import (
    AttachmentInUse,
    AttachmentRejected,
    AttachmentTooLarge,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from inbox.media.download import Refused
from inbox.media.images import clean_image
from inbox.media.lifecycle import media_files_delete
from inbox.media.sniff import EXTENSIONS, HEAD_BYTES, IMAGE_TYPES, sniff
from inbox.models import Agent, Conversation, Message, ReplyAttachment
from inbox.permissions.access import access_conversation, agent_of
from inbox.permissions.roles import Role, role_of

FILENAME_MAX = 255
CHUNK = 256 * 1024


def _first_upper(label: object) -> str:
    text = str(label)
    return text[:1].upper() + text[1:]


def _rule(conversation: Conversation) -> ChannelRule:
    rule = rule_for(conversation.account.platform, conversation.kind)
    if rule is None:
        raise AttachmentRejected(_("Replies on this channel cannot carry files."), field="file")
    return rule


def _too_large(size: int, limit: int, what: str) -> AttachmentTooLarge:
    message = _("This file is %(size)s; %(what)s takes at most %(limit)s.") % {
        "size": filesizeformat(size), "what": what, "limit": filesizeformat(limit),
    }  # fmt: skip
    return AttachmentTooLarge(message, field="file", size=size, limit=limit)


def _checked_kind(upload: UploadedFile, rule: ChannelRule) -> tuple[str, str]:
    """The file's type (from its bytes) and kind, refused when the channel does not take it."""
    if upload.size > settings.SVAR_ATTACHMENT_MAX_BYTES:
        raise _too_large(upload.size, settings.SVAR_ATTACHMENT_MAX_BYTES, _("an upload"))
    upload.seek(0)
    content_type = sniff(upload.read(HEAD_BYTES))
    upload.seek(0)
    kind = KIND_OF_TYPE.get(content_type)
    if kind is None:
        raise AttachmentRejected(
            _("This file's type is not one a reply can carry (it looks like %(type)s): send a "
              "photo (JPEG, PNG, WebP), a GIF, an MP4 video or a PDF.") % {"type": content_type},
            field="file", content_type=content_type,
        )  # fmt: skip
    if kind not in rule.max_bytes:
        raise AttachmentRejected(
            _("%(what)s cannot carry this kind of file (%(type)s).")
            % {"what": _first_upper(rule.label), "type": content_type},
            field="file", content_type=content_type,
        )  # fmt: skip
    if upload.size > rule.max_bytes[kind]:
        raise _too_large(upload.size, rule.max_bytes[kind], str(rule.label))
    return content_type, kind


def _cleaned(upload: UploadedFile, content_type: str) -> IO[bytes]:
    """Images re-encoded from their pixels (no EXIF/GPS); anything else as uploaded."""
    if content_type not in IMAGE_TYPES:
        return upload
    try:
        return clean_image(
            upload, content_type, max_pixels=settings.SVAR_MEDIA_MAX_PIXELS,
            thumbnail_size=settings.SVAR_MEDIA_THUMBNAIL_SIZE,
        ).file  # fmt: skip
    except Refused as error:
        raise AttachmentRejected(
            _("This image could not be used: %(reason)s") % {"reason": error}, field="file"
        ) from None


def _digest(source: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    source.seek(0)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    source.seek(0)
    return digest.hexdigest(), size


def attachment_upload(
    *, user: AbstractBaseUser, conversation_id: int, upload: UploadedFile | None
) -> ReplyAttachment:
    """Check and keep a file for a reply in this conversation (not yet sent)."""
    agent = agent_of(user)
    conversation = access_conversation(user, conversation_id)
    if not user.has_perm("inbox.change_conversation"):
        raise PermissionDenied(_("Your role does not allow replying."))
    if upload is None:
        raise InvalidInput(_("Send the file as the multipart field 'file'."), field="file")
    rule = _rule(conversation)
    content_type, kind = _checked_kind(upload, rule)
    _check_room(rule, conversation, agent, kind)
    cleaned = _cleaned(upload, content_type)
    sha256, size = _digest(cleaned)
    if size > rule.max_bytes[kind]:  # a re-encoded image may grow a little
        raise _too_large(size, rule.max_bytes[kind], str(rule.label))
    name = f"outbound/{conversation.team_id}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    attachment = ReplyAttachment(
        team_id=conversation.team_id, conversation=conversation, uploaded_by=agent, kind=kind,
        filename=(upload.name or "file")[-FILENAME_MAX:], content_type=content_type,
        size=size, sha256=sha256,
    )  # fmt: skip
    attachment.file.save(name, File(cleaned, name=name), save=False)
    with transaction.atomic(durable=True):
        attachment.save()
    return attachment


def _check_room(rule: ChannelRule, conversation: Conversation, agent: Agent, kind: str) -> None:
    """Refuse a file the reply could not carry alongside the uploader's files not sent yet,
    when it is added rather than at send. The uploader's own: a colleague's unsent files are
    not in this agent's composer and go with none of this agent's replies."""
    waiting = list(
        ReplyAttachment.objects.filter(
            conversation=conversation, uploaded_by=agent, message__isnull=True
        ).values_list("kind", flat=True)
    )
    if len(waiting) >= rule.max_count:
        raise AttachmentRejected(
            _("%(what)s carries at most %(count)s file(s): remove one to add another.")
            % {"what": _first_upper(rule.label), "count": rule.max_count},
            field="file", limit=rule.max_count,
        )  # fmt: skip
    if waiting and (kind in rule.alone or any(k in rule.alone for k in waiting)):
        raise AttachmentRejected(
            _("%(what)s carries a GIF or a video alone, without other files.")
            % {"what": _first_upper(rule.label)},
            field="file",
        )  # fmt: skip


def attachment_remove(*, user: AbstractBaseUser, conversation_id: int, attachment_id: int) -> None:
    """Take back a file not sent yet: its uploader, or a manager of the team. The row goes in
    the transaction; the file leaves the storage after it commits (a rollback keeps both)."""
    agent = agent_of(user)
    with transaction.atomic(durable=True):
        conversation = access_conversation(user, conversation_id)
        attachment = (
            ReplyAttachment.objects.select_for_update()
            .filter(pk=attachment_id, conversation=conversation, team_id=conversation.team_id)
            .first()
        )
        if attachment is None:
            raise NotFound(_("Attachment %(id)s was not found.") % {"id": attachment_id})
        manager = role_of(user) in (Role.MANAGER, Role.ADMIN)
        if attachment.uploaded_by_id != agent.pk and not manager:
            raise PermissionDenied(
                _("Only the person who attached this file, or a manager of the team, can "
                  "remove it.")
            )  # fmt: skip
        if attachment.message_id is not None:
            raise AttachmentInUse(
                _("Attachment %(id)s belongs to a reply already sent or on its way; it can no "
                  "longer be removed.") % {"id": attachment_id},
                attachment_id=attachment_id,
            )  # fmt: skip
        names = [attachment.file.name]
        attachment.delete()
        transaction.on_commit(lambda: media_files_delete(names))


def attachments_take_locked(
    *, conversation: Conversation, message: Message, attachment_ids: list[int]
) -> list[ReplyAttachment]:
    """Give the reply its attachments, in the order named. The caller holds the conversation's
    row lock; another team's or another conversation's attachment is one that does not exist."""
    wanted = list(dict.fromkeys(attachment_ids))
    if not wanted:
        return []
    found = {
        a.pk: a
        for a in ReplyAttachment.objects.select_for_update(no_key=True).filter(
            pk__in=wanted, conversation=conversation, team_id=conversation.team_id
        )
    }
    for attachment_id in wanted:
        if attachment_id not in found:
            raise NotFound(_("Attachment %(id)s was not found.") % {"id": attachment_id})
        if found[attachment_id].message_id is not None:
            raise AttachmentInUse(
                _("Attachment %(id)s was already sent with another reply; attach the file "
                  "again to send it again.") % {"id": attachment_id},
                attachment_id=attachment_id,
            )  # fmt: skip
    attachments = [found[i] for i in wanted]
    _check_count(_rule(conversation), attachments)
    for position, attachment in enumerate(attachments):
        attachment.message, attachment.position = message, position
    ReplyAttachment.objects.bulk_update(attachments, ["message", "position"])
    return attachments


def _check_count(rule: ChannelRule, attachments: list[ReplyAttachment]) -> None:
    if len(attachments) > rule.max_count:
        raise AttachmentRejected(
            _("%(what)s carries at most %(count)s attachment(s); this reply has %(given)s.")
            % {"what": _first_upper(rule.label), "count": rule.max_count,
               "given": len(attachments)},
            field="attachment_ids",
        )  # fmt: skip
    if len(attachments) > 1 and any(a.kind in rule.alone for a in attachments):
        raise AttachmentRejected(
            _("%(what)s carries a GIF or a video alone, without other files.")
            % {"what": _first_upper(rule.label)},
            field="attachment_ids",
        )  # fmt: skip
