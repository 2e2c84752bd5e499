from inbox.models.audit import AuditAction, AuditEntry
from inbox.models.canned import CannedResponse
from inbox.models.channels import AccountHealth, AgentPersona, ChannelAccount
from inbox.models.contacts import Contact
from inbox.models.conversations import Conversation, ConversationStatus, ConversationTag, Tag
from inbox.models.events import InboxEvent
from inbox.models.messages import DeliveryState, Direction, Message, Note
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
from inbox.models.teams import Agent, Team

__all__ = [
    "AccountHealth",
    "Agent",
    "AuditAction",
    "AutoModerationRule",
    "AuditEntry",
    "AgentPersona",
    "BusinessSchedule",
    "CannedResponse",
    "ChannelAccount",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "ConversationTag",
    "DeliveryState",
    "Direction",
    "InboxEvent",
    "IntervalEnd",
    "IntervalKind",
    "Message",
    "ModerationAction",
    "ModerationKind",
    "ModerationReason",
    "ModerationState",
    "Note",
    "PrivateReply",
    "ResponseInterval",
    "SlaTarget",
    "Tag",
    "Team",
]
