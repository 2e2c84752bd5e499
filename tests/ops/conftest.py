"""Fixtures for the operations specs."""

from __future__ import annotations

from typing import Any

import pytest

from inbox.models import Conversation
from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.conftest import channel_prefix  # noqa: F401 (a fixture)


@pytest.fixture
def conversation(x_account: Any) -> Conversation:
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    return Conversation.objects.get(account=x_account)
