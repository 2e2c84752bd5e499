"""Reads of the approval queue (issue #16)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from inbox.models import ApprovalState, ReplyApproval
from inbox.permissions.access import readable_team_ids


def reply_approval_list_pending(*, user: AbstractBaseUser, limit: int) -> list[ReplyApproval]:
    """Replies waiting for approval in the user's teams, oldest first (the longest wait first)."""
    approvals = (
        ReplyApproval.objects.filter(state=ApprovalState.PENDING)
        .select_related("message__conversation", "message__author_agent", "author", "decided_by")
        .prefetch_related("message__media")  # the message snapshot lists its media
    )
    team_ids = readable_team_ids(user)
    if team_ids is not None:
        approvals = approvals.filter(team_id__in=team_ids)
    return list(approvals.order_by("requested_at", "message_id")[:limit])
