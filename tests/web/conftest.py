"""Fixtures for the live inbox: a private channel-layer prefix, a conversation, and the browser
specs' whole stack (tests/web/browser_support.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.conf import settings as django_settings

from inbox.models import Conversation
from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.browser_support import chromium, contexts, stack  # noqa: F401 (fixtures)


@pytest.fixture
def channel_prefix(settings: Any) -> str:
    """The real channels-redis layer under a prefix of this test's own, so engineers sharing
    one Redis never hear each other's doorbells (their teams have the same ids)."""
    prefix = f"svar-test-{uuid.uuid4().hex[:12]}"
    layers = {**django_settings.CHANNEL_LAYERS}
    layers["default"] = {
        **layers["default"],
        "CONFIG": {**layers["default"]["CONFIG"], "prefix": prefix},
    }
    settings.CHANNEL_LAYERS = layers  # channels drops its cached layers on this signal
    return prefix


@pytest.fixture
def conversation(x_account: Any, channel_prefix: str, transactional_db: None) -> Conversation:
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    return Conversation.objects.get(account=x_account)
