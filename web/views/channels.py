"""The admins' Channels page: every account with its token state, connecting X accounts and
Facebook Pages through OAuth, reconnecting and disconnecting (issue #22).

POST forms redirect afterwards (PRG). The OAuth callbacks are GET routes the platform sends the
admin's browser to; they redirect too, so a reload never presents a used code again. A failed
connection (``OAuthFailed``: a stale or foreign state, consent denied, a code refused) is shown
on the Channels page itself, where the admin starts again: that one domain error is caught here
as the profile form catches its ``InvalidInput``; every other one reaches Svar's error page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors.base import Platform
from inbox.exceptions import InvalidInput, NotFound, OAuthFailed, PermissionDenied
from inbox.models import ChannelAccount, Team
from inbox.permissions.access import visible_team_ids
from inbox.selectors.channel_accounts import (
    channel_account_get,
    channel_account_list,
    channel_account_list_expiring,
)
from inbox.selectors.teams import team_list
from inbox.services.channels import (
    channel_account_disconnect,
    facebook_oauth_finish,
    facebook_pages_connect,
    oauth_connection_start,
    x_oauth_finish,
)
from inbox.services.channels.apps import oauth_configured
from web.channels.forms import ConnectForm, PagesForm
from web.channels.links import allow_consent_redirects, callback_url
from web.channels.offer import offer_choices, offer_forget, offer_keep, offer_read
from web.channels.present import account_rows, missing_permissions

View = Callable[..., HttpResponse]


def admin_only(view: View) -> View:
    """Signed in, and holding ``manage_channels`` (admins): others get Svar's 403 page."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("inbox.manage_channels"):
            raise PermissionDenied(_("Only admins can manage channel accounts."))
        return view(request, *args, **kwargs)

    return login_required(checked)


def _page(request: HttpRequest, form: ConnectForm, status: int = 200) -> HttpResponse:
    user, now = request.user, timezone.now()
    teams = team_list(team_ids=visible_team_ids(user))
    expiring = channel_account_list_expiring(user=user, now=now)
    configured = {p.value: oauth_configured(p.value) for p in Platform}
    rows = account_rows(
        channel_account_list(user=user), team_names={t.pk: t.name for t in teams},
        expiring_ids={a.pk for a in expiring}, configured=configured, now=now,
    )  # fmt: skip
    context = {
        "rows": rows,
        "warnings": [row for row in rows if row.expiring],
        "form": form,
        "configured": configured,
    }
    response = render(request, "channels/page.html", context, status=status)
    return allow_consent_redirects(request, response)


def _teams(request: HttpRequest) -> list[Team]:
    return team_list(team_ids=visible_team_ids(request.user))


@require_GET
@admin_only
def channels_page(request: HttpRequest) -> HttpResponse:
    return _page(request, ConnectForm(teams=_teams(request)))


@require_POST
@admin_only
def connect(request: HttpRequest, platform: str) -> HttpResponse:
    """Start connecting: the admin's browser goes to the platform's consent page."""
    form = ConnectForm(request.POST, teams=_teams(request))
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        start = oauth_connection_start(
            user=request.user, platform=platform, team_id=form.cleaned_data["team"],
            poll_interval_seconds=form.cleaned_data["poll_interval_seconds"],
            redirect_uri=callback_url(request, platform),
        )  # fmt: skip
    except InvalidInput as error:  # OAuth not set up, or an interval the service refuses
        field = error.details.get("field")
        form.add_error(field if field in form.fields else None, error.message)
        return _page(request, form, status=400)
    return redirect(start.authorize_url)


def _account(account_id: int) -> ChannelAccount:
    account = channel_account_get(account_id=account_id)
    if account is None:
        raise NotFound(_("Channel account %(id)s was not found.") % {"id": account_id})
    return account


@require_POST
@admin_only
def reconnect(request: HttpRequest, account_id: int) -> HttpResponse:
    """New tokens for the same account row: its history, cursor and conversations stay."""
    account = _account(account_id)
    start = oauth_connection_start(
        user=request.user, platform=account.platform, team_id=account.team_id,
        poll_interval_seconds=account.poll_interval_seconds,
        redirect_uri=callback_url(request, account.platform), reconnect_account_id=account.pk,
    )  # fmt: skip
    return redirect(start.authorize_url)


@require_http_methods(["GET", "POST"])
@admin_only
def disconnect(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET asks for confirmation; POST disconnects and returns to the Channels page."""
    if request.method == "GET":
        account = _account(account_id)
        if account.is_disconnected:
            return redirect("channels")
        return render(request, "channels/disconnect.html", {"account": account})
    account = channel_account_disconnect(user=request.user, account_id=account_id)
    messages.success(
        request,
        _("%(name)s is disconnected: Svar no longer polls it; its conversations stay.")
        % {"name": account.display_name},
    )
    return redirect("channels")


def _connected(request: HttpRequest, accounts: list[ChannelAccount]) -> None:
    for account in accounts:
        messages.success(request, _("%(name)s is connected.") % {"name": account.display_name})
        if missing := missing_permissions(account):
            messages.warning(
                request,
                _("%(name)s: %(missing)s. Svar cannot do everything on it until they are "
                  "granted.") % {"name": account.display_name, "missing": missing},
            )  # fmt: skip


def _failed(request: HttpRequest, error: OAuthFailed) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("channels")


def _callback_query(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "")[:2000] for name in ("state", "code", "error")}


@require_GET
@admin_only
def x_callback(request: HttpRequest) -> HttpResponse:
    try:
        account = x_oauth_finish(user=request.user, **_callback_query(request))
    except OAuthFailed as error:
        return _failed(request, error)
    _connected(request, [account])
    return redirect("channels")


@require_GET
@admin_only
def facebook_callback(request: HttpRequest) -> HttpResponse:
    try:
        offer = facebook_oauth_finish(user=request.user, **_callback_query(request))
    except OAuthFailed as error:
        return _failed(request, error)
    offer_keep(request, offer)
    return redirect("channels-facebook-pages")


@require_http_methods(["GET", "POST"])
@admin_only
def facebook_pages(request: HttpRequest) -> HttpResponse:
    """The Pages the admin manages, with their tasks and what is missing, to choose from."""
    offer = offer_read(request)
    if offer is None:
        messages.error(request, _("No Facebook Pages are waiting to be chosen. Start again."))
        return redirect("channels")
    posted = request.POST if request.method == "POST" else None  # an empty POST is bound too
    form = PagesForm(posted, page_ids=offer_choices(offer))
    if request.method == "POST" and form.is_valid():
        try:
            accounts = facebook_pages_connect(user=request.user, attempt_id=offer.attempt_id,
                                              page_ids=form.cleaned_data["page_ids"])  # fmt: skip
        except OAuthFailed as error:
            offer_forget(request)
            return _failed(request, error)
        offer_forget(request)
        _connected(request, accounts)
        return redirect("channels")
    status = 400 if request.method == "POST" else 200
    return render(request, "channels/pages.html", {"offer": offer, "form": form}, status=status)
