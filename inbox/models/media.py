"""Media a message carries: what the platform described, and the file Svar keeps of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from connectors.base import MediaKind

KIND_CHOICES = [
    (MediaKind.PHOTO.value, _("Photo")),
    (MediaKind.VIDEO.value, _("Video")),
    (MediaKind.ANIMATED_GIF.value, _("GIF")),
    (MediaKind.AUDIO.value, _("Audio")),
    (MediaKind.FILE.value, _("File")),
    (MediaKind.STICKER.value, _("Sticker")),
    (MediaKind.SHARE.value, _("Shared link")),
    (MediaKind.FALLBACK.value, _("Attachment")),
]


class MediaState(models.TextChoices):
    PENDING = "pending", "Waiting to be fetched"
    STORED = "stored", "Stored"
    UNAVAILABLE = "unavailable", "No longer available"
    LINK = "link", "A link: nothing to fetch"  # shared links, and what the platform left out


def media_storage():  # noqa: ANN201 - Django resolves the callable at first use
    from inbox.media.storage import media_storage as storage

    return storage()


class Media(models.Model):
    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)  # order within the message
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    # Where the platform had it (CDN links expire: fetched soon after ingest).
    source_url = models.TextField(blank=True, default="")
    platform_key = models.CharField(max_length=128, blank=True, default="")
    alt_text = models.TextField(blank=True, default="")
    mime_hint = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=12, choices=MediaState.choices, default=MediaState.PENDING)
    unavailable_reason = models.TextField(blank=True, default="")
    # Judged from the file's own bytes (magic numbers, Pillow), never from the name or hint.
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    file = models.FileField(storage=media_storage, max_length=255, blank=True, default="")
    thumbnail = models.FileField(storage=media_storage, max_length=255, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["message_id", "position"]
        indexes = [models.Index(fields=["message", "position"], name="media_message_pos")]

    def __str__(self) -> str:
        return f"Media {self.pk} ({self.kind}, {self.state})"

    @property
    def link_url(self) -> str:
        """What the customer shared, for a link: only an http(s) address is ever a link (a
        ``javascript:`` one from a hostile payload must never become an ``href``)."""
        shared = self.state == MediaState.LINK and self.source_url.startswith(
            ("https://", "http://")
        )
        return self.source_url if shared else ""
