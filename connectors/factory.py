"""Build the connector for a channel account from plain values (no ORM objects)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Connector, Platform


def connector_for(
    *, platform: str, external_id: str, token: str, base_url: str | None, timeout: float = 10.0,
    mail_settings: Mapping[str, Any] | None = None,
) -> Connector:  # fmt: skip
    if platform == Platform.X:
        from connectors.twitter.connector import XConnector

        return XConnector(external_id, token, base_url=base_url, timeout=timeout)
    if platform == Platform.FACEBOOK:
        from connectors.facebook.connector import FacebookConnector

        return FacebookConnector(external_id, token, base_url=base_url, timeout=timeout)
    if platform == Platform.EMAIL:
        from connectors.email.config import MailSettings
        from connectors.email.connector import EmailConnector
        from connectors.errors import PlatformRejected

        try:
            settings = MailSettings.from_mapping(mail_settings or {}, external_id)
        except (ValueError, TypeError) as error:
            raise PlatformRejected(f"the mailbox settings are incomplete: {error}") from error
        return EmailConnector(settings, token)
    if platform == Platform.INSTAGRAM:
        from connectors.instagram.connector import InstagramConnector

        return InstagramConnector(external_id, token, base_url=base_url, timeout=timeout)
    raise ValueError(f"no connector for platform {platform!r}")
