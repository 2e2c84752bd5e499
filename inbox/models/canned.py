"""Canned responses: ready answers an agent drops into the composer and edits before sending."""

from __future__ import annotations

from django.db import models


class CannedResponse(models.Model):
    """A ready answer. ``{customer_name}`` and ``{agent_name}`` are filled in when it is used.

    With no team it is offered to every team; with no language, whatever the agent's language.
    """

    title = models.CharField(max_length=80)
    body = models.TextField(max_length=5000)
    team = models.ForeignKey(
        "inbox.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    language = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
