"""Fixtures for the security specs: private Redis key space for the login throttle."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.security.sso_support import provider  # noqa: F401 (the simulated identity provider)
from tests.web.conftest import channel_prefix  # noqa: F401 (a fixture for the live specs)


@pytest.fixture(autouse=True)
def redis_prefix(settings: Any) -> str:
    """Throttle counters under a prefix of this test's own: engineers share one Redis."""
    settings.SVAR_REDIS_PREFIX = f"svar-test-{uuid.uuid4().hex[:12]}"
    return settings.SVAR_REDIS_PREFIX
