"""The inbox list's order, chosen by the agent and remembered in their session (issue #18):
newest activity first, or the customer who has waited longest first."""

from __future__ import annotations

from django.http import HttpRequest

from inbox.params import choice_param
from inbox.selectors.conversations import ListOrder

SESSION_KEY = "svar_inbox_sort"


def list_sort(request: HttpRequest) -> str:
    """The order asked for (and remembered from now on), else the one remembered, else recent."""
    asked = choice_param(request.GET, "sort", [o.value for o in ListOrder])
    if asked is not None:
        request.session[SESSION_KEY] = asked
        return asked
    remembered = request.session.get(SESSION_KEY)
    return remembered if remembered in ListOrder._value2member_map_ else ListOrder.RECENT.value
