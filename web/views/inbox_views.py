"""Which conversations each inbox view shows, as list filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from inbox.models import ConversationStatus


@dataclass(frozen=True, slots=True)
class InboxView:
    key: str
    label: Promise
    statuses: tuple[str, ...]
    assignee: str | None  # "me", "unassigned" or None (anyone)


OPEN, PENDING, RESOLVED, SNOOZED = (
    ConversationStatus.OPEN.value,
    ConversationStatus.PENDING.value,
    ConversationStatus.RESOLVED.value,
    ConversationStatus.SNOOZED.value,
)
VIEWS: tuple[InboxView, ...] = (
    InboxView("mine", _("Mine"), (OPEN, PENDING), "me"),
    InboxView("unassigned", _("Unassigned"), (OPEN,), "unassigned"),
    InboxView("open", _("All open"), (OPEN,), None),
    InboxView("pending", _("Pending"), (PENDING,), None),
    InboxView("snoozed", _("Snoozed"), (SNOOZED,), None),
    InboxView("resolved", _("Resolved"), (RESOLVED,), None),
)
VIEWS_BY_KEY = {view.key: view for view in VIEWS}
DEFAULT_VIEW = "open"


def inbox_view(key: str | None) -> InboxView:
    return VIEWS_BY_KEY.get(key or DEFAULT_VIEW, VIEWS_BY_KEY[DEFAULT_VIEW])
