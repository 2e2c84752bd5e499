"""The intervals behind a figure (the drill-down), longest first: a page of them for the
dashboard and the API, or all of them, streamed, for the CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from inbox.metrics.filters import MetricFilters, where
from inbox.metrics.selectors import GROUP_SQL, SORT_MEMORY, Dimension, fetch

# An interval row's fields, in the order of the query's columns (and of the CSV export's).
COLUMNS = (
    "id", "conversation_id", "kind", "opening", "started_at", "ended_at", "ended_by",
    "calendar_seconds", "business_seconds", "platform", "account", "agent",
    "contact_name", "contact_handle", "team", "breached",
)  # fmt: skip
# Rows fetched per round trip while streaming: memory stays at one chunk, however long the list.
STREAM_CHUNK = 2_000

_MEASURED = "CASE WHEN st.business_hours THEN ri.business_seconds ELSE ri.calendar_seconds END"


@dataclass(frozen=True, slots=True)
class DrillDown:
    """Narrows a figure to its intervals: a dimension's value, a bin, a heatmap cell, breaches."""

    kind: str
    dimension: Dimension | None = None
    key: str | None = None  # "none" selects the null key (replies outside Svar)
    min_seconds: float | None = None
    max_seconds: float | None = None
    weekday: int | None = None
    hour: int | None = None
    breached: bool = False


def _dimension_clause(drill: DrillDown) -> tuple[list[str], list[object]]:
    """A breakdown row: its dimension has the row's key (a tag: the conversation carries it)."""
    if drill.dimension is None or drill.key is None:
        return [], []
    column, _ = GROUP_SQL[drill.dimension]
    if drill.dimension == Dimension.TAG:
        return [
            "EXISTS (SELECT 1 FROM inbox_conversation_tags dt JOIN inbox_tag t"
            " ON t.id = dt.tag_id WHERE dt.conversation_id = ri.conversation_id"
            " AND t.name = %s)"
        ], [drill.key]
    if drill.key == "none":
        return [f"{column} IS NULL"], []
    return [f"{column}::text = %s"], [drill.key]


def _narrowing(filters: MetricFilters, drill: DrillDown) -> tuple[list[str], list[object]]:
    """The drill-down's own conditions, beyond the filters': row, bin, heatmap cell, breach."""
    clauses, params = _dimension_clause(drill)
    v = filters.value_column
    for condition, value in ((f"{v} >= %s", drill.min_seconds), (f"{v} < %s", drill.max_seconds)):
        if value is not None:
            clauses.append(condition)
            params.append(value)
    if drill.weekday is not None:
        clauses.append("extract(isodow FROM ri.started_at AT TIME ZONE %s) = %s")
        clauses.append("extract(hour FROM ri.started_at AT TIME ZONE %s) = %s")
        params += [filters.time_zone, drill.weekday, filters.time_zone, drill.hour]
    if drill.breached:
        clauses.append(f"{_MEASURED} > st.target_seconds")
    return clauses, params


def _interval_sql(filters: MetricFilters, drill: DrillDown) -> tuple[str, list[object]]:
    """The query for the drill-down's rows (``COLUMNS``), longest first, without a limit."""
    # A heatmap cell counts waits by when they began; every other figure by when they ended.
    by = "started_at" if drill.weekday is not None else "ended_at"
    clause, params = where(filters, (drill.kind,), by=by)
    narrowing, narrowing_params = _narrowing(filters, drill)
    sql = f"""
        SELECT ri.id, ri.conversation_id, ri.kind, ri.opening, ri.started_at, ri.ended_at,
               ri.ended_by, ri.calendar_seconds, ri.business_seconds, ri.platform,
               a.display_name, ag.public_name, cu.name, cu.handle, tm.name,
               CASE WHEN st.id IS NULL THEN NULL ELSE {_MEASURED} > st.target_seconds END
          FROM inbox_responseinterval ri
          JOIN inbox_channelaccount a ON a.id = ri.account_id
          JOIN inbox_team tm ON tm.id = ri.team_id
          JOIN inbox_conversation c ON c.id = ri.conversation_id
          JOIN inbox_contact cu ON cu.id = c.contact_id
          LEFT JOIN inbox_agent ag ON ag.id = ri.agent_id
          {"" if drill.breached else "LEFT"} JOIN inbox_slatarget st
               ON st.team_id = ri.team_id AND st.kind = ri.kind
         WHERE {" AND ".join([clause, *narrowing])}
         ORDER BY {filters.value_column} DESC NULLS LAST, ri.id
    """
    return sql, [*params, *narrowing_params]


def interval_rows(
    filters: MetricFilters, drill: DrillDown, *, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the drill-down's rows, as dicts keyed by ``COLUMNS``."""
    sql, params = _interval_sql(filters, drill)
    rows = fetch(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def interval_rows_stream(
    filters: MetricFilters, drill: DrillDown, *, limit: int
) -> Iterator[tuple[Any, ...]]:
    """The drill-down's first ``limit`` rows (tuples in ``COLUMNS`` order), read through a
    server-side cursor ``STREAM_CHUNK`` rows at a time while the caller iterates: an export of
    100,000 rows never holds more than a chunk. The transaction the cursor needs stays open
    until the iteration ends or the generator is closed."""
    sql, params = _interval_sql(filters, drill)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [SORT_MEMORY])
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s", [*params, limit])
            while chunk := cursor.fetchmany(STREAM_CHUNK):
                yield from chunk
