"""The OAuth apps Svar connects through: their ids and secrets come from the environment
(web/settings.py), never from the database or a request."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from connectors.base import Platform
from inbox.exceptions import OAuthFailed


@dataclass(frozen=True, slots=True)
class OAuthApp:
    client_id: str
    client_secret: str
    base_url: str  # "" = the real platform; the simulator's root URL otherwise


def oauth_app(platform: str) -> OAuthApp:
    """The configured app, or a clear refusal naming the settings to set."""
    if platform == Platform.X:
        app = OAuthApp(settings.SVAR_X_CLIENT_ID, settings.SVAR_X_CLIENT_SECRET,
                       settings.SVAR_X_OAUTH_BASE_URL)  # fmt: skip
        names = "SVAR_X_CLIENT_ID and SVAR_X_CLIENT_SECRET"
    elif platform == Platform.FACEBOOK:
        app = OAuthApp(settings.SVAR_FACEBOOK_APP_ID, settings.SVAR_FACEBOOK_APP_SECRET,
                       settings.SVAR_FACEBOOK_OAUTH_BASE_URL)  # fmt: skip
        names = "SVAR_FACEBOOK_APP_ID and SVAR_FACEBOOK_APP_SECRET"
    else:
        raise OAuthFailed(_("Unknown platform %(platform)s.") % {"platform": platform},
                          field="platform")  # fmt: skip
    if not app.client_id or not app.client_secret:
        raise OAuthFailed(
            _("Connecting through OAuth is not set up: set %(names)s in the environment.")
            % {"names": names},
            field="platform",
        )
    return app


def oauth_configured(platform: str) -> bool:
    try:
        oauth_app(platform)
    except OAuthFailed:
        return False
    return True
