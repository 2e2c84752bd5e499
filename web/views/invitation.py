"""The page an invitation's link opens (no login: the link's token is the key). It says who
invited the person to which teams; they choose a password and are signed in, or sign in with
the organisation's single sign-on when Svar has it.

A link that is unknown, expired, already used, revoked or replaced by a newer one answers the
same 404 page: the service says nothing about which, so a guessed or stolen link learns nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from inbox.exceptions import InvalidInput
from inbox.services.invitations import invitation_accept, invitation_by_token
from web.views.people_forms import AcceptForm, show_error

PASSWORD_BACKEND = "web.security.auth_backend.ModelBackendOneQuery"
TOKEN_MAX = 200  # far beyond any token Svar makes; a longer one is not looked up


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    token = token[:TOKEN_MAX]
    invitation = invitation_by_token(token=token)
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token[:TOKEN_MAX], password=form.cleaned_data["password"]
            )
        except InvalidInput as error:
            show_error(form, error)
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            messages.success(request, _("Welcome to Svar, %(name)s.") % {"name": user.agent})
            return redirect("inbox")
    context = {
        "invitation": invitation,
        "teams": [team.name for team in invitation.teams.all()],
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "people/invitation.html", context, status=status)
