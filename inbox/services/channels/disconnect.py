"""Disconnecting an account: its token revoked at the platform where that is possible, polling
stopped, its history (conversations, messages, cursor) kept for a later reconnect."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.base import Platform
from connectors.errors import ConnectorError
from connectors.facebook.oauth import facebook_revoke
from connectors.twitter.oauth import x_revoke
from inbox.audit import audit
from inbox.credentials import CredentialsUnreadable, unseal
from inbox.events.kinds import account_health_changed_event
from inbox.events.log import announce
from inbox.exceptions import NotFound
from inbox.models import AuditAction, ChannelAccount, TokenKind
from inbox.services.channels.apps import oauth_app
from inbox.services.channels.attempts import check_may_connect
from inbox.services.locks import lock_channel_account
from inbox.stored_text import Text


def _revoke(account: ChannelAccount) -> str:
    """Revoke what Svar's own OAuth app issued; say what happened (for the audit entry)."""
    try:
        if account.token_kind == TokenKind.X_USER and account.refresh_token_encrypted:
            app = oauth_app(Platform.X)
            # Each token is revoked on its own: the access token outlives its refresh token.
            for sealed in (account.refresh_token_encrypted, account.credentials_encrypted):
                x_revoke(client_id=app.client_id, client_secret=app.client_secret,
                         token=unseal(sealed), base_url=account.base_url)  # fmt: skip
            return "revoked"
        if account.token_kind == TokenKind.FACEBOOK_PAGE and account.grant_encrypted:
            # One Facebook Login grants every Page chosen with it: keep it while another uses it.
            sharing = ChannelAccount.objects.filter(grant_digest=account.grant_digest,
                                                    disconnected_at__isnull=True)  # fmt: skip
            if sharing.exclude(pk=account.pk).exists():
                return "kept: another account uses the same Facebook grant"
            facebook_revoke(user_token=unseal(account.grant_encrypted), base_url=account.base_url)
            return "revoked"
    except (ConnectorError, CredentialsUnreadable) as error:
        return f"not revoked: {error}"[:500]
    return "not revoked: the token was not issued through Svar's OAuth app"


def channel_account_disconnect(*, user: AbstractBaseUser, account_id: int) -> ChannelAccount:
    """Admin only (another team's account is not found). Disconnecting twice changes nothing."""
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise NotFound(
            Text(_("Channel account %(account_id)s was not found."), account_id=account_id)
        )
    check_may_connect(user, account.team_id)
    if account.disconnected_at is not None:
        return account
    revocation = _revoke(account)
    with transaction.atomic(durable=True):
        account = lock_channel_account(account_id)
        if account.disconnected_at is not None:
            return account
        account.is_active = False
        account.disconnected_at = timezone.now()
        account.disconnected_by = user
        account.next_poll_at = None
        # The tokens go; the grant's digest stays so a sibling Page still knows it is shared.
        account.credentials_encrypted = account.refresh_token_encrypted = ""
        account.grant_encrypted = ""
        account.save(update_fields=["is_active", "disconnected_at", "disconnected_by",
                                    "next_poll_at", "credentials_encrypted",
                                    "refresh_token_encrypted", "grant_encrypted"])  # fmt: skip
        audit(AuditAction.ACCOUNT_DISCONNECTED, actor=getattr(user, "agent", None), user=user,
              object_type="channel_account", object_id=account.pk, team_id=account.team_id,
              details={"platform": account.platform, "revocation": revocation})  # fmt: skip
        announce(account_health_changed_event(account=account))
    return account
