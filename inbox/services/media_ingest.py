"""The media of newly ingested messages: one row per item, fetched after commit by its own job
(``inbox.media.jobs``), so an ingest never waits for a download."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, ngettext
from rq import Queue

from connectors.base import InboundMessage, MediaItem, MediaKind
from inbox.db.bulk import insert_rows
from inbox.job_queue import job_queue
from inbox.models import Media, MediaState

MEDIA_QUEUE = "default"  # behind delivery and polling: a download never delays a reply
FETCH_JOB = "inbox.media.jobs.fetch_media"
FAN_OUT_JOB = "inbox.media.jobs.fetch_media_fan_out"
_WITHOUT_FILE = {MediaKind.SHARE, MediaKind.FALLBACK}


def snippet_of(message: InboundMessage) -> str:
    """What the conversation list shows for a message: its text, else what it carries."""
    return message.body or media_label(message.media)


def media_label(media: Sequence[MediaItem]) -> str:
    """What a message that is only media says in the list: "Photo", "Video", "3 attachments"."""
    if not media:
        return ""
    if len(media) > 1:
        return ngettext("%(count)d attachment", "%(count)d attachments", len(media)) % {
            "count": len(media)
        }
    labels = {
        MediaKind.PHOTO: gettext("Photo"),
        MediaKind.VIDEO: gettext("Video"),
        MediaKind.ANIMATED_GIF: gettext("GIF"),
        MediaKind.AUDIO: gettext("Audio"),
        MediaKind.FILE: gettext("File"),
        MediaKind.STICKER: gettext("Sticker"),
        MediaKind.SHARE: gettext("Shared link"),
    }
    return labels.get(media[0].kind, gettext("Attachment"))


def media_rows_create(messages: Sequence[InboundMessage], stored: Sequence[Any]) -> list[Media]:
    """Record the media of messages just inserted (``stored``: their records, parallel to
    ``messages``, each with ``pk`` and a ``media`` list that receives its rows, for the event)
    and queue each file's fetch for after the commit. Returns the rows made."""
    rows = [
        _row(record.pk, position, item)
        for message, record in zip(messages, stored, strict=True)
        for position, item in enumerate(message.media)
    ]
    if not rows:
        return []
    created = insert_rows(rows)  # not bulk_create: no per-value work in Python
    by_message = {record.pk: record for record in stored}
    for media in created:
        by_message[media.message_id].media.append(media)
    pending = [m.pk for m in created if m.state == MediaState.PENDING]
    if pending:
        transaction.on_commit(lambda: media_fetch_enqueue(pending))
    return created


def media_fetch_enqueue(media_ids: Sequence[int]) -> None:
    """A poll's fetches, queued in one Redis round trip. Several files go as one job that a
    worker splits into one fetch job per file (``fetch_media_fan_out``): making an RQ job costs
    ~0.17 ms of CPU, which the ingest's text path should not pay per file
    (docs/performance.md, "Media")."""
    if len(media_ids) == 1:
        fetch_jobs_enqueue(media_ids)
        return
    queue = job_queue(MEDIA_QUEUE)  # one connection per process, not one per poll
    queue.enqueue(FAN_OUT_JOB, list(media_ids), job_id=f"media-poll-{media_ids[0]}")


def fetch_jobs_enqueue(media_ids: Sequence[int]) -> None:
    """One fetch job per file (its own retries and backoff), all in one Redis round trip."""
    queue = job_queue(MEDIA_QUEUE)
    jobs = [Queue.prepare_data(FETCH_JOB, (i,), job_id=f"media-{i}") for i in media_ids]
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many(jobs, pipeline=pipe)
        pipe.execute()


def _row(message_id: int, position: int, item: MediaItem) -> Media:
    # An e-mail attachment's address is an IMAP URL: read from the mailbox by the same job.
    fetchable = item.kind not in _WITHOUT_FILE and item.url.startswith(
        ("https://", "http://", "imap:")
    )
    return Media(
        message_id=message_id,
        position=position,
        kind=item.kind.value,
        source_url=item.url,
        platform_key=item.key[:128],
        alt_text=item.alt_text,
        mime_hint=item.mime_hint[:100],
        state=MediaState.PENDING if fetchable else MediaState.LINK,
    )
