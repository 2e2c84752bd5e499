"""Where a mailbox lives: IMAP and SMTP servers, their security, the folders Svar uses.

Stored on the channel account as plain values (``ChannelAccount.mail_settings``); the password
is not among them: it is the account's token, sealed or named by an environment variable like
every platform's token (inbox/credentials.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Security(StrEnum):
    SSL = "ssl"  # TLS from the first byte (IMAPS 993, SMTPS 465)
    STARTTLS = "starttls"  # plain connection upgraded before login (IMAP 143, submission 587)
    NONE = "none"  # only for servers on the same host (tests, the demo mailbox)


@dataclass(frozen=True, slots=True)
class MailSettings:
    address: str  # the channel's own address, e.g. kundeservice@skat.dk
    imap_host: str
    smtp_host: str
    username: str = ""  # the login; the address when empty
    imap_port: int = 993
    imap_security: Security = Security.SSL
    smtp_port: int = 587
    smtp_security: Security = Security.STARTTLS
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    # The name after the agent's in From: "Mette Jensen, Skattestyrelsen <kundeservice@…>".
    organisation: str = ""
    timeout: float = 30.0
    auth: str = "password"  # or "xoauth2": the account's token is then an OAuth2 access token
    # XOAUTH2: whose token endpoint renews the access token ("microsoft" or "google"), and the
    # Microsoft Entra tenant (its id or domain; "organizations" for any work account).
    oauth_provider: str = ""
    oauth_tenant: str = "organizations"

    @property
    def login(self) -> str:
        return self.username or self.address

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], address: str) -> MailSettings:
        """Build from stored values; raises ``ValueError`` naming what is wrong."""
        known = {k: values[k] for k in cls.__dataclass_fields__ if k in values}
        known.setdefault("address", address)
        for name in ("imap_host", "smtp_host"):
            if not known.get(name):
                raise ValueError(f"the mailbox settings lack {name}")
        for name in ("imap_port", "smtp_port"):
            if name in known:
                known[name] = int(known[name])
        for name in ("imap_security", "smtp_security"):
            if name in known:
                known[name] = Security(known[name])
        if known.get("auth", "password") not in ("password", "xoauth2"):
            raise ValueError(f"auth must be password or xoauth2, not {known['auth']!r}")
        if known.get("oauth_provider", "") not in ("", "microsoft", "google"):
            raise ValueError(f"oauth_provider must be microsoft or google, not "
                             f"{known['oauth_provider']!r}")  # fmt: skip
        if "timeout" in known:
            known["timeout"] = float(known["timeout"])
        return cls(**known)
