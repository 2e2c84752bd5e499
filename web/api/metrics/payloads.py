"""Metric results as JSON-ready dicts: one shape for the API, the dashboard and CSV export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from inbox.exceptions import InvalidInput
from inbox.metrics import selectors as metrics
from inbox.metrics.approvals import approval_figures, approvals_pending
from inbox.metrics.filters import MetricFilters, parse_kind
from inbox.metrics.intervals import DrillDown, interval_rows
from inbox.metrics.sla import sla_summary
from inbox.params import number_param, optional_int_param, raw_value, text_param

# A figure's payload is built from its filters and the query parameters (the figure's own:
# kind, by, bucket); the docstring is the endpoint's summary in the API schema.
QueryParams = Mapping[str, str]
EMPTY: QueryParams = {}


def period(filters: MetricFilters) -> dict[str, Any]:
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "time_zone": filters.time_zone,
        "clock": filters.clock.value,
    }


def head(filters: MetricFilters, **about: Any) -> dict[str, Any]:
    """What every figure's payload starts with: its period, whether a schedule change of its
    teams is still being recomputed (business-hours figures mix two schedules until then),
    and ``about`` (the figure's kind, dimension, bucket)."""
    recomputing = metrics.business_hours_recomputing(filters.team_ids)
    return {"period": period(filters), "recomputing": recomputing, **about}


def summary_payload(filters: MetricFilters, params: QueryParams = EMPTY) -> dict[str, Any]:
    """First response, reply and resolution time: this period and the one before"""
    result = metrics.summary(filters)
    return {
        **head(filters, previous_period=period(filters.previous())),
        **{
            kind: {"current": s["current"].as_dict(), "previous": s["previous"].as_dict()}
            for kind, s in result.items()
        },
    }


def breakdown_payload(filters: MetricFilters, params: QueryParams) -> dict[str, Any]:
    """Count, median, p90 and mean per agent, team, platform, account or tag"""
    kind, by = parse_kind(params), metrics.parse_dimension(params.get("by"))
    rows = [
        {"key": r.key, "label": r.label, **r.stats.as_dict()}
        for r in metrics.breakdown(filters, kind, by)
    ]
    return {**head(filters, kind=kind, by=by.value), "rows": rows}


def series_payload(filters: MetricFilters, params: QueryParams) -> dict[str, Any]:
    """Stats per hour, day or week (by the time the interval ended)"""
    kind, bucket = parse_kind(params), metrics.parse_bucket(params.get("bucket"))
    points = [
        {"bucket": at.isoformat(), **s.as_dict()} for at, s in metrics.series(filters, kind, bucket)
    ]
    return {**head(filters, kind=kind, bucket=bucket.value), "points": points}


def distribution_payload(filters: MetricFilters, params: QueryParams) -> dict[str, Any]:
    """How many intervals took 0–1 min, 1–5 min, … (every bin listed)"""
    kind = parse_kind(params)
    bins = [
        {"lower": lo, "upper": hi, "count": n} for lo, hi, n in metrics.distribution(filters, kind)
    ]
    return {**head(filters, kind=kind), "bins": bins}


def heatmap_payload(filters: MetricFilters, params: QueryParams = EMPTY) -> dict[str, Any]:
    """Hour-of-week heatmap: customer waits begun, and their median reply time"""
    return {
        **head(filters),
        "cells": [
            {"weekday": c.weekday, "hour": c.hour, "waits": c.waits, "answered": c.answered,
             "median": c.median}
            for c in metrics.heatmap(filters)
        ],
    }  # fmt: skip


def sla_payload(filters: MetricFilters, params: QueryParams = EMPTY) -> dict[str, Any]:
    """Per team and kind with a target: intervals, breaches, share met"""
    return {**head(filters), "rows": [r.as_dict() for r in sla_summary(filters)]}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def drill_down(params: Mapping[str, str], kind: str) -> DrillDown:
    """What narrows a figure to its rows: by+key, min/max seconds, weekday+hour, breached."""
    weekday = optional_int_param(params, "weekday", minimum=1, maximum=7)
    hour = optional_int_param(params, "hour", minimum=0, maximum=23)
    if (weekday is None) != (hour is None):
        raise InvalidInput(_("weekday and hour go together."), field="weekday")
    by = raw_value(params, "by")
    return DrillDown(
        kind=kind,
        dimension=metrics.parse_dimension(by) if by else None,
        key=text_param(params, "key"),
        min_seconds=number_param(params, "min_seconds"),
        max_seconds=number_param(params, "max_seconds"),
        weekday=weekday,
        hour=hour,
        breached=(params.get("breached") or "").lower() in {"1", "true", "yes"},
    )


def intervals_payload(
    filters: MetricFilters, drill: DrillDown, *, limit: int, offset: int
) -> dict[str, Any]:
    rows = interval_rows(filters, drill, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    return {
        **head(filters),
        "results": [{k: _iso(v) for k, v in r.items()} for r in rows[:limit]],
        "next_offset": offset + limit if more else None,
    }


def approvals_payload(filters: MetricFilters, params: QueryParams = EMPTY) -> dict[str, Any]:
    """Four-eyes approval: approved, sent back and time to decide, per team and approver"""
    rows = [r.as_dict() for r in approval_figures(filters)]
    return {**head(filters), "pending": approvals_pending(filters.team_ids), "rows": rows}
