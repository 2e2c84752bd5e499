"""Query parameters and response shapes of the metrics API, for the OpenAPI schema.

Parsing itself happens in ``inbox.metrics.filters`` (the dashboard shares it), so these only
describe; a test validates real responses against them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import get_args, get_type_hints

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from connectors.base import Platform
from inbox.metrics.approvals import ApprovalRow
from inbox.metrics.filters import TAG_MAX
from inbox.metrics.selectors import Bucket, Dimension, HeatCell
from inbox.metrics.services import TARGET_MAX_SECONDS
from inbox.metrics.sla import RunningInterval, SlaRow
from inbox.models import IntervalKind
from inbox.params import INTEGER_MAX
from web.api.fields import TextField, TrueFalseField, WholeNumberField, query_text, whole_number

FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 27 days ago)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive (default: today)"),
    OpenApiParameter("team", whole_number(), description="One team (default: all yours)"),
    OpenApiParameter("agent", whole_number(), description="Credited agent"),
    OpenApiParameter("platform", OpenApiTypes.STR, enum=[p.value for p in Platform]),
    OpenApiParameter("account", whole_number(), description="Channel account"),
    OpenApiParameter("tag", query_text(TAG_MAX)),
    OpenApiParameter("clock", OpenApiTypes.STR, enum=["calendar", "business"]),
    OpenApiParameter("tz", OpenApiTypes.STR, description="Time zone of days and buckets"),
]
KIND_PARAMETER = OpenApiParameter("kind", OpenApiTypes.STR, enum=IntervalKind.values)
BY_PARAMETER = OpenApiParameter("by", OpenApiTypes.STR, enum=[d.value for d in Dimension])
BUCKET_PARAMETER = OpenApiParameter("bucket", OpenApiTypes.STR, enum=[b.value for b in Bucket])
# inbox.params.number_param: a plain decimal, no exponent.
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$"}


def drill_down_parameters(limit_max: int) -> list[OpenApiParameter]:
    """What narrows the intervals behind a figure (web/api/metrics/payloads.py), and pages."""
    return [
        OpenApiParameter("key", query_text(200), description="A breakdown row's key (with by)"),
        OpenApiParameter("min_seconds", DECIMAL, description="A distribution bin's lower end"),
        OpenApiParameter("max_seconds", DECIMAL, description="A distribution bin's upper end"),
        OpenApiParameter("weekday", whole_number(1, 7), description="ISO weekday (with hour)"),
        OpenApiParameter("hour", whole_number(0, 23), description="Hour of day (with weekday)"),
        OpenApiParameter("breached", OpenApiTypes.STR, description="1, true or yes: breaches"),
        OpenApiParameter("limit", whole_number(1, limit_max), description="Default 200"),
        OpenApiParameter("offset", whole_number(0, INTEGER_MAX), description="Default 0"),
    ]


_FIELDS: dict[type, type[serializers.Field]] = {
    int: serializers.IntegerField,
    float: serializers.FloatField,
    str: serializers.CharField,
    bool: serializers.BooleanField,
    datetime: serializers.DateTimeField,
}


def shape_of(name: str, row: type, **fields: serializers.Field) -> type[serializers.Serializer]:
    """The shape of a row dataclass's ``as_dict`` (or of its fields): one field per dataclass
    field, by its type (``X | None``: nullable), with ``fields`` added or replacing; so the
    published schema follows the rows the selectors return."""
    hints = get_type_hints(row)
    derived: dict[str, serializers.Field] = {}
    for field in dataclasses.fields(row):
        kinds = get_args(hints[field.name]) or (hints[field.name],)
        nullable = type(None) in kinds
        kind = next(k for k in kinds if k is not type(None))
        derived[field.name] = _FIELDS[kind](**({"allow_null": True} if nullable else {}))
    return type(name, (serializers.Serializer,), {**derived, **fields})


class StatsShape(serializers.Serializer):
    count = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True, help_text="seconds")
    p90 = serializers.FloatField(allow_null=True, help_text="seconds")
    mean = serializers.FloatField(allow_null=True, help_text="seconds")


class PeriodShape(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="exclusive")
    time_zone = serializers.CharField()
    clock = serializers.ChoiceField(choices=["calendar", "business"])


RECOMPUTING_HELP = (
    "True while a schedule change of these teams is being recomputed: until then the "
    "business-hours figures mix the old schedule and the new."
)


class FigureResponse(serializers.Serializer):
    """What every figure's response starts with."""

    period = PeriodShape()
    recomputing = serializers.BooleanField(help_text=RECOMPUTING_HELP)


