from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from web import errors
from web.ops import health
from web.views import channels, inbox, profile

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
    # The admins' channel accounts and their OAuth callbacks (issue #22).
    path("channels/", channels.channels_page, name="channels"),
    path("channels/connect/x", channels.connect, {"platform": "x"}, name="channels-connect-x"),
    path(
        "channels/connect/facebook",
        channels.connect,
        {"platform": "facebook"},
        name="channels-connect-facebook",
    ),
    path("channels/x/callback", channels.x_callback, name="channels-x-callback"),
    path(
        "channels/facebook/callback",
        channels.facebook_callback,
        name="channels-facebook-callback",
    ),
    path("channels/facebook/pages", channels.facebook_pages, name="channels-facebook-pages"),
    path("channels/<int:account_id>/reconnect", channels.reconnect, name="channels-reconnect"),
    path("channels/<int:account_id>/disconnect", channels.disconnect, name="channels-disconnect"),
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
