"""Channel accounts: connecting them, and recording what each poll of a platform found.

A poll's outcome (new messages, cursor, health, rate-limit budget, next poll time) is stored in
one transaction, so the cursor never advances past messages that were not stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.base import FetchResult, Platform
from inbox.audit import audit
from inbox.credentials import seal
from inbox.events.kinds import account_health_changed_event
from inbox.events.log import announce
from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.models import AccountHealth, Arrival, AuditAction, ChannelAccount, Team, TokenKind
from inbox.services.arrivals import ingest_arriving
from inbox.services.credentials import clean_token
from inbox.services.email_threading import email_subjects_record, email_threads_resolve
from inbox.services.ingest import IngestResult
from inbox.services.locks import lock_channel_account
from inbox.services.mail_settings import mail_settings_checked
from inbox.services.poll_pace import next_poll_interval
from inbox.services.reply_bounces import replies_bounced
from inbox.stored_text import Text, stored

BACKOFF_MAX = timedelta(minutes=15)
CREDENTIAL_ENV_PATTERN = "SVAR_CREDENTIAL_"
POLL_INTERVAL_MIN = 5  # seconds: no platform's budget allows faster


def _save_and_announce(account: ChannelAccount, fields: list[str], health_before: str) -> None:
    account.save(update_fields=fields)
    if account.health != health_before or "last_error" in fields:
        announce(account_health_changed_event(account=account))


@transaction.atomic(durable=True)
def poll_result_apply(*, account_id: int, result: FetchResult) -> IngestResult:
    """Store a successful poll: its messages, the new cursor and the account's health."""
    account = lock_channel_account(account_id)
    now = timezone.now()
    messages = result.messages
    if account.platform == Platform.EMAIL:
        messages = email_threads_resolve(account, messages)
    ingested = ingest_arriving(account, messages, Arrival.POLL)
    if account.platform == Platform.EMAIL:
        email_subjects_record(account, messages)
    if result.delivery_failures:
        replies_bounced(account, result.delivery_failures)
    before = account.health
    account.poll_cursor = dict(result.cursor)
    account.health = AccountHealth.HEALTHY
    account.last_polled_at = now
    account.consecutive_failures = 0
    account.next_poll_at = _next_poll(account, result, now)
    account.rate_limit_remaining = result.rate_limit_remaining
    account.rate_limit_reset_at = result.rate_limit_reset_at
    if result.messages:
        newest = max(m.sent_at for m in result.messages)
        account.lag_seconds = max((now - newest).total_seconds(), 0.0)
    fields = ["poll_cursor", "health", "last_polled_at", "consecutive_failures", "next_poll_at",
              "rate_limit_remaining", "rate_limit_reset_at", "lag_seconds",
              "paced_interval_seconds"]  # fmt: skip
    if result.rejected:
        account.last_error = stored(
            Text(
                _("Items that could not be read: %(n)s. The first: %(reason)s"),
                n=len(result.rejected),
                reason=result.rejected[0].reason,
            )
        )
        account.last_error_at = now
        fields += ["last_error", "last_error_at"]
    if result.missing_permissions:
        fields += permissions_shortfall(account, result.missing_permissions, now)
    _save_and_announce(account, fields, before)
    return ingested


def permissions_shortfall(
    account: ChannelAccount, missing: Sequence[str], now: datetime
) -> list[str]:
    """The answers show the token lacks permissions (Graph leaves items out rather than fail):
    the account reads on, degraded, and names what to grant. Returns the fields changed."""
    account.missing_permissions = sorted({*(account.missing_permissions or []), *missing})
    account.health = AccountHealth.DEGRADED
    account.last_error = stored(
        Text(
            _("The platform left out items this token may not read; missing: %(names)s"),
            names=", ".join(missing),
        )
    )
    account.last_error_at = now
    return ["missing_permissions", "health", "last_error", "last_error_at"]


def _next_poll(account: ChannelAccount, result: FetchResult, now: datetime) -> datetime:
    """A backlog left unread is read again at once (within the platform's budget); otherwise
    the account waits its interval."""
    if not result.more_pending:
        return now + timedelta(seconds=next_poll_interval(account, result, now))
    reset_at = result.rate_limit_reset_at
    if result.rate_limit_remaining == 0 and reset_at is not None and reset_at > now:
        return reset_at
    return now


