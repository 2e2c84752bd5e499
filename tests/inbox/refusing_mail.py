"""A mail backend whose server refuses every connection (tests of a mail server that is down)."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: object) -> int:
        raise ConnectionRefusedError(111, "Connection refused")
