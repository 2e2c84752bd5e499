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


class MediaReason(models.TextChoices):
    """Why a media is unavailable: stored as a code, the label read in the reader's language
    (the technical detail, English from the job, is kept beside it in ``unavailable_reason``)."""

    GONE = "gone", _("The platform no longer has this file.")
    TOO_LARGE = "too_large", _("The file is larger than Svar keeps.")
    NOT_AN_IMAGE = "not_an_image", _("It was sent as an image, but the file is not one.")
    UNREADABLE_IMAGE = "unreadable_image", _("The image could not be read.")
    IMAGE_BOMB = "image_bomb", _("The image has too many pixels to open safely.")
    UNPLAYABLE_VIDEO = "unplayable_video", _("The video could not be played.")
    VIDEO_TIMEOUT = "video_timeout", _("The video could not be read in time.")
    REFUSED = "refused", _("The platform refused to hand over the file.")
    GAVE_UP = "gave_up", _("The file could not be fetched: every attempt failed.")


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
    # Why it is unavailable: a MediaReason code (shown in the reader's language), and the
    # technical detail beside it (English, as the job saw it: "HTTP 410", ffmpeg's complaint).
    # Rows from before the codes have no code: their reason is the job's English sentence.
    unavailable_code = models.CharField(
        max_length=24, choices=MediaReason.choices, blank=True, default="", db_default=""
    )
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
    def reason_text(self) -> str:
        """Why it is unavailable, in the active language; a row from before the reason codes
        says it as it was stored."""
        if self.unavailable_code:
            return str(self.get_unavailable_code_display())
        return self.unavailable_reason

    @property
    def reason_detail(self) -> str:
        """The technical detail beside the code ("" for a row from before the codes)."""
        return self.unavailable_reason if self.unavailable_code else ""

    @property
    def link_url(self) -> str:
        """What the customer shared, for a link: only an http(s) address is ever a link (a
        ``javascript:`` one from a hostile payload must never become an ``href``)."""
        shared = self.state == MediaState.LINK and self.source_url.startswith(
            ("https://", "http://")
        )
        return self.source_url if shared else ""
