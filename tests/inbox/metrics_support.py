"""Helpers for the metrics specifications: a settable clock for the services' ``now``."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone


class Clock:
    """What ``timezone.now()`` returns inside the services while a test drives them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now: datetime | None = None
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.now or real())

    def at(self, when: datetime) -> Clock:
        self.now = when
        return self
