"""The managers' dashboard: headline figures against the previous period, charts, tables, SLA,
drill-down to the conversations behind any figure, and CSV export of every table."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit_export
from inbox.exceptions import InboxError, InvalidInput, NotFound, PermissionDenied
from inbox.metrics import selectors as metrics
from inbox.metrics.filters import MetricFilters, metric_team_ids, parse_filters, parse_kind
from inbox.metrics.sla import period_stats_and_sla, running_overview, sla_summary, with_running
from inbox.models import Agent, ChannelAccount, IntervalKind, Team
from web.api.metrics import payloads
from web.metrics import charts
from web.metrics.concurrent import run_all
from web.metrics.format import change, duration, short_duration

KIND_LABELS = {
    IntervalKind.FIRST_RESPONSE: gettext_lazy("First response"),
    IntervalKind.REPLY: gettext_lazy("Reply"),
    IntervalKind.RESOLUTION: gettext_lazy("Resolution"),
}
# A table's first column and the "per …" in its title.
DIMENSION_LABELS = {
    metrics.Dimension.AGENT: gettext_lazy("agent"),
    metrics.Dimension.TEAM: gettext_lazy("team"),
    metrics.Dimension.PLATFORM: gettext_lazy("platform"),
    metrics.Dimension.ACCOUNT: gettext_lazy("channel"),
    metrics.Dimension.TAG: gettext_lazy("tag"),
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
    "agents": metrics.Dimension.AGENT,
    "channels": metrics.Dimension.ACCOUNT,
    "platforms": metrics.Dimension.PLATFORM,
    "teams": metrics.Dimension.TEAM,
    "tags": metrics.Dimension.TAG,
}
# On the page by default: per agent and per channel; one more on request (``more=``).
EXTRA_TABLES = ("platforms", "teams", "tags")
STATUS = {InvalidInput: 400, PermissionDenied: 403, NotFound: 404}


def _error(request: HttpRequest, error: InboxError) -> HttpResponse:
    status = next((v for k, v in STATUS.items() if isinstance(error, k)), 400)
    return render(request, "metrics/error.html", {"message": error.message}, status=status)


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InboxError as error:
            return _error(request, error)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


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

    def export(self, table: str, **extra: Any) -> str:
        return self.to("metrics-export", args=(table,), **extra)


def conversation_url(conversation_id: int) -> str:
    """The conversation in the agent inbox, or its API view if the inbox page is absent."""
    try:
        return reverse("conversation", args=[conversation_id])
    except NoReverseMatch:
        return f"/api/conversations/{conversation_id}"


def _bucket_range(at: Any, bucket: metrics.Bucket) -> dict[str, str] | None:
    day = at.date()
    if bucket == metrics.Bucket.DAY:
        return {"from": day.isoformat(), "to": day.isoformat()}
    if bucket == metrics.Bucket.WEEK:
        return {"from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}
    return None


def _bin_label(lo: float, hi: float | None) -> str:
    return f"≥ {short_duration(lo)}" if hi is None else f"< {short_duration(hi)}"


def _choices(team_ids: Iterable[int]) -> dict[str, Any]:
    """What the filter form offers: the user's teams and their agents, channels; all tags."""
    ids = list(team_ids)
    return {
        "teams": list(Team.objects.filter(pk__in=ids).order_by("name")),
        "agents": list(Agent.objects.filter(teams__in=ids).distinct().order_by("public_name")),
        "accounts": list(ChannelAccount.objects.filter(team_id__in=ids).order_by("display_name")),
        "tags": metrics.tag_names(),
    }


