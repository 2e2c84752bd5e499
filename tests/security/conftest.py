"""Fixtures for the security specs: private Redis key space for the login throttle."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from inbox.models import Conversation
from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.conftest import channel_prefix  # noqa: F401 (a fixture for the live specs)


@pytest.fixture(autouse=True)
def redis_prefix(settings: Any) -> str:
    """Throttle counters under a prefix of this test's own: engineers share one Redis."""
    settings.SVAR_REDIS_PREFIX = f"svar-test-{uuid.uuid4().hex[:12]}"
    return settings.SVAR_REDIS_PREFIX


@pytest.fixture
def conversation(x_account: Any) -> Conversation:
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    return Conversation.objects.get(account=x_account)
