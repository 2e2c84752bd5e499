from inbox.models.canned import CannedResponse
from inbox.models.channels import AccountHealth, AgentPersona, ChannelAccount
from inbox.models.contacts import Contact
from inbox.models.conversations import Conversation, ConversationStatus, Tag
from inbox.models.events import InboxEvent
from inbox.models.messages import DeliveryState, Direction, Message, Note
from inbox.models.teams import Agent, Team

__all__ = [
    "AccountHealth",
    "Agent",
    "AgentPersona",
    "CannedResponse",
    "ChannelAccount",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "DeliveryState",
    "Direction",
    "InboxEvent",
    "Message",
    "Note",
    "Tag",
    "Team",
]
