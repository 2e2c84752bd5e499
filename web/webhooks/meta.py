"""``/webhooks/meta``: Meta's webhook subscription handshake and its signed deliveries.

Order matters: the size is checked first (413), then ``X-Hub-Signature-256`` against the app
secret in constant time over the raw body (403, nothing parsed or stored), and only then is
the JSON read (400). A delivery naming no Page Svar knows is acknowledged (Meta would retry
anything else) and counted, not stored. Otherwise the raw body is stored once per distinct
body and a job queued: no ingest inside the request, so Meta's short timeout is never missed.

No session, no CSRF token: Meta's servers are the only callers and the signature is the proof.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from connectors.facebook.webhook import delivery_page_ids
from connectors.webhook_jobs import enqueue_webhook_drain
from inbox.selectors.webhooks import active_page_ids
from inbox.services.webhooks import webhook_delivery_store
from web.errors import api_error
from web.webhooks import counters

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
PATH = "/webhooks/meta"


@csrf_exempt
@never_cache
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return _delivery(request)


def _handshake(request: HttpRequest) -> HttpResponse:
    """Meta proves the subscription with the verify token; we echo its challenge."""
    expected = settings.SVAR_META_WEBHOOK_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") != "subscribe"
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        return api_error("forbidden", "The verify token does not match.", 403)
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def signature_valid(body: bytes, header: str, secret: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").encode(), expected.encode())


_pages: tuple[float, frozenset[str]] = (0.0, frozenset())


def _known_pages() -> frozenset[str]:
    """Page ids of the active Facebook accounts, read again every few seconds: a flood of
    deliveries costs one query each for its storage, not two."""
    global _pages
    read_at, pages = _pages
    if time.monotonic() - read_at >= settings.SVAR_WEBHOOK_PAGES_CACHE_SECONDS:
        pages = frozenset(active_page_ids())
        _pages = (time.monotonic(), pages)
    return pages


def _delivery(request: HttpRequest) -> HttpResponse:
    limit = settings.SVAR_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return api_error("too_large", f"A delivery may be at most {limit} bytes.", 413)
    body = request.body
    if len(body) > limit:
        return api_error("too_large", f"A delivery may be at most {limit} bytes.", 413)
    header = request.headers.get(SIGNATURE_HEADER, "")
    if not signature_valid(body, header, settings.SVAR_META_APP_SECRET):
        counters.count("bad_signature")
        logger.warning("meta webhook: refused a delivery with a bad or missing signature")
        return api_error("forbidden", "The delivery's signature does not match.", 403)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        counters.count("malformed")
        return api_error("malformed", "The delivery is not JSON.", 400)
    page_ids = delivery_page_ids(payload)
    if not page_ids & _known_pages():
        counters.count("unknown_account")
        logger.warning("meta webhook: a delivery for no known Page (%s)", sorted(page_ids))
        return HttpResponse(status=200)
    stored = webhook_delivery_store(platform="facebook", body=body)
    if not stored.ingested:
        enqueue_webhook_drain()
    if not stored.new:
        counters.count("duplicate")
    return HttpResponse(status=200)


class WebhookEndpointMiddleware:
    """Answers ``/webhooks/meta`` before the session, locale, CSRF, authentication and the
    rest: Meta's servers carry none of them, and in a flood every delivery should cost little
    more than its verification and its INSERT. (The URL route stays, for ``reverse``.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return meta_webhook(request)
        return self.get_response(request)
