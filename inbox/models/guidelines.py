"""A team's guidelines: the text staff read beside the composer, and the rules the reply service
enforces (inbox/guidelines), each with an action: warn, needs approval, block."""

from __future__ import annotations

from django.db import models


class RuleKind(models.TextChoices):
    PERSONAL_DATA = "personal_data", "Personal data"
    WORDS = "words", "Words and phrases"
    PATTERN = "pattern", "Regular expression"
    LINKS = "links", "Links outside the allowed domains"
    TAG = "tag", "Conversations with a tag"


class RuleAction(models.TextChoices):
    WARN = "warn", "Warn"
    APPROVAL = "approval", "Needs approval"
    BLOCK = "block", "Block"


class Guideline(models.Model):
    """The team's written guidelines (Markdown). Its existence also says that the team's rules
    are its own: a team without one is checked against the default rules (inbox/guidelines)."""

    team = models.OneToOneField("inbox.Team", on_delete=models.CASCADE, related_name="guideline")
    text = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Guidelines of team {self.team_id}"


class GuidelineRule(models.Model):
    """One rule. Which fields count depends on ``kind``: ``words`` (words and phrases),
    ``pattern`` (regular expression), ``allowed_domains`` (links), ``tag`` (tag),
    ``data_kinds`` (personal data: cpr, personnummer, fodselsnummer, email, phone)."""

    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=RuleKind.choices)
    action = models.CharField(max_length=10, choices=RuleAction.choices)
    words = models.JSONField(default=list, blank=True)
    pattern = models.CharField(max_length=500, blank=True, default="")
    allowed_domains = models.JSONField(default=list, blank=True)
    tag = models.CharField(max_length=50, blank=True, default="")
    data_kinds = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["team", "id"]

    def __str__(self) -> str:
        return self.name


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back"


class ReplyApproval(models.Model):
    """Four-eyes approval of one reply: why it waits, who decided, what they changed. The reply
    itself waits as ``DeliveryState.AWAITING_APPROVAL`` and is queued only when approved."""

    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, related_name="approval", primary_key=True
    )
    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("inbox.Agent", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=ApprovalState.choices)
    reasons = models.JSONField(default=list, blank=True)  # the verdict's hits, as shown
    # Bumped on every edit of the waiting reply: an approver approves the revision they read.
    revision = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    original_body = models.TextField(blank=True, default="")  # the author's, if the approver edited

    class Meta:
        indexes = [
            models.Index(
                fields=["team", "requested_at"],
                condition=models.Q(state="pending"),
                name="approval_pending",
            ),
            models.Index(fields=["team", "decided_at"], name="approval_decided"),
        ]

    def __str__(self) -> str:
        return f"Approval of message {self.message_id} ({self.state})"
