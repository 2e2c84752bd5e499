"""Links from a figure to the conversations behind it and to its CSV export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from django.urls import NoReverseMatch, reverse

from inbox.metrics.filters import MetricFilters


class Links:
    """URLs from a figure to its rows and exports, keeping every filter."""

    def __init__(self, filters: MetricFilters, kind: str, bucket: str) -> None:
        self.base = {**filters.as_query(), "kind": kind, "bucket": bucket}
        # The filters quoted once, not once per link: ``to`` gives what ``urlencode`` of the
        # merged parameters gives (quote_plus of each key and str(value)), a tenth of the work.
        self._quoted = {quote_plus(k): quote_plus(str(v)) for k, v in self.base.items()}
        self._paths: dict[tuple[str, tuple[Any, ...]], str] = {}

    def to(self, name: str, *, args: tuple[Any, ...] = (), **extra: Any) -> str:
        # A page links a few hundred figures (the heatmap alone 168): reverse each route once.
        path = self._paths.get((name, args))
        if path is None:
            path = self._paths[(name, args)] = reverse(name, args=args)
        query = dict(self._quoted)
        for key, value in extra.items():
            if value is not None:
                query[quote_plus(key)] = quote_plus(str(value))
        return f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}"

    def intervals(self, **extra: Any) -> str:
        """The conversations behind a figure."""
        return self.to("metrics-intervals", **extra)

    def export(self, table: str, **extra: Any) -> str:
        return self.to("metrics-export", args=(table,), **extra)


def conversation_url(conversation_id: int) -> str:
    """The conversation in the agent inbox, or its API view if the inbox page is absent."""
    try:
        return reverse("conversation", args=[conversation_id])
    except NoReverseMatch:
        return f"/api/conversations/{conversation_id}"
