"""The managers' dashboard: headline figures against the previous period, charts, tables, SLA,
drill-down to the conversations behind any figure, and CSV export of every table.

The views only parse, call and render: the dashboard's content is built in
``web.metrics.dashboard``, the export in ``web.metrics.export``, links in ``web.metrics.links``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import NotFound
from inbox.metrics.filters import parse_filters, parse_kind
from inbox.metrics.intervals import interval_rows
from inbox.stored_text import Text
from web.api.metrics.payloads import drill_down
from web.metrics.dashboard import dashboard_context
from web.metrics.export import csv_export
from web.metrics.format import duration
from web.metrics.labels import CLOCK_LABELS, KIND_LABELS
from web.metrics.links import Links, conversation_url

INTERVALS_SHOWN = 200
NARROWING = ("by", "key", "min_seconds", "max_seconds", "weekday", "hour", "breached")


@login_required  # domain errors: Svar's error page (web/errors.py)
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_context(request.user, request.GET)
    return render(request, "metrics/dashboard.html", context)


@login_required
def intervals_page(request: HttpRequest) -> HttpResponse:
    """The conversations behind a figure: each interval, longest first."""
    params = request.GET
    filters = parse_filters(request.user, params)
    kind = parse_kind(params)
    rows = interval_rows(filters, drill_down(params, kind), limit=INTERVALS_SHOWN)
    links = Links(filters, kind, params.get("bucket") or "day")
    narrowing = {k: params[k] for k in NARROWING if params.get(k)}
    for row in rows:
        row["href"] = conversation_url(row["conversation_id"])
        row["calendar"] = duration(row["calendar_seconds"])
        row["business"] = duration(row["business_seconds"])
    context = {
        "rows": rows,
        "kind_label": KIND_LABELS[kind],
        "clock_label": CLOCK_LABELS.get(filters.clock, filters.clock),
        "filters": filters,
        "narrowing": narrowing,
        "export": links.export("intervals", **narrowing),
        "back": links.to("metrics-dashboard"),
    }
    return render(request, "metrics/intervals.html", context)


@login_required
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Every dashboard table as CSV, with the dashboard's filters (seconds, unrounded)."""
    response = csv_export(request, table)
    if response is None:
        raise NotFound(Text(_("There is no table %(table)s to export."), table=repr(table)))
    return response
