"""An e-mail attachment, read from the mailbox for the media fetch job.

The ingest only records where each attachment is (an IMAP URL with UIDVALIDITY, UID and MIME
section, ``connectors.email.attachments``); this reads that one part with the channel account's
own credentials, decoded in slices into a temporary file, so the job then checks, cleans and
stores it exactly like a file downloaded from a platform's CDN."""

from __future__ import annotations

from inbox.media.download import Downloaded, Gone, Refused, TryLater
from inbox.models.media import MediaReason

IMAP_PREFIX = "imap:"


def download_mail_part(media, *, max_bytes: int) -> Downloaded:  # noqa: ANN001 - a Media row
    from connectors.email.attachments import PartTooBig
    from connectors.errors import PlatformRejected, PlatformUnavailable
    from connectors.jobs import (  # as the poll reads the mailbox
        MissingCredentials,
        account_connector,
    )

    try:
        connector = account_connector(media.message.account)
        part = connector.fetch_part(media.source_url, max_bytes)  # type: ignore[attr-defined]
    except PartTooBig as error:
        raise Refused(str(error), MediaReason.TOO_LARGE) from None
    except PlatformRejected as error:
        raise Gone(str(error)) from None
    except (PlatformUnavailable, MissingCredentials) as error:
        raise TryLater(str(error)) from None
    return Downloaded(file=part.file, size=part.size, sha256=part.sha256, head=part.head)
