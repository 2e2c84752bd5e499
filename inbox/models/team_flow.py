"""Team flow (issue #17): who is online, and a team's automatic assignment."""

from __future__ import annotations

from django.db import models


class AgentPresence(models.Model):
    """When an agent's browser was last connected to the live inbox (the WebSocket's hello and
    every ping, 25 s apart). Its own table, so a heartbeat never writes the agent row (lock 3)."""

    agent = models.OneToOneField(
        "inbox.Agent", on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Agent {self.agent_id} seen {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class TeamAssignment(models.Model):
    """A team's automatic assignment; off until a manager or admin turns it on."""

    team = models.OneToOneField(
        "inbox.Team", on_delete=models.CASCADE, primary_key=True, related_name="assignment"
    )
    enabled = models.BooleanField(default=False)
    strategy = models.CharField(
        max_length=16, choices=AssignmentStrategy.choices, default=AssignmentStrategy.ROUND_ROBIN
    )
    # Open and pending conversations an agent may own before automatic assignment skips them.
    capacity = models.PositiveIntegerField(default=5)
    # An agent unseen this long has their open conversations returned to the pool.
    offline_release_minutes = models.PositiveIntegerField(default=15)
    # Round robin: the agent given the last conversation; the next goes to the one after.
    last_agent_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Assignment of team {self.team_id} ({'on' if self.enabled else 'off'})"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class RuleTrigger(models.TextChoices):
    CREATED = "created", "A conversation is created"
    CUSTOMER_WRITES = "customer_writes", "The customer writes (also in a new conversation)"


class AutomationRule(models.Model):
    """When a conversation of the team is created or its customer writes, and every condition
    holds, the actions apply (inbox/automation/: conditions and actions as plain values, checked
    before a rule is saved; inbox/services/automation_ingest.py runs them in ingest)."""

    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)  # rules run in this order, then by id
    enabled = models.BooleanField(default=True)
    trigger = models.CharField(max_length=16, choices=RuleTrigger.choices)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["team", "position", "id"], name="automation_team_order")]

    def __str__(self) -> str:
        return f"Rule {self.name!r} of team {self.team_id}"
