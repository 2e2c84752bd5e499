"""An e-mail's HTML, shown in a sandbox: the thread embeds this page in
``<iframe sandbox>`` (no ``allow-scripts``, no ``allow-same-origin``), and the page itself
carries a CSP that loads nothing: no script, no remote image or tracking pixel, no font, no
form; images only when embedded (``data:``), styles only inline. The HTML was already
sanitised on the way in (``connectors/email/html.py``); the CSP and the sandbox hold even if
that ever let something through. Access is checked like a media file's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from inbox.selectors.email_html import message_html_get

POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox allow-popups "
    "allow-popups-to-escape-sandbox"
)


@login_required
@require_GET
@xframe_options_sameorigin
def email_html(request: HttpRequest, message_id: int) -> HttpResponse:
    markup = message_html_get(user=request.user, message_id=message_id)
    page = render_to_string("inbox/email_html.html", {"html": mark_safe(markup)})  # noqa: S308 - sanitised by nh3 at ingest
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
