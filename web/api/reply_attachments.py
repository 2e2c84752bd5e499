"""Files for a reply: upload one (multipart), list those not sent yet, remove one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.media.snapshots import attachment_snapshot
from inbox.selectors.reply_attachments import attachment_list_unsent
from inbox.services.reply_attachments import attachment_remove, attachment_upload
from web.api import serializers as s


class AttachmentListOut(serializers.Serializer):
    results = s.AttachmentOut(many=True)


class AttachmentUpload(serializers.Serializer):
    file = serializers.FileField(help_text="A photo, GIF, MP4 video or PDF")


class ReplyAttachmentsApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        responses={200: AttachmentListOut, 404: s.ErrorResponse},
        summary="Files uploaded for a reply in this conversation and not sent yet",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        rows = attachment_list_unsent(user=request.user, conversation_id=conversation_id)
        return Response({"results": [attachment_snapshot(a) for a in rows]})

    @extend_schema(
        request={"multipart/form-data": AttachmentUpload},
        responses={
            201: s.AttachmentOut, 400: s.ErrorResponse, 403: s.ErrorResponse,
            404: s.ErrorResponse, 413: s.ErrorResponse,
        },
        summary="Upload a file to attach to a reply (checked against the channel's limits)",
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        try:
            upload = request.FILES.get("file")
        except (ParseError, UnsupportedMediaType):
            upload = None  # refused by the service, after the access check
        attachment = attachment_upload(
            user=request.user, conversation_id=conversation_id, upload=upload
        )
        return Response(attachment_snapshot(attachment), status=status.HTTP_201_CREATED)


class ReplyAttachmentApi(APIView):
    @extend_schema(
        responses={
            204: None, 403: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse,
        },
        summary="Remove a file not sent yet (its uploader, or a manager of the team)",
        description="409 attachment_in_use once a reply (queued, held or sent) carries it; "
        "the file leaves the storage once the removal is committed.",
    )  # fmt: skip
    def delete(self, request: Request, conversation_id: int, attachment_id: int) -> Response:
        attachment_remove(
            user=request.user, conversation_id=conversation_id, attachment_id=attachment_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
