"""Moderation of public threads: hiding, unhiding and deleting a customer's public comment.

Each request is one ``ModerationAction`` with its own delivery state machine, like a reply's
(queued → sending → done | failed): the attempt is committed before the platform is called,
so a worker killed mid-call is retried and the platform changes exactly once.
"""

from __future__ import annotations

from django.db import models


class ModerationKind(models.TextChoices):
    HIDE = "hide", "Hide"
    UNHIDE = "unhide", "Unhide"
    DELETE = "delete", "Delete"


class ModerationState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"  # the platform call started; outcome not yet known
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ModerationReason(models.TextChoices):
    MANUAL = "manual", "By an agent"
    PERSONAL_NUMBER = "personal_number", "A personal identity number"
    WORD_LIST = "word_list", "A word on the account's list"


class ModerationAction(models.Model):
    message = models.ForeignKey(
        "inbox.Message", on_delete=models.CASCADE, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=8, choices=ModerationKind.choices)
    state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.QUEUED
    )
    # Who asked; empty for an automatic rule (``reason`` then names the rule).
    requested_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(
        max_length=16, choices=ModerationReason.choices, default=ModerationReason.MANUAL
    )
    # What the platform said when it refused, as shown to the agent.
    platform_error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One action at a time per message: a second one waits for the first to finish.
            models.UniqueConstraint(
                fields=["message"],
                condition=models.Q(state__in=["queued", "sending"]),
                name="moderation_one_in_flight",
            )
        ]
        indexes = [
            models.Index(
                fields=["state"],
                condition=models.Q(state__in=["queued", "sending"]),
                name="moderation_unfinished",
            )
        ]
        permissions = [("delete_public_comment", "Delete a customer's public comment")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of message {self.message_id} ({self.state})"


class AutoModerationRule(models.Model):
    """What one channel account hides on its own, as soon as a comment is read. Set by managers
    and admins; every change is audited. Only public comments by customers are judged."""

    account = models.OneToOneField(
        "inbox.ChannelAccount", on_delete=models.CASCADE, related_name="auto_moderation"
    )
    # A citizen's own CPR number, Swedish personnummer or Norwegian fødselsnummer.
    hide_national_ids = models.BooleanField(default=False)
    # Spam and abuse: whole words or phrases, matched without regard to case.
    hide_words = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Automatic moderation of account {self.account_id}"


class PrivateReply(models.Model):
    """A private message to the author of a public comment (Messenger's private reply to a
    comment; a DM on X): where a citizen who posted personal data is invited to go on. One per
    comment, as Facebook allows; delivered like a reply (queued → sending → sent | failed)."""

    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, related_name="private_reply"
    )
    author = models.ForeignKey("inbox.Agent", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    state = models.CharField(max_length=8, default="queued")  # queued/sending/sent/failed
    external_id = models.CharField(max_length=128, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Private reply to message {self.message_id} ({self.state})"
