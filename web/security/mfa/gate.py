"""The middleware that holds an admin's password session at the door until a code is given."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from web.errors import api_error, is_api
from web.security.sso.views import SIGN_IN_METHOD

# Reachable before the second factor: the pages that ask for it, leaving, and static files.
OPEN_PREFIXES = ("/mfa/", "/logout/", "/login/", "/static/", "/sso/")


def second_factor_required(request: HttpRequest) -> bool:
    user = request.user
    if not settings.SVAR_TOTP_FOR_ADMINS or not user.is_authenticated:
        return False
    if request.session.get(SIGN_IN_METHOD) == "sso":
        return False
    if user.is_verified():
        return False
    # has_perm: the permission cache the API's role checks read anyway. Others who chose to
    # enrol give their code too: a second factor one can skip protects nothing.
    is_admin = user.is_superuser or user.has_perm("inbox.manage_channels")
    return is_admin or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class SecondFactorGateMiddleware:
    """After django_otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OPEN_PREFIXES) or not second_factor_required(request):
            return self.get_response(request)
        if is_api(request):
            message = _("Give your one-time code on the web page first (/mfa/verify/).")
            return api_error("second_factor_required", message, 403)
        page = "mfa-verify" if user_has_device(request.user) else "mfa-enrol"
        return HttpResponseRedirect(
            f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}"
        )
