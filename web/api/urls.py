from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from web.api import composer
from web.api import conversations as c
from web.api.accounts import AccountListApi, AccountReconnectApi
from web.api.audit import AuditListApi
from web.api.me import MeApi
from web.api.messages import ReplyRetryApi
from web.api.moderation import AutoModerationApi, MessageModerationApi, PrivateReplyApi
from web.errors import api_not_found

urlpatterns = [
    path("me", MeApi.as_view(), name="api-me"),
    path("conversations", c.ConversationListApi.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>",
        c.ConversationDetailApi.as_view(),
        name="api-conversation",
    ),
    path("conversations/<int:conversation_id>/reply", c.ConversationReplyApi.as_view()),
    path(
        "conversations/<int:conversation_id>/reply/preview",
        composer.ReplyPreviewApi.as_view(),
        name="api-reply-preview",
    ),
    path(
        "conversations/<int:conversation_id>/handover",
        composer.ConversationHandoverApi.as_view(),
        name="api-handover",
    ),
    path("conversations/<int:conversation_id>/assign", c.ConversationAssignApi.as_view()),
    path("conversations/<int:conversation_id>/claim", c.ConversationClaimApi.as_view()),
    path("conversations/<int:conversation_id>/status", c.ConversationStatusApi.as_view()),
    path("conversations/<int:conversation_id>/notes", c.ConversationNotesApi.as_view()),
    path("conversations/<int:conversation_id>/tags", c.ConversationTagsApi.as_view()),
    path("messages/<int:message_id>/retry", ReplyRetryApi.as_view()),
    path("messages/<int:message_id>/moderation", MessageModerationApi.as_view()),
    path("messages/<int:message_id>/private-reply", PrivateReplyApi.as_view()),
    path("accounts", AccountListApi.as_view(), name="api-accounts"),
    path("audit", AuditListApi.as_view(), name="api-audit"),
    path("accounts/<int:account_id>/reconnect", AccountReconnectApi.as_view()),
    path("accounts/<int:account_id>/auto-moderation", AutoModerationApi.as_view()),
    path("metrics/", include("web.api.metrics.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script
    # (web/security/csp.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
