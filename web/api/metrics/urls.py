from django.urls import path

from web.api.metrics import views as m

urlpatterns = [
    *(path(name, api.as_view(), name=f"api-metrics-{name}") for name, api in m.FIGURE_APIS.items()),
    path("sla/at-risk", m.MetricsAtRiskApi.as_view(), name="api-metrics-at-risk"),
    path("intervals", m.MetricsIntervalsApi.as_view(), name="api-metrics-intervals"),
    path("teams/<int:team_id>/schedule", m.TeamScheduleApi.as_view(), name="api-team-schedule"),
    path("teams/<int:team_id>/sla", m.TeamSlaTargetApi.as_view(), name="api-team-sla"),
]
