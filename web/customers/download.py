"""The archive of a data-subject export as a streamed download, for the API and the page."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from inbox.models import DataRequestKind
from inbox.selectors.customer_data import data_scope
from inbox.services.data_requests import data_request_record
from web.customers.archive import archive_pieces
from web.streaming import pulled_in_request_thread


def archive_response(
    request: HttpRequest, user: AbstractBaseUser, contact_id: int
) -> StreamingHttpResponse:
    """The person's ZIP; the request is recorded (with the rows actually written) when the
    stream ends, also if the client went away first. Refusals happen before any byte."""
    scope = data_scope(user, contact_id)

    def recorded(counts: dict[str, int]) -> None:
        data_request_record(user=user, kind=DataRequestKind.EXPORT, scope=scope, counts=counts)

    pieces = archive_pieces(scope, recorded)
    body = pulled_in_request_thread(pieces) if isinstance(request, ASGIRequest) else pieces
    response = StreamingHttpResponse(body, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="svar-customer-{contact_id}-{stamp}.zip"'
    )
    return response
