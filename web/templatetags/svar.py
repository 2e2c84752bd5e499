"""Small presentation helpers for the inbox templates."""

from __future__ import annotations

import json
import math
from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from connectors.email.quotes import split_quoted

register = template.Library()


@register.filter
def quoted_split(text: str) -> tuple[str, str]:
    """An e-mail's text as (shown, quoted history to fold): connectors/email/quotes.py."""
    return split_quoted(text or "")


@register.filter
def waited(since: datetime | None) -> str:
    """A compact waiting time ("12 min", "3 h", "2 d"), as the page's script keeps it current."""
    if since is None:
        return ""
    return _span(int((timezone.now() - since).total_seconds() // 60))


def _span(minutes: int) -> str:
    if minutes < 1:
        return pgettext("waiting time", "now")
    if minutes < 60:
        return pgettext("waiting time", "%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return pgettext("waiting time", "%(n)s h") % {"n": minutes // 60}
    return pgettext("waiting time", "%(n)s d") % {"n": minutes // (24 * 60)}


@register.inclusion_tag("inbox/_sla.html")
def sla_flag(clocks: list | None) -> dict[str, object]:
    """The row's SLA flag: the most pressing running target's state now, with its clocks for
    the page's script (which keeps it current, as it does the waiting time)."""
    now = timezone.now()
    clocks = clocks or []
    states = [(c.state(now), c) for c in clocks]
    breached = [c for state, c in states if state == "breached"]
    at_risk = [c for state, c in states if state == "at_risk"]
    text, state = "", ""
    if breached:
        state, text = "breached", _("SLA breached")
    elif at_risk:
        minutes = max(1, math.ceil((at_risk[0].due_at - now).total_seconds() / 60))
        state, text = "at_risk", _("SLA due in %(time)s") % {"time": _span(minutes)}
    return {
        "state": state,
        "text": text,
        "clocks": json.dumps([c.as_dict() for c in clocks]) if clocks else "",
    }


@register.filter
def platform_label(platform: str) -> str:
    labels = {"x": "X", "facebook": "Facebook", "instagram": "Instagram", "email": _("E-mail")}
    return labels.get(platform, platform)


# The inbox's words for stored states (the models' choice labels are not translated).
LABELS = {
    "open": pgettext_lazy("conversation status", "Open"),
    "pending": pgettext_lazy("conversation status", "Pending"),
    "resolved": pgettext_lazy("conversation status", "Resolved"),
    "snoozed": pgettext_lazy("conversation status", "Snoozed"),
    "healthy": pgettext_lazy("account health", "Healthy"),
    "degraded": pgettext_lazy("account health", "Degraded"),
    "unhealthy": pgettext_lazy("account health", "Unhealthy"),
    "received": pgettext_lazy("delivery", "Received"),
    "queued": pgettext_lazy("delivery", "Queued"),
    "sending": pgettext_lazy("delivery", "Sending"),
    "sent": pgettext_lazy("delivery", "Sent"),
    "failed": pgettext_lazy("delivery", "Failed"),
    "approval": pgettext_lazy("delivery", "Waiting for approval"),
    "returned": pgettext_lazy("delivery", "Sent back"),
    "delete": gettext_lazy("Delete"),  # what retention does after its days
    "anonymise": gettext_lazy("Anonymise"),
}


@register.filter
def label(value: str) -> str:
    return str(LABELS.get(value, value))


@register.filter(expects_localtime=True)
def moment(value: datetime | None) -> str:
    """A short date and time in the reader's language: "4 Dec 15:04", "4. dec. 15:04"."""
    if value is None:
        return ""
    return formats.date_format(value, pgettext("short date and time", "j M H:i"))


@register.filter(expects_localtime=True)
def day(value: datetime | None) -> str:
    """A date with its year in the reader's language: "4 Dec 2026", "4. dec. 2026"."""
    if value is None:
        return ""
    return formats.date_format(value, pgettext("date with year", "j M Y"))
