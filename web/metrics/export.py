"""Every dashboard table as CSV, with the dashboard's filters (seconds, unrounded), streamed:
rows go out as the database yields them, so a 100,000-row export never sits in memory.

Who exported how many rows is recorded in the audit log when the stream ends, also when the
client goes away before it does: the count is what was actually sent.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

from inbox.audit import audit_export
from inbox.metrics import selectors as metrics
from inbox.metrics.filters import MetricFilters, parse_filters, parse_kind
from inbox.metrics.intervals import COLUMNS, interval_rows_stream
from inbox.metrics.sla import sla_summary
from web.api.metrics.payloads import drill_down
from web.metrics.labels import TABLES
from web.streaming import pulled_in_request_thread

INTERVALS_MAX = 100_000
LINES_PER_PIECE = 500  # CSV lines per piece of the response body
STAT_HEADER = ["count", "median_seconds", "p90_seconds", "mean_seconds"]
SLA_FIELDS = ["team", "kind", "target_seconds", "business_hours", "total", "breached",
              "met_share", "running_breached"]  # fmt: skip

Table = tuple[list[str], Iterable[Sequence[Any]]]  # a header and its rows


def _stat_cells(s: metrics.Stats) -> list[Any]:
    return [s.count, s.median, s.p90, s.mean]


def _breakdown(filters: MetricFilters, kind: str, table: str) -> Table:
    rows = metrics.breakdown(filters, kind, TABLES[table])
    return ["key", "label", *STAT_HEADER], ([r.key, r.label, *_stat_cells(r.stats)] for r in rows)


def _series(filters: MetricFilters, kind: str, params: Any) -> Table:
    points = metrics.series(filters, kind, metrics.parse_bucket(params.get("bucket")))
    return ["bucket_start", *STAT_HEADER], ([at.isoformat(), *_stat_cells(s)] for at, s in points)


def _heatmap(filters: MetricFilters) -> Table:
    cells = metrics.heatmap(filters)
    return (
        ["iso_weekday", "hour", "waits", "answered", "median_seconds"],
        ([c.weekday, c.hour, c.waits, c.answered, c.median] for c in cells),
    )


def _sla(filters: MetricFilters) -> Table:
    return SLA_FIELDS, ([getattr(r, f) for f in SLA_FIELDS] for r in sla_summary(filters))


def _intervals(filters: MetricFilters, kind: str, params: Any) -> Table:
    drill = drill_down(params, kind)
    return list(COLUMNS), interval_rows_stream(filters, drill, limit=INTERVALS_MAX)


def _table(table: str, filters: MetricFilters, kind: str, params: Any) -> Table | None:
    """The table's header and rows; None for a table there is not."""
    if table in TABLES:
        return _breakdown(filters, kind, table)
    builders: dict[str, Callable[[], Table]] = {
        "series": lambda: _series(filters, kind, params),
        "distribution": lambda: (
            ["lower_seconds", "upper_seconds", "count"],
            metrics.distribution(filters, kind),
        ),
        "heatmap": lambda: _heatmap(filters),
        "sla": lambda: _sla(filters),
        "intervals": lambda: _intervals(filters, kind, params),
    }
    build = builders.get(table)
    return build() if build else None


class _Echo:
    """A file for ``csv.writer`` that hands each written line back."""

    def write(self, value: str) -> str:
        return value


def _lines(header: list[str], rows: Iterable[Sequence[Any]], done: Callable[[int], object]
           ) -> Generator[str, None, None]:  # fmt: skip
    """The CSV in pieces of ``LINES_PER_PIECE`` lines; ``done(rows sent)`` when it ends."""
    writer = csv.writer(_Echo())
    source: Iterator[Sequence[Any]] = iter(rows)
    sent = 0
    try:
        yield writer.writerow(header)
        while batch := list(islice(source, LINES_PER_PIECE)):
            sent += len(batch)  # handed to the server, even if the client is gone by now
            yield "".join(writer.writerow(r) for r in batch)
    finally:
        if hasattr(source, "close"):
            source.close()  # ends a streamed query's transaction before the audit entry
        done(sent)


def csv_export(request: HttpRequest, table: str) -> StreamingHttpResponse | None:
    """The table as a streamed CSV download; None if there is no such table."""
    params = request.GET
    filters = parse_filters(request.user, params)
    kind = parse_kind(params)
    found = _table(table, filters, kind, params)
    if found is None:
        return None
    query = filters.as_query()
    filename = f"svar-{table}-{kind}-{query['from']}-{query['to']}.csv"
    teams = filters.team_ids

    def audited(rows: int) -> None:
        audit_export(
            user=request.user, what=filename, team_id=teams[0] if len(teams) == 1 else None,
            rows=rows, filters={**query, "team_ids": list(teams)},
        )  # fmt: skip

    lines = _lines(*found, audited)
    body = pulled_in_request_thread(lines) if isinstance(request, ASGIRequest) else lines
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
