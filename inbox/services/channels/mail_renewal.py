"""E-mail access tokens (XOAUTH2) renewed with the mailbox's refresh token.

The same discipline as X's renewal (``renewal.py``): the account's row lock is held across the
call to the token endpoint, and the new access token (with a rotated refresh token, when the
provider rotates) is stored in the same transaction, so two workers never spend one refresh
token and the stored pair is always one the provider issued together. The cost: the account's
own writes wait for that one HTTP call, bounded by the mailbox's timeout.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from connectors.email.oauth import MailApp, mail_refresh
from connectors.errors import AuthExpired, PlatformRejected, PlatformUnavailable
from inbox.credentials import account_refresh_token, account_token, seal
from inbox.models import ChannelAccount, TokenKind
from inbox.services.channels.renewal import RENEW_AHEAD, needs_reconnect_locked
from inbox.services.locks import lock_channel_account
from inbox.stored_text import Text

_APPS = {
    "microsoft": ("SVAR_MICROSOFT_MAIL_CLIENT_ID", "SVAR_MICROSOFT_MAIL_CLIENT_SECRET"),
    "google": ("SVAR_GOOGLE_MAIL_CLIENT_ID", "SVAR_GOOGLE_MAIL_CLIENT_SECRET"),
}


def mail_app(provider: str) -> MailApp | None:
    """The provider's app from the environment (web/settings.py); None when not set."""
    names = _APPS.get(provider)
    if names is None:
        return None
    client_id, secret = (getattr(settings, name, "") for name in names)
    return MailApp(client_id, secret) if client_id and secret else None


@transaction.atomic(durable=True)
def mail_token_renew(account_id: int, *, ahead: timedelta = RENEW_AHEAD,
                     refused: str = "") -> str:  # fmt: skip
    """Renew the mailbox's access token unless it still has ``ahead`` to live. ``refused`` is
    the token the server just refused at AUTHENTICATE: renewed whatever its expiry says (the
    provider may end a token early), unless another worker has replaced it meanwhile.
    Returns what happened: "renewed", "fresh: …", "skipped: …", "reconnect needed" (the
    refresh token is dead: a person must authorise again), or "unavailable: …"."""
    account = lock_channel_account(account_id)
    if account.token_kind != TokenKind.MAIL_OAUTH or not account.refresh_token_encrypted:
        return "skipped: no refresh token"
    if account.reconnect_needed or account.disconnected_at is not None:
        return "skipped: reconnect needed" if account.reconnect_needed else "skipped: disconnected"
    if refused:
        if _current_token(account) != refused:
            return "fresh: renewed meanwhile"
    elif account.token_expires_at and account.token_expires_at > timezone.now() + ahead:
        return "fresh: renewed meanwhile"
    values = account.mail_settings or {}
    provider = str(values.get("oauth_provider") or "")
    app = mail_app(provider)
    if app is None:
        names = " and ".join(_APPS.get(provider, ("oauth_provider in the mail settings",)))
        return f"unavailable: {names} not set"
    try:
        grant = mail_refresh(
            provider=provider, tenant=str(values.get("oauth_tenant") or "organizations"),
            app=app, refresh_token=account_refresh_token(account) or "",
            base_url=account.base_url, timeout=float(values.get("timeout") or 20),
        )  # fmt: skip
    except AuthExpired as error:
        needs_reconnect_locked(account, Text(gettext_lazy(
            "The mail provider refused the refresh token (%(error)s): re-authorise Svar's app "
            "for this mailbox."), error=str(error)))  # fmt: skip
        return "reconnect needed"
    except (PlatformUnavailable, PlatformRejected) as error:
        return f"unavailable: {error}"
    _store(account, grant.access_token, grant.refresh_token, grant.expires_at)
    return "renewed"


def _current_token(account: ChannelAccount) -> str:
    return account_token(account) or ""


def _store(account: ChannelAccount, access: str, refresh: str, expires_at: object) -> None:
    account.credentials_encrypted = seal(access)
    account.credentials_updated_at = timezone.now()
    if refresh:  # rotated (Microsoft): the new one from now on; Google keeps the old one
        account.refresh_token_encrypted = seal(refresh)
    account.token_expires_at = expires_at
    account.save(update_fields=["credentials_encrypted", "credentials_updated_at",
                                "refresh_token_encrypted", "token_expires_at"])  # fmt: skip
