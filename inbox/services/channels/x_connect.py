"""The X OAuth callback: the code becomes a token pair, ``x_me`` names the account."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from connectors.base import Platform
from connectors.errors import ConnectorError, OAuthRefused, PlatformUnavailable
from connectors.twitter.oauth import X_SCOPES, x_exchange_code, x_me
from inbox.credentials import unseal
from inbox.exceptions import OAuthFailed
from inbox.models import ChannelAccount, TokenKind
from inbox.services.channels.apps import oauth_app
from inbox.services.channels.attempts import consent_refused, oauth_attempt_claim
from inbox.services.channels.store import ConnectedIdentity, oauth_account_store


def platform_failure(platform_name: str, error: ConnectorError) -> OAuthFailed:
    """A connector failure during a connection, as the admin reads it."""
    if isinstance(error, PlatformUnavailable):
        return OAuthFailed(_("%(platform)s could not be reached; start connecting again in a "
                             "moment.") % {"platform": platform_name})  # fmt: skip
    reason = error.reason if isinstance(error, OAuthRefused) else str(error)
    return OAuthFailed(
        _("%(platform)s refused the connection (%(reason)s); nothing was connected.")
        % {"platform": platform_name, "reason": reason[:200]}
    )


def x_oauth_finish(
    *, user: AbstractBaseUser, state: str, code: str = "", error: str = ""
) -> ChannelAccount:
    """The callback's query (``state``, ``code`` or ``error``) for the admin who started it.
    A new account lands in the chosen team; an existing one is reconnected in place."""
    attempt = oauth_attempt_claim(user=user, platform=Platform.X, state=state)
    if error or not code:
        raise consent_refused("X", error or "no code")
    app = oauth_app(Platform.X)
    try:
        grant = x_exchange_code(
            client_id=app.client_id, client_secret=app.client_secret,
            redirect_uri=attempt.redirect_uri, code=code,
            code_verifier=unseal(attempt.secret_encrypted), base_url=app.base_url,
        )  # fmt: skip
        me = x_me(access_token=grant.access_token, base_url=app.base_url)
    except ConnectorError as failure:
        raise platform_failure("X", failure) from None
    identity = ConnectedIdentity(
        platform=Platform.X, external_id=me.id, display_name=f"@{me.username}",
        handle=me.username, token_kind=TokenKind.X_USER, access_token=grant.access_token,
        refresh_token=grant.refresh_token, expires_at=grant.expires_at, base_url=app.base_url,
        scopes=grant.scopes, missing=tuple(s for s in X_SCOPES if s not in grant.scopes),
    )  # fmt: skip
    return oauth_account_store(user=user, attempt=attempt, identity=identity)
