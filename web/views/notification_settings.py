"""The profile's notification switches (issue #17): one checkbox per kind, on by default."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inbox.models import NotificationKind
from inbox.permissions.access import agent_of
from inbox.selectors.notifications import notification_muted_kinds
from inbox.services.notifications import notification_kinds_mute

LABELS = {
    NotificationKind.MENTION: gettext_lazy("Someone mentions me in a note"),
    NotificationKind.ASSIGNED_TO_ME: gettext_lazy("A conversation is assigned to me"),
    NotificationKind.CUSTOMER_WROTE_AGAIN: gettext_lazy(
        "A customer writes again in my conversation"
    ),
    NotificationKind.REPLY_FAILED: gettext_lazy("A reply of mine could not be sent"),
    NotificationKind.REPLY_SENT_BACK: gettext_lazy("A reply of mine is sent back"),
}


def notification_switches(request: HttpRequest) -> list[dict[str, Any]]:
    """The profile page's switches, with what the agent chose."""
    muted = set(notification_muted_kinds(agent_id=agent_of(request.user).pk))
    return [
        {"kind": kind.value, "label": str(label), "on": kind.value not in muted}
        for kind, label in LABELS.items()
    ]


@login_required
@require_POST
def notification_settings(request: HttpRequest) -> HttpResponse:
    enabled = set(request.POST.getlist("enabled"))
    muted = [k for k in NotificationKind.values if k not in enabled]
    notification_kinds_mute(user=request.user, muted=muted)
    messages.success(request, _("Your notification settings are saved."))
    return redirect("profile")
