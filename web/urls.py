from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from web import errors
from web.ops import health
from web.security.mfa import views as mfa
from web.security.sso import views as sso
from web.views import (
    approvals,
    channels,
    customers,
    email_html,
    first_run,
    guidelines,
    inbox,
    invitation,
    media,
    moderation,
    notification_settings,
    people,
    people_actions,
    profile,
    public,
    retention,
    team_flow,
    teams,
)
from web.webhooks.meta import meta_webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("web.api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics/", include("web.metrics.urls")),
    # Platform webhooks (issue #20): signed by the platform, no session, no CSRF token.
    path("webhooks/meta", meta_webhook, name="webhook-meta"),
    path("favicon.ico", public.favicon, name="favicon"),
    path("accessibility/", public.accessibility_statement, name="accessibility"),
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
    path("media/<int:media_id>", media.media_file, name="media-file"),
    path("messages/<int:message_id>/html", email_html.email_html, name="email-html"),
    path("media/<int:media_id>/thumbnail", media.media_thumbnail, name="media-thumbnail"),
    path("profile/", profile.profile_page, name="profile"),
    path(
        "profile/notifications",
        notification_settings.notification_settings,
        name="profile-notifications",
    ),
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
    # Teams and people (admins change, managers read), invitations, the first-run guide.
    path("teams/", teams.teams_page, name="teams"),
    path("teams/<int:team_id>/rename", teams.team_rename_page, name="team-rename"),
    path("teams/<int:team_id>/retention", retention.retention_page, name="team-retention"),
    path(
        "conversations/<int:conversation_id>/legal-hold",
        retention.legal_hold_page,
        name="conversation-legal-hold",
    ),
    path("people/", people.people_page, name="people"),
    path("people/invite", people.invite_page, name="person-invite"),
    path("people/<int:agent_id>/", people.person_page, name="person"),
    path(
        "people/<int:agent_id>/deactivate",
        people_actions.person_deactivate_page,
        name="person-deactivate",
    ),
    path(
        "people/<int:agent_id>/reactivate",
        people_actions.person_reactivate_page,
        name="person-reactivate",
    ),
    path(
        "people/invitations/<int:invitation_id>/resend",
        people_actions.invitation_resend_page,
        name="invitation-resend",
    ),
    path(
        "people/invitations/<int:invitation_id>/revoke",
        people_actions.invitation_revoke_page,
        name="invitation-revoke",
    ),
    path("invitation/<str:token>/", invitation.invitation_page, name="invitation-accept"),
    path("welcome/", first_run.first_run_page, name="first-run"),
    # Guidelines and four-eyes approval (issue #16).
    path("guidelines/", guidelines.guideline_page, name="guidelines"),
    path("approvals/", approvals.approval_page, name="approvals"),
    path("team-flow/", team_flow.team_flow_page, name="team-flow"),  # issue #17
    path("approvals/queue", approvals.approval_queue_fragment, name="approval-queue"),
    path(
        "accounts/<int:account_id>/moderation",
        moderation.auto_moderation_page,
        name="auto-moderation",
    ),
    # A customer as one person; data-subject requests (issue #19).
    path("customers/<int:contact_id>/", customers.customer_page, name="customer"),
    path("customers/<int:contact_id>/merge", customers.customer_merge_page, name="customer-merge"),
    path(
        "customers/<int:contact_id>/unmerge",
        customers.customer_unmerge_page,
        name="customer-unmerge",
    ),
    path(
        "customers/<int:contact_id>/export", customers.customer_export_page, name="customer-export"
    ),
    path("customers/<int:contact_id>/erase", customers.customer_erase_page, name="customer-erase"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (web/security/sso) and one-time codes (web/security/mfa).
    path("sso/start/", sso.SsoStartView.as_view(), name="sso-start"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso-callback"),
    path("mfa/enrol/", mfa.enrol, name="mfa-enrol"),
    path("mfa/verify/", mfa.verify, name="mfa-verify"),
]


# Svar's error page for pages, the API's JSON shape under /api/ (web/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
