from inbox.models.audit import AuditAction, AuditEntry
from inbox.models.canned import CannedResponse
from inbox.models.channels import AccountHealth, AgentPersona, ChannelAccount, TokenKind
from inbox.models.contacts import Contact
from inbox.models.conversations import Conversation, ConversationStatus, ConversationTag, Tag
from inbox.models.events import InboxEvent
from inbox.models.guidelines import (
    ApprovalState,
    Guideline,
    GuidelineRule,
    ReplyApproval,
    RuleAction,
    RuleKind,
)
from inbox.models.media import Media, MediaReason, MediaState
from inbox.models.messages import Arrival, DeliveryState, Direction, Message, MessageHtml, Note
from inbox.models.metrics import (
    BusinessSchedule,
    IntervalEnd,
    IntervalKind,
    ResponseInterval,
    SlaTarget,
)
from inbox.models.moderation import (
    AutoModerationRule,
    ModerationAction,
    ModerationKind,
    ModerationReason,
    ModerationState,
    PrivateReply,
)
from inbox.models.notifications import (
    ConversationGrant,
    Notification,
    NotificationInbox,
    NotificationKind,
)
from inbox.models.oauth import OAUTH_ATTEMPT_LIFETIME, OAuthAttempt
from inbox.models.people import Invitation
from inbox.models.profiles import CustomerProfile, DataRequest, DataRequestKind
from inbox.models.reply_attachments import AttachmentKind, ReplyAttachment
from inbox.models.retention import RetentionAction, RetentionPolicy, RetentionRun
from inbox.models.team_flow import (
    AgentPresence,
    AssignmentStrategy,
    AutomationRule,
    Priority,
    RuleTrigger,
    TeamAssignment,
)
from inbox.models.teams import Agent, Team
from inbox.models.webhooks import WebhookDelivery

__all__ = [
    "AccountHealth",
    "Arrival",
    "Agent",
    "AgentPresence",
    "AssignmentStrategy",
    "AuditAction",
    "AutoModerationRule",
    "AuditEntry",
    "AutomationRule",
    "AgentPersona",
    "ApprovalState",
    "BusinessSchedule",
    "CannedResponse",
    "ChannelAccount",
    "Contact",
    "Conversation",
    "CustomerProfile",
    "DataRequest",
    "DataRequestKind",
    "ConversationGrant",
    "ConversationStatus",
    "ConversationTag",
    "DeliveryState",
    "Media",
    "MediaReason",
    "MediaState",
    "Direction",
    "Guideline",
    "GuidelineRule",
    "InboxEvent",
    "Invitation",
    "IntervalEnd",
    "IntervalKind",
    "Message",
    "Notification",
    "NotificationInbox",
    "NotificationKind",
    "ModerationAction",
    "ModerationKind",
    "ModerationReason",
    "ModerationState",
    "MessageHtml",
    "Note",
    "OAUTH_ATTEMPT_LIFETIME",
    "OAuthAttempt",
    "ReplyApproval",
    "PrivateReply",
    "Priority",
    "ResponseInterval",
    "RetentionAction",
    "RetentionPolicy",
    "RetentionRun",
    "RuleAction",
    "RuleKind",
    "RuleTrigger",
    "SlaTarget",
    "Tag",
    "Team",
    "TeamAssignment",
    "TokenKind",
    "WebhookDelivery",
    "AttachmentKind",
    "ReplyAttachment",
]
