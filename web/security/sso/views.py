"""Starting and finishing the OpenID Connect code flow (mozilla-django-oidc's views).

Both answer 404 while single sign-on is not configured. After a successful sign-in the session
remembers that the provider vouched for the person: such sessions need no Svar one-time
password (web/security/mfa: the provider does its own second factor).
"""

from __future__ import annotations

import logging

import requests
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from web.security.sso import provider

logger = logging.getLogger(__name__)

SIGN_IN_METHOD = "svar_sign_in"  # session key: "sso" once the provider has vouched


def _require_sso() -> None:
    if not provider.sso_enabled():
        raise Http404("Single sign-on is not configured.")


class SsoStartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(provider.setting)

    def __init__(self, **kwargs: object) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)  # endpoints: on use

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:  # noqa: N802 -- the library's attribute name
        return provider.endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802
        return str(provider.setting("OIDC_RP_CLIENT_ID"))

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_sso()
        try:
            return super().get(request)  # reads the discovery document the first time
        except requests.RequestException as error:
            logger.warning("identity provider unreachable: %s", error)
            messages.error(
                request, _("The identity provider did not answer. Try again in a moment.")
            )
            return HttpResponseRedirect(resolve_url("login"))


class SsoCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(provider.setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_sso()
        return super().get(request)

    @property
    def failure_url(self) -> str:
        return resolve_url("login")  # where the refusal's message is shown

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        self.request.session[SIGN_IN_METHOD] = "sso"
        return response
