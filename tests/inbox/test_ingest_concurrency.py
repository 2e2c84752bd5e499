"""Concurrent polls of one account, with overlapping pages, store every message exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from inbox.models import Conversation, InboxEvent, Message
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)


def test_overlapping_pages_from_parallel_workers_make_no_duplicates(x_account):
    messages = [inbound(thread=f"t{i % 7}", external_id=str(i), author=f"c{i % 7}")
                for i in range(120)]  # fmt: skip
    # Four workers, each with an overlapping window of the same stream.
    pages = [messages[0:60], messages[30:90], messages[60:120], messages[0:120]]
    barrier = threading.Barrier(len(pages))
    errors: list[BaseException] = []

    def poll(page):
        try:
            barrier.wait()
            messages_ingest(account_id=x_account.pk, messages=page)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll, args=(page,)) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Message.objects.count() == 120
    assert Conversation.objects.count() == 7
    seqs = list(InboxEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no repeats
