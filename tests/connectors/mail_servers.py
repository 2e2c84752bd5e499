"""Real mail servers for the e-mail channel's tests: Dovecot (IMAP) and aiosmtpd (SMTP).

``DovecotServer`` (connectors/email/dovecot.py, which the demo mailbox uses too) starts
Debian's ``dovecot`` binary with a private configuration on a free port; mail is put into the
mailbox with IMAP APPEND (as a delivery agent would), so the tests read exactly what a real
server serves.

``SmtpServer`` is aiosmtpd's ``Controller`` on a free port: a real SMTP conversation over a
real socket, with every accepted message kept in ``received``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from connectors.email.dovecot import (  # noqa: F401 - the tests' names for them
    PASSWORD,
    USER,
    DovecotServer,
    dovecot_available,
    free_port,
)


@dataclass
class _Collector:
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        raw = envelope.content  # type: ignore[attr-defined]
        self.received.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))  # type: ignore[attr-defined]
        return "250 OK"


@dataclass
class _OAuthCollector(_Collector):
    """Also AUTH XOAUTH2, each token checked at the mail provider's introspection endpoint (as
    Dovecot does), so an expired token is refused with 535 and nothing is accepted without."""

    introspection_url: str = ""
    refused: int = 0
    refuse_next: int = 0  # refuse this many logins whatever the token (it ended in between)

    async def auth_XOAUTH2(self, server: object, args: list[str]) -> AuthResult:  # noqa: N802
        if len(args) < 2:  # no initial response: ask for it (smtplib always sends one)
            response = await server.challenge_auth("")  # type: ignore[attr-defined]
            if not isinstance(response, bytes):
                return AuthResult(success=False, handled=True)
            line = response.decode()
        else:
            line = base64.b64decode(args[1]).decode()
        fields = dict(part.split("=", 1) for part in line.split("\x01") if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if self.refuse_next:
            self.refuse_next -= 1
        elif await asyncio.to_thread(self._active_user, token) == fields.get("user"):
            return AuthResult(success=True)
        self.refused += 1
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful")  # fmt: skip

    def _active_user(self, token: str) -> str | None:
        body = urllib.parse.urlencode({"token": token}).encode()
        with urllib.request.urlopen(self.introspection_url, body, timeout=5) as answer:
            found = json.loads(answer.read())
        return found.get("username") if found.get("active") else None


class SmtpServer:
    """aiosmtpd on a free port of 127.0.0.1, collecting what it accepts; with an
    ``introspection_url``, only after AUTH XOAUTH2 with a token that endpoint says is live."""

    def __init__(self, *, introspection_url: str = "") -> None:
        self.handler: _Collector = (
            _OAuthCollector(introspection_url=introspection_url)
            if introspection_url else _Collector()
        )  # fmt: skip
        self.port = free_port()
        self.controller = self._controller()
        self.running = False

    def _controller(self) -> Controller:
        if not isinstance(self.handler, _OAuthCollector):
            return Controller(self.handler, hostname="127.0.0.1", port=self.port)
        return Controller(  # AUTH without TLS: it listens on 127.0.0.1 only
            self.handler, hostname="127.0.0.1", port=self.port, auth_required=True,
            auth_require_tls=False, auth_exclude_mechanism=["LOGIN", "PLAIN"],
            authenticator=lambda *_: AuthResult(success=False),
        )  # fmt: skip

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    def restart(self) -> None:
        """Up again on the same port, keeping what it received (a stopped Controller's event
        loop is closed: a new one listens)."""
        self.controller = self._controller()
        self.start()


class CuttingProxy:
    """A TCP proxy in front of a server that drops the connection once the client has sent
    ``trigger`` and the server has begun to answer: a connection lost mid-fetch."""

    def __init__(self, target_port: int, trigger: bytes) -> None:
        self.target_port = target_port
        self.trigger = trigger
        self.port = free_port()
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> CuttingProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.target_port))
        armed = threading.Event()

        def upstream() -> None:
            with contextlib.suppress(OSError):
                while data := client.recv(65536):
                    if self.trigger in data:
                        armed.set()
                    server.sendall(data)

        threading.Thread(target=upstream, daemon=True).start()
        with contextlib.suppress(OSError):
            while data := server.recv(65536):
                if armed.is_set():
                    client.sendall(data[: len(data) // 2])
                    self.cuts += 1
                    break
                client.sendall(data)
        for end in (client, server):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
