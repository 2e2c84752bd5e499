from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from web.api import (
    approvals,
    composer,
    customers,
    guidelines,
    notifications,
    people,
    retention,
    teams,
)
from web.api import conversations as c
from web.api.accounts import (
    AccountDisconnectApi,
    AccountListApi,
    AccountReconnectApi,
    FacebookOAuthStartApi,
    XOAuthStartApi,
)
from web.api.audit import AuditListApi
from web.api.automation import AutomationRuleApi, AutomationRuleListApi
from web.api.grants import ConversationGrantApi
from web.api.me import MeApi
from web.api.messages import ReplyRetryApi
from web.api.moderation import AutoModerationApi, MessageModerationApi, PrivateReplyApi
from web.api.reply_attachments import ReplyAttachmentApi, ReplyAttachmentsApi
from web.api.snooze import ConversationSnoozeApi
from web.api.team_assignment import TeamAssignmentApi
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
    path(
        "conversations/<int:conversation_id>/attachments",
        ReplyAttachmentsApi.as_view(),
        name="api-reply-attachments",
    ),
    path(
        "conversations/<int:conversation_id>/attachments/<int:attachment_id>",
        ReplyAttachmentApi.as_view(),
        name="api-reply-attachment",
    ),
    path("conversations/<int:conversation_id>/assign", c.ConversationAssignApi.as_view()),
    path("conversations/<int:conversation_id>/claim", c.ConversationClaimApi.as_view()),
    path("conversations/<int:conversation_id>/status", c.ConversationStatusApi.as_view()),
    path("conversations/<int:conversation_id>/snooze", ConversationSnoozeApi.as_view()),
    path("conversations/<int:conversation_id>/notes", c.ConversationNotesApi.as_view()),
    path("conversations/<int:conversation_id>/tags", c.ConversationTagsApi.as_view()),
    # Mentions and notifications (issue #17).
    path(
        "conversations/<int:conversation_id>/mentionable",
        notifications.MentionCandidatesApi.as_view(),
    ),
    path(
        "conversations/<int:conversation_id>/grants/<int:agent_id>",
        ConversationGrantApi.as_view(),
    ),
    path("notifications", notifications.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read", notifications.NotificationReadApi.as_view()),
    path("notifications/settings", notifications.NotificationSettingsApi.as_view()),
    path("messages/<int:message_id>/retry", ReplyRetryApi.as_view()),
    path("messages/<int:message_id>/moderation", MessageModerationApi.as_view()),
    path("messages/<int:message_id>/private-reply", PrivateReplyApi.as_view()),
    path("accounts", AccountListApi.as_view(), name="api-accounts"),
    path("audit", AuditListApi.as_view(), name="api-audit"),
    path("accounts/<int:account_id>/reconnect", AccountReconnectApi.as_view()),
    path("accounts/<int:account_id>/disconnect", AccountDisconnectApi.as_view()),
    path("accounts/oauth/x", XOAuthStartApi.as_view(), name="api-accounts-oauth-x"),
    path(
        "accounts/oauth/facebook",
        FacebookOAuthStartApi.as_view(),
        name="api-accounts-oauth-facebook",
    ),
    # Guidelines and four-eyes approval (issue #16).
    path("teams/<int:team_id>/guidelines", guidelines.GuidelineApi.as_view()),
    path("teams/<int:team_id>/rules", guidelines.RuleCreateApi.as_view()),
    path("teams/<int:team_id>/assignment", TeamAssignmentApi.as_view()),
    path("teams/<int:team_id>/automation-rules", AutomationRuleListApi.as_view()),
    path("automation-rules/<int:automation_rule_id>", AutomationRuleApi.as_view()),
    path("rules/<int:rule_id>", guidelines.RuleApi.as_view()),
    path(
        "teams/<int:team_id>/agents/<int:agent_id>/approval",
        guidelines.AgentApprovalApi.as_view(),
    ),
    path("approvals", approvals.ApprovalQueueApi.as_view(), name="api-approvals"),
    path("messages/<int:message_id>/approve", approvals.ReplyApproveApi.as_view()),
    path("messages/<int:message_id>/send-back", approvals.ReplySendBackApi.as_view()),
    path("messages/<int:message_id>/revise", approvals.ReplyReviseApi.as_view()),
    path("accounts/<int:account_id>/auto-moderation", AutoModerationApi.as_view()),
    path("metrics/", include("web.api.metrics.urls")),
    # Teams, people and invitations (issue #23): managers read, admins change.
    path("teams", teams.TeamListApi.as_view(), name="api-teams"),
    path("teams/<int:team_id>", teams.TeamDetailApi.as_view(), name="api-team"),
    path("people", people.PeopleListApi.as_view(), name="api-people"),
    path("people/invitations", people.InvitationListApi.as_view(), name="api-invitations"),
    path("people/<int:agent_id>", people.PersonDetailApi.as_view(), name="api-person"),
    path("people/<int:agent_id>/deactivate", people.PersonDeactivateApi.as_view()),
    path("people/<int:agent_id>/reactivate", people.PersonReactivateApi.as_view()),
    path("invitations/<int:invitation_id>", people.InvitationDetailApi.as_view()),
    path("invitations/<int:invitation_id>/resend", people.InvitationResendApi.as_view()),
    # A customer as one person; data-subject requests (issue #19).
    path("customers/<int:contact_id>", customers.CustomerApi.as_view()),
    path("customers/<int:contact_id>/merge", customers.CustomerMergeApi.as_view()),
    path("customers/<int:contact_id>/unmerge", customers.CustomerUnmergeApi.as_view()),
    path("customers/<int:contact_id>/data", customers.CustomerDataApi.as_view()),
    path("customers/<int:contact_id>/data/export", customers.CustomerExportApi.as_view()),
    path("customers/<int:contact_id>/data/erase", customers.CustomerEraseApi.as_view()),
    # Retention and legal hold (issue #19): admins set policies, managers hold conversations.
    path("teams/<int:team_id>/retention", retention.TeamRetentionApi.as_view()),
    path(
        "teams/<int:team_id>/accounts/<int:account_id>/retention",
        retention.AccountRetentionApi.as_view(),
    ),
    path("conversations/<int:conversation_id>/legal-hold", retention.LegalHoldApi.as_view()),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script
    # (web/security/csp.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
