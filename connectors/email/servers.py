"""Connections to a mailbox's IMAP and SMTP servers, errors translated to Svar's.

IMAP through ``imap-tools`` (a maintained wrapper over the standard ``imaplib``: TLS,
STARTTLS, XOAUTH2, folder status and APPEND done right); the FETCH of raw messages by UID goes
to the underlying ``imaplib`` client, so each mail is parsed once, by the standard ``email``
package with ``policy.default``. SMTP through the standard ``smtplib``.

Authentication: a password, or an OAuth2 access token (XOAUTH2) when the settings say
``auth = "xoauth2"`` (Microsoft 365 and Google Workspace, where basic authentication is going).
"""

from __future__ import annotations

import imaplib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError

from connectors.email.config import MailSettings, Security
from connectors.errors import AuthExpired, PlatformRejected, PlatformUnavailable

_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@contextmanager
def imap_session(settings: MailSettings, secret: str) -> Iterator[MailBox]:
    """A logged-in IMAP session; any failure becomes a ConnectorError."""
    kinds = {Security.SSL: MailBox, Security.STARTTLS: MailBoxStartTls,
             Security.NONE: MailBoxUnencrypted}  # fmt: skip
    try:
        box = kinds[settings.imap_security](
            settings.imap_host, settings.imap_port, timeout=settings.timeout
        )
        if settings.auth == "xoauth2":
            box.xoauth2(settings.login, secret, initial_folder=None)
        else:
            box.login(settings.login, secret, initial_folder=None)
    except (OSError, imaplib.IMAP4.abort) as error:  # abort: the connection, not the login
        raise PlatformUnavailable(f"IMAP {type(error).__name__}: {error}") from error
    except (MailboxLoginError, imaplib.IMAP4.error) as error:
        # A NO to LOGIN or AUTHENTICATE (imaplib raises AUTHENTICATE's NO itself, e.g.
        # "[AUTHENTICATIONFAILED]" for an expired XOAUTH2 token): the credentials were refused.
        raise AuthExpired(f"the IMAP server refused the login: {error}") from error
    try:
        yield box
    except (OSError, imaplib.IMAP4.abort) as error:
        raise PlatformUnavailable(
            f"IMAP connection lost: {type(error).__name__}: {error}"
        ) from error
    except imaplib.IMAP4.error as error:
        raise PlatformRejected(f"the IMAP server refused: {error}") from error
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            box.logout()


def uid_fetch(box: MailBox, uids: list[int], what: str) -> dict[int, bytes]:
    """``UID FETCH`` of ``what`` for these UIDs: UID → the literal (or the status line)."""
    if not uids:
        return {}
    typ, data = box.client.uid("FETCH", ",".join(map(str, uids)), f"(UID {what})")
    if typ != "OK":
        raise PlatformUnavailable(f"IMAP FETCH answered {typ}: {data!r}")
    found: dict[int, bytes] = {}
    pending: bytes | None = None
    for item in data:
        if isinstance(item, tuple):
            head, literal = item
            uid = _UID.search(head)
            if uid:
                found[int(uid.group(1))] = literal
            else:
                pending = literal  # the server put UID after the literal
        elif isinstance(item, bytes) and (uid := _UID.search(item)):
            found[int(uid.group(1))] = pending if pending is not None else item
            pending = None
    return found


def sizes_of(box: MailBox, uids: list[int]) -> dict[int, int]:
    return {
        uid: int(match.group(1))
        for uid, line in uid_fetch(box, uids, "RFC822.SIZE").items()
        if (match := _SIZE.search(line))
    }


@contextmanager
def smtp_session(settings: MailSettings, secret: str) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP session (login skipped when the server offers no AUTH, as a local
    relay does); connection failures are PlatformUnavailable, refusals PlatformRejected."""
    context = ssl.create_default_context()
    try:
        if settings.smtp_security == Security.SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
            if settings.smtp_security == Security.STARTTLS:
                smtp.starttls(context=context)
        smtp.ehlo_or_helo_if_needed()
        if smtp.has_extn("auth"):
            if settings.auth == "xoauth2":
                line = f"user={settings.login}\x01auth=Bearer {secret}\x01\x01"
                smtp.auth("XOAUTH2", lambda _challenge=None: line, initial_response_ok=True)
            else:
                smtp.login(settings.login, secret)
    except smtplib.SMTPAuthenticationError as error:
        raise AuthExpired(f"the SMTP server refused the login: {error}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise PlatformUnavailable(f"SMTP {type(error).__name__}: {error}") from error
    try:
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
