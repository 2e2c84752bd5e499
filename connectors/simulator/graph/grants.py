"""Facebook Login's records in the simulated world: who consented to which app, and the user
and Page tokens that consent produced.

One consent (a Facebook user approving an app) yields a short-lived user token from the code,
long-lived user tokens from it, and a Page token per managed Page. Revoking the consent
(``DELETE /me/permissions``) kills them all. Callers hold ``lock``.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.simulator import demo

CODE_LIFETIME = timedelta(minutes=10)
SHORT_LIVED = timedelta(seconds=5183)  # a user token from the code: one to two hours on Facebook
LONG_LIVED = timedelta(days=60)  # fb_exchange_token
DATA_ACCESS = timedelta(days=90)  # after which the user must log in again, whatever the token
ALL_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MESSAGING")
TASKS_WITHOUT_INBOX = ("ANALYZE", "ADVERTISE", "CREATE_CONTENT")  # the MISSING_TASKS fault


@dataclass(frozen=True, slots=True)
class FacebookUser:
    id: str
    name: str
    page_ids: tuple[str, ...] | None  # None: manages every Page in the world


@dataclass(slots=True)
class Consent:
    user_id: str
    app_id: str
    scopes: tuple[str, ...]
    issued_at: datetime
    data_access_expires_at: datetime
    revoked: bool = False


@dataclass(slots=True)
class Code:
    consent: Consent
    redirect_uri: str
    issued_at: datetime
    used: bool = False


@dataclass(slots=True)
class GraphToken:
    value: str
    kind: str  # "USER" or "PAGE"
    consent: Consent
    issued_at: datetime
    expires_at: datetime | None  # None: never
    page_id: str | None = None
    tasks: tuple[str, ...] = ()
    page_tokens: dict[str, str] = field(default_factory=dict)  # USER: page id -> Page token

    def is_valid(self, now: datetime) -> bool:
        return not self.consent.revoked and (self.expires_at is None or now < self.expires_at)


class Grants:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, FacebookUser] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, GraphToken] = {}

    def add_user(self, user_id: str, name: str, page_ids: tuple[str, ...] | None = None) -> None:
        with self.lock:
            self.users[user_id] = FacebookUser(user_id, name, page_ids)

    def user(self, login_as: str | None) -> FacebookUser | None:
        """The user who consents: ``login_as`` (a user id), else the demo admin."""
        chosen = login_as or demo.FACEBOOK_USER_ID
        with self.lock:
            if chosen in self.users:
                return self.users[chosen]
        if chosen == demo.FACEBOOK_USER_ID:
            return FacebookUser(demo.FACEBOOK_USER_ID, demo.FACEBOOK_USER_NAME, None)
        return None

    def new_code(self, consent: Consent, redirect_uri: str) -> str:
        value = secrets.token_urlsafe(96)
        with self.lock:
            self.codes[value] = Code(consent, redirect_uri, consent.issued_at)
        return value

    def mint(
        self,
        kind: str,
        consent: Consent,
        now: datetime,
        lifetime: timedelta | None,
        page_id: str | None = None,
        tasks: tuple[str, ...] = (),
    ) -> GraphToken:
        prefix = "EAAsim" + ("P" if kind == "PAGE" else "U")
        token = GraphToken(
            value=prefix + secrets.token_urlsafe(90),
            kind=kind,
            consent=consent,
            issued_at=now,
            expires_at=None if lifetime is None else now + lifetime,
            page_id=page_id,
            tasks=tasks,
        )
        with self.lock:
            self.tokens[token.value] = token
        return token

    def revoke(self, consent: Consent) -> list[str]:
        """Revoke the consent; the Page tokens it produced (to retire from the world)."""
        with self.lock:
            consent.revoked = True
            return [
                t.value for t in self.tokens.values() if t.consent is consent and t.kind == "PAGE"
            ]
