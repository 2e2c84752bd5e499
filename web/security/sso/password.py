"""Password login switched off (``SVAR_PASSWORD_LOGIN=off``): the login page offers single
sign-on only, and a password sent anyway to any login form (Svar's or Django admin's) is
refused with 403 before a view checks it, so a leaked password is worth nothing here."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


class PasswordLoginSwitchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.path in settings.SVAR_LOGIN_PATHS
            and not settings.SVAR_PASSWORD_LOGIN
        ):
            refused = _("Signing in with a password is switched off here. Use single sign-on.")
            response = TemplateResponse(
                request, "registration/login.html", {"refused": refused}, status=403
            )
            return response.render()
        return self.get_response(request)
