"""Media files, served only to those who may see the conversation (``media_get_stored``).

Images (checked and re-encoded on the way in) are shown inline. Everything that can carry
script (SVG, HTML, PDF, anything unknown) is only ever a download: ``Content-Disposition:
attachment``, a neutral type, ``nosniff``, and a sandbox CSP in case a browser renders anyway.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from inbox.exceptions import NotFound
from inbox.media.sniff import EXTENSIONS, INLINE_TYPES
from inbox.selectors.media import media_get_stored


@login_required
@require_GET
def media_file(request: HttpRequest, media_id: int) -> FileResponse:
    media = media_get_stored(user=request.user, media_id=media_id)
    inline = media.content_type in INLINE_TYPES
    name = f"svar-{media.pk}.{EXTENSIONS.get(media.content_type, 'bin')}"
    response = FileResponse(
        media.file.open("rb"),  # streamed in blocks, never read whole
        as_attachment=not inline,
        filename=name,
        content_type=media.content_type if inline else "application/octet-stream",
    )
    return _guarded(response)


@login_required
@require_GET
def media_thumbnail(request: HttpRequest, media_id: int) -> FileResponse:
    media = media_get_stored(user=request.user, media_id=media_id)
    if not media.thumbnail:
        raise NotFound(f"Media {media_id} has no thumbnail.")
    return _guarded(FileResponse(media.thumbnail.open("rb"), content_type="image/jpeg"))


def _guarded(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
