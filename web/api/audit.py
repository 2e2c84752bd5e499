"""The audit log, for managers (their teams) and admins (everything)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.audit import audit_entry_list
from inbox.models import AuditAction, AuditEntry
from inbox.params import ID_MAX, choice_param, id_param, int_param
from web.api import serializers as s

PAGE_MAX = 200


class AuditQuery(serializers.Serializer):
    team = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    action = serializers.ChoiceField(choices=AuditAction.values, required=False)
    before = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text="Entries older than this id (the next page)",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=PAGE_MAX, default=50)


class AuditEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = s.AgentRef(allow_null=True)
    actor_label = serializers.CharField()
    action = serializers.ChoiceField(choices=AuditAction.values)
    object_type = serializers.CharField()
    object_id = serializers.CharField(allow_blank=True)
    team_id = serializers.IntegerField(allow_null=True)
    details = serializers.DictField()
    ip = serializers.IPAddressField(allow_null=True)
    request_id = serializers.CharField(allow_blank=True)


class AuditPage(serializers.Serializer):
    results = AuditEntryOut(many=True)
    next_before = serializers.IntegerField(allow_null=True)


def _entry(entry: AuditEntry) -> dict[str, Any]:
    actor = entry.actor
    return {
        "id": entry.pk,
        "created_at": entry.created_at.isoformat(),
        "actor": (
            {"id": actor.pk, "public_name": actor.public_name, "initials": actor.initials}
            if actor
            else None
        ),
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "team_id": entry.team_id,
        "details": entry.details,
        "ip": entry.ip,
        "request_id": entry.request_id,
    }


class AuditListApi(APIView):
    @extend_schema(
        parameters=[AuditQuery],
        responses={200: AuditPage, 400: s.ErrorResponse, 403: s.ErrorResponse},
        summary="Who sent, assigned, changed, connected and exported what (managers, admins)",
    )
    def get(self, request: Request) -> Response:
        query = request.query_params  # parsed as AuditQuery documents it
        limit = int_param(query, "limit", default=50, minimum=1, maximum=PAGE_MAX)
        entries = audit_entry_list(
            user=request.user,
            team_id=id_param(query, "team"),
            action=choice_param(query, "action", AuditAction.values),
            before_id=id_param(query, "before"),
            limit=limit,
        )
        full = len(entries) == limit
        return Response(
            {
                "results": [_entry(e) for e in entries],
                "next_before": entries[-1].pk if full else None,
            }
        )
