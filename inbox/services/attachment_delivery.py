"""The delivery bookkeeping of a reply's files, each step committed before the next platform
call (connectors/media_delivery.py): an upload's platform id is kept, so a job retried after a
crash or a failed post reuses it; a Messenger attachment's post is recorded as begun, then as
done with its message id, so a retry looks for it before posting again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inbox.models import ReplyAttachment


@transaction.atomic(durable=True)
def attachment_uploaded(*, attachment_id: int, media_id: str) -> None:
    ReplyAttachment.objects.filter(pk=attachment_id).update(
        platform_media_id=media_id, uploaded_at=timezone.now()
    )


@transaction.atomic(durable=True)
def attachment_post_begun(*, attachment_id: int) -> None:
    ReplyAttachment.objects.filter(pk=attachment_id).update(post_started_at=timezone.now())


@transaction.atomic(durable=True)
def attachment_posted(*, attachment_id: int, post_id: str) -> None:
    ReplyAttachment.objects.filter(pk=attachment_id).update(platform_post_id=post_id)
