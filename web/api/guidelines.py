"""The team's guidelines and rules (read by the team, edited by managers); who needs approval."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.guidelines.rules import DATA_KINDS
from inbox.guidelines.validation import KINDS
from inbox.models import Agent
from inbox.permissions.guidelines import access_rule, access_team
from inbox.selectors.guidelines import guideline_get, guideline_rule_list, guideline_rules_in_force
from inbox.services import guidelines as services
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TextField, TrueFalseField
from web.markdown import render_markdown

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class RuleOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="None: a default rule")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    action = serializers.ChoiceField(choices=["warn", "approval", "block"])
    enabled = serializers.BooleanField()
    words = serializers.ListField(child=serializers.CharField())
    pattern = serializers.CharField(allow_blank=True)
    allowed_domains = serializers.ListField(child=serializers.CharField())
    tag = serializers.CharField(allow_blank=True)
    data_kinds = serializers.ListField(child=serializers.ChoiceField(choices=list(DATA_KINDS)))


class RuleIn(serializers.Serializer):
    name = TextField(max_length=100)
    kind = serializers.ChoiceField(choices=list(KINDS))
    action = serializers.ChoiceField(choices=["warn", "approval", "block"])
    enabled = TrueFalseField(required=False, default=True)
    words = serializers.ListField(child=TextField(max_length=100), required=False, max_length=200)
    pattern = TextField(required=False, allow_blank=True, max_length=500)
    allowed_domains = serializers.ListField(
        child=TextField(max_length=253), required=False, max_length=200
    )
    tag = TextField(required=False, allow_blank=True, max_length=50)
    data_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DATA_KINDS)), required=False
    )


class RulePatch(RuleIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class GuidelineOut(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="Markdown, as written")
    html = serializers.CharField(allow_blank=True, help_text="Rendered and sanitised")
    own_rules = serializers.BooleanField(help_text="False: the default rules apply")
    rules = RuleOut(many=True)


class GuidelineIn(serializers.Serializer):
    text = TextField(allow_blank=True, trim_whitespace=False, max_length=50_000)


def rule_out(rule: Any) -> dict[str, Any]:
    fields = ("name", "kind", "action", "words", "pattern", "allowed_domains", "tag")
    values = {name: getattr(rule, name) for name in (*fields, "data_kinds")}
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    return {"id": rule.id, "enabled": getattr(rule, "enabled", True), **values}


def guideline_out(team_id: int) -> dict[str, Any]:
    guideline = guideline_get(team_id=team_id)
    text = guideline.text if guideline else ""
    rules = (
        guideline_rule_list(team_id=team_id)
        if guideline
        else guideline_rules_in_force(team_id=team_id)
    )
    return {
        "text": text,
        "html": render_markdown(text),
        "own_rules": guideline is not None,
        "rules": [rule_out(r) for r in rules],
    }


class GuidelineApi(APIView):
    @extend_schema(responses={200: GuidelineOut, **ERRORS}, summary="The team's guidelines")
    def get(self, request: Request, team_id: int) -> Response:
        access_team(request.user, team_id)
        return Response(guideline_out(team_id))

    @extend_schema(
        request=GuidelineIn,
        responses={200: GuidelineOut, **ERRORS},
        summary="Write the team's guidelines (managers)",
    )
    def put(self, request: Request, team_id: int) -> Response:
        access_team(request.user, team_id)  # another team's is not found, whatever the body
        data = parse_body(GuidelineIn, request.data)
        services.guideline_text_set(user=request.user, team_id=team_id, text=data["text"])
        return Response(guideline_out(team_id))


class RuleCreateApi(APIView):
    @extend_schema(
        request=RuleIn, responses={201: RuleOut, **ERRORS}, summary="Add a rule (managers)"
    )
    def post(self, request: Request, team_id: int) -> Response:
        access_team(request.user, team_id)
        data = parse_body(RuleIn, request.data)
        rule = services.guideline_rule_create(user=request.user, team_id=team_id, data=data)
        return Response(rule_out(rule), status=status.HTTP_201_CREATED)


class RuleApi(APIView):
    @extend_schema(
        request=RulePatch, responses={200: RuleOut, **ERRORS}, summary="Change a rule (managers)"
    )
    def patch(self, request: Request, rule_id: int) -> Response:
        access_rule(request.user, rule_id)
        data = parse_body(RulePatch, request.data)
        rule = services.guideline_rule_update(user=request.user, rule_id=rule_id, data=data)
        return Response(rule_out(rule))

    @extend_schema(request=None, responses={204: None, **ERRORS}, summary="Remove a rule")
    def delete(self, request: Request, rule_id: int) -> Response:
        services.guideline_rule_delete(user=request.user, rule_id=rule_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApprovalSettingIn(serializers.Serializer):
    needs_approval = TrueFalseField()
    may_approve = TrueFalseField()


class ApprovalSettingOut(ApprovalSettingIn):
    agent_id = serializers.IntegerField()


class AgentApprovalApi(APIView):
    @extend_schema(
        request=ApprovalSettingIn,
        responses={200: ApprovalSettingOut, **ERRORS},
        summary="Mark a team member as needing approval, or let them approve (managers)",
    )
    def put(self, request: Request, team_id: int, agent_id: int) -> Response:
        access_team(request.user, team_id)
        data = parse_body(ApprovalSettingIn, request.data)
        agent: Agent = services.agent_approval_set(
            user=request.user, team_id=team_id, agent_id=agent_id, **data
        )
        return Response(
            {
                "agent_id": agent.pk,
                "needs_approval": agent.needs_approval,
                "may_approve": agent.may_approve,
            }
        )
