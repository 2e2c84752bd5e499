"""Team flow (issue #17): a colleague pulled into a conversation by a mention, and what each
agent is told (the notification centre).

A ``ConversationGrant`` lets an agent outside the conversation's team read that one
conversation and add notes to it, nothing else (inbox/permissions/access.py). Notifications
carry a per-recipient sequence number, taken under the recipient's ``NotificationInbox`` row
lock, so commit order equals seq order and a client can replay exactly what it missed
(docs/realtime.md, "Notifications").
"""

from __future__ import annotations

from django.db import models


class ConversationGrant(models.Model):
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="grants"
    )
    agent = models.ForeignKey("inbox.Agent", on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(
        "inbox.Agent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.ForeignKey("inbox.Note", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agent", "conversation"], name="grant_once")]

    def __str__(self) -> str:
        return f"{self.agent_id} → conversation {self.conversation_id}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Mentioned in a note"
    ASSIGNED_TO_ME = "assigned_to_me", "A conversation was assigned to me"
    CUSTOMER_WROTE_AGAIN = "customer_wrote_again", "A customer wrote again in my conversation"
    REPLY_FAILED = "reply_failed", "A reply of mine could not be sent"
    REPLY_SENT_BACK = "reply_sent_back", "A reply of mine was sent back"


class NotificationInbox(models.Model):
    """One row per agent: the last notification seq (locked to take the next ones) and the
    kinds the agent switched off in their profile."""

    agent = models.OneToOneField(
        "inbox.Agent", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seq = models.BigIntegerField(default=0)
    muted_kinds = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"notifications of {self.agent_id} up to {self.seq}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        "inbox.Agent", on_delete=models.CASCADE, related_name="notifications"
    )
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    conversation = models.ForeignKey(
        "inbox.Conversation", null=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey("inbox.Agent", null=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "seq"], name="notification_seq")
        ]
        indexes = [
            # The unread badge: a small partial index, whatever the history's size.
            models.Index(
                fields=["recipient", "seq"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} for {self.recipient_id}"
