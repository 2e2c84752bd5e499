"""Small presentation helpers for the inbox templates."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

register = template.Library()


@register.filter
def waited(since: datetime | None) -> str:
    """A compact waiting time ("12 min", "3 h", "2 d"), as the page's script keeps it current."""
    if since is None:
        return ""
    minutes = int((timezone.now() - since).total_seconds() // 60)
    if minutes < 1:
        return pgettext("waiting time", "now")
    if minutes < 60:
        return pgettext("waiting time", "%(n)s min") % {"n": minutes}
    if minutes < 48 * 60:
        return pgettext("waiting time", "%(n)s h") % {"n": minutes // 60}
    return pgettext("waiting time", "%(n)s d") % {"n": minutes // (24 * 60)}


@register.filter
def platform_label(platform: str) -> str:
    return {"x": "X", "facebook": "Facebook"}.get(platform, platform)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")


# The inbox's words for stored states (the models' choice labels are not translated).
LABELS = {
    "open": pgettext_lazy("conversation status", "Open"),
    "pending": pgettext_lazy("conversation status", "Pending"),
    "resolved": pgettext_lazy("conversation status", "Resolved"),
    "healthy": pgettext_lazy("account health", "Healthy"),
    "degraded": pgettext_lazy("account health", "Degraded"),
    "unhealthy": pgettext_lazy("account health", "Unhealthy"),
    "received": pgettext_lazy("delivery", "Received"),
    "queued": pgettext_lazy("delivery", "Queued"),
    "sending": pgettext_lazy("delivery", "Sending"),
    "sent": pgettext_lazy("delivery", "Sent"),
    "failed": pgettext_lazy("delivery", "Failed"),
}


@register.filter
def label(value: str) -> str:
    return str(LABELS.get(value, value))
