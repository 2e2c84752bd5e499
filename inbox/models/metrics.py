"""The measured facts behind the response-time metrics (docs/architecture.md §8,
docs/metrics.md).

A ``ResponseInterval`` is one stretch of time the metrics measure: a customer waiting for a
first response or for a reply, or a conversation opening waiting for its resolution. The
services that own the writes open and close them in the same transaction (see
``inbox.metrics.recording``); ``manage.py svar_metrics_rebuild`` rebuilds them from the event
log. Aggregates are computed from these rows in SQL (``inbox.metrics.selectors``).
"""

from __future__ import annotations

from django.db import models

from connectors.base import Platform


class IntervalKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    REPLY = "reply", "Reply"
    RESOLUTION = "resolution", "Resolution"


class IntervalEnd(models.TextChoices):
    AGENT = "agent", "An agent replied in Svar"
    NATIVE = "native", "Replied outside Svar (the platform's own app)"
    RESOLVED = "resolved", "The conversation was resolved"
    # A wait that ended because the conversation was resolved without a reply: not a response,
    # so it is left out of response times (but listed in drill-downs).
    UNANSWERED = "unanswered", "Resolved without a reply"


class ResponseInterval(models.Model):
    # No single-column index on conversation or team: ri_conversation and ri_team_kind_started
    # start with them (an ingest writes a few intervals per message; each index costs).
    # Null once retention deleted the conversation: the interval stays, without the person.
    conversation = models.ForeignKey(
        "inbox.Conversation",
        null=True,
        on_delete=models.SET_NULL,
        related_name="response_intervals",
        db_index=False,
    )
    # Denormalised from the conversation so every filter and grouping reads this table alone.
    team = models.ForeignKey(
        "inbox.Team", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account = models.ForeignKey("inbox.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=[(p.value, p.name) for p in Platform])
    kind = models.CharField(max_length=16, choices=IntervalKind.choices)
    # Which opening of the conversation (1 for the first, 2 after the first reopening, …).
    opening = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)  # null while still running
    ended_by = models.CharField(max_length=10, choices=IntervalEnd.choices, blank=True, default="")
    # Who answered (or resolved); null for replies sent outside Svar.
    agent = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar_seconds = models.FloatField(null=True, blank=True)
    business_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            # The aggregates: a team's closed intervals of one kind by end time; the measures
            # and grouping columns ride along so the scan needs no heap visit.
            models.Index(
                fields=["team", "kind", "ended_at"],
                include=[
                    "calendar_seconds",
                    "business_seconds",
                    "agent",
                    "account",
                    "platform",
                    "ended_by",
                    "conversation",
                ],
                condition=models.Q(ended_at__isnull=False),
                name="ri_team_kind_ended",
            ),  # fmt: skip
            # Incoming volume (heatmap) by start time.
            models.Index(
                fields=["team", "kind", "started_at"],
                include=["calendar_seconds", "business_seconds", "ended_by"],
                name="ri_team_kind_started",
            ),
            # Running intervals of a team, oldest first: the at-risk list.
            models.Index(
                fields=["team", "kind", "started_at"],
                condition=models.Q(ended_at__isnull=True),
                name="ri_running",
            ),
            # A conversation's intervals: what live recording loads and the rebuild replaces.
            models.Index(fields=["conversation", "opening"], name="ri_conversation"),
        ]
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of conversation {self.conversation_id} from {self.started_at}"


class BusinessSchedule(models.Model):
    """A team's opening hours: weekly intervals in the team's time zone, minus holidays.

    ``weekly`` maps ISO weekday numbers ("1" = Monday … "7" = Sunday) to lists of
    ``["HH:MM", "HH:MM"]`` intervals (end may be "24:00"); ``holidays`` is a list of ISO dates.
    """

    team = models.OneToOneField("inbox.Team", on_delete=models.CASCADE, related_name="schedule")
    time_zone = models.CharField(max_length=64, default="Europe/Copenhagen")
    weekly = models.JSONField(default=dict)
    holidays = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Business time is recomputed in a job after each change (inbox.metrics.jobs). Every change
    # bumps ``revision`` and sets ``recomputing_since``; the job that recomputed under the
    # newest revision clears it. While it is set, the team's business-hours figures mix the
    # old schedule and the new.
    revision = models.PositiveIntegerField(default=0)
    recomputing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Schedule of team {self.team_id} ({self.time_zone})"


class SlaTarget(models.Model):
    """How long a team promises a kind of interval may take, in calendar or business time."""

    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="sla_targets")
    kind = models.CharField(max_length=16, choices=IntervalKind.choices)
    target_seconds = models.PositiveIntegerField()
    business_hours = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "kind"], name="sla_target_unique_team_kind")
        ]

    def __str__(self) -> str:
        return f"SLA {self.kind} ≤ {self.target_seconds}s (team {self.team_id})"
