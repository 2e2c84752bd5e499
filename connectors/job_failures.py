"""Why a job failed, in words for the agent, and the RQ callbacks that record a failure once a
job's last retry is spent (``on_failure`` of the delivery and moderation jobs; they are also
importable from ``connectors.jobs``, where jobs queued before this module existed look)."""

from __future__ import annotations

from rq.job import Job

from connectors.errors import AuthExpired, MissingCredentials, TargetGone
from inbox.services import delivery as delivery_services
from inbox.services import moderation as moderation_services


def failure_reason(error: Exception) -> str:
    if isinstance(error, TargetGone):
        return f"The message being answered was deleted on the platform. ({error})"
    if isinstance(error, AuthExpired | MissingCredentials):
        return f"The channel account's access token was rejected. ({error})"
    return str(error)


def moderation_failure_reason(error: Exception) -> str:
    if isinstance(error, TargetGone):
        return f"The comment was already deleted on the platform. ({error})"
    return failure_reason(error)


def unreachable_after_last_retry(job: Job, exc_info: tuple, fallback: str) -> str | None:
    """For an RQ failure callback: None while the job has retries left, else the reason to
    record (the exception's text, else ``fallback``)."""
    if job.retries_left:
        return None
    reason = str(exc_info[1]) if len(exc_info) > 1 else fallback
    return f"Could not reach the platform: {reason}"


def deliver_reply_exhausted(job: Job, connection: object, *exc_info: object) -> None:
    """RQ failure callback: after the last retry, show the agent the reply failed, and why."""
    if reason := unreachable_after_last_retry(job, exc_info, "delivery failed"):
        delivery_services.reply_delivery_failed(message_id=int(job.args[0]), reason=reason)


def moderate_message_exhausted(job: Job, connection: object, *exc_info: object) -> None:
    """RQ failure callback: after the last retry, show the agent the action failed, and why."""
    if reason := unreachable_after_last_retry(job, exc_info, "moderation failed"):
        moderation_services.moderation_failed(action_id=int(job.args[0]), reason=reason)
