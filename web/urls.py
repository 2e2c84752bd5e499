from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.defaults import server_error

from web import health
from web.api.errors import api_server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("web.api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]


def handler500(request: HttpRequest) -> HttpResponse:
    """API clients get the API's JSON error shape even for an unexpected failure."""
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return server_error(request)
