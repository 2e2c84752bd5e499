from django.urls import path

from web.metrics import views as v

urlpatterns = [
    path("", v.dashboard, name="metrics-dashboard"),
    path("intervals", v.intervals_page, name="metrics-intervals"),
    path("export/<slug:table>.csv", v.export_csv, name="metrics-export"),
]
