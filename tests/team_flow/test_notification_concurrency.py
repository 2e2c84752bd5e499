"""Notes in different conversations mentioning the same colleagues, in opposite orders, from
many threads at once: no deadlock, and each recipient's seqs come out consecutive, each once
(the ``NotificationInbox`` rows are locked in agent id order, inside each note's transaction)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from inbox.models import Conversation, Notification
from inbox.services import messages_ingest, note_create
from tests.factories import AgentFactory, inbound

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
NOTES_EACH = 5


def test_concurrent_mentions_keep_each_recipients_seqs_gapless(team, other_team, x_account):
    # One conversation per thread: their row locks do not serialise the notes.
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread=f"t{i}", external_id=str(500 + i)) for i in range(THREADS)],
    )
    conversations = list(Conversation.objects.filter(account=x_account).order_by("id"))
    authors = [AgentFactory(teams=[team]) for _ in range(THREADS)]
    first, second = AgentFactory(teams=[team]), AgentFactory(teams=[other_team])
    orders = [f"@{first.user.username} @{second.user.username}",
              f"@{second.user.username} @{first.user.username}"]  # fmt: skip
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def write(index: int) -> None:
        try:
            start.wait()
            for _ in range(NOTES_EACH):
                note_create(
                    user=authors[index].user, conversation_id=conversations[index].pk,
                    body=orders[index % 2],
                )  # fmt: skip
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for recipient in (first, second):
        seqs = sorted(
            Notification.objects.filter(recipient=recipient).values_list("seq", flat=True)
        )
        assert seqs == list(range(1, THREADS * NOTES_EACH + 1))
