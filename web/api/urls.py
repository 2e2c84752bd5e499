from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from web.api import conversations as c
from web.api.errors import api_not_found
from web.api.me import MeApi

urlpatterns = [
    path("me", MeApi.as_view(), name="api-me"),
    path("conversations", c.ConversationListApi.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>",
        c.ConversationDetailApi.as_view(),
        name="api-conversation",
    ),
    path("conversations/<int:conversation_id>/reply", c.ConversationReplyApi.as_view()),
    path("conversations/<int:conversation_id>/assign", c.ConversationAssignApi.as_view()),
    path("conversations/<int:conversation_id>/claim", c.ConversationClaimApi.as_view()),
    path("conversations/<int:conversation_id>/status", c.ConversationStatusApi.as_view()),
    path("conversations/<int:conversation_id>/notes", c.ConversationNotesApi.as_view()),
    path("conversations/<int:conversation_id>/tags", c.ConversationTagsApi.as_view()),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
