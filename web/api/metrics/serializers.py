"""Query parameters and response shapes of the metrics API, for the OpenAPI schema.

Parsing itself happens in ``inbox.metrics.filters`` (the dashboard shares it), so these only
describe; a test validates real responses against them.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from connectors.base import Platform
from inbox.metrics.selectors import Bucket, Dimension
from inbox.models import IntervalKind

FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 27 days ago)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive (default: today)"),
    OpenApiParameter("team", OpenApiTypes.INT, description="One team (default: all yours)"),
    OpenApiParameter("agent", OpenApiTypes.INT, description="Credited agent"),
    OpenApiParameter("platform", OpenApiTypes.STR, enum=[p.value for p in Platform]),
    OpenApiParameter("account", OpenApiTypes.INT, description="Channel account"),
    OpenApiParameter("tag", OpenApiTypes.STR),
    OpenApiParameter("clock", OpenApiTypes.STR, enum=["calendar", "business"]),
    OpenApiParameter("tz", OpenApiTypes.STR, description="Time zone of days and buckets"),
]
KIND_PARAMETER = OpenApiParameter("kind", OpenApiTypes.STR, enum=IntervalKind.values)
BY_PARAMETER = OpenApiParameter("by", OpenApiTypes.STR, enum=[d.value for d in Dimension])
BUCKET_PARAMETER = OpenApiParameter("bucket", OpenApiTypes.STR, enum=[b.value for b in Bucket])


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


class KindSummaryShape(serializers.Serializer):
    current = StatsShape()
    previous = StatsShape()


class SummaryResponse(serializers.Serializer):
    period = PeriodShape()
    previous_period = PeriodShape()
    first_response = KindSummaryShape()
    reply = KindSummaryShape()
    resolution = KindSummaryShape()


class BreakdownRowShape(StatsShape):
    key = serializers.JSONField(allow_null=True)
    label = serializers.CharField()


class BreakdownResponse(serializers.Serializer):
    period = PeriodShape()
    kind = serializers.CharField()
    by = serializers.CharField()
    rows = BreakdownRowShape(many=True)


class SeriesPointShape(StatsShape):
    bucket = serializers.DateTimeField()


class SeriesResponse(serializers.Serializer):
    period = PeriodShape()
    kind = serializers.CharField()
    bucket = serializers.CharField()
    points = SeriesPointShape(many=True)


class BinShape(serializers.Serializer):
    lower = serializers.FloatField()
    upper = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class DistributionResponse(serializers.Serializer):
    period = PeriodShape()
    kind = serializers.CharField()
    bins = BinShape(many=True)


class HeatCellShape(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="ISO weekday, 1 = Monday")
    hour = serializers.IntegerField()
    waits = serializers.IntegerField()
    answered = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)


class HeatmapResponse(serializers.Serializer):
    period = PeriodShape()
    cells = HeatCellShape(many=True)


class SlaRowShape(serializers.Serializer):
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    kind = serializers.CharField()
    target_seconds = serializers.IntegerField()
    business_hours = serializers.BooleanField()
    total = serializers.IntegerField()
    breached = serializers.IntegerField()
    met = serializers.IntegerField()
    met_share = serializers.FloatField(allow_null=True)
    running_breached = serializers.IntegerField()


class SlaResponse(serializers.Serializer):
    period = PeriodShape()
    rows = SlaRowShape(many=True)


class AtRiskRowShape(serializers.Serializer):
    interval_id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    team_id = serializers.IntegerField()
    kind = serializers.CharField()
    started_at = serializers.DateTimeField()
    elapsed_seconds = serializers.FloatField()
    target_seconds = serializers.IntegerField()
    business_hours = serializers.BooleanField()
    due_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["at_risk", "breached"])


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


class IntervalsResponse(serializers.Serializer):
    period = PeriodShape()
    results = IntervalRowShape(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class ScheduleShape(serializers.Serializer):
    time_zone = serializers.CharField(max_length=64)
    weekly = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        help_text='ISO weekday ("1" = Monday) → [["09:00", "17:00"], …]',
    )
    holidays = serializers.ListField(child=serializers.DateField(), required=False, default=list)


class SlaTargetShape(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IntervalKind.values)
    target_seconds = serializers.IntegerField(allow_null=True, min_value=1)
    business_hours = serializers.BooleanField(required=False, default=True)
