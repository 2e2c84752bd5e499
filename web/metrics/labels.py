"""What the dashboard calls its figures, dimensions and tables (translated)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from inbox.metrics.selectors import Dimension
from inbox.models import IntervalKind

KIND_LABELS = {
    IntervalKind.FIRST_RESPONSE: gettext_lazy("First response"),
    IntervalKind.REPLY: gettext_lazy("Reply"),
    IntervalKind.RESOLUTION: gettext_lazy("Resolution"),
}
# A table's first column and the "per …" in its title.
DIMENSION_LABELS = {
    Dimension.AGENT: gettext_lazy("agent"),
    Dimension.TEAM: gettext_lazy("team"),
    Dimension.PLATFORM: gettext_lazy("platform"),
    Dimension.ACCOUNT: gettext_lazy("channel"),
    Dimension.TAG: gettext_lazy("tag"),
}
BUCKET_LABELS = {
    "hour": gettext_lazy("hour"),
    "day": gettext_lazy("day"),
    "week": gettext_lazy("week"),
}
CLOCK_LABELS = {
    "calendar": gettext_lazy("calendar time"),
    "business": gettext_lazy("business hours"),
}
STATE_LABELS = {"at_risk": gettext_lazy("at risk"), "breached": gettext_lazy("breached")}
TABLES = {
    "agents": Dimension.AGENT,
    "channels": Dimension.ACCOUNT,
    "platforms": Dimension.PLATFORM,
    "teams": Dimension.TEAM,
    "tags": Dimension.TAG,
}
# On the page by default: per agent and per channel; one more on request (``more=``).
DEFAULT_TABLES = ("agents", "channels")
EXTRA_TABLES = ("platforms", "teams", "tags")
