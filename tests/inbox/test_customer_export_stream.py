"""The export of a person with 50,000 messages streams (issue #19): rows come through
server-side cursors a chunk at a time and leave as compressed pieces; the memory the export
takes stays a small fraction of the messages' JSON, and the archive holds every message."""

from __future__ import annotations

import json
import secrets
import tempfile
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Message
from inbox.selectors.customer_data import data_scope
from tests.inbox.customer_data_support import customer_with_data
from web.customers.archive import archive_pieces

pytestmark = pytest.mark.django_db
MESSAGES = 50_000


@pytest.fixture
def busy_person(team):
    person = customer_with_data(team)
    start = timezone.now() - timedelta(days=400)
    Message.objects.bulk_create(
        (
            Message(
                conversation=person.private,
                account_id=person.private.account_id,
                direction="in",
                body="",
                text=secrets.token_urlsafe(300),
                author_contact=person.on_facebook,
                platform_time=start + timedelta(seconds=i),
                received_at=start + timedelta(seconds=i),
            )  # fmt: skip
            for i in range(MESSAGES)
        ),
        batch_size=5_000,
    )
    return person


def test_an_export_of_50000_messages_streams_in_bounded_memory(manager, busy_person):
    scope = data_scope(manager.user, busy_person.on_x.pk)
    counts: dict[str, int] = {}
    pieces = 0
    with tempfile.TemporaryFile() as sink:
        tracemalloc.start()
        try:
            for piece in archive_pieces(scope, counts.update):
                sink.write(piece)
                pieces += 1
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        sink.seek(0)
        with zipfile.ZipFile(sink) as archive:
            messages_json = archive.getinfo("messages.json").file_size
            with archive.open("messages.json") as entry:
                assert len(json.load(entry)) == MESSAGES + 3

    print(f"\nexport of {MESSAGES} messages: {pieces} pieces, messages.json "
          f"{messages_json / 1e6:.1f} MB, peak traced memory {peak / 1e6:.1f} MB")  # fmt: skip
    assert counts["messages.json"] == MESSAGES + 3
    assert pieces > MESSAGES // 1_000  # sent as it was written, not at the end
    assert peak < messages_json / 5  # never the whole export in memory
