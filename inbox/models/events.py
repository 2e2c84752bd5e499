"""The durable event log the realtime layer replays from (docs/architecture.md §5)."""

from __future__ import annotations

from django.db import models


class InboxEvent(models.Model):
    # No index of its own: the unique (team, seq) starts with it.
    team = models.ForeignKey(
        "inbox.Team", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=40)
    conversation = models.ForeignKey(
        "inbox.Conversation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The agent whose action caused the event (null for connectors).
    actor = models.ForeignKey("inbox.Agent", null=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "seq"], name="event_unique_team_seq")
        ]
        ordering = ["team", "seq"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq} (team {self.team_id})"
