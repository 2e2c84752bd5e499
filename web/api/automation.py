"""A team's automation rules (issue #17), for its managers and admins."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import AutomationRule, RuleTrigger
from inbox.services import automation
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TrueFalseField

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class AutomationRuleBody(serializers.Serializer):
    name = serializers.CharField(max_length=automation.NAME_MAX)
    trigger = serializers.ChoiceField(choices=RuleTrigger.values)
    conditions = serializers.DictField(
        required=False,
        help_text="account_ids, platforms (x, facebook), kinds (public, private), words, "
        "languages (da, sv, nb, en), contact_ids: every one given must hold",
    )
    actions = serializers.DictField(
        help_text="team_id, agent_id, tags, priority (low, normal, high, urgent), snooze_minutes"
    )
    position = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
    enabled = TrueFalseField(required=False)


class AutomationRuleOut(AutomationRuleBody):
    id = serializers.IntegerField()
    team_id = serializers.IntegerField()


def rule_out(rule: AutomationRule) -> dict[str, Any]:
    return {
        "id": rule.pk, "team_id": rule.team_id, "name": rule.name, "trigger": rule.trigger,
        "conditions": rule.conditions, "actions": rule.actions, "position": rule.position,
        "enabled": rule.enabled,
    }  # fmt: skip


class AutomationRuleListApi(APIView):
    @extend_schema(
        responses={200: AutomationRuleOut(many=True), **ERRORS}, summary="A team's rules"
    )
    def get(self, request: Request, team_id: int) -> Response:
        rules = automation.automation_rule_list(user=request.user, team_id=team_id)
        return Response([rule_out(r) for r in rules])

    @extend_schema(
        request=AutomationRuleBody,
        responses={201: AutomationRuleOut, **ERRORS},
        summary="Add a rule",
    )
    def post(self, request: Request, team_id: int) -> Response:
        body = parse_body(AutomationRuleBody, request.data)
        rule = automation.automation_rule_create(user=request.user, team_id=team_id, body=body)
        return Response(rule_out(rule), status=201)


class AutomationRuleApi(APIView):
    @extend_schema(responses={200: AutomationRuleOut, **ERRORS}, summary="One rule")
    def get(self, request: Request, automation_rule_id: int) -> Response:
        rule = automation.automation_rule_get(user=request.user, rule_id=automation_rule_id)
        return Response(rule_out(rule))

    @extend_schema(
        request=AutomationRuleBody,
        responses={200: AutomationRuleOut, **ERRORS},
        summary="Change a rule",
    )
    def put(self, request: Request, automation_rule_id: int) -> Response:
        body = parse_body(AutomationRuleBody, request.data)
        rule = automation.automation_rule_update(
            user=request.user, rule_id=automation_rule_id, body=body
        )
        return Response(rule_out(rule))

    @extend_schema(responses={204: None, **ERRORS}, summary="Remove a rule")
    def delete(self, request: Request, automation_rule_id: int) -> Response:
        automation.automation_rule_delete(user=request.user, rule_id=automation_rule_id)
        return Response(status=204)
