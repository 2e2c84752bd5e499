"""Fixtures for the operations specs."""

from __future__ import annotations

from tests.web.conftest import channel_prefix  # noqa: F401 (a fixture)
