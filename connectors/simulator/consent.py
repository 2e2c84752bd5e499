"""The pages a person sees during an OAuth flow: a consent form, a redirect, an error page.

Shared by the X and Facebook simulators. Everything interpolated is HTML-escaped: the
parameters come from whoever built the authorization URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

from connectors.simulator.wire import SimResponse

HTML = "text/html; charset=utf-8"


def consent_page(
    *,
    title: str,
    intro: str,
    items: Iterable[str],
    action: str,
    hidden: Mapping[str, str],
    allow_label: str,
    deny_label: str,
) -> SimResponse:
    """A form posting ``hidden`` plus ``decision=allow|deny`` back to ``action``."""
    fields = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in hidden.items()
    )
    listed = "".join(f"<li>{escape(item)}</li>" for item in items)
    body = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'</head><body><main><h1>{escape(title)}</h1><p class="intro">{escape(intro)}</p>'
        f'<ul class="grants">{listed}</ul>'
        f'<form method="post" action="{escape(action)}">{fields}'
        f'<button type="submit" name="decision" value="allow">{escape(allow_label)}</button>'
        f'<button type="submit" name="decision" value="deny">{escape(deny_label)}</button>'
        "</form></main></body></html>"
    )
    return SimResponse(200, body.encode(), {"Content-Type": HTML, "Cache-Control": "no-store"})


def redirect(url: str, params: Mapping[str, str]) -> SimResponse:
    """302 to ``url`` with ``params`` added to whatever query it already has."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return SimResponse(302, b"", {"Location": location, "Cache-Control": "no-store"})


def error_page(status: int, message: str) -> SimResponse:
    """What the platform shows instead of a consent form when the request itself is wrong."""
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Something went wrong</title>'
        f'</head><body><h1>Something went wrong</h1><p class="error">{escape(message)}</p>'
        "</body></html>"
    )
    return SimResponse(status, body.encode(), {"Content-Type": HTML})
