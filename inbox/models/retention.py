"""Retention policies and the progress of the retention job (issue #19, docs/privacy.md)."""

from __future__ import annotations

from django.db import models


class RetentionAction(models.TextChoices):
    DELETE = "delete", "Delete"
    ANONYMISE = "anonymise", "Anonymise"


class RetentionPolicy(models.Model):
    """How many days after resolution a team's (or one channel account's) conversations are
    kept. An account's policy overrides its team's."""

    team = models.ForeignKey(
        "inbox.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.OneToOneField(
        "inbox.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    days = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gte=1), name="retention_days_min"),
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) ^ models.Q(account__isnull=True),
                name="retention_team_or_account",
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(team__isnull=False),
                name="retention_unique_team",
            ),
        ]

    def __str__(self) -> str:
        return f"Keep {self.days} days, then {self.action}"


class RetentionRun(models.Model):
    """One pass of the job over a team. ``cursor`` is the last conversation id done: a job
    that died resumes after it; ``counts`` holds what went (numbers only)."""

    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict)
    # Contacts of the last batch, dropped (if nobody refers to them) after its commit.
    pending_contacts = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(finished_at__isnull=True),
                name="retention_run_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Retention of team {self.team_id} from {self.started_at}"
