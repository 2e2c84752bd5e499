"""Teams and the agents who answer under their own names."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # The last sequence number handed to an event of this team (docs/architecture.md §5).
    # Taken with UPDATE … RETURNING inside the writing transaction, so commit order equals seq
    # order.
    event_seq = models.BigIntegerField(default=0)
    # The language Svar proposes for texts it writes to this team's customers (issue #18);
    # blank: settings.SVAR_CUSTOMER_LANGUAGE, else the agent's own language.
    customer_language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A person on the service staff. Public replies carry ``public_name`` and a signature."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    public_name = models.CharField(max_length=80)
    initials = models.CharField(max_length=4)
    teams = models.ManyToManyField(Team, related_name="agents", blank=True)
    # Per-platform signature templates, e.g. {"x": " /{initials}", "facebook": "\n\n– {name}"}.
    signatures = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, blank=True, default="")
    # A public picture of the agent, shown by platforms that support it (Messenger Personas).
    avatar_url = models.URLField(blank=True, default="")
    # Raised by every change an administrator makes to the person (inbox/services/people.py):
    # an edit made from an older snapshot is refused instead of silently undoing another's.
    version = models.PositiveIntegerField(default=0)
    # Four-eyes (issue #16): this agent's public replies wait for an approver (new staff).
    needs_approval = models.BooleanField(default=False)
    # An agent granted the right to approve colleagues' replies (managers always may).
    may_approve = models.BooleanField(default=False)

    class Meta:
        ordering = ["public_name"]

    def __str__(self) -> str:
        return self.public_name
