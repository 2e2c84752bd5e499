"""Channel accounts: one X account or one Facebook Page connected to the inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from connectors.base import Platform
from inbox.stored_text import shown


class AccountHealth(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"  # polls fail, retries continue
    UNHEALTHY = "unhealthy", "Unhealthy"  # token expired or revoked: polling paused


class TokenKind(models.TextChoices):
    """How the account's access token was obtained: what it may do and whether it renews."""

    APP_BEARER = "app_bearer", "App-only bearer token"  # X: reads mentions, no DMs, no posting
    X_USER = "x_user", "X OAuth 2.0 user token"  # two hours, renewed with a rotating refresh token
    FACEBOOK_PAGE = "facebook_page", "Facebook Page token"  # from Facebook Login
    # E-mail XOAUTH2 (Microsoft 365, Google Workspace): an hour, renewed with a refresh token.
    MAIL_OAUTH = "mail_oauth", "E-mail OAuth2 token"

    @classmethod
    def renewing(cls) -> tuple[str, ...]:
        """Kinds whose access token the workers renew with a refresh token."""
        return (cls.X_USER, cls.MAIL_OAUTH)

    ENVIRONMENT = "environment", "Environment variable"
    MANUAL = "manual", "Pasted access token"


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
    # E-mail: the IMAP and SMTP servers and folders (connectors/email/config.py); the password
    # is the token above, sealed or named by ``credentials_ref``, never stored here.
    mail_settings = models.JSONField(default=dict, blank=True)
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
    # Webhooks (issue #20): the last verified delivery for this account, the items a poll found
    # that a healthy subscription should have delivered (gaps), and the adaptive poll pace.
    webhook_last_delivery_at = models.DateTimeField(null=True, blank=True)
    webhook_gaps = models.PositiveIntegerField(default=0)
    webhook_last_gap_at = models.DateTimeField(null=True, blank=True)
    # Deliveries of this account's items that failed for good after every retry (a mention
    # whose lookup kept failing): how many, when the last one did, and why (a stored Text).
    webhook_failures = models.PositiveIntegerField(default=0)
    webhook_last_failure_at = models.DateTimeField(null=True, blank=True)
    webhook_last_failure = models.TextField(blank=True, default="")
    paced_interval_seconds = models.FloatField(null=True, blank=True)

    token_kind = models.CharField(
        max_length=16, choices=TokenKind.choices, default=TokenKind.MANUAL
    )
    # X's refresh token (rotated on every use), sealed like the access token.
    refresh_token_encrypted = models.TextField(blank=True, default="", editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # Facebook: when the grant's data access ends (90 days after the person last logged in).
    data_access_expires_at = models.DateTimeField(null=True, blank=True)
    token_checked_at = models.DateTimeField(null=True, blank=True)  # last Facebook inspection
    # Facebook: the long-lived user token the Page token came from (to revoke the grant), sealed,
    # and its digest, so accounts sharing one grant are found without opening tokens.
    grant_encrypted = models.TextField(blank=True, default="", editable=False)
    grant_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    granted_scopes = models.JSONField(default=list, blank=True)
    # Scopes (X) or Page tasks (Facebook) Svar needs that the token lacks.
    missing_permissions = models.JSONField(default=list, blank=True)
    reconnect_needed = models.BooleanField(default=False)
    reconnect_reason = models.TextField(blank=True, default="")
    # Disconnected: no polling, no sending, history kept (is_active is False too).
    disconnected_at = models.DateTimeField(null=True, blank=True)
    disconnected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="channel_account_unique_platform_id"
            )
        ]
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform})"

    @property
    def last_error_shown(self) -> str:
        """``last_error`` in the reader's language (Svar's own words are stored as message ids)."""
        return shown(self.last_error)

    @property
    def reconnect_reason_shown(self) -> str:
        return shown(self.reconnect_reason)

    @property
    def webhook_last_failure_shown(self) -> str:
        return shown(self.webhook_last_failure)

    @property
    def is_disconnected(self) -> bool:
        return self.disconnected_at is not None


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
