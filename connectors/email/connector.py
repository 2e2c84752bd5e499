"""The e-mail connector: reads a mailbox over IMAP, sends replies over SMTP.

Cursor (all strings): ``uidvalidity`` and ``last_uid``: every message of the folder up to
``last_uid`` has been read, under that UIDVALIDITY. A new UIDVALIDITY (a restored or migrated
mailbox renumbered its messages) re-reads the folder from the start; the inbox stores a
Message-ID once, so nothing is doubled. The cursor only moves past what was fully read: a
connection lost mid-fetch leaves it where it was, and the next poll reads the same mail again.

Svar never deletes, moves or marks mail (``BODY.PEEK``): the mailbox stays the record.

Sending exactly once: the reply's Message-ID is fixed before the first attempt. ``send``
first APPENDs the copy to the Sent folder flagged ``$SvarSending``, then hands the mail to SMTP,
then clears the flag. ``find_sent`` (asked after an attempt whose outcome is unknown, e.g. a
worker killed mid-send) looks the Message-ID up in the Sent folder: a copy without the flag
was sent; one still flagged was not confirmed and is sent again under the same Message-ID
(receiving mail systems treat a repeated Message-ID as the same message).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime

from imap_tools import MailBox

from connectors.base import (
    DeliveryFailure,
    FetchResult,
    InboundMessage,
    OutboundReply,
    RejectedItem,
    SentReply,
)
from connectors.email.compose import build_reply
from connectors.email.config import MailSettings
from connectors.email.parse import Automatic, MalformedMail, oversized_mail, parse_mail
from connectors.email.servers import imap_session, sizes_of, smtp_session, uid_fetch
from connectors.errors import PlatformRejected, PlatformUnavailable

PAGE_SIZE = 500  # messages per fetch; a bigger backlog continues at once (more_pending)
PAGE_BYTES = 50_000_000  # and at most this much mail per fetch (at least one message)
CHUNK = 50  # messages per IMAP FETCH command
MAX_MESSAGE_BYTES = 25_000_000  # bigger mail is read by its headers only
SENDING_FLAG = "$SvarSending"


class EmailConnector:
    def __init__(self, settings: MailSettings, secret: str, *, page_size: int = PAGE_SIZE) -> None:
        self.settings = settings
        self.secret = secret
        self.page_size = page_size
        self.automatic_seen = 0  # auto-replies and bounces of the last fetch (for the log)

    # -- reading -----------------------------------------------------------------------------

    def fetch(self, cursor: Mapping[str, str]) -> FetchResult:
        with imap_session(self.settings, self.secret) as box:
            status = box.folder.status(self.settings.folder, ["UIDVALIDITY"])
            validity = str(status["UIDVALIDITY"])
            last = int(cursor.get("last_uid", "0") or 0)
            if cursor.get("uidvalidity") != validity:
                last = 0  # renumbered (or first read): from the start, deduplicated by the inbox
            box.folder.set(self.settings.folder, readonly=True)
            unread = sorted(u for u in map(int, box.uids(f"UID {last + 1}:*")) if u > last)
            sizes = sizes_of(box, unread[: self.page_size])
            batch = _within_budget(unread[: self.page_size], sizes)
            messages, rejected, bounces = self._read(box, batch, sizes)
        kept = {k: v for k, v in cursor.items() if k not in ("uidvalidity", "last_uid")}
        return FetchResult(
            messages=tuple(messages),
            rejected=tuple(rejected),
            cursor={**kept, "uidvalidity": validity, "last_uid": str(max(batch, default=last))},
            more_pending=len(unread) > len(batch),
            delivery_failures=tuple(bounces),
        )

    def _read(
        self, box: MailBox, uids: list[int], sizes: Mapping[int, int]
    ) -> tuple[list[InboundMessage], list[RejectedItem], list[DeliveryFailure]]:
        messages: list[InboundMessage] = []
        rejected: list[RejectedItem] = []
        bounces: list[DeliveryFailure] = []
        self.automatic_seen = 0
        small = [u for u in uids if sizes.get(u, 0) <= MAX_MESSAGE_BYTES]
        large = [u for u in uids if u not in set(small)]
        raws: dict[int, bytes] = {}
        for start in range(0, len(small), CHUNK):
            raws.update(uid_fetch(box, small[start : start + CHUNK], "BODY.PEEK[]"))
        headers = uid_fetch(box, large, "BODY.PEEK[HEADER]")
        for uid in uids:
            try:
                if uid in headers:
                    parsed: InboundMessage | Automatic = oversized_mail(
                        headers[uid], sizes[uid], self.settings.address
                    )
                elif uid in raws:
                    parsed = parse_mail(raws[uid], self.settings.address)
                else:
                    continue  # expunged between SEARCH and FETCH: nothing to read
            except MalformedMail as error:
                rejected.append(RejectedItem(reason=f"UID {uid}: {error}", raw=_excerpt(raws, uid)))
                continue
            if isinstance(parsed, Automatic):
                self.automatic_seen += 1
                if parsed.bounce is not None:
                    bounces.append(parsed.bounce)
            else:
                messages.append(parsed)
        return messages, rejected, bounces

    # -- sending -----------------------------------------------------------------------------

    def send(self, reply: OutboundReply) -> SentReply:
        now = datetime.now(UTC)
        mail = build_reply(reply, self.settings, now)
        message_id = str(mail["Message-ID"])
        with imap_session(self.settings, self.secret) as box:
            box.append(mail.as_bytes(), self.settings.sent_folder, dt=now,
                       flag_set=["\\Seen", SENDING_FLAG])  # fmt: skip
        try:
            with smtp_session(self.settings, self.secret) as smtp:
                smtp.send_message(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            self._drop_sent_copy(message_id)
            raise PlatformRejected(f"the SMTP server refused the mail: {error}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                self._drop_sent_copy(message_id)
                raise PlatformRejected(f"the SMTP server refused the mail: {error}") from error
            raise PlatformUnavailable(f"SMTP {error.smtp_code}: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise PlatformUnavailable(f"SMTP {type(error).__name__}: {error}") from error
        with imap_session(self.settings, self.secret) as box:
            box.folder.set(self.settings.sent_folder)
            uids = box.uids(f'HEADER Message-ID "{message_id}"')
            if uids:
                box.flag(uids, SENDING_FLAG, False)
        return SentReply(external_id=message_id, sent_at=now)

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        message_id = reply.extra["message_id"]
        with imap_session(self.settings, self.secret) as box:
            box.folder.set(self.settings.sent_folder)
            for found in box.fetch(f'HEADER Message-ID "{message_id}"', mark_seen=False,
                                   headers_only=True):  # fmt: skip
                if SENDING_FLAG not in found.flags:
                    return SentReply(external_id=message_id, sent_at=found.date or since)
            # Only unconfirmed copies: not known to be sent; drop them, send again.
            self._drop_in_session(box, message_id)
        return None

    def _drop_sent_copy(self, message_id: str) -> None:
        with imap_session(self.settings, self.secret) as box:
            box.folder.set(self.settings.sent_folder)
            self._drop_in_session(box, message_id)

    @staticmethod
    def _drop_in_session(box: object, message_id: str) -> None:
        uids = box.uids(f'HEADER Message-ID "{message_id}"')  # type: ignore[attr-defined]
        if uids:
            box.delete(uids)  # type: ignore[attr-defined]


def _within_budget(uids: list[int], sizes: Mapping[int, int]) -> list[int]:
    """The first UIDs whose mail fits in ``PAGE_BYTES`` (oversized mail counts as nothing: only
    its headers are read); always at least one."""
    total = 0
    for count, uid in enumerate(uids):
        size = sizes.get(uid, 0)
        total += size if size <= MAX_MESSAGE_BYTES else 0
        if total > PAGE_BYTES and count:
            return uids[:count]
    return uids


def _excerpt(raws: Mapping[int, bytes], uid: int) -> str:
    return raws.get(uid, b"")[:2000].decode("utf-8", "replace")
