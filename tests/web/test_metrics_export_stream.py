"""The intervals CSV export streams: rows leave as the database yields them, through a
server-side cursor a chunk at a time, never the whole list in memory first (WSGI and ASGI
alike: Django under ASGI would read a plain iterator whole before sending). The CSV itself is
what it always was, and the audit log counts the rows sent."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import StreamingHttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.utils import timezone

from inbox.metrics import intervals
from inbox.metrics.filters import parse_filters
from inbox.metrics.intervals import COLUMNS, DrillDown, interval_rows
from inbox.models import AuditEntry, Conversation, ResponseInterval
from inbox.permissions.roles import Role
from inbox.services import messages_ingest
from tests.factories import AgentFactory, inbound
from web.metrics import export
from web.metrics.views import export_csv

pytestmark = pytest.mark.django_db
ROWS = 1_000
CHUNK = 100
URL = "/metrics/export/intervals.csv?kind=reply"


@pytest.fixture
def manager(team: Any) -> Any:
    manager = AgentFactory(public_name="Maja Manager", teams=[team], role=Role.MANAGER)
    manager.user.refresh_from_db()  # signed in as stored
    return manager


@pytest.fixture
def many(x_account: Any, agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """ROWS answered waits, and a cursor chunk (and a response piece) of CHUNK rows."""
    monkeypatch.setattr(intervals, "STREAM_CHUNK", CHUNK)
    monkeypatch.setattr(export, "LINES_PER_PIECE", CHUNK)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="many")])
    conversation = Conversation.objects.get()
    now = timezone.now()
    ResponseInterval.objects.bulk_create(
        ResponseInterval(
            conversation=conversation,
            team_id=conversation.team_id,
            account=x_account,
            platform="x",
            kind="reply",
            started_at=now - timedelta(hours=2, seconds=i),
            ended_at=now - timedelta(hours=1),
            ended_by="agent",
            agent=agent,
            calendar_seconds=3600 + i,
            business_seconds=3600 + i,
        )  # fmt: skip
        for i in range(ROWS)
    )


def open_cursors() -> int:
    """Server-side cursors open in this session: a streamed query not yet read to its end."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


def expected_csv(manager: Any) -> str:
    """The export as it was built before it streamed: every row of the drill-down, in order."""
    filters = parse_filters(manager.user, {"kind": "reply"})
    rows = interval_rows(filters, DrillDown(kind="reply"), limit=100_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([r[n] for n in COLUMNS] for r in rows)
    return out.getvalue()


def test_the_export_streams_from_a_server_side_cursor(manager, many):
    client = Client()
    client.force_login(manager.user)
    response = client.get(URL)
    assert isinstance(response, StreamingHttpResponse)
    pieces = iter(response.streaming_content)
    header, first = next(pieces), next(pieces)
    assert header.decode() == ",".join(COLUMNS) + "\r\n"
    assert first.decode().count("\r\n") == CHUNK
    # The first rows are out while the query is still being read, and nothing is audited yet.
    assert open_cursors() == 1
    assert not AuditEntry.objects.filter(action="export").exists()
    body = (header + first + b"".join(pieces)).decode()
    assert open_cursors() == 0
    assert body == expected_csv(manager)
    assert body.count("\r\n") == ROWS + 1
    assert AuditEntry.objects.get(action="export").details["rows"] == ROWS


def test_under_asgi_the_export_streams_too(manager, many):
    async def first_pieces() -> tuple[bytes, int, bytes]:
        client = AsyncClient()
        await client.aforce_login(manager.user)
        response = await client.get(URL)
        assert response.is_async  # Django would otherwise read a sync iterator whole first
        pieces = aiter(response.streaming_content)
        start = await anext(pieces) + await anext(pieces)
        cursors = await sync_to_async(open_cursors)()
        rest = b"".join([piece async for piece in pieces])
        return start, cursors, rest

    start, cursors, rest = async_to_sync(first_pieces)()
    assert cursors == 1
    assert (start + rest).decode() == expected_csv(manager)
    assert open_cursors() == 0
    assert AuditEntry.objects.get(action="export").details["rows"] == ROWS


def test_an_export_cut_short_is_audited_with_the_rows_sent(manager, many):
    request = RequestFactory().get(URL)
    request.user = manager.user
    response = export_csv(request, "intervals")  # as the server gets it, without a test client
    pieces = iter(response.streaming_content)
    next(pieces), next(pieces)
    # The client went away: the server closes the response (keeping the test's connection open,
    # as Django's test client does).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert open_cursors() == 0
    assert AuditEntry.objects.get(action="export").details["rows"] == CHUNK
