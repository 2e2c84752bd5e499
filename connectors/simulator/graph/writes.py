"""What the Page may write: Messenger messages (inside the messaging window), personas, and
replies to comments. Each checks its parameters as Graph does and records what was sent on the
Page for tests to inspect. Callers hold the world's lock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from connectors.simulator.graph import instagram_writes
from connectors.simulator.graph.uploads import Uploaded, comment_photo, messenger_media
from connectors.simulator.graph.wire import GraphFault, graph_time, json_arg
from connectors.simulator.graph.world import Comment, GraphWorld, Page, Post
from connectors.simulator.wire import SimRequest

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MESSAGE_TAGS = {"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"}
MAX_MESSAGE_TEXT = 2000


def send_message(
    world: GraphWorld, request: SimRequest, page: Page, now: datetime
) -> dict[str, Any]:
    form = form_or_json(request)
    recipient = json_arg(form.get("recipient"))
    if instagram_writes.addresses_instagram(world, page, recipient):
        return instagram_writes.send(world, form, page, now)
    if isinstance(recipient, dict) and recipient.get("comment_id"):
        return _private_reply(world, form, page, str(recipient["comment_id"]), now)
    recipient_id, text, messaging_type, tag = _checked_message(form, page)
    uploaded = _attachment_of(world, form, page)
    conversation = page.conversations.get(recipient_id)
    last = conversation.customer_last_message_at if conversation else None
    if conversation is None or last is None:
        raise GraphFault("(#100) No matching user found", code=100, subcode=2018001)
    _check_window(messaging_type, tag, now - last)
    if uploaded is not None:
        world.uploads.post_may_fail(request)
    sent = world.page_message(page, conversation, text, now)
    if uploaded is not None:
        sent.media = messenger_media(uploaded)
    page.sent_messages.append(
        {
            "message_id": sent.id,
            "recipient_id": conversation.psid,
            "conversation_id": conversation.id,
            "text": sent.text,
            "messaging_type": messaging_type,
            "tag": tag,
            "persona_id": form.get("persona_id"),
            "created_time": graph_time(now),
        }
        | ({"attachment_id": uploaded.id} if uploaded is not None else {})
    )
    return {"recipient_id": conversation.psid, "message_id": sent.id}


def _attachment_of(world: GraphWorld, form: dict[str, str], page: Page) -> Uploaded | None:
    """The uploaded attachment a message names (``message.attachment.payload``), if any."""
    attachment = (json_arg(form.get("message")) or {}).get("attachment")
    if attachment is None:
        return None
    payload = attachment.get("payload") if isinstance(attachment, dict) else None
    if not isinstance(payload, dict) or not payload.get("attachment_id"):
        raise GraphFault("(#100) param message[attachment][payload] is invalid", code=100)
    return world.uploads.usable(payload["attachment_id"], page, attachment.get("type"))


def _private_reply(
    world: GraphWorld, form: dict[str, str], page: Page, comment_id: str, now: datetime
) -> dict[str, Any]:
    """Messenger's private reply to a comment: one per comment, to its author, while the
    comment exists (hidden is fine: that is what it is for)."""
    comment = world.comments.get(comment_id)
    if comment is None or comment.deleted or world.posts[comment.post_id].page_id != page.id:
        raise GraphFault(
            f"(#100) Object with ID '{comment_id}' does not exist", code=100, subcode=33
        )
    message = json_arg(form.get("message"))
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        raise GraphFault("(#100) The parameter message is required", code=100)
    if any(sent.get("comment_id") == comment_id for sent in page.sent_messages):
        raise GraphFault("(#10900) Activity already replied to", code=10900)
    message_id = "m_" + world.number()
    page.sent_messages.append(
        {"message_id": message_id, "recipient_id": comment.author.get("id"),
         "comment_id": comment_id, "text": message["text"], "created_time": graph_time(now)}
    )  # fmt: skip
    return {"recipient_id": comment.author.get("id"), "message_id": message_id}


def _checked_message(form: dict[str, str], page: Page) -> tuple[str, str, str, str | None]:
    """Recipient, text, messaging type and tag, once every parameter is as Graph wants them."""
    recipient = json_arg(form.get("recipient"))
    message = json_arg(form.get("message"))
    messaging_type = form.get("messaging_type")
    tag = form.get("tag")
    persona_id = form.get("persona_id")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        raise GraphFault("(#100) The parameter recipient is required", code=100)
    if not isinstance(message, dict):
        raise GraphFault("(#100) The parameter message is required", code=100)
    if "attachment" in message and "text" in message:
        raise GraphFault("(#100) Only one of text or attachment can be set", code=100)
    if not isinstance(message.get("text", ""), str) or not (
        message.get("text") or message.get("attachment")
    ):
        raise GraphFault("(#100) The parameter message is required", code=100)
    if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        raise GraphFault("(#100) The parameter messaging_type is required", code=100)
    if messaging_type == "MESSAGE_TAG" and tag not in MESSAGE_TAGS:
        raise GraphFault(f"(#100) Param tag must be one of {sorted(MESSAGE_TAGS)}", code=100)
    if len(message.get("text", "")) > MAX_MESSAGE_TEXT:
        raise GraphFault(
            "(#100) Length of param message[text] must be less than or equal to 2000", code=100
        )
    if persona_id and persona_id not in page.personas:
        raise GraphFault("(#100) Invalid persona_id", code=100)
    return str(recipient["id"]), message.get("text", ""), messaging_type, tag


def _check_window(messaging_type: str, tag: str | None, since_customer: timedelta) -> None:
    allowed: timedelta | None = STANDARD_WINDOW
    if messaging_type == "MESSAGE_TAG":  # other tags are not bound to the window
        allowed = HUMAN_AGENT_WINDOW if tag == "HUMAN_AGENT" else None
    if allowed is not None and since_customer > allowed:
        raise GraphFault(
            "(#10) This message is sent outside of allowed window. You need "
            "page_messaging_subscriptions permission to be able to do it.",
            code=10,
            subcode=2018278,
        )


def create_persona(world: GraphWorld, request: SimRequest, page: Page) -> dict[str, str]:
    form = form_or_json(request)
    for required in ("name", "profile_picture_url"):
        if not form.get(required):
            raise GraphFault(f"(#100) The parameter {required} is required", code=100)
    return {"id": world.add_persona(page, form["name"], form["profile_picture_url"])["id"]}


def comment_reply(
    world: GraphWorld,
    request: SimRequest,
    page: Page,
    post: Post,
    target: Comment | None,
    now: datetime,
) -> dict[str, str]:
    form = form_or_json(request)
    text = form.get("message", "")
    photo = form.get("attachment_id")
    uploaded = world.uploads.usable(photo, page, "photo") if photo else None
    if not text and uploaded is None:
        raise GraphFault("(#100) The parameter message is required", code=100)
    if uploaded is not None:
        world.uploads.post_may_fail(request)
    comment = world.add_comment(post.id, page.ref, text, now, target.id if target else None)
    if uploaded is not None:
        comment.attachment = comment_photo(uploaded)
    page.sent_comments.append(
        {
            "id": comment.id,
            "post_id": post.id,
            "in_reply_to": target.id if target else None,
            "parent_id": comment.parent_id,
            "message": text,
            "created_time": graph_time(now),
        }
        | ({"attachment_id": uploaded.id} if uploaded is not None else {})
    )
    return {"id": comment.id}


def form_or_json(request: SimRequest) -> dict[str, str]:
    """Graph takes form fields (JSON-valued where structured) or a JSON body."""
    form = request.form()
    if "application/json" in request.headers.get("content-type", "") and request.body:
        body = request.json()
        if isinstance(body, dict):
            form.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    return form
