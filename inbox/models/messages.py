"""Messages of a conversation, and the internal notes agents leave beside them."""

from __future__ import annotations

from django.db import models

from inbox.stored_text import shown


class Direction(models.TextChoices):
    INBOUND = "in", "From the customer"
    OUTBOUND = "out", "To the customer"


class DeliveryState(models.TextChoices):
    RECEIVED = "received", "Received"  # inbound messages
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"  # the platform call started; outcome not yet known
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Four-eyes (issue #16): not handed to the delivery worker until an approver approves it.
    AWAITING_APPROVAL = "approval", "Waiting for approval"
    SENT_BACK = "returned", "Sent back by an approver"


class Arrival(models.TextChoices):
    """How an inbound item first reached Svar (issue #20): a poll, or a platform webhook."""

    POLL = "poll", "Poll"
    WEBHOOK = "webhook", "Webhook"


class Message(models.Model):
    # No index of its own: msg_conv_time starts with it.
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    # Denormalised from the conversation so the platform id is unique per channel account.
    account = models.ForeignKey(
        "inbox.ChannelAccount", on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # The platform's id; NULL (not "") for a reply not yet delivered, so that the unique
    # constraint below ignores it.
    external_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    # What the agent typed; ``signature`` is what Svar appended. ``text`` is what the customer
    # sees: body + signature, rendered once when the reply is written and never again.
    body = models.TextField()
    signature = models.CharField(max_length=300, blank=True, default="")
    text = models.TextField()
    author_contact = models.ForeignKey(
        "inbox.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    author_agent = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    in_reply_to_external_id = models.CharField(max_length=128, blank=True, default="")
    platform_time = models.DateTimeField()  # when the platform says it was written/sent
    received_at = models.DateTimeField()  # when Svar stored it
    delivery_state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.RECEIVED
    )
    delivery_error = models.TextField(blank=True, default="")
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    # When the first platform call for this reply began: where a search for it would start.
    delivery_started_at = models.DateTimeField(null=True, blank=True)
    # A database default: the bulk ingest leaves the column out; a webhook's ingest marks its own.
    arrival = models.CharField(
        max_length=8, choices=Arrival.choices, default=Arrival.POLL, db_default=Arrival.POLL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="message_unique_account_external_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(author_contact__isnull=False, author_agent__isnull=False),
                name="message_single_author",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "platform_time", "id"], name="msg_conv_time"),
            models.Index(
                fields=["delivery_state"],
                condition=models.Q(delivery_state__in=["queued", "sending", "failed"]),
                name="msg_undelivered",
            ),
        ]
        ordering = ["platform_time", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.direction})"

    @property
    def delivery_error_shown(self) -> str:
        """``delivery_error`` in the reader's language (Svar's own words are message ids)."""
        return shown(self.delivery_error)


class Note(models.Model):
    """An internal note: seen by the team, never by the customer, never counted in metrics."""

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey("inbox.Agent", on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_conv_time")]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class MessageHtml(models.Model):
    """An e-mail's HTML body, sanitised on the way in (``connectors/email/html.py``), kept
    beside the message for the sandboxed view (``web.views.email_html``): the message's text
    stays the text/plain rendering. A row only for mail that had HTML."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="html_copy"
    )
    html = models.TextField()

    def __str__(self) -> str:
        return f"HTML of message {self.pk}"
