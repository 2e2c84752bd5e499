"""An account connected through OAuth is stored: created in the chosen team, or, when one with
the same platform and id exists, reconnected in place (same row: its history, poll cursor and
conversations stay), healthy and polled at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.audit import audit
from inbox.credentials import grant_digest, seal
from inbox.events.kinds import account_health_changed_event
from inbox.events.log import announce
from inbox.exceptions import OAuthFailed
from inbox.models import AccountHealth, AuditAction, ChannelAccount, OAuthAttempt
from inbox.services.locks import lock_channel_account


@dataclass(frozen=True, slots=True)
class ConnectedIdentity:
    """What the platform said about the account and its fresh tokens (tokens in clear: sealed
    here, never stored otherwise)."""

    platform: str
    external_id: str
    display_name: str
    handle: str
    token_kind: str
    access_token: str
    base_url: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    data_access_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    grant_token: str = ""  # Facebook: the user token the Page token came from


_TOKEN_FIELDS = [
    "credentials_encrypted", "credentials_ref", "credentials_updated_at", "token_kind",
    "refresh_token_encrypted", "token_expires_at", "data_access_expires_at", "token_checked_at",
    "grant_encrypted", "grant_digest", "granted_scopes", "missing_permissions", "base_url",
]  # fmt: skip
_REVIVE_FIELDS = [
    "health", "reconnect_needed", "reconnect_reason", "consecutive_failures", "next_poll_at",
    "last_error", "is_active", "disconnected_at", "disconnected_by", "display_name", "handle",
]  # fmt: skip


def _apply_tokens(account: ChannelAccount, identity: ConnectedIdentity) -> None:
    now = timezone.now()
    account.credentials_encrypted = seal(identity.access_token)
    account.credentials_ref = ""
    account.credentials_updated_at = now
    account.token_kind = identity.token_kind
    account.refresh_token_encrypted = seal(identity.refresh_token) if identity.refresh_token else ""
    account.token_expires_at = identity.expires_at
    account.data_access_expires_at = identity.data_access_expires_at
    account.token_checked_at = now
    account.grant_encrypted = seal(identity.grant_token) if identity.grant_token else ""
    account.grant_digest = grant_digest(identity.grant_token) if identity.grant_token else ""
    account.granted_scopes = list(identity.scopes)
    account.missing_permissions = list(identity.missing)
    account.base_url = identity.base_url


def _revive(account: ChannelAccount, identity: ConnectedIdentity) -> None:
    account.health = AccountHealth.HEALTHY
    account.reconnect_needed = False
    account.reconnect_reason = ""
    account.consecutive_failures = 0
    account.next_poll_at = timezone.now()  # polled at once, from the saved cursor
    account.last_error = ""
    account.is_active = True
    account.disconnected_at = None
    account.disconnected_by = None
    account.display_name = identity.display_name or account.display_name
    account.handle = identity.handle


def oauth_account_store_locked(
    *, user: AbstractBaseUser, attempt: OAuthAttempt, identity: ConnectedIdentity
) -> ChannelAccount:
    """Inside the caller's transaction: create or reconnect, audit, announce."""
    existing_id = (
        ChannelAccount.objects.filter(platform=identity.platform, external_id=identity.external_id)
        .values_list("pk", flat=True)
        .first()
    )
    target = attempt.reconnect_account_id
    if target is not None and existing_id != target:
        raise OAuthFailed(
            _("You signed in as %(name)s, which is not the account being reconnected. "
              "Sign in as that account and try again.") % {"name": identity.display_name}
        )  # fmt: skip
    actor = getattr(user, "agent", None)
    if existing_id is None:
        account = ChannelAccount(
            platform=identity.platform, external_id=identity.external_id,
            team_id=attempt.team_id, poll_interval_seconds=attempt.poll_interval_seconds,
        )  # fmt: skip
        _apply_tokens(account, identity)
        _revive(account, identity)
        account.save()
        action, details = AuditAction.ACCOUNT_CREATED, {"created": True}
    else:
        account = lock_channel_account(existing_id)
        details = {"health_before": account.health,
                   "was_disconnected": account.disconnected_at is not None}  # fmt: skip
        _apply_tokens(account, identity)
        _revive(account, identity)
        account.save(update_fields=_TOKEN_FIELDS + _REVIVE_FIELDS)
        action = AuditAction.ACCOUNT_RECONNECTED
    audit(action, actor=actor, user=user, object_type="channel_account", object_id=account.pk,
          team_id=account.team_id,
          details={**details, "platform": identity.platform, "external_id": identity.external_id,
                   "via": "oauth", "token_kind": identity.token_kind,
                   "missing_permissions": list(identity.missing)})  # fmt: skip
    announce(account_health_changed_event(account=account))
    return account


@transaction.atomic(durable=True)
def oauth_account_store(
    *, user: AbstractBaseUser, attempt: OAuthAttempt, identity: ConnectedIdentity
) -> ChannelAccount:
    return oauth_account_store_locked(user=user, attempt=attempt, identity=identity)
