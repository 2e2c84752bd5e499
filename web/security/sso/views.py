"""Starting and finishing the OpenID Connect code flow (mozilla-django-oidc's views).

Both answer 404 while single sign-on is not configured. After a successful sign-in the session
remembers that the provider vouched for the person: such sessions need no Svar one-time
password (web/security/mfa: the provider does its own second factor).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from web.security.sso import provider

SIGN_IN_METHOD = "svar_sign_in"  # session key: "sso" or "password"


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
        return super().get(request)


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
