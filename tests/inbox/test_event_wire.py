"""The wire form of every event kind, as the services announce it: key order and shape are the
contract of docs/realtime.md (clients and the replay SQL read them), so any change shows here."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django_rq
import pytest

from connectors.base import MediaItem, MediaKind
from inbox.models import Conversation, Media
from inbox.services import (
    conversation_assign,
    conversation_set_status,
    conversation_tag,
    messages_ingest,
    note_create,
    reply_create,
)
from inbox.services.accounts import account_poll_failed
from inbox.services.delivery import reply_delivery_begin, reply_delivery_succeeded
from inbox.services.media_ingest import MEDIA_QUEUE
from inbox.services.media_store import media_unavailable
from tests.factories import inbound

pytestmark = pytest.mark.django_db

_TIME = re.compile(r'"\d{4}-\d\d-\d\dT[0-9:.]+\+00:00"')
_ID = re.compile(r'"(id|seq|team_id|author_contact_id|by_agent_id|message_id)":\d+')


def wire(event: dict[str, Any]) -> str:
    """The event as clients receive it, with ids and times (which differ per run) masked."""
    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return _ID.sub(r'"\1":#', _TIME.sub('"T"', text))


GOLDEN = Path(__file__).with_name("event_wire.golden")


def test_each_event_kind_keeps_its_wire_form(x_account, agent, colleague, published):
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    photo = MediaItem(MediaKind.PHOTO, "https://cdn.example/p.jpg", "Kvittering", "image/jpeg")
    first = replace(inbound(external_id="101", body="Hej", at=at), media=(photo,))
    messages_ingest(account_id=x_account.pk, messages=[first])
    django_rq.get_queue(MEDIA_QUEUE).empty()  # the fetch job: this test only reads events
    pk = Conversation.objects.get().pk
    user = agent.user
    message = reply_create(user=user, conversation_id=pk, body="Svar")
    reply_delivery_begin(message_id=message.pk)
    reply_delivery_succeeded(message_id=message.pk, external_id="777", sent_at=at)
    conversation_assign(user=user, conversation_id=pk, assignee_id=colleague.pk)
    conversation_set_status(user=user, conversation_id=pk, status="resolved")
    conversation_tag(user=user, conversation_id=pk, add=["mitid"])
    note_create(user=user, conversation_id=pk, body="Ring tilbage")
    account_poll_failed(account_id=x_account.pk, error="timeout")
    media_unavailable(media_id=Media.objects.get().pk, code="gone", detail="HTTP 410")

    # One line per event, written from the code before the events package (issue #12); a new
    # kind adds its line, a new field changes the lines that carry it.
    assert [wire(e) for e in published] == GOLDEN.read_text(encoding="utf-8").splitlines()
