"""What the Page's Send API does for its Instagram account: DMs to an IGSID inside the messaging
window (24 h, then 7 days with ``HUMAN_AGENT``), and private replies to Instagram comments (one
per comment, within 7 days of it). Instagram's errors: text over 1,000 characters is refused,
outside a window is code 10 / subcode 2534022, a second private reply code 10900. Callers hold
the world's lock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connectors.simulator.graph.wire import GraphFault, graph_time, json_arg
from connectors.simulator.graph.world import GraphWorld, Page

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
MAX_DM_TEXT = 1000


def addresses_instagram(world: GraphWorld, page: Page, recipient: Any) -> bool:
    """Whether a Send API ``recipient`` is one of the Page's Instagram customers or comments."""
    if not isinstance(recipient, dict) or page.instagram_id is None:
        return False
    if recipient.get("comment_id"):
        return str(recipient["comment_id"]) in world.instagram.comments
    return str(recipient.get("id", "")) in page.ig_conversations


def send(world: GraphWorld, form: dict[str, str], page: Page, now: datetime) -> dict[str, Any]:
    recipient = json_arg(form.get("recipient"))
    text = _text(form)
    if recipient.get("comment_id"):
        return _private_reply(world, page, str(recipient["comment_id"]), text, now)
    conversation = page.ig_conversations[str(recipient["id"])]
    last = conversation.customer_last_message_at
    if last is None:
        raise GraphFault("(#100) No matching user found", code=100, subcode=2018001)
    _check_window(form.get("messaging_type"), form.get("tag"), now - last)
    sent = world.instagram.account_message(page, conversation, text, now)
    page.sent_messages.append(
        {"message_id": sent.id, "recipient_id": conversation.psid, "platform": "instagram",
         "conversation_id": conversation.id, "text": text,
         "messaging_type": form.get("messaging_type"), "tag": form.get("tag"),
         "created_time": graph_time(now)}
    )  # fmt: skip
    return {"recipient_id": conversation.psid, "message_id": sent.id}


def _private_reply(
    world: GraphWorld, page: Page, comment_id: str, text: str, now: datetime
) -> dict[str, Any]:
    comment = world.instagram.readable_comment(comment_id, page)
    if comment is None:
        raise GraphFault(
            f"(#100) Object with ID '{comment_id}' does not exist", code=100, subcode=33
        )
    if any(sent.get("comment_id") == comment_id for sent in page.sent_messages):
        raise GraphFault("(#10900) Activity already replied to", code=10900)
    if now - comment.timestamp > PRIVATE_REPLY_WINDOW:
        raise _outside_window()
    conversation = world.instagram.conversation_with(
        page, comment.author["id"], comment.author["username"]
    )
    sent = world.instagram.account_message(page, conversation, text, now)
    page.sent_messages.append(
        {"message_id": sent.id, "recipient_id": comment.author["id"], "platform": "instagram",
         "comment_id": comment_id, "text": text, "created_time": graph_time(now)}
    )  # fmt: skip
    return {"recipient_id": comment.author["id"], "message_id": sent.id}


def _text(form: dict[str, str]) -> str:
    message = json_arg(form.get("message"))
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        raise GraphFault("(#100) The parameter message is required", code=100)
    if len(message["text"]) > MAX_DM_TEXT:
        raise GraphFault(
            "(#100) Length of param message[text] must be less than or equal to 1000", code=100
        )
    return message["text"]


def _check_window(messaging_type: str | None, tag: str | None, since: timedelta) -> None:
    if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        raise GraphFault("(#100) The parameter messaging_type is required", code=100)
    if messaging_type == "MESSAGE_TAG" and tag != "HUMAN_AGENT":
        raise GraphFault("(#100) Instagram accepts only the HUMAN_AGENT tag", code=100)
    allowed = HUMAN_AGENT_WINDOW if messaging_type == "MESSAGE_TAG" else STANDARD_WINDOW
    if since > allowed:
        raise _outside_window()


def _outside_window() -> GraphFault:
    return GraphFault(
        "(#10) This message is sent outside of allowed window.", code=10, subcode=2534022,
    )  # fmt: skip
