"""What a media fetch decides, written down: stored, gone, or tried again later."""

from __future__ import annotations

from datetime import timedelta
from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from inbox.events.kinds import message_media_changed_event
from inbox.events.log import announce
from inbox.models import Media, MediaState
from inbox.models.media import MediaReason

UNAVAILABLE_REASON_MAX = 500


def media_pending_get(media_id: int) -> Media | None:
    return Media.objects.filter(pk=media_id, state=MediaState.PENDING).first()


@transaction.atomic(durable=True)
def media_stored(*, media_id: int, name: str, file: IO[bytes], content_type: str, size: int,
                 sha256: str, thumbnail: IO[bytes] | None) -> None:  # fmt: skip
    media = Media.objects.select_for_update().get(pk=media_id)
    if media.state != MediaState.PENDING:
        return  # another attempt finished first
    media.file.save(name, File(file), save=False)  # the storage copies it in chunks
    if thumbnail is not None:
        media.thumbnail.save(f"{name.rsplit('.', 1)[0]}-thumb.jpg", File(thumbnail), save=False)
    media.content_type, media.size, media.sha256 = content_type, size, sha256
    media.state, media.fetched_at = MediaState.STORED, timezone.now()
    media.attempts += 1
    media.save()
    announce(message_media_changed_event(media=media))


@transaction.atomic(durable=True)
def media_unavailable(*, media_id: int, code: str, detail: str) -> None:
    """The media will not be kept: ``code`` (a ``MediaReason``) says why in every reader's
    language, ``detail`` is the technical fact behind it ("HTTP 410", ffmpeg's complaint)."""
    changed = Media.objects.filter(pk=media_id, state=MediaState.PENDING).update(
        state=MediaState.UNAVAILABLE,
        unavailable_code=MediaReason(code),
        unavailable_reason=detail[:UNAVAILABLE_REASON_MAX],
        fetched_at=timezone.now(),
    )
    if changed:
        announce(message_media_changed_event(media=_with_conversation(media_id)))


def _with_conversation(media_id: int) -> Media:
    related = ("message__conversation__account", "message__conversation__contact",
               "message__conversation__assignee")  # fmt: skip
    return Media.objects.select_related(*related).get(pk=media_id)


def media_attempt_failed(*, media_id: int, reason: str, max_attempts: int) -> timedelta | None:
    """Count a failed attempt; the wait before the next one, or None when none is left (the
    media is then marked unavailable with ``reason``)."""
    updated = Media.objects.filter(pk=media_id, state=MediaState.PENDING)
    attempts = (updated.values_list("attempts", flat=True).first() or 0) + 1
    if attempts >= max_attempts:
        media_unavailable(
            media_id=media_id, code=MediaReason.GAVE_UP,
            detail=f"{reason} (after {attempts} attempts)",
        )  # fmt: skip
        return None
    updated.update(attempts=attempts, unavailable_reason=reason[:UNAVAILABLE_REASON_MAX])
    return timedelta(seconds=min(15 * 4 ** (attempts - 1), 3600))  # 15 s, 1 min, 4 min, …
