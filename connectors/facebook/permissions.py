"""What Graph's answers say about the token's permissions. Neither case is an error on the wire.

- Since v11 comments come without ``id`` and ``from`` unless the Page token has the MODERATE
  task: such a comment cannot be answered or threaded.
- Read with a user token (not the Page's), a post's ``comments.data`` is empty while
  ``comments.summary.total_count`` counts them: a Page access token is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.base import RejectedItem

MODERATE = "MODERATE"
PAGE_TOKEN = "pages_read_user_content"  # granted to a Page token; a user token reads nothing
HIDDEN_COMMENT = f"comment without id and from: the Page token lacks the {MODERATE} task"


def hides_author(item: Mapping[str, Any]) -> bool:
    return "id" not in item and "from" not in item and ("message" in item or "created_time" in item)


def comment_gaps(post: Mapping[str, Any]) -> set[str]:
    """A post whose comments are counted but not returned."""
    comments = post.get("comments")
    if not isinstance(comments, Mapping):
        return set()
    summary = comments.get("summary")
    count = summary.get("total_count") if isinstance(summary, Mapping) else None
    data = comments.get("data")
    if isinstance(count, int) and count > 0 and isinstance(data, list) and not data:
        return {PAGE_TOKEN}
    return set()


def rejected_gaps(rejected: Iterable[RejectedItem]) -> set[str]:
    return {MODERATE for item in rejected if item.reason == HIDDEN_COMMENT}
