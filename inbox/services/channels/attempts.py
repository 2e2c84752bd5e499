"""An OAuth connection begins (the admin is sent to the platform) and its callback claims it.

The attempt row carries what the callback must not take from the browser: the team, the poll
interval, who started it, the PKCE verifier (sealed) and the redirect URI. Its ``state`` is
single-use, bound to the admin who started it and valid for ten minutes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import Platform
from connectors.facebook.oauth import facebook_authorization_url
from connectors.twitter.oauth import x_authorization
from inbox.audit import audit
from inbox.credentials import seal
from inbox.exceptions import InvalidInput, NotFound, OAuthFailed, PermissionDenied
from inbox.models import OAUTH_ATTEMPT_LIFETIME, AuditAction, ChannelAccount, OAuthAttempt, Team
from inbox.permissions.access import visible_team_ids
from inbox.services.accounts import POLL_INTERVAL_MIN
from inbox.services.channels.apps import oauth_app


@dataclass(frozen=True, slots=True)
class OAuthStart:
    attempt_id: int
    authorize_url: str  # send the admin's browser here


def check_may_connect(user: AbstractBaseUser, team_id: int) -> None:
    """Admins only, and only into a team they can see (another team answers "not found")."""
    if not user.has_perm("inbox.manage_channels"):
        raise PermissionDenied(_("Only admins can connect channel accounts."))
    team_ids = visible_team_ids(user)
    if team_ids is not None and team_id not in team_ids:
        raise NotFound(_("Team %(id)s was not found.") % {"id": team_id})


@transaction.atomic(durable=True)
def oauth_connection_start(
    *,
    user: AbstractBaseUser,
    platform: str,
    team_id: int,
    poll_interval_seconds: int,
    redirect_uri: str,
    reconnect_account_id: int | None = None,
) -> OAuthStart:
    """Begin connecting an X account or Facebook Pages (or reconnecting one account)."""
    if reconnect_account_id is not None:
        account = ChannelAccount.objects.filter(pk=reconnect_account_id).first()
        if account is None or account.platform != platform:
            raise NotFound(
                _("Channel account %(id)s was not found.") % {"id": reconnect_account_id}
            )
        team_id = account.team_id
    check_may_connect(user, team_id)
    if not Team.objects.filter(pk=team_id).exists():
        raise NotFound(_("Team %(id)s was not found.") % {"id": team_id})
    if poll_interval_seconds < POLL_INTERVAL_MIN:
        raise InvalidInput(_("Poll at most every %(n)s seconds.") % {"n": POLL_INTERVAL_MIN},
                           field="poll_interval_seconds")  # fmt: skip
    app = oauth_app(platform)
    if platform == Platform.X:
        grant = x_authorization(client_id=app.client_id, redirect_uri=redirect_uri,
                                authorize_base_url=app.base_url)  # fmt: skip
        state, url, secret = grant.state, grant.url, seal(grant.code_verifier)
    else:
        state, secret = secrets.token_urlsafe(32), ""
        url = facebook_authorization_url(app_id=app.client_id, redirect_uri=redirect_uri,
                                         state=state, dialog_base_url=app.base_url)  # fmt: skip
    attempt = OAuthAttempt.objects.create(
        state=state, platform=platform, secret_encrypted=secret, team_id=team_id,
        poll_interval_seconds=poll_interval_seconds, started_by=user,
        reconnect_account_id=reconnect_account_id, redirect_uri=redirect_uri,
    )  # fmt: skip
    audit(AuditAction.ACCOUNT_OAUTH_STARTED, actor=getattr(user, "agent", None), user=user,
          object_type="oauth_attempt", object_id=attempt.pk, team_id=team_id,
          details={"platform": platform, "reconnect_account": reconnect_account_id})  # fmt: skip
    return OAuthStart(attempt_id=attempt.pk, authorize_url=url)


@transaction.atomic(durable=True)
def oauth_attempt_claim(*, user: AbstractBaseUser, platform: str, state: str) -> OAuthAttempt:
    """The callback's attempt, marked used: unknown, foreign, used or stale ones are refused.
    Committed before the code is exchanged, so a replayed callback finds it used."""
    attempt = (
        OAuthAttempt.objects.select_for_update(no_key=True)
        .filter(state=state, platform=platform, started_by_id=user.pk)
        .first()
    )
    if attempt is None or not state:
        raise OAuthFailed(_("This connection link is not valid. Start connecting again."))
    if attempt.used_at is not None:
        raise OAuthFailed(_("This connection link was already used. Start connecting again."))
    if timezone.now() - attempt.created_at > OAUTH_ATTEMPT_LIFETIME:
        raise OAuthFailed(_("This connection link has expired. Start connecting again."))
    check_may_connect(user, attempt.team_id)
    attempt.used_at = timezone.now()
    attempt.save(update_fields=["used_at"])
    return attempt


def consent_refused(platform_name: str, error: str) -> OAuthFailed:
    if error == "access_denied":
        return OAuthFailed(
            _("You did not allow Svar access on %(platform)s, so nothing was connected.")
            % {"platform": platform_name}
        )
    return OAuthFailed(
        _("%(platform)s refused the connection (%(error)s); nothing was connected.")
        % {"platform": platform_name, "error": error[:100]}
    )