@_guarded
def dashboard(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filters = parse_filters(request.user, params)
    kind = parse_kind(params)
    bucket = metrics.parse_bucket(params.get("bucket"))
    links = Links(filters, kind, bucket.value)
    shown = ["agents", "channels"]
    extra = params.get("more") or ""
    if extra:
        if extra not in TABLES or extra in shown:
            raise InvalidInput(f"more must be one of {', '.join(EXTRA_TABLES)}.", field="more")
        shown.append(extra)
    allowed = metric_team_ids(request.user)
    # The longest first: the pool starts them in this order.
    tasks: dict[str, Callable[[], Any]] = {
        # this period's headline figures and the SLA table, from one pass over its intervals
        "current": lambda: period_stats_and_sla(filters),
        "previous": lambda: metrics.period_stats(filters.previous()),
        "heatmap": lambda: metrics.heatmap(filters),
        # running breaches per target and the about-to-breach list, one timeline per target
        "running": lambda: running_overview(filters.team_ids, limit=50),
        "series": lambda: metrics.series(filters, kind, bucket),
        "distribution": lambda: metrics.distribution(filters, kind),
        **{name: (lambda d=TABLES[name]: metrics.breakdown(filters, kind, d)) for name in shown},
        "choices": lambda: _choices(allowed),
    }
    figures = run_all(tasks)
    current, sla = figures["current"]
    running_breached, running = figures["running"]
    summary = metrics.combine(current, figures["previous"])
    headline = [
        {
            "kind": k,
            "label": KIND_LABELS[k],
            "current": s["current"],
            "previous": s["previous"],
            "median": duration(s["current"].median),
            "p90": duration(s["current"].p90),
            "mean": duration(s["current"].mean),
            "change": change(s["current"].median, s["previous"].median),
            "href": links.to("metrics-intervals", kind=k),
        }
        for k, s in summary.items()
    ]
    points = figures["series"]
    series_chart = charts.line_chart(
        [
            charts.Point(
                label=at.strftime("%H:%M %d/%m" if bucket == metrics.Bucket.HOUR else "%d/%m"),
                values=(s.median, s.p90),
                href=(
                    links.to("metrics-intervals", **r) if (r := _bucket_range(at, bucket)) else None
                ),
            )
            for at, s in points
        ],
        [_("median"), "p90"],
        title=_("%(figure)s per %(bucket)s: median and p90")
        % {"figure": KIND_LABELS[kind], "bucket": BUCKET_LABELS[bucket.value]},
    )
    bins = figures["distribution"]
    distribution_chart = charts.bar_chart(
        [
            charts.Bar(
                _bin_label(lo, hi),
                n,
                links.to("metrics-intervals", min_seconds=lo, max_seconds=hi),
            )
            for lo, hi, n in bins
        ],
        title=_("%(figure)s: distribution") % {"figure": KIND_LABELS[kind]},
    )
    heat = figures["heatmap"]
    heatmap_chart = charts.heatmap(
        [
            charts.Cell(
                c.weekday,
                c.hour,
                c.waits,
                c.median,
                links.to("metrics-intervals", kind="reply", weekday=c.weekday, hour=c.hour),
            )
            for c in heat
        ],
        title=_("Customer waits begun per hour of the week"),
    )
    tables = []
    for name in shown:
        dimension = TABLES[name]
        rows = figures[name]
        tables.append(
            {
                "name": name,
                "title": _("%(figure)s per %(dimension)s")
                % {"figure": KIND_LABELS[kind], "dimension": DIMENSION_LABELS[dimension]},
                "label": DIMENSION_LABELS[dimension],
                "export": links.export(name),
                "rows": [
                    {
                        "label": r.label,
                        "stats": r.stats,
                        "median": duration(r.stats.median),
                        "p90": duration(r.stats.p90),
                        "mean": duration(r.stats.mean),
                        "href": links.to(
                            "metrics-intervals",
                            by=dimension.value,
                            key="none" if r.key is None else str(r.key),
                        ),
                    }
                    for r in rows
                ],
            }
        )
    sla_rows = [
        {
            **row.as_dict(),
            "target": duration(row.target_seconds),
            "label": KIND_LABELS[row.kind],
            "href": links.to("metrics-intervals", kind=row.kind, breached=1, team=row.team_id),
        }
        for row in with_running(sla, running_breached)
    ]
    context = {
        "filters": filters,
        "params": params,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "clock_label": CLOCK_LABELS.get(filters.clock, filters.clock),
        "bucket": bucket.value,
        "more": extra,
        "extra_tables": [(t, DIMENSION_LABELS[TABLES[t]]) for t in EXTRA_TABLES],
        "start_day": filters.as_query()["from"],
        "end_day": filters.as_query()["to"],
        "headline": headline,
        "series_chart": series_chart,
        "distribution_chart": distribution_chart,
        "heatmap_chart": heatmap_chart,
        "tables": tables,
        "sla_rows": sla_rows,
        "sla_export": links.export("sla"),
        "series_export": links.export("series"),
        "distribution_export": links.export("distribution"),
        "heatmap_export": links.export("heatmap"),
        "at_risk": [
            {
                **r.as_dict(),
                "elapsed": duration(r.elapsed_seconds),
                "target": duration(r.target_seconds),
                "label": KIND_LABELS[r.kind],
                "state_label": STATE_LABELS.get(r.state, r.state),
                "href": conversation_url(r.conversation_id),
            }
            for r in running[:50]
        ],
        **figures["choices"],
    }
    return render(request, "metrics/dashboard.html", context)


@_guarded
def intervals_page(request: HttpRequest) -> HttpResponse:
    """The conversations behind a figure: each interval, longest first."""
    params = request.GET
    filters = parse_filters(request.user, params)
    kind = parse_kind(params)
    drill = payloads.drill_down(params, kind)
    rows = metrics.interval_rows(filters, drill, limit=200)
    links = Links(filters, kind, params.get("bucket") or "day")
    narrowing = {
        k: params[k]
        for k in ("by", "key", "min_seconds", "max_seconds", "weekday", "hour", "breached")
        if params.get(k)
    }
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(
    request: HttpRequest,
    filters: MetricFilters,
    filename: str,
    header: list[str],
    rows: Iterable[list[Any]],
) -> StreamingHttpResponse:
    """The table as CSV, after recording in the audit log who exported how many rows of it."""
    rows = [list(r) for r in rows]
    teams = filters.team_ids
    audit_export(
        user=request.user,
        what=filename,
        team_id=teams[0] if len(teams) == 1 else None,
        rows=len(rows),
        filters={**filters.as_query(), "team_ids": list(teams)},
    )
    writer = csv.writer(_Echo())
    lines = (writer.writerow(r) for r in [header, *rows])
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


STAT_HEADER = ["count", "median_seconds", "p90_seconds", "mean_seconds"]


def _stat_cells(s: metrics.Stats) -> list[Any]:
    return [s.count, s.median, s.p90, s.mean]


@_guarded
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Every dashboard table as CSV, with the dashboard's filters (seconds, unrounded)."""
    params = request.GET
    filters = parse_filters(request.user, params)
    kind = parse_kind(params)
    stem = f"svar-{table}-{kind}-{filters.as_query()['from']}-{filters.as_query()['to']}"
    if table in TABLES:
        rows = metrics.breakdown(filters, kind, TABLES[table])
        return _csv(
            request,
            filters,
            f"{stem}.csv",
            ["key", "label", *STAT_HEADER],
            ([r.key, r.label, *_stat_cells(r.stats)] for r in rows),
        )
    if table == "series":
        bucket = metrics.parse_bucket(params.get("bucket"))
        points = metrics.series(filters, kind, bucket)
        return _csv(
            request,
            filters,
            f"{stem}.csv",
            ["bucket_start", *STAT_HEADER],
            ([at.isoformat(), *_stat_cells(s)] for at, s in points),
        )
    if table == "distribution":
        bins = metrics.distribution(filters, kind)
        return _csv(
            request, filters, f"{stem}.csv", ["lower_seconds", "upper_seconds", "count"], bins
        )
    if table == "heatmap":
        cells = metrics.heatmap(filters)
        return _csv(
            request,
            filters,
            f"{stem}.csv",
            ["iso_weekday", "hour", "waits", "answered", "median_seconds"],
            ([c.weekday, c.hour, c.waits, c.answered, c.median] for c in cells),
        )
    if table == "sla":
        return _csv(
            request,
            filters,
            f"{stem}.csv",
            ["team", "kind", "target_seconds", "business_hours", "total", "breached",
             "met_share", "running_breached"],
            ([r.team, r.kind, r.target_seconds, r.business_hours, r.total, r.breached,
              r.met_share, r.running_breached] for r in sla_summary(filters)),
        )  # fmt: skip
    if table == "intervals":
        drill = payloads.drill_down(params, kind)
        rows = metrics.interval_rows(filters, drill, limit=100_000)
        names = list(rows[0]) if rows else ["id"]
        return _csv(request, filters, f"{stem}.csv", names, ([r[n] for n in names] for r in rows))
    return _error(request, NotFound(f"There is no table {table!r} to export."))
