"""The dashboard's content: every figure, queried side by side, and what the page shows of each
(headline cards, charts, tables, SLA, the about-to-breach list), linked to its rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.exceptions import InvalidInput
from inbox.metrics import selectors as metrics
from inbox.metrics.approvals import approval_figures, approvals_pending
from inbox.metrics.filters import MetricFilters, metric_team_ids, parse_filters, parse_kind
from inbox.metrics.sla import period_stats_and_sla, running_overview, with_running
from inbox.selectors.agents import agent_list_of_teams
from inbox.selectors.channel_accounts import channel_account_list_of_teams
from inbox.selectors.teams import team_list
from inbox.stored_text import Text
from web.metrics import charts
from web.metrics.concurrent import run_all
from web.metrics.format import change, duration, short_duration
from web.metrics.labels import (
    BUCKET_LABELS,
    CLOCK_LABELS,
    DEFAULT_TABLES,
    DIMENSION_LABELS,
    EXTRA_TABLES,
    KIND_LABELS,
    STATE_LABELS,
    TABLES,
)
from web.metrics.links import Links, conversation_url

AT_RISK_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Asked:
    """What the manager asked for: filters, figure, bucket and tables."""

    filters: MetricFilters
    kind: str
    bucket: metrics.Bucket
    more: str
    tables: tuple[str, ...]
    links: Links


def _asked(user: AbstractBaseUser, params: Mapping[str, str]) -> Asked:
    filters = parse_filters(user, params)
    kind = parse_kind(params)
    bucket = metrics.parse_bucket(params.get("bucket"))
    more = params.get("more") or ""
    if more and more not in EXTRA_TABLES:
        raise InvalidInput(
            Text(gettext_lazy("more must be one of %(choices)s."), choices=", ".join(EXTRA_TABLES)),
            field="more",
        )
    tables = (*DEFAULT_TABLES, more) if more else DEFAULT_TABLES
    return Asked(filters, kind, bucket, more, tables, Links(filters, kind, bucket.value))


def _choices(team_ids: list[int]) -> dict[str, Any]:
    """What the filter form offers: the user's teams and their agents, channels and tags."""
    return {
        "teams": team_list(team_ids=team_ids),
        "agents": agent_list_of_teams(team_ids=team_ids),
        "accounts": channel_account_list_of_teams(team_ids=team_ids),
        "tags": metrics.tag_names(team_ids),
    }


def _figures(asked: Asked, allowed: list[int]) -> dict[str, Any]:
    """Every figure of the page, its queries run side by side."""
    filters, kind = asked.filters, asked.kind
    # The longest first: the pool starts them in this order.
    tasks: dict[str, Callable[[], Any]] = {
        # this period's headline figures and the SLA table, from one pass over its intervals
        "current": lambda: period_stats_and_sla(filters),
        "previous": lambda: metrics.period_stats(filters.previous()),
        "heatmap": lambda: metrics.heatmap(filters),
        # running breaches per target and the about-to-breach list, one timeline per target
        "running": lambda: running_overview(filters.team_ids, limit=AT_RISK_SHOWN),
        "series": lambda: metrics.series(filters, kind, asked.bucket),
        "distribution": lambda: metrics.distribution(filters, kind),
        **{t: (lambda d=TABLES[t]: metrics.breakdown(filters, kind, d)) for t in asked.tables},
        "choices": lambda: _choices(allowed),
        "recomputing": lambda: metrics.business_hours_recomputing(filters.team_ids),
        "approvals": lambda: approval_figures(filters),  # four-eyes (issue #16)
        "approvals_pending": lambda: approvals_pending(filters.team_ids),
    }
    return run_all(tasks)


def _durations(stats: metrics.Stats) -> dict[str, str]:
    return {
        "median": duration(stats.median),
        "p90": duration(stats.p90),
        "mean": duration(stats.mean),
    }


def _headline(asked: Asked, summary: dict[str, dict[str, metrics.Stats]]) -> list[dict[str, Any]]:
    return [
        {
            "kind": k,
            "label": KIND_LABELS[k],
            "current": s["current"],
            "previous": s["previous"],
            **_durations(s["current"]),
            "change": change(s["current"].median, s["previous"].median),
            "href": asked.links.intervals(kind=k),
        }
        for k, s in summary.items()
    ]