@transaction.atomic(durable=True)
def account_poll_failed(*, account_id: int, error: str) -> datetime:
    """A transient failure: back off exponentially (capped), keep polling. Returns next poll."""
    account = lock_channel_account(account_id)
    now = timezone.now()
    before = account.health
    account.consecutive_failures += 1
    delay = timedelta(seconds=account.poll_interval_seconds * 2**account.consecutive_failures)
    account.next_poll_at = now + min(delay, BACKOFF_MAX)
    account.health = AccountHealth.DEGRADED
    account.last_error = error[:2000]
    account.last_error_at = now
    _save_and_announce(
        account,
        ["consecutive_failures", "next_poll_at", "health", "last_error", "last_error_at"],
        before,
    )
    return account.next_poll_at


@transaction.atomic(durable=True)
def account_rate_limited(*, account_id: int, reset_at: datetime, detail: str = "") -> None:
    """Over budget: the platform is not called again before ``reset_at``."""
    account = lock_channel_account(account_id)
    before = account.health
    account.rate_limit_remaining = 0
    account.rate_limit_reset_at = reset_at
    account.next_poll_at = max(reset_at, account.next_poll_at or reset_at)
    account.last_error = stored(
        Text(_("Rate limited until %(when)s. %(detail)s"), when=reset_at.isoformat(), detail=detail)
    )
    account.last_error_at = timezone.now()
    _save_and_announce(
        account,
        [
            "rate_limit_remaining",
            "rate_limit_reset_at",
            "next_poll_at",
            "last_error",
            "last_error_at",
        ],
        before,
    )


@transaction.atomic(durable=True)
def account_auth_expired(*, account_id: int, reason: str) -> None:
    """The token is expired or revoked: visibly unhealthy, and polling stops until reconnected."""
    account = lock_channel_account(account_id)
    if account.reconnect_needed and account.health == AccountHealth.UNHEALTHY:
        return  # already paused; the first reason (e.g. "re-authorise") is the precise one
    before = account.health
    account.health = AccountHealth.UNHEALTHY
    account.next_poll_at = None
    account.last_error = stored(Text(_("Access token rejected: %(reason)s"), reason=reason))
    account.last_error_at = timezone.now()
    account.reconnect_needed = True
    account.reconnect_reason = account.last_error
    _save_and_announce(account, ["health", "next_poll_at", "last_error", "last_error_at",
                                 "reconnect_needed", "reconnect_reason"], before)  # fmt: skip


@transaction.atomic(durable=True)
def account_reconnect(*, user: AbstractBaseUser, account_id: int) -> ChannelAccount:
    """After an admin renewed the token: healthy again and polled at once."""
    if not user.has_perm("inbox.manage_channels"):
        raise PermissionDenied(_("Only admins can reconnect channel accounts."))
    account = lock_channel_account(account_id)
    before = account.health
    account.health = AccountHealth.HEALTHY
    account.consecutive_failures = 0
    account.next_poll_at = timezone.now()
    account.last_error = ""
    account.reconnect_needed = False
    account.reconnect_reason = ""
    _save_and_announce(account, ["health", "consecutive_failures", "next_poll_at", "last_error",
                                 "reconnect_needed", "reconnect_reason"], before)  # fmt: skip
    audit(
        AuditAction.ACCOUNT_RECONNECTED,
        actor=getattr(user, "agent", None),
        user=user,
        object_type="channel_account",
        object_id=account.pk,
        team_id=account.team_id,
        details={"health_before": before},
    )
    return account


