"""Files for a reply: upload one (multipart), list those not sent yet."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import AttachmentKind, ReplyAttachment
from inbox.selectors.reply_attachments import attachment_list_unsent
from inbox.services.reply_attachments import attachment_upload
from web.api import serializers as s


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttachmentKind.values)
    filename = serializers.CharField()
    content_type = serializers.CharField(help_text="Judged from the file's bytes")
    size = serializers.IntegerField(help_text="Bytes, as it will be posted")
    created_at = serializers.DateTimeField()


class AttachmentListOut(serializers.Serializer):
    results = AttachmentOut(many=True)


class AttachmentUpload(serializers.Serializer):
    file = serializers.FileField(help_text="A photo, GIF, MP4 video or PDF")


def attachment_snapshot(attachment: ReplyAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "created_at": attachment.created_at.isoformat(),
    }


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
            201: AttachmentOut, 400: s.ErrorResponse, 403: s.ErrorResponse,
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
