"""X media upload (``/2/media/upload``) and posts that carry the uploaded media.

Photos go in one multipart request (``media_category`` ``tweet_image`` / ``dm_image``). GIFs
and video go in chunks: ``initialize`` (JSON: type, total bytes, category) → ``{id}/append``
(multipart, ``segment_index``) for each 4 MiB → ``{id}/finalize``; while the answer's
``processing_info.state`` is ``pending`` or ``in_progress`` the upload's status is read again
(``GET /2/media/upload?command=STATUS&media_id=``) after ``check_after_secs``, until
``succeeded`` (or ``failed``: refused, with X's reason). Then ``POST /2/tweets`` with
``media.media_ids``, or a DM with ``attachments: [{"media_id"}]`` (one per DM).

tweepy 4 has no v2 upload: the JSON calls go through ``Client.request``, the multipart ones
through the client's own session (same host redirection and timeout), their errors raised as
the tweepy exceptions ``XConnector._call`` translates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import IO, Any

import tweepy

from connectors.base import OutboundReply, SentReply, ThreadKind
from connectors.errors import PlatformRejected, PlatformUnavailable
from connectors.twitter.connector import XConnector

API = "https://api.x.com"
CHUNK_BYTES = 4 * 1024 * 1024
MAX_STATUS_CHECKS = 30
MAX_WAIT_SECONDS = 10  # per check: X says how long; never longer than this
CATEGORY = {  # (kind, public?) -> media_category
    ("photo", True): "tweet_image", ("photo", False): "dm_image",
    ("animated_gif", True): "tweet_gif", ("animated_gif", False): "dm_gif",
    ("video", True): "tweet_video", ("video", False): "dm_video",
}  # fmt: skip
_ERRORS: dict[int, type[tweepy.HTTPException]] = {
    400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden,
    404: tweepy.NotFound,
}  # fmt: skip


def _multipart(client: tweepy.Client, route: str, data: dict[str, str], file: Any) -> Any:
    """A multipart POST with the client's session and bearer token; errors as tweepy's."""
    headers = {"User-Agent": client.user_agent, "Authorization": f"Bearer {client.bearer_token}"}
    response = client.session.post(API + route, data=data, files={"media": file}, headers=headers)
    status = response.status_code
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset else None)
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    if not 200 <= status < 300:
        raise _ERRORS.get(status, tweepy.HTTPException)(response)
    return response


def upload(
    connector: XConnector, file: IO[bytes], *, kind: str, content_type: str, size: int,
    public: bool, sleep: Callable[[float], None] = time.sleep,
) -> str:  # fmt: skip
    """Upload one file; X's media id once it may be posted."""
    category = CATEGORY.get((kind, public))
    if category is None:
        raise PlatformRejected(f"X does not take a {kind} in a post or DM.")
    if kind == "photo":
        form = {"media_category": category, "media_type": content_type}
        payload, _ = connector._call(_multipart, connector.client, "/2/media/upload", form,
                                     ("media", file, content_type))  # fmt: skip
        return _media_id(payload)
    return _chunked(connector, file, category, content_type, size, sleep)


def _chunked(
    connector: XConnector, file: IO[bytes], category: str, content_type: str, size: int,
    sleep: Callable[[float], None],
) -> str:  # fmt: skip
    request = connector.client.request
    body = {"media_type": content_type, "total_bytes": size, "media_category": category}
    payload, _ = connector._call(request, "POST", "/2/media/upload/initialize", json=body)
    media_id = _media_id(payload)
    index = 0
    while chunk := file.read(CHUNK_BYTES):
        route = f"/2/media/upload/{media_id}/append"
        connector._call(_multipart, connector.client, route, {"segment_index": str(index)},
                        ("chunk", chunk, "application/octet-stream"))  # fmt: skip
        index += 1
    payload, _ = connector._call(request, "POST", f"/2/media/upload/{media_id}/finalize")
    for _ in range(MAX_STATUS_CHECKS):
        info = (payload.get("data") or {}).get("processing_info") or {"state": "succeeded"}
        if info.get("state") == "succeeded":
            return media_id
        if info.get("state") == "failed":
            error = info.get("error") or {}
            raise PlatformRejected(f"X could not process the media: {error.get('message', info)}")
        sleep(min(float(info.get("check_after_secs") or 1), MAX_WAIT_SECONDS))
        params = {"command": "STATUS", "media_id": media_id}
        payload, _ = connector._call(request, "GET", "/2/media/upload", params=params)
    raise PlatformUnavailable(f"X was still processing media {media_id}")


def _media_id(payload: dict[str, Any]) -> str:
    data = payload.get("data")
    media_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(media_id, str) or not media_id:
        raise PlatformUnavailable(f"X's upload answer lacks data.id: {payload!r}")
    return media_id


def send_with_media(
    connector: XConnector, reply: OutboundReply, media_ids: Sequence[str]
) -> SentReply:
    """The reply, with its uploaded media: a post (up to 4) or a DM (one)."""
    if reply.kind is ThreadKind.PUBLIC:
        target = reply.in_reply_to_external_id or reply.thread_external_id
        payload, _ = connector._call(
            connector.client.create_tweet, text=reply.body, in_reply_to_tweet_id=target,
            media_ids=list(media_ids), user_auth=False, replying=True,
        )  # fmt: skip
        external_id = (payload.get("data") or {}).get("id")
    else:
        if len(media_ids) != 1:
            raise PlatformRejected("An X direct message carries one photo, GIF or video.")
        payload, _ = connector._call(
            connector.client.create_direct_message, participant_id=reply.recipient_external_id,
            text=reply.body, media_id=media_ids[0], user_auth=False,
        )  # fmt: skip
        external_id = (payload.get("data") or {}).get("dm_event_id")
    if not isinstance(external_id, str) or not external_id:
        raise PlatformUnavailable(f"X's answer lacks the new item's id: {payload!r}")
    return SentReply(external_id=external_id, sent_at=datetime.now(UTC))
