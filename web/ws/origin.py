"""Which pages may open the live inbox: a WebSocket handshake is accepted only from an origin
the site is served from, compared by scheme, host and port.

Browsers send the session cookie with a WebSocket handshake from any page and leave the check
to the server. Channels' ``AllowedHostsOriginValidator`` compared the Origin's host with
ALLOWED_HOSTS only, so a page on another port of the same host (``http://127.0.0.1:9999``)
rode the user's session. The allowed origins are, as for Django's CSRF check:

- the connection's own origin: its Host header (which must be in ALLOWED_HOSTS) with the scheme
  the connection used (``ws`` → http, ``wss`` → https; behind a proxy, https when
  SECURE_PROXY_SSL_HEADER says so), so same-origin pages work on any port and behind a proxy
  that keeps the Host header;
- CSRF_TRUSTED_ORIGINS (``https://svar.example``, ``https://*.example``), for a proxy that
  rewrites Host.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]  # as Django's own, DEBUG and none set


class Origin(NamedTuple):
    scheme: str
    host: str  # lower case; a pattern's may start with "." (the domain and its subdomains)
    port: int


def parse_origin(value: str) -> Origin | None:
    """``scheme://host[:port]`` with the port made explicit; None for anything else ("null")."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path.strip("/"):
        return None
    host = parts.hostname.lower()
    return Origin(scheme, f"[{host}]" if ":" in host else host, port or DEFAULT_PORTS[scheme])


def trusted_origin(pattern: str) -> Origin | None:
    """A CSRF_TRUSTED_ORIGINS entry; ``https://*.example`` becomes host ``.example``."""
    wildcard = "://*." in pattern
    origin = parse_origin(pattern.replace("://*.", "://", 1) if wildcard else pattern)
    if origin is None or not wildcard:
        return origin
    return origin._replace(host=f".{origin.host}")


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _is_secure(scope: dict[str, Any]) -> bool:
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, secure_value = proxy_header
        forwarded = _header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        if forwarded is not None:
            return forwarded.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme", "ws") in ("wss", "https")


def own_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin the connection was made to, if its Host is one this site answers to."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS or (DEBUG_HOSTS if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed_hosts):
        return None
    return parse_origin(f"{'https' if _is_secure(scope) else 'http'}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin_header = _header(scope, b"origin")
    origin = parse_origin(origin_header) if origin_header is not None else None
    if origin is None:
        return False
    if origin == own_origin(scope):
        return True
    return any(
        pattern is not None
        and (pattern.scheme, pattern.port) == (origin.scheme, origin.port)
        and is_same_domain(origin.host, pattern.host)
        for pattern in map(trusted_origin, settings.CSRF_TRUSTED_ORIGINS)
    )


class SameOriginValidator:
    """ASGI middleware: a WebSocket handshake from any other origin is refused (403)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
