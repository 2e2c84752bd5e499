"""The media store of the retention tests: a folder of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.SVAR_MEDIA_S3 = {}
    settings.SVAR_MEDIA_ROOT = tmp_path / "media"
    return settings.SVAR_MEDIA_ROOT
