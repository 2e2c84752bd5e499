"""A mailbox's server settings, checked before they are stored on a channel account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from connectors.base import Platform
from connectors.email.config import MailSettings
from inbox.exceptions import InvalidInput

SECRET_KEYS = {"password", "secret", "token"}


def mail_settings_checked(
    *, platform: str, values: Mapping[str, Any] | None, address: str
) -> dict[str, Any]:
    """The settings as stored: every field explicit. E-mail needs them; other platforms none.
    A password among them is refused: it is the account's token, sealed or in a variable."""
    if platform != Platform.EMAIL:
        if values:
            raise InvalidInput("Only an e-mail account has mail settings.", field="mail_settings")
        return {}
    if SECRET_KEYS & set(values or {}):
        raise InvalidInput(
            "The mailbox password is the account's token (stored encrypted or named by "
            "credentials_ref), never a mail setting.",
            field="mail_settings",
        )
    if "@" not in address:
        raise InvalidInput("An e-mail account's id is its address.", field="external_id")
    try:
        settings = MailSettings.from_mapping(values or {}, address.lower())
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"Mail settings: {error}", field="mail_settings") from error
    stored = asdict(settings)
    return {k: str(v) if k.endswith("_security") else v for k, v in stored.items()}
