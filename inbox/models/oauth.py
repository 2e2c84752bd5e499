"""An OAuth connection in progress: the admin was sent to the platform and has not come back."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from connectors.base import Platform

OAUTH_ATTEMPT_LIFETIME = timedelta(minutes=10)


class OAuthAttempt(models.Model):
    # Single-use: the callback must bring it back, from the same user, within the lifetime.
    state = models.CharField(max_length=128, unique=True)
    platform = models.CharField(max_length=16, choices=[(p.value, p.name) for p in Platform])
    # X's PKCE code_verifier; Facebook's long-lived user token once the callback has run.
    secret_encrypted = models.TextField(blank=True, default="", editable=False)
    team = models.ForeignKey("inbox.Team", on_delete=models.CASCADE, related_name="+")
    poll_interval_seconds = models.PositiveIntegerField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reconnect_account = models.ForeignKey(
        "inbox.ChannelAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    redirect_uri = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)  # the callback came back
    completed_at = models.DateTimeField(null=True, blank=True)  # Facebook: Pages were chosen

    def __str__(self) -> str:
        return f"OAuth {self.platform} by {self.started_by_id}"