def _bucket_range(at: datetime, bucket: metrics.Bucket) -> dict[str, str] | None:
    """The days a bucket covers, as a period filter (an hour has no such link)."""
    day = at.date()
    if bucket == metrics.Bucket.DAY:
        return {"from": day.isoformat(), "to": day.isoformat()}
    if bucket == metrics.Bucket.WEEK:
        return {"from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}
    return None


def _series_chart(asked: Asked, points: list[tuple[datetime, metrics.Stats]]) -> str:
    hourly = asked.bucket == metrics.Bucket.HOUR
    return charts.line_chart(
        [
            charts.Point(
                label=at.strftime("%H:%M %d/%m" if hourly else "%d/%m"),
                values=(s.median, s.p90),
                href=asked.links.intervals(**r) if (r := _bucket_range(at, asked.bucket)) else None,
            )
            for at, s in points
        ],
        [_("median"), "p90"],
        title=_("%(figure)s per %(bucket)s: median and p90")
        % {"figure": KIND_LABELS[asked.kind], "bucket": BUCKET_LABELS[asked.bucket.value]},
    )


def _bin_label(lo: float, hi: float | None) -> str:
    return f"≥ {short_duration(lo)}" if hi is None else f"< {short_duration(hi)}"


def _distribution_chart(asked: Asked, bins: list[tuple[float, float | None, int]]) -> str:
    return charts.bar_chart(
        [
            charts.Bar(_bin_label(lo, hi), n, asked.links.intervals(min_seconds=lo, max_seconds=hi))
            for lo, hi, n in bins
        ],
        title=_("%(figure)s: distribution") % {"figure": KIND_LABELS[asked.kind]},
    )


def _heatmap_chart(asked: Asked, cells: list[metrics.HeatCell]) -> str:
    return charts.heatmap(
        [
            charts.Cell(
                c.weekday,
                c.hour,
                c.waits,
                c.median,
                asked.links.intervals(kind="reply", weekday=c.weekday, hour=c.hour),
            )  # fmt: skip
            for c in cells
        ],
        title=_("Customer waits begun per hour of the week"),
    )


def _table(asked: Asked, name: str, rows: list[metrics.Row]) -> dict[str, Any]:
    dimension = TABLES[name]
    return {
        "name": name,
        "title": _("%(figure)s per %(dimension)s")
        % {"figure": KIND_LABELS[asked.kind], "dimension": DIMENSION_LABELS[dimension]},
        "label": DIMENSION_LABELS[dimension],
        "export": asked.links.export(name),
        "rows": [
            {
                "label": r.label,
                "stats": r.stats,
                **_durations(r.stats),
                "href": asked.links.intervals(
                    by=dimension.value, key="none" if r.key is None else str(r.key)
                ),
            }
            for r in rows
        ],
    }


def _sla_rows(asked: Asked, sla: Any, running_breached: Any) -> list[dict[str, Any]]:
    return [
        {
            **row.as_dict(),
            "target": duration(row.target_seconds),
            "label": KIND_LABELS[row.kind],
            "href": asked.links.intervals(kind=row.kind, breached=1, team=row.team_id),
        }
        for row in with_running(sla, running_breached)
    ]


def _at_risk(asked: Asked, running: list[Any]) -> list[dict[str, Any]]:
    """Running waits close to their target, not yet over it (those the SLA table counts), due
    in the dashboard's time zone and the reader's format."""
    zone = ZoneInfo(asked.filters.time_zone)
    close = [r for r in running if r.state == "at_risk"]
    return [
        {
            **r.as_dict(),
            "due_at": formats.date_format(r.due_at.astimezone(zone), "j M H:i")
            if r.due_at
            else None,
            "elapsed": duration(r.elapsed_seconds),
            "target": duration(r.target_seconds),
            "label": KIND_LABELS[r.kind],
            "state_label": STATE_LABELS.get(r.state, r.state),
            "href": conversation_url(r.conversation_id),
        }
        for r in close[:AT_RISK_SHOWN]
    ]


def _form(asked: Asked, params: Mapping[str, str]) -> dict[str, Any]:
    """What the filter form shows as chosen, and the exports' links."""
    filters, query = asked.filters, asked.filters.as_query()
    return {
        "filters": filters,
        "params": params,
        "kind": asked.kind,
        "kinds": list(KIND_LABELS.items()),
        "clock_label": CLOCK_LABELS.get(filters.clock, filters.clock),
        "bucket": asked.bucket.value,
        "more": asked.more,
        "extra_tables": [(t, DIMENSION_LABELS[TABLES[t]]) for t in EXTRA_TABLES],
        "start_day": query["from"],
        "end_day": query["to"],
        **{f"{t}_export": asked.links.export(t) for t in ("sla", "series", "distribution")},
        "heatmap_export": asked.links.export("heatmap"),
    }


def dashboard_context(user: AbstractBaseUser, params: Mapping[str, str]) -> dict[str, Any]:
    """Everything the dashboard template shows, for this user and these query parameters."""
    asked = _asked(user, params)
    figures = _figures(asked, metric_team_ids(user))
    current, sla = figures["current"]
    running_breached, running = figures["running"]
    return {
        **_form(asked, params),
        "recomputing": figures["recomputing"],
        "headline": _headline(asked, metrics.combine(current, figures["previous"])),
        "series_chart": _series_chart(asked, figures["series"]),
        "distribution_chart": _distribution_chart(asked, figures["distribution"]),
        "heatmap_chart": _heatmap_chart(asked, figures["heatmap"]),
        "tables": [_table(asked, name, figures[name]) for name in asked.tables],
        "sla_rows": _sla_rows(asked, sla, running_breached),
        "at_risk": _at_risk(asked, running),
        "approvals": [
            {**r.as_dict(), "median": duration(r.median_seconds), "mean": duration(r.mean_seconds)}
            for r in figures["approvals"]
        ],
        "approvals_pending": figures["approvals_pending"],
        **figures["choices"],
    }