class KindSummaryShape(serializers.Serializer):
    current = StatsShape()
    previous = StatsShape()


class SummaryResponse(FigureResponse):
    previous_period = PeriodShape()
    first_response = KindSummaryShape()
    reply = KindSummaryShape()
    resolution = KindSummaryShape()


class BreakdownRowShape(StatsShape):
    key = serializers.JSONField(allow_null=True)
    label = serializers.CharField()


class BreakdownResponse(FigureResponse):
    kind = serializers.CharField()
    by = serializers.CharField()
    rows = BreakdownRowShape(many=True)


class SeriesPointShape(StatsShape):
    bucket = serializers.DateTimeField()


class SeriesResponse(FigureResponse):
    kind = serializers.CharField()
    bucket = serializers.CharField()
    points = SeriesPointShape(many=True)


class BinShape(serializers.Serializer):
    lower = serializers.FloatField()
    upper = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class DistributionResponse(FigureResponse):
    kind = serializers.CharField()
    bins = BinShape(many=True)


HeatCellShape = shape_of(
    "HeatCellShape", HeatCell, weekday=serializers.IntegerField(help_text="ISO weekday, 1 = Monday")
)


class HeatmapResponse(FigureResponse):
    cells = HeatCellShape(many=True)


SlaRowShape = shape_of(
    "SlaRowShape",
    SlaRow,
    met=serializers.IntegerField(),
    met_share=serializers.FloatField(allow_null=True),
)


class SlaResponse(FigureResponse):
    rows = SlaRowShape(many=True)


ApprovalRowShape = shape_of("ApprovalRowShape", ApprovalRow)


class ApprovalsResponse(FigureResponse):
    pending = serializers.IntegerField(help_text="Waiting for approval now")
    rows = ApprovalRowShape(many=True)


AtRiskRowShape = shape_of(
    "AtRiskRowShape",
    RunningInterval,
    state=serializers.ChoiceField(choices=["at_risk", "breached"]),
)


class AtRiskResponse(serializers.Serializer):
    results = AtRiskRowShape(many=True)


class IntervalRowShape(serializers.Serializer):
    id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    kind = serializers.CharField()
    opening = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.CharField()
    calendar_seconds = serializers.FloatField(allow_null=True)
    business_seconds = serializers.FloatField(allow_null=True)
    platform = serializers.CharField()
    account = serializers.CharField()
    agent = serializers.CharField(allow_null=True)
    contact_name = serializers.CharField()
    contact_handle = serializers.CharField()
    team = serializers.CharField()
    breached = serializers.BooleanField(allow_null=True)


class IntervalsResponse(FigureResponse):
    results = IntervalRowShape(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


def _opening_hours() -> serializers.ListField:
    """A day's opening intervals, each [start, end] as HH:MM (00:00–24:00)."""
    clock = serializers.RegexField(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
    interval = serializers.ListField(child=clock, min_length=2, max_length=2)
    return serializers.ListField(child=interval, required=False, max_length=48)


# Keyed by ISO weekday, "1" (Monday) to "7"; a day left out is closed.
WeeklyShape = type(
    "WeeklyShape", (serializers.Serializer,), {str(d): _opening_hours() for d in range(1, 8)}
)


class ScheduleShape(serializers.Serializer):
    time_zone = TextField(max_length=64, help_text="An IANA time zone, e.g. Europe/Copenhagen")
    weekly = WeeklyShape(help_text='ISO weekday ("1" = Monday) → [["09:00", "17:00"], …]')
    holidays = serializers.ListField(child=serializers.DateField(), required=False, default=list)


class ScheduleResponse(ScheduleShape):
    recomputing = serializers.BooleanField(
        help_text="True until the business time of the team's intervals follows this schedule."
    )
    always_open = serializers.BooleanField(
        required=False, help_text="Present (true) when the team has no schedule."
    )


class SlaTargetShape(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IntervalKind.values)
    target_seconds = WholeNumberField(
        allow_null=True, min_value=1, max_value=TARGET_MAX_SECONDS, help_text="At most a year"
    )
    business_hours = TrueFalseField(required=False, default=True)
