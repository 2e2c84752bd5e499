"""The e-mail connector: reads a mailbox over IMAP, sends replies over SMTP.

Cursor (all strings): ``uidvalidity`` and ``last_uid``: every message of the folder up to
``last_uid`` has been read, under that UIDVALIDITY. A new UIDVALIDITY (a restored or migrated
mailbox renumbered its messages) re-reads the folder from the start; the inbox stores a
Message-ID once, so nothing is doubled. The cursor only moves past what was fully read: a
connection lost mid-fetch leaves it where it was, and the next poll reads the same mail again.

Svar never deletes, moves or marks mail (``BODY.PEEK``): the mailbox stays the record.

Sending exactly once: the reply's Message-ID is fixed before the first attempt. ``send``
APPENDs the copy to the Sent folder flagged ``$SvarSending``, gives SMTP the envelope, flags
the copy ``$SvarHandedOver`` just before DATA, and clears both flags once SMTP accepted the
mail. ``find_sent`` (asked after an attempt whose outcome is unknown, e.g. a worker killed
mid-send) looks the Message-ID up in the Sent folder: a copy without ``$SvarSending`` was sent;
one handed over may have reached the server and is never sent again; one not yet handed over
never reached it, and is dropped and sent again under the same Message-ID.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

from imap_tools import MailBox

from connectors.base import (
    DeliveryFailure,
    FetchResult,
    InboundMessage,
    OutboundReply,
    RejectedItem,
    SentReply,
)
from connectors.email.attachments import (
    SLICE,
    SpooledPart,
    part_location,
    spool_part,
    transfer_encoding,
    with_location,
)
from connectors.email.compose import build_reply
from connectors.email.config import MailSettings
from connectors.email.parse import Automatic, MalformedMail, oversized_mail, parse_mail
from connectors.email.servers import imap_session, sizes_of, smtp_session, uid_fetch
from connectors.errors import AuthExpired, PlatformRejected, PlatformUnavailable

PAGE_SIZE = 500  # messages per fetch; a bigger backlog continues at once (more_pending)
PAGE_BYTES = 50_000_000  # and at most this much mail per fetch (at least one message)
CHUNK = 50  # messages per IMAP FETCH command
MAX_MESSAGE_BYTES = 25_000_000  # bigger mail is read by its headers only
SENDING_FLAG = "$SvarSending"
HANDED_OVER_FLAG = "$SvarHandedOver"


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
            messages, rejected, bounces = self._read(box, batch, sizes, validity)
        kept = {k: v for k, v in cursor.items() if k not in ("uidvalidity", "last_uid")}
        return FetchResult(
            messages=tuple(messages),
            rejected=tuple(rejected),
            cursor={**kept, "uidvalidity": validity, "last_uid": str(max(batch, default=last))},
            more_pending=len(unread) > len(batch),
            delivery_failures=tuple(bounces),
        )

    def _read(
        self, box: MailBox, uids: list[int], sizes: Mapping[int, int], validity: str
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
                messages.append(self._located(parsed, validity, uid))
        return messages, rejected, bounces

    def _located(self, message: InboundMessage, validity: str, uid: int) -> InboundMessage:
        """The message with each attachment's IMAP URL, for the media fetch job."""
        if not message.media:
            return message
        media = tuple(with_location(m, self.settings.folder, validity, uid) for m in message.media)
        return replace(message, media=media)

    def fetch_part(self, url: str, max_bytes: int) -> SpooledPart:
        """One attachment, read by its IMAP URL in slices into a temporary file. Raises
        PlatformRejected when the mail is gone (expunged, or the folder renumbered) and
        PlatformUnavailable when the server cannot be reached."""
        where = part_location(url)
        if where is None:
            raise PlatformRejected(f"not an attachment address: {url[:100]}")
        with imap_session(self.settings, self.secret) as box:
            status = box.folder.status(where.folder, ["UIDVALIDITY"])
            if str(status["UIDVALIDITY"]) != where.validity:
                raise PlatformRejected("the mailbox folder was renumbered (UIDVALIDITY changed)")
            box.folder.set(where.folder, readonly=True)
            headers = _literal(box, where.uid, f"BODY.PEEK[{where.section}.MIME]")
            if headers is None:
                raise PlatformRejected("the mail is no longer in the mailbox")
            slices = _slices(box, where.uid, where.section)
            return spool_part(slices, transfer_encoding(headers), max_bytes)

    # -- sending -----------------------------------------------------------------------------

    def send(self, reply: OutboundReply) -> SentReply:
        now = datetime.now(UTC)
        mail = build_reply(reply, self.settings, now)
        message_id = str(mail["Message-ID"])
        with imap_session(self.settings, self.secret) as box:
            box.append(mail.as_bytes(), self.settings.sent_folder, dt=now,
                       flag_set=["\\Seen", SENDING_FLAG])  # fmt: skip
            box.folder.set(self.settings.sent_folder)
            copy = box.uids(f'HEADER Message-ID "{message_id}"')
            try:
                self._hand_over(mail, box, copy)
            except (PlatformRejected, AuthExpired):
                box.delete(copy)  # nothing reached the server: no stray copy for the retry
                raise
            box.flag(copy, [SENDING_FLAG, HANDED_OVER_FLAG], False)
        return SentReply(external_id=message_id, sent_at=now)

    def _hand_over(self, mail: EmailMessage, box: MailBox, copy: list[str]) -> None:
        """SMTP: the envelope first; the Sent copy is marked handed over just before DATA, so a
        retry knows whether the server may have the mail. Refusals are PlatformRejected."""
        recipient = str(mail["To"])
        try:
            with smtp_session(self.settings, self.secret) as smtp:
                options = ["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else []
                code, answer = smtp.mail(self.settings.address, options)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, answer, self.settings.address)
                code, answer = smtp.rcpt(recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
                box.flag(copy, HANDED_OVER_FLAG, True)
                try:
                    smtp.data(mail.as_bytes())
                except smtplib.SMTPResponseException:
                    box.flag(copy, HANDED_OVER_FLAG, False)  # answered: not accepted
                    raise
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise PlatformRejected(f"the SMTP server refused the mail: {error}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise PlatformRejected(f"the SMTP server refused the mail: {error}") from error
            raise PlatformUnavailable(f"SMTP {error.smtp_code}: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise PlatformUnavailable(f"SMTP {type(error).__name__}: {error}") from error

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        """After an unknown outcome: sent when the Sent copy is confirmed, or when the mail was
        handed to SMTP's DATA (the server may have it: never sent twice); otherwise the copy is
        dropped and the reply is sent again."""
        message_id = reply.extra["message_id"]
        with imap_session(self.settings, self.secret) as box:
            box.folder.set(self.settings.sent_folder)
            for found in box.fetch(f'HEADER Message-ID "{message_id}"', mark_seen=False,
                                   headers_only=True):  # fmt: skip
                if SENDING_FLAG not in found.flags or HANDED_OVER_FLAG in found.flags:
                    return SentReply(external_id=message_id, sent_at=found.date or since)
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


def _literal(box: MailBox, uid: int, what: str) -> bytes | None:
    typ, data = box.client.uid("FETCH", str(uid), f"({what})")
    if typ != "OK":
        raise PlatformUnavailable(f"IMAP FETCH answered {typ}: {data!r}")
    literals = [item[1] for item in data if isinstance(item, tuple)]
    if literals:
        return literals[0]
    return b"" if any(isinstance(item, bytes) and b"UID" in item for item in data) else None


def _slices(box: MailBox, uid: int, section: str) -> Iterator[bytes]:
    """A part's encoded bytes, ``SLICE`` at a time (partial FETCH, RFC 3501 §6.4.5)."""
    offset = 0
    while True:
        data = _literal(box, uid, f"BODY.PEEK[{section}]<{offset}.{SLICE}>") or b""
        yield data
        if len(data) < SLICE:
            return
        offset += len(data)


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
