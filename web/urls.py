from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from web import errors
from web.ops import health
from web.views import inbox, moderation, profile

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("web.api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics/", include("web.metrics.urls")),
    # The agent's web inbox.
    path("", inbox.inbox_page, name="inbox"),
    path("conversations/", inbox.conversation_list_fragment, name="conversation-list"),
    path("conversations/sla", inbox.conversation_sla, name="conversation-sla"),
    path("conversations/<int:conversation_id>/", inbox.conversation_page, name="conversation"),
    path(
        "conversations/<int:conversation_id>/pane",
        inbox.conversation_pane,
        name="conversation-pane",
    ),
    path("profile/", profile.profile_page, name="profile"),
    path(
        "accounts/<int:account_id>/moderation",
        moderation.auto_moderation_page,
        name="auto-moderation",
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]


# Svar's error page for pages, the API's JSON shape under /api/ (web/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