def _checked_credentials(
    *, platform: str, credentials_ref: str, token: str | None, poll_interval_seconds: int
) -> str:
    """Refuse an account that cannot be polled; returns the token sealed ("" for a variable)."""
    if platform not in {p.value for p in Platform}:
        raise InvalidInput(
            Text(_("Unknown platform %(platform)s."), platform=repr(platform)), field="platform"
        )
    if (token is None) == (not credentials_ref):
        raise InvalidInput(
            _(
                "Give the access token or the name of the environment variable holding "
                "it (exactly one)."
            ),
            field="credentials_ref",
        )
    if credentials_ref and not credentials_ref.startswith(CREDENTIAL_ENV_PATTERN):
        raise InvalidInput(
            Text(
                _(
                    "credentials_ref must name an environment variable starting with "
                    "%(credential_env_pattern)s."
                ),
                credential_env_pattern=CREDENTIAL_ENV_PATTERN,
            ),
            field="credentials_ref",
        )
    sealed = seal(clean_token(token)) if token is not None else ""
    if poll_interval_seconds < POLL_INTERVAL_MIN:
        raise InvalidInput(
            Text(
                _("Poll at most every %(poll_interval_min)s seconds."),
                poll_interval_min=POLL_INTERVAL_MIN,
            ),
            field="poll_interval_seconds",
        )
    return sealed


def _kind_and_refresh(
    *,
    platform: str,
    token_kind: str,
    token: str | None,
    credentials_ref: str,
    refresh_token: str | None,
    mail_settings: Mapping[str, Any] | None = None,
) -> tuple[str, str]:
    """The token's kind, and the refresh token sealed ("" without one): X's, or an e-mail
    account's on XOAUTH2 with a provider whose token endpoint renews it."""
    mail_oauth = platform == Platform.EMAIL and bool(
        mail_settings and mail_settings.get("auth") == "xoauth2"
        and mail_settings.get("oauth_provider")
    )  # fmt: skip
    if refresh_token is not None and (platform != Platform.X and not mail_oauth or token is None):
        raise InvalidInput(
            _("A refresh token is for an X OAuth 2.0 user token, or an e-mail account on "
              "XOAUTH2 with an oauth_provider, given with its access token."),
            field="refresh_token",
        )  # fmt: skip
    if credentials_ref:
        return TokenKind.ENVIRONMENT, ""
    if refresh_token is not None:
        kind = TokenKind.MAIL_OAUTH if mail_oauth else TokenKind.X_USER
        return kind, seal(clean_token(refresh_token))
    return token_kind, ""


@transaction.atomic(durable=True)
def channel_account_create(
    *,
    platform: str,
    display_name: str,
    external_id: str,
    team_name: str,
    credentials_ref: str = "",
    token: str | None = None,
    handle: str = "",
    base_url: str = "",
    poll_interval_seconds: int = 30,
    token_kind: str = TokenKind.MANUAL,
    refresh_token: str | None = None,
    token_expires_at: datetime | None = None,
    mail_settings: Mapping[str, Any] | None = None,
) -> ChannelAccount:
    """Connect an account (or update the one with this platform and id). Its access token is
    either given (and stored encrypted) or read at run time from the environment variable
    named by ``credentials_ref``."""
    sealed = _checked_credentials(
        platform=platform, credentials_ref=credentials_ref, token=token,
        poll_interval_seconds=poll_interval_seconds,
    )  # fmt: skip
    token_kind, sealed_refresh = _kind_and_refresh(
        platform=platform, token_kind=token_kind, token=token,
        credentials_ref=credentials_ref, refresh_token=refresh_token,
        mail_settings=mail_settings,
    )  # fmt: skip
    team, _ = Team.objects.get_or_create(name=team_name)
    account, created = ChannelAccount.objects.update_or_create(
        platform=platform,
        external_id=external_id,
        defaults={
            "display_name": display_name,
            "handle": handle,
            "team": team,
            "credentials_ref": credentials_ref,
            "credentials_encrypted": sealed,
            "credentials_updated_at": timezone.now() if sealed else None,
            "base_url": base_url,
            "poll_interval_seconds": poll_interval_seconds,
            "token_kind": token_kind,
            "refresh_token_encrypted": sealed_refresh,
            "token_expires_at": token_expires_at,
            "mail_settings": mail_settings_checked(
                platform=platform, values=mail_settings, address=external_id
            ),
        },
    )
    # The command line: no agent. The token itself is never part of an entry.
    credentials = "stored" if sealed else f"variable {credentials_ref}"
    audit(AuditAction.ACCOUNT_CREATED, actor=None, object_type="channel_account",
          object_id=account.pk, team_id=team.pk,
          details={"platform": platform, "external_id": external_id, "created": created,
                   "credentials": credentials, "token_kind": token_kind})  # fmt: skip
    return account
