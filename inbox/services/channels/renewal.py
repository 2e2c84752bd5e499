"""Tokens that renew themselves (X) and tokens whose end is watched (Facebook).

X rotates the refresh token on every use: the old one dies the moment the new pair is issued.
So a renewal holds the account's row lock (docs/architecture.md §3.5, #2) across the call to
X and stores the new pair in the same transaction. Why hold a lock across HTTP: if the lock
were released before the call, two workers could both send the same refresh token; the loser
gets "invalid" and, worse, a worker that dies between X's answer and its commit loses the only
live refresh token. With the lock, a second worker waits (at most the client's timeout) and
then reads the renewed expiry and returns without calling X. The cost is that the account's
poll and health writes wait for that call too, bounded by the same timeout.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from connectors.base import Platform
from connectors.errors import AuthExpired, ConnectorError, PlatformUnavailable
from connectors.facebook.oauth import facebook_inspect
from connectors.twitter.oauth import x_refresh
from inbox.credentials import account_refresh_token, account_token, seal
from inbox.events.kinds import account_health_changed_event
from inbox.events.log import announce
from inbox.models import AccountHealth, ChannelAccount, TokenKind
from inbox.selectors.channel_accounts import channel_account_get
from inbox.services.channels.apps import oauth_app, oauth_configured
from inbox.services.locks import lock_channel_account
from inbox.stored_text import Text, stored

RENEW_AHEAD = timedelta(minutes=10)  # the maintenance pass renews tokens this close to expiry
EXPIRY_WARNING = timedelta(days=7)


def needs_reconnect_locked(account: ChannelAccount, reason: Text | str) -> None:
    """The token cannot be renewed: unhealthy, polling paused until an admin reconnects.
    Nothing else changes: cursor, history and conversations stay as they are."""
    account.health = AccountHealth.UNHEALTHY
    account.reconnect_needed = True
    account.reconnect_reason = stored(reason)[:2000]  # translated when shown
    account.next_poll_at = None
    account.last_error = account.reconnect_reason
    account.last_error_at = timezone.now()
    account.save(update_fields=["health", "reconnect_needed", "reconnect_reason",
                                "next_poll_at", "last_error", "last_error_at"])  # fmt: skip
    announce(account_health_changed_event(account=account))


@transaction.atomic(durable=True)
def x_token_renew(account_id: int, *, ahead: timedelta = RENEW_AHEAD) -> str:
    """Renew the X access token unless it still has ``ahead`` to live (another worker renewed
    it meanwhile). Returns what happened; "reconnect needed" when the refresh token is dead,
    "unavailable: …" when X could not be reached (the old pair stays valid)."""
    account = lock_channel_account(account_id)
    if account.token_kind != TokenKind.X_USER or not account.refresh_token_encrypted:
        return "skipped: no refresh token"
    if account.reconnect_needed or account.disconnected_at is not None:
        return "skipped: reconnect needed" if account.reconnect_needed else "skipped: disconnected"
    expires_at = account.token_expires_at
    if expires_at is not None and expires_at > timezone.now() + ahead:
        return "fresh: renewed meanwhile"
    if not oauth_configured(Platform.X):
        return "unavailable: SVAR_X_CLIENT_ID and SVAR_X_CLIENT_SECRET are not set"
    app = oauth_app(Platform.X)
    try:
        grant = x_refresh(client_id=app.client_id, client_secret=app.client_secret,
                          refresh_token=account_refresh_token(account),
                          base_url=account.base_url)  # fmt: skip
    except AuthExpired as error:
        needs_reconnect_locked(
            account, Text(gettext_lazy("The X refresh token was rejected (%(error)s): reconnect "
                               "the account."), error=str(error)),
        )  # fmt: skip
        return "reconnect needed"
    except PlatformUnavailable as error:
        return f"unavailable: {error}"
    account.credentials_encrypted = seal(grant.access_token)
    account.credentials_updated_at = timezone.now()
    account.refresh_token_encrypted = seal(grant.refresh_token)
    account.token_expires_at = grant.expires_at
    account.granted_scopes = list(grant.scopes)
    account.save(update_fields=["credentials_encrypted", "credentials_updated_at",
                                "refresh_token_encrypted", "token_expires_at",
                                "granted_scopes"])  # fmt: skip
    return "renewed"


def facebook_token_inspect(account_id: int) -> str:
    """Re-read a Page token's expiry and data-access expiry (daily). An invalid token needs a
    reconnect; one ending within a week is announced so admins are warned."""
    account = channel_account_get(account_id=account_id)
    if account is None or account.token_kind != TokenKind.FACEBOOK_PAGE or not account.is_active:
        return "skipped"
    if not oauth_configured(Platform.FACEBOOK):
        return "skipped: SVAR_FACEBOOK_APP_ID and SVAR_FACEBOOK_APP_SECRET are not set"
    app = oauth_app(Platform.FACEBOOK)
    try:
        seen = facebook_inspect(
            app_id=app.client_id,
            app_secret=app.client_secret,
            token=account_token(account) or "",
            base_url=account.base_url,
        )
    except ConnectorError as error:
        return f"unavailable: {error}"
    with transaction.atomic(durable=True):
        account = lock_channel_account(account_id)
        account.token_expires_at = seen.expires_at
        account.data_access_expires_at = seen.data_access_expires_at
        account.token_checked_at = timezone.now()
        account.save(update_fields=["token_expires_at", "data_access_expires_at",
                                    "token_checked_at"])  # fmt: skip
        if not seen.is_valid:
            invalid = gettext_lazy("Facebook says the Page token is no longer valid: reconnect "
                                   "the Page.")  # fmt: skip
            needs_reconnect_locked(account, Text(invalid))
            return "reconnect needed"
        ends = [t for t in (seen.expires_at, seen.data_access_expires_at) if t is not None]
        if ends and min(ends) <= timezone.now() + EXPIRY_WARNING:
            announce(account_health_changed_event(account=account))
            return "expires soon"
    return "checked"
