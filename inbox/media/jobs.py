"""The media fetch job (RQ, queue ``default``): one per file, queued after the ingest commits.

Download (streamed to a temporary file) → type from the bytes → images decoded, cleaned of
EXIF/GPS and thumbnailed; videos given a poster by ffmpeg → saved through the storage API.
A 404/410 marks the media "no longer available" with the reason; 5xx and timeouts try again
with backoff; nothing else in the conversation waits for any of it. A reason is stored as a
``MediaReason`` code (read in each reader's language) plus the technical detail."""

from __future__ import annotations

import logging

import django_rq
from django.conf import settings

from connectors.base import MediaKind
from inbox.media.download import Downloaded, Gone, Refused, TryLater, download
from inbox.media.images import clean_image
from inbox.media.mail_parts import IMAP_PREFIX, download_mail_part
from inbox.media.sniff import EXTENSIONS, IMAGE_TYPES, sniff
from inbox.media.video import video_poster
from inbox.models.media import MediaReason
from inbox.services.media_ingest import FETCH_JOB, MEDIA_QUEUE, fetch_jobs_enqueue
from inbox.services.media_store import (
    media_attempt_failed,
    media_pending_get,
    media_stored,
    media_unavailable,
)

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
_IMAGE_KINDS = {MediaKind.PHOTO.value, MediaKind.STICKER.value}


def fetch_media_fan_out(media_ids: list[int]) -> str:
    """A poll's files, each given its own fetch job, so that one slow or failing download
    holds up no other. Run twice, it is harmless: a fetch whose file is no longer pending
    stops at once."""
    fetch_jobs_enqueue(media_ids)
    return f"{len(media_ids)} fetches queued"


def fetch_media(media_id: int) -> str:
    media = media_pending_get(media_id)
    if media is None:
        return "skipped: not waiting to be fetched"
    try:
        fetched = _fetch(media)
    except Gone as error:
        media_unavailable(media_id=media_id, code=MediaReason.GONE, detail=str(error))
        return f"gone: {error}"
    except Refused as error:
        media_unavailable(media_id=media_id, code=error.code, detail=str(error))
        return f"refused: {error}"
    except TryLater as error:
        return _again_later(media_id, str(error))
    with fetched.file:
        return _keep(media, fetched)


def _fetch(media) -> Downloaded:  # noqa: ANN001 - a Media row
    if media.source_url.startswith(IMAP_PREFIX):  # an e-mail attachment, read from the mailbox
        return download_mail_part(media, max_bytes=settings.SVAR_MEDIA_MAX_BYTES)
    return download(media.source_url, max_bytes=settings.SVAR_MEDIA_MAX_BYTES,
                    timeout=settings.SVAR_MEDIA_FETCH_TIMEOUT)  # fmt: skip


def _keep(media, fetched) -> str:  # noqa: ANN001 - Media and Downloaded
    content_type = sniff(fetched.head)
    if media.kind in _IMAGE_KINDS and content_type not in IMAGE_TYPES:
        detail = f"sent as an image, but the file is {content_type}"
        media_unavailable(media_id=media.pk, code=MediaReason.NOT_AN_IMAGE, detail=detail)
        return f"refused: {detail}"
    name = (
        f"{media.message_id}/{media.pk}-{fetched.sha256[:16]}.{EXTENSIONS.get(content_type, 'bin')}"
    )
    if content_type == "video/mp4":
        return _keep_video(media, fetched, name)
    if content_type not in IMAGE_TYPES:
        media_stored(media_id=media.pk, name=name, file=fetched.file, content_type=content_type,
                     size=fetched.size, sha256=fetched.sha256, thumbnail=None)  # fmt: skip
        return f"stored {content_type}, {fetched.size} bytes"
    try:
        image = clean_image(fetched.file, content_type, max_pixels=settings.SVAR_MEDIA_MAX_PIXELS,
                            thumbnail_size=settings.SVAR_MEDIA_THUMBNAIL_SIZE)  # fmt: skip
    except Refused as error:
        media_unavailable(media_id=media.pk, code=error.code, detail=str(error))
        return f"refused: {error}"
    with image.file, image.thumbnail:
        size = image.file.seek(0, 2)
        image.file.seek(0)
        media_stored(media_id=media.pk, name=name, file=image.file, content_type=content_type,
                     size=size, sha256=fetched.sha256, thumbnail=image.thumbnail)  # fmt: skip
    return f"stored {content_type}, {size} bytes (metadata removed)"


def _keep_video(media, fetched, name: str) -> str:  # noqa: ANN001 - Media and Downloaded
    """A video is kept as received, with its first frame as the poster (the thumbnail)."""
    try:
        poster = video_poster(fetched.file.name)
    except Refused as error:
        media_unavailable(media_id=media.pk, code=error.code, detail=str(error))
        return f"refused: {error}"
    fetched.file.seek(0)
    media_stored(media_id=media.pk, name=name, file=fetched.file, content_type="video/mp4",
                 size=fetched.size, sha256=fetched.sha256, thumbnail=poster)  # fmt: skip
    if poster is not None:
        poster.close()
    return f"stored video/mp4, {fetched.size} bytes" + (" with a poster" if poster else "")


def _again_later(media_id: int, reason: str) -> str:
    wait = media_attempt_failed(media_id=media_id, reason=reason, max_attempts=MAX_ATTEMPTS)
    if wait is None:
        return f"unavailable: {reason}"
    django_rq.get_queue(MEDIA_QUEUE).enqueue_in(wait, FETCH_JOB, media_id)
    logger.info("media %s: %s; trying again in %s", media_id, reason, wait)
    return f"again in {wait}: {reason}"
