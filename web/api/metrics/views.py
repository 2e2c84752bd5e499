"""Response-time metrics API for managers' own tools: every figure of the dashboard, with the
same filters (``inbox.metrics.filters``). Managers only; a manager sees only their teams."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.exceptions import InvalidInput, NotFound
from inbox.metrics import selectors as metrics
from inbox.metrics.filters import (
    at_risk_team_ids,
    metric_team_ids,
    parse_filters,
    parse_kind,
)
from inbox.metrics.services import business_schedule_set, sla_target_set
from inbox.metrics.sla import at_risk
from inbox.models import BusinessSchedule
from web.api.metrics import payloads as p
from web.api.metrics import serializers as s
from web.api.serializers import ErrorResponse

ERRORS = {400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse}
INTERVALS_LIMIT_MAX = 1000


class MetricsSummaryApi(APIView):
    @extend_schema(
        parameters=s.FILTER_PARAMETERS,
        responses={200: s.SummaryResponse, **ERRORS},
        summary="First response, reply and resolution time: this period and the one before",
    )
    def get(self, request: Request) -> Response:
        return Response(p.summary_payload(parse_filters(request.user, request.query_params)))


class MetricsBreakdownApi(APIView):
    @extend_schema(
        parameters=[*s.FILTER_PARAMETERS, s.KIND_PARAMETER, s.BY_PARAMETER],
        responses={200: s.BreakdownResponse, **ERRORS},
        summary="Count, median, p90 and mean per agent, team, platform, account or tag",
    )
    def get(self, request: Request) -> Response:
        filters = parse_filters(request.user, request.query_params)
        kind = parse_kind(request.query_params)
        by = metrics.parse_dimension(request.query_params.get("by"))
        return Response(p.breakdown_payload(filters, kind, by))


class MetricsSeriesApi(APIView):
    @extend_schema(
        parameters=[*s.FILTER_PARAMETERS, s.KIND_PARAMETER, s.BUCKET_PARAMETER],
        responses={200: s.SeriesResponse, **ERRORS},
        summary="Stats per hour, day or week (by the time the interval ended)",
    )
    def get(self, request: Request) -> Response:
        filters = parse_filters(request.user, request.query_params)
        kind = parse_kind(request.query_params)
        bucket = metrics.parse_bucket(request.query_params.get("bucket"))
        return Response(p.series_payload(filters, kind, bucket))


class MetricsDistributionApi(APIView):
    @extend_schema(
        parameters=[*s.FILTER_PARAMETERS, s.KIND_PARAMETER],
        responses={200: s.DistributionResponse, **ERRORS},
        summary="How many intervals took 0–1 min, 1–5 min, … (every bin listed)",
    )
    def get(self, request: Request) -> Response:
        filters = parse_filters(request.user, request.query_params)
        return Response(p.distribution_payload(filters, parse_kind(request.query_params)))


class MetricsHeatmapApi(APIView):
    @extend_schema(
        parameters=s.FILTER_PARAMETERS,
        responses={200: s.HeatmapResponse, **ERRORS},
        summary="Hour-of-week heatmap: customer waits begun, and their median reply time",
    )
    def get(self, request: Request) -> Response:
        return Response(p.heatmap_payload(parse_filters(request.user, request.query_params)))


class MetricsSlaApi(APIView):
    @extend_schema(
        parameters=s.FILTER_PARAMETERS,
        responses={200: s.SlaResponse, **ERRORS},
        summary="Per team and kind with a target: intervals, breaches, share met",
    )
    def get(self, request: Request) -> Response:
        return Response(p.sla_payload(parse_filters(request.user, request.query_params)))


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
        parameters=[*s.FILTER_PARAMETERS, s.KIND_PARAMETER, s.BY_PARAMETER],
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
        limit, offset = _page(params.get("limit"), params.get("offset"))
        return Response(p.intervals_payload(filters, drill, limit=limit, offset=offset))


def _page(limit: str | None, offset: str | None) -> tuple[int, int]:
    try:
        size = int(limit or 200)
        start = int(offset or 0)
    except ValueError:
        raise InvalidInput("limit and offset are numbers.", field="limit") from None
    if not 1 <= size <= INTERVALS_LIMIT_MAX or start < 0:
        raise InvalidInput(f"limit is 1–{INTERVALS_LIMIT_MAX}, offset ≥ 0.", field="limit")
    return size, start


class TeamScheduleApi(APIView):
    @extend_schema(responses={200: s.ScheduleShape, **ERRORS}, summary="A team's business hours")
    def get(self, request: Request, team_id: int) -> Response:
        if team_id not in metric_team_ids(request.user):
            raise NotFound(f"Team {team_id} was not found.")
        row = BusinessSchedule.objects.filter(team_id=team_id).first()
        if row is None:
            return Response({"time_zone": "UTC", "weekly": {}, "holidays": [], "always_open": True})
        return Response(
            {"time_zone": row.time_zone, "weekly": row.weekly, "holidays": row.holidays}
        )

    @extend_schema(
        request=s.ScheduleShape,
        responses={200: s.ScheduleShape, **ERRORS},
        summary="Set a team's business hours; recomputes every business-hours figure",
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
        return Response(
            {"time_zone": row.time_zone, "weekly": row.weekly, "holidays": row.holidays}
        )


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
