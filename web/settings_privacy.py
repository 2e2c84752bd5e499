"""Settings of the data lifecycle (issue #19): where the media store lives (backed up beside
the database by ``manage.py svar_backup``)."""

from __future__ import annotations

import os
from pathlib import Path

SVAR_MEDIA_ROOT = Path(
    os.environ.get("SVAR_MEDIA_ROOT") or Path(__file__).resolve().parent.parent / ".data" / "media"
)
