"""Metric results as JSON-ready dicts: one shape for the API, the dashboard and CSV export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inbox.metrics import selectors as metrics
from inbox.metrics.filters import MetricFilters
from inbox.metrics.sla import sla_summary


def period(filters: MetricFilters) -> dict[str, Any]:
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "time_zone": filters.time_zone,
        "clock": filters.clock.value,
    }


def summary_payload(filters: MetricFilters) -> dict[str, Any]:
    result = metrics.summary(filters)
    return {
        "period": period(filters),
        "previous_period": period(filters.previous()),
        **{
            kind: {"current": s["current"].as_dict(), "previous": s["previous"].as_dict()}
            for kind, s in result.items()
        },
    }


def breakdown_payload(filters: MetricFilters, kind: str, by: metrics.Dimension) -> dict[str, Any]:
    rows = metrics.breakdown(filters, kind, by)
    return {
        "period": period(filters),
        "kind": kind,
        "by": by.value,
        "rows": [{"key": r.key, "label": r.label, **r.stats.as_dict()} for r in rows],
    }


def series_payload(filters: MetricFilters, kind: str, bucket: metrics.Bucket) -> dict[str, Any]:
    points = metrics.series(filters, kind, bucket)
    return {
        "period": period(filters),
        "kind": kind,
        "bucket": bucket.value,
        "points": [{"bucket": at.isoformat(), **s.as_dict()} for at, s in points],
    }


def distribution_payload(filters: MetricFilters, kind: str) -> dict[str, Any]:
    return {
        "period": period(filters),
        "kind": kind,
        "bins": [
            {"lower": lo, "upper": hi, "count": n}
            for lo, hi, n in metrics.distribution(filters, kind)
        ],
    }


def heatmap_payload(filters: MetricFilters) -> dict[str, Any]:
    return {
        "period": period(filters),
        "cells": [
            {"weekday": c.weekday, "hour": c.hour, "waits": c.waits, "answered": c.answered,
             "median": c.median}
            for c in metrics.heatmap(filters)
        ],
    }  # fmt: skip


def sla_payload(filters: MetricFilters) -> dict[str, Any]:
    return {"period": period(filters), "rows": [r.as_dict() for r in sla_summary(filters)]}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def drill_down(params: Mapping[str, str], kind: str) -> metrics.DrillDown:
    """What narrows a figure to its rows: by+key, min/max seconds, weekday+hour, breached."""
    from inbox.exceptions import InvalidInput

    def number(name: str) -> float | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be a number.", field=name) from None

    weekday, hour = number("weekday"), number("hour")
    if (weekday is None) != (hour is None):
        raise InvalidInput("weekday and hour go together.", field="weekday")
    if weekday is not None and not (1 <= weekday <= 7 and 0 <= hour <= 23):
        raise InvalidInput("weekday is 1–7 and hour 0–23.", field="weekday")
    by = params.get("by")
    return metrics.DrillDown(
        kind=kind,
        dimension=metrics.parse_dimension(by) if by else None,
        key=(params.get("key") or None),
        min_seconds=number("min_seconds"),
        max_seconds=number("max_seconds"),
        weekday=int(weekday) if weekday is not None else None,
        hour=int(hour) if hour is not None else None,
        breached=(params.get("breached") or "").lower() in {"1", "true", "yes"},
    )


def intervals_payload(
    filters: MetricFilters, drill: metrics.DrillDown, *, limit: int, offset: int
) -> dict[str, Any]:
    rows = metrics.interval_rows(filters, drill, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    return {
        "period": period(filters),
        "results": [{k: _iso(v) for k, v in r.items()} for r in rows[:limit]],
        "next_offset": offset + limit if more else None,
    }
