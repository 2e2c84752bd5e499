"""An e-mail's HTML, sanitised for display in a sandbox (``web.views.email_html``).

``nh3`` (the Rust ``ammonia`` sanitiser, already Svar's for guidelines and for the text of an
HTML-only mail) with its default allow-list: no ``script``, ``style``, ``iframe``, ``form`` or
event attribute survives. On top, every image that is not embedded (``data:``) loses its
``src`` (a remote image, a tracking pixel, a ``cid:`` part that is shown as media instead), so
opening a mail tells no sender it was read. The page that shows it adds a CSP that blocks
whatever a sanitiser bug might let through (no script, images only from ``data:``).
"""

from __future__ import annotations

import copy
from email.message import Message

import nh3

from connectors.email.text import part_text

MAX_HTML = 500_000  # characters; the full mail stays in the mailbox
_ATTRIBUTES = copy.deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "width", "height"})
_SCHEMES = set(nh3.ALLOWED_URL_SCHEMES) | {"data"}  # data: only for images (_no_remote_images)


def safe_html(message: Message) -> str:
    """The first text/html body (not an attachment) sanitised, or ``""`` when there is none."""
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/html":
            return clean_html(part_text(part))
    return ""


def clean_html(markup: str) -> str:
    cleaned = nh3.clean(
        markup.replace("\x00", ""),
        attributes=_ATTRIBUTES,
        attribute_filter=_no_remote_images,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes=_SCHEMES,
    )
    return cleaned[:MAX_HTML] if len(cleaned) > MAX_HTML else cleaned


def _no_remote_images(tag: str, attribute: str, value: str) -> str | None:
    embedded = value.strip().lower().startswith("data:")
    if tag == "img" and attribute == "src":
        return value if embedded and value.strip().lower().startswith("data:image/") else None
    return None if embedded else value
