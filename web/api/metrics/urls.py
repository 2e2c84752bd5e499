from django.urls import path

from web.api.metrics import views as m

urlpatterns = [
    path("summary", m.MetricsSummaryApi.as_view(), name="api-metrics-summary"),
    path("breakdown", m.MetricsBreakdownApi.as_view(), name="api-metrics-breakdown"),
    path("series", m.MetricsSeriesApi.as_view(), name="api-metrics-series"),
    path("distribution", m.MetricsDistributionApi.as_view(), name="api-metrics-distribution"),
    path("heatmap", m.MetricsHeatmapApi.as_view(), name="api-metrics-heatmap"),
    path("sla", m.MetricsSlaApi.as_view(), name="api-metrics-sla"),
    path("sla/at-risk", m.MetricsAtRiskApi.as_view(), name="api-metrics-at-risk"),
    path("intervals", m.MetricsIntervalsApi.as_view(), name="api-metrics-intervals"),
    path("teams/<int:team_id>/schedule", m.TeamScheduleApi.as_view(), name="api-team-schedule"),
    path("teams/<int:team_id>/sla", m.TeamSlaTargetApi.as_view(), name="api-team-sla"),
]
