"""One profile per person (issue #19): the contacts a customer has on each platform, merged by
an agent; and the record of data-subject requests, which keeps no erased data."""

from __future__ import annotations

from django.db import models


class CustomerProfile(models.Model):
    """A customer across platforms. ``Contact.profile`` links each of their contacts here; a
    contact with no profile stands alone (a profile is made by the first merge)."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Customer profile {self.pk}"


class DataRequestKind(models.TextChoices):
    EXPORT = "export", "Export"
    ERASE = "erase", "Erasure"


class DataRequest(models.Model):
    """A data-subject request as handled: what, in which teams, by whom, when, and how many
    items it touched. No name, handle, platform id or text: after an erasure nothing here
    points back to the person (``contact_ids`` name rows that are anonymised by then)."""

    kind = models.CharField(max_length=8, choices=DataRequestKind.choices)
    handled_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by_label = models.CharField(max_length=150)
    # The teams the request covered; empty with ``all_teams`` for an admin's request.
    team_ids = models.JSONField(default=list, blank=True)
    all_teams = models.BooleanField(default=False)
    contact_ids = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # Conversations left untouched because they are on legal hold.
    held_conversation_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Data request {self.pk} ({self.kind})"
