"""Fixtures for the drills."""

from tests.web.conftest import channel_prefix  # noqa: F401 (the live inbox's private prefix)
