"""What an account may post on the simulated X: replies (``POST /2/tweets``) and direct
messages (``POST /2/dm_conversations/with/{id}/messages``), with uploaded media (issue #13):
``media.media_ids`` (up to 4 photos, or one GIF or video) and a DM's ``attachments``
(one ``media_id``). Only media the account uploaded and X finished processing may be posted.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from twitter_text import parse_tweet

from connectors.simulator.faults import FaultKind
from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import media as x_media
from connectors.simulator.x import wire
from connectors.simulator.x.state import TweetGone
from connectors.simulator.x.uploads import post_failed

if TYPE_CHECKING:
    from connectors.simulator.x.app import XApp

DM_MAX_CHARS = 10_000
TOO_LONG = (
    "Your Tweet text is too long. For more information on how X determines text length "
    "see https://github.com/twitter/twitter-text."
)
REPLY_GONE = "You attempted to reply to a Tweet that is deleted or not visible to you."
MEDIA_URL = "https://pbs.twimg.com/media/{id}.jpg"


def _with_media_link(text: str, media: list[dict]) -> str:
    """X ends the text of a post or DM with media with a t.co link to the media."""
    if not media:
        return text
    code = media[0]["media_key"].split("_", 1)[1][-10:]
    return f"{text} https://t.co/{code}".lstrip()


def _json_object(request: SimRequest) -> dict[str, Any] | None:
    try:
        value = request.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _media(app: XApp, me: str, media_ids: object, path: str) -> list[dict] | SimResponse:
    """The media objects for ``media_ids``, or X's refusal; the ``media_post_fails`` fault."""
    if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4:
        return wire.invalid_request("media.media_ids", "", "Provide between 1 and 4 media ids.")
    objects = []
    for media_id in media_ids:
        upload = app.uploads.usable(str(media_id), me)
        if upload is None:
            return wire.invalid_request(
                "media.media_ids", str(media_id), "Your media IDs are invalid."
            )
        if upload.kind == "photo":
            medium = {"media_key": f"3_{upload.media_id}", "type": "photo",
                      "url": MEDIA_URL.format(id=upload.media_id)}  # fmt: skip
        else:
            medium = {"media_key": f"{'7' if upload.kind == 'video' else '16'}_{upload.media_id}",
                      "type": upload.kind}  # fmt: skip
        objects.append(medium)
    if len(objects) > 1 and any(m["type"] != "photo" for m in objects):
        return wire.invalid_request("media.media_ids", "", "A GIF or video must be alone.")
    if app.faults.take("x", path, {FaultKind.MEDIA_POST_FAILS}) is not None:
        return post_failed()
    return objects


def create_tweet(app: XApp, request: SimRequest, me: str) -> SimResponse:
    spec = _json_object(request)
    if spec is None or not isinstance(spec.get("text"), str) or not spec["text"]:
        return wire.invalid_request("text", "", "The `text` field is required.")
    text = unicodedata.normalize("NFC", spec["text"])
    if parse_tweet(text).weightedLength > 280:
        return wire.forbidden(TOO_LONG)
    media: list[dict] | SimResponse = []
    if spec.get("media") is not None:
        media = _media(app, me, (spec.get("media") or {}).get("media_ids"), request.path)
        if isinstance(media, SimResponse):
            return media
    reply_to = (spec.get("reply") or {}).get("in_reply_to_tweet_id")
    try:
        tweet = app.state.create_tweet(
            me, _with_media_link(text, media), in_reply_to_tweet_id=reply_to
        )
    except TweetGone:
        return wire.forbidden(REPLY_GONE)
    with app.state.lock:
        x_media.attach(app.state.media, tweet, media)
    data = {k: tweet[k] for k in wire.TWEET_DEFAULT_FIELDS}
    return SimResponse.json({"data": data}, 201)


def create_dm(app: XApp, request: SimRequest, me: str, participant_id: str) -> SimResponse:
    spec = _json_object(request)
    text = spec.get("text") if spec is not None else None
    attachments = spec.get("attachments") if spec is not None else None
    if (not isinstance(text, str) or not text) and not attachments:
        return wire.invalid_request("text", "", "The `text` field is required.")
    text = text if isinstance(text, str) else ""
    if len(text) > DM_MAX_CHARS:
        return wire.invalid_request("text", text[:20], "Text must be 10,000 characters or less")
    if not participant_id.isdigit() or participant_id == me:
        return wire.invalid_request(
            "participant_id", participant_id, "The participant_id is not a valid recipient."
        )
    if participant_id not in app.state.users:
        return wire.forbidden("You cannot send messages to this user.")
    media: list[dict] | SimResponse = []
    if attachments is not None:
        if not isinstance(attachments, list) or len(attachments) != 1:
            return wire.invalid_request("attachments", "", "A message takes one attachment.")
        media = _media(app, me, [(attachments[0] or {}).get("media_id")], request.path)
        if isinstance(media, SimResponse):
            return media
    event = app.state.create_dm(me, participant_id, _with_media_link(text, media))
    with app.state.lock:
        x_media.attach(app.state.media, event, media)
    body = {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event["id"]}
    return SimResponse.json({"data": body}, 201)
