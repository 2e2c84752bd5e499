"""Files an agent attaches to a reply (issue #13, outbound media).

Uploaded first (``POST /api/conversations/<id>/attachments``), checked by content and against
the channel's limits, kept privately through the same storage as inbound media; then named by
the reply (``attachment_ids``) and posted with it. The delivery bookkeeping fields make the
posting exactly-once: an upload's platform id is kept (committed) before the post, so a job
retried after a crash reuses it instead of uploading again.
"""

from __future__ import annotations

from django.db import models

from inbox.models.media import media_storage


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "Photo"
    ANIMATED_GIF = "animated_gif", "GIF"
    VIDEO = "video", "Video"
    FILE = "file", "File"


class ReplyAttachment(models.Model):
    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="reply_attachments"
    )
    uploaded_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a reply takes the attachment; a file is posted with one reply only.
    message = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_attachments",
    )
    position = models.PositiveSmallIntegerField(default=0)  # order within the reply
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    filename = models.CharField(max_length=255)  # as the agent named it; shown, never trusted
    content_type = models.CharField(max_length=100)  # judged from the bytes
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=media_storage, max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    # Delivery: the platform's id for the uploaded file (X media id, Graph photo or attachment
    # id), kept so that a retried delivery does not upload again.
    platform_media_id = models.CharField(max_length=128, blank=True, default="")
    uploaded_at = models.DateTimeField(null=True, blank=True)
    # Messenger posts each attachment as its own message: when that post began and its id.
    post_started_at = models.DateTimeField(null=True, blank=True)
    platform_post_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["conversation_id", "message_id", "position", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="reply_att_conv"),
            models.Index(fields=["message", "position"], name="reply_att_message"),
        ]

    def __str__(self) -> str:
        return f"ReplyAttachment {self.pk} ({self.kind}, {self.filename})"
