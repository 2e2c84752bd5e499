"""The Graph fields the Instagram connector asks for, in one place."""

from __future__ import annotations

from connectors.facebook.media import ATTACHMENT_FIELDS

PAGE_SIZE = 25
COMMENTS_PAGE_SIZE = 50
# How many of the account's newest media a poll watches for new comments.
MEDIA_WINDOW = 25
MEDIA_FIELDS = "id,timestamp,comments_count"
REPLY_FIELDS = "id,text,timestamp,username,from,parent_id"
COMMENT_FIELDS = f"{REPLY_FIELDS},hidden,replies.limit({COMMENTS_PAGE_SIZE}){{{REPLY_FIELDS}}}"
# ``story``: a reply to, or a mention in, the customer's story (with its media link).
MESSAGE_FIELDS = f"id,message,from,to,created_time,{ATTACHMENT_FIELDS},story"
CONVERSATION_FIELDS = f"participants,updated_time,messages.limit({PAGE_SIZE}){{{MESSAGE_FIELDS}}}"
# Mentions: another user's caption or comment naming the account, looked up on the account.
MENTION_PREFIX = "mention:"  # a mention's thread: ``mention:{media-id}[:{comment-id}]``
MENTIONED_MEDIA_FIELDS = "caption,media_type,timestamp,username,comments_count"
MENTIONED_COMMENT_FIELDS = "text,timestamp,username,media{id}"
# Whether an answer to a caption mention was posted: the newest comments on that media, read
# through the mention (another user's media: ``/{media}/comments`` is not the account's to
# read), and the account's own username to know its comment. Comments come newest first.
MENTION_CHECK_LIMIT = 50
MENTION_CHECK_FIELDS = "id,text,timestamp,username"
