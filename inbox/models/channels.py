"""Channel accounts: one X account or one Facebook Page connected to the inbox."""

from __future__ import annotations

from django.db import models

from connectors.base import Platform


class AccountHealth(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"  # polls fail, retries continue
    UNHEALTHY = "unhealthy", "Unhealthy"  # token expired or revoked: polling paused


class ChannelAccount(models.Model):
    platform = models.CharField(max_length=16, choices=[(p.value, p.name) for p in Platform])
    display_name = models.CharField(max_length=100)
    # The account's own id on the platform (X user id, Facebook Page id).
    external_id = models.CharField(max_length=64)
    handle = models.CharField(max_length=64, blank=True, default="")
    team = models.ForeignKey("inbox.Team", on_delete=models.PROTECT, related_name="accounts")
    # The access token, Fernet-encrypted with SVAR_CREDENTIALS_KEYS (inbox/credentials.py);
    # empty when the token comes from the environment variable named by ``credentials_ref``.
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    credentials_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The name of an environment variable holding the token (the alternative to storing it).
    credentials_ref = models.CharField(max_length=128, blank=True, default="")
    # Where the platform's API lives; empty means the real platform (the simulator sets it).
    base_url = models.URLField(blank=True, default="")
    poll_cursor = models.JSONField(default=dict, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(default=30)
    is_active = models.BooleanField(default=True)

    health = models.CharField(
        max_length=10, choices=AccountHealth.choices, default=AccountHealth.HEALTHY
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    rate_limit_reset_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher may poll next: after the interval, a back-off, or a rate-limit reset.
    next_poll_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Age of the newest item seen at the last successful poll: how far behind the inbox is.
    lag_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="channel_account_unique_platform_id"
            )
        ]
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform})"


class AgentPersona(models.Model):
    """A Messenger Persona (the agent's name shown natively), created once per agent and Page."""

    agent = models.ForeignKey("inbox.Agent", on_delete=models.CASCADE, related_name="personas")
    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="personas")
    persona_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "account"], name="persona_unique_agent_account"
            )
        ]

    def __str__(self) -> str:
        return f"Persona {self.persona_id}"
