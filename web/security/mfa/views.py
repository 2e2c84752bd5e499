"""Enrolling an authenticator app (the secret as a QR code and as text) and giving a code."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from web.security.mfa.codes import secret_text

DEVICE_NAME = "authenticator"


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else reverse("inbox")


def _with_next(page: str, request: HttpRequest) -> str:
    return f"{reverse(page)}?{urlencode({'next': _next(request)})}"


def _pending_device(user: object) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same secret on every reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return HttpResponseRedirect(_with_next("mfa-verify", request))
    device = _pending_device(request.user)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("code", "").strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        error = _("That code is not right. Codes change every 30 seconds; try the new one.")
    uri = device.config_url
    context = {
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code")),
        "otpauth_uri": uri,
        "secret": secret_text(device),
        "error": error,
        "next": _next(request),
    }
    return render(request, "mfa/enrol.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return HttpResponseRedirect(_with_next("mfa-enrol", request))
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        device = next((d for d in devices if d.verify_token(code)), None)
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        error = _("That code is not right. Codes change every 30 seconds; try the new one.")
    context = {"error": error, "next": _next(request)}
    return render(request, "mfa/verify.html", context, status=400 if error else 200)
