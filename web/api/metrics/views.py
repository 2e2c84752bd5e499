"""Response-time metrics API for managers' own tools: every figure of the dashboard, with the
same filters (``inbox.metrics.filters``). Managers only; a manager sees only their teams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.exceptions import NotFound
from inbox.metrics.filters import (
    MetricFilters,
    at_risk_team_ids,
    metric_team_ids,
    parse_filters,
    parse_kind,
)
from inbox.metrics.selectors import business_schedule_get
from inbox.metrics.services import business_schedule_set, sla_target_set
from inbox.metrics.sla import at_risk
from inbox.models import BusinessSchedule
from inbox.params import INTEGER_MAX, int_param
from inbox.stored_text import Text
from web.api.metrics import payloads as p
from web.api.metrics import serializers as s
from web.api.serializers import ErrorResponse

ERRORS = {400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse}
INTERVALS_LIMIT_MAX = 1000


Payload = Callable[[MetricFilters, QueryDict], dict[str, Any]]


def _figure_api(payload: Payload, response: type, *parameters: OpenApiParameter) -> type[APIView]:
    """A GET endpoint answering ``payload(filters, query parameters)``, summed up in the schema
    by the payload's docstring."""

    @extend_schema(
        parameters=[*s.FILTER_PARAMETERS, *parameters],
        responses={200: response, **ERRORS},
        summary=payload.__doc__,
    )
    def get(self: APIView, request: Request) -> Response:
        params = request.query_params
        return Response(payload(parse_filters(request.user, params), params))

    name = payload.__name__.removesuffix("_payload").title()
    return type(f"Metrics{name}Api", (APIView,), {"get": get, "__doc__": payload.__doc__})


KIND, BY, BUCKET = s.KIND_PARAMETER, s.BY_PARAMETER, s.BUCKET_PARAMETER
# The dashboard's figures, each at /api/metrics/<name>.
FIGURE_APIS = {
    "summary": _figure_api(p.summary_payload, s.SummaryResponse),
    "breakdown": _figure_api(p.breakdown_payload, s.BreakdownResponse, KIND, BY),
    "series": _figure_api(p.series_payload, s.SeriesResponse, KIND, BUCKET),
    "distribution": _figure_api(p.distribution_payload, s.DistributionResponse, KIND),
    "heatmap": _figure_api(p.heatmap_payload, s.HeatmapResponse),
    "sla": _figure_api(p.sla_payload, s.SlaResponse),
    "approvals": _figure_api(p.approvals_payload, s.ApprovalsResponse),
}


class MetricsAtRiskApi(APIView):
    @extend_schema(
        parameters=s.FILTER_PARAMETERS[2:3],
        responses={200: s.AtRiskResponse, **ERRORS},
        summary="Running waits past 80 % of their SLA target (or past it), most overdue first",
        description=(
            "For the inbox too: any agent may ask, and sees only conversations of their teams."
        ),
    )
    def get(self, request: Request) -> Response:
        team_ids = at_risk_team_ids(request.user, request.query_params.get("team"))
        return Response({"results": [r.as_dict() for r in at_risk(team_ids)]})


class MetricsIntervalsApi(APIView):
    @extend_schema(
        parameters=[
            *s.FILTER_PARAMETERS,
            s.KIND_PARAMETER,
            s.BY_PARAMETER,
            *s.drill_down_parameters(INTERVALS_LIMIT_MAX),
        ],
        responses={200: s.IntervalsResponse, **ERRORS},
        summary="The intervals (and conversations) behind a figure, longest first",
        description=(
            "Narrow with by+key (a breakdown row; key 'none' for replies outside Svar), "
            "min_seconds/max_seconds (a distribution bin), weekday+hour (a heatmap cell, by "
            "start time), breached=1 (SLA breaches). Page with offset and limit."
        ),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        filters = parse_filters(request.user, params)
        drill = p.drill_down(params, parse_kind(params))
        limit, offset = _page(params)
        return Response(p.intervals_payload(filters, drill, limit=limit, offset=offset))


def _page(params: QueryDict) -> tuple[int, int]:
    limit = int_param(params, "limit", default=200, minimum=1, maximum=INTERVALS_LIMIT_MAX)
    offset = int_param(params, "offset", default=0, minimum=0, maximum=INTEGER_MAX)
    return limit, offset


def _schedule(row: BusinessSchedule) -> dict[str, Any]:
    return {
        "time_zone": row.time_zone,
        "weekly": row.weekly,
        "holidays": row.holidays,
        "recomputing": row.recomputing_since is not None,
    }


class TeamScheduleApi(APIView):
    @extend_schema(responses={200: s.ScheduleResponse, **ERRORS}, summary="A team's business hours")
    def get(self, request: Request, team_id: int) -> Response:
        if team_id not in metric_team_ids(request.user):
            raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))
        row = business_schedule_get(team_id=team_id)
        if row is None:
            return Response({"time_zone": "UTC", "weekly": {}, "holidays": [], "always_open": True,
                             "recomputing": False})  # fmt: skip
        return Response(_schedule(row))

    @extend_schema(
        request=s.ScheduleShape,
        responses={200: s.ScheduleResponse, **ERRORS},
        summary="Set a team's business hours; its business-hours figures are recomputed",
        description=(
            "The recompute runs in the background: until it is done, this schedule and every "
            "figure of the team answer recomputing: true."
        ),
    )
    def put(self, request: Request, team_id: int) -> Response:
        data = s.ScheduleShape(data=request.data)
        data.is_valid(raise_exception=True)
        row = business_schedule_set(
            user=request.user,
            team_id=team_id,
            time_zone=data.validated_data["time_zone"],
            weekly=data.validated_data["weekly"],
            holidays=[d.isoformat() for d in data.validated_data["holidays"]],
        )
        return Response(_schedule(row))


class TeamSlaTargetApi(APIView):
    @extend_schema(
        request=s.SlaTargetShape,
        responses={200: s.SlaTargetShape, **ERRORS},
        summary="Set (or, with target_seconds null, remove) a team's SLA target for a kind",
    )
    def put(self, request: Request, team_id: int) -> Response:
        data = s.SlaTargetShape(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sla_target_set(
            user=request.user,
            team_id=team_id,
            kind=v["kind"],
            target_seconds=v["target_seconds"],
            business_hours=v["business_hours"],
        )
        return Response(dict(v))
