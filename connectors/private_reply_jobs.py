"""The RQ job that delivers a private reply to a public comment's author, at most once.

The same rules as ``connectors.jobs.deliver_reply`` (whose helpers it shares): the attempt is
committed before the call; a repeat after an unknown outcome passes ``since`` so the connector
finds the first attempt's message (X) or takes "already replied" as it (Facebook).
"""

from __future__ import annotations

import django_rq
from rq import Callback
from rq.job import Job

from connectors.base import Moderator
from connectors.errors import (
    AlreadyReplied,
    AuthExpired,
    PlatformRejected,
    RateLimited,
    TargetGone,
)
from connectors.job_failures import failure_reason, unreachable_after_last_retry
from connectors.jobs import (
    DELIVERY_QUEUE,
    DELIVERY_RETRY,
    MissingCredentials,
    _advisory_lock,
    _enqueue_once,
    account_connector,
)
from inbox.services import private_replies as services

_PRIVATE_REPLY_LOCK = 4 << 48


def enqueue_private_reply(reply_id: int) -> bool:
    return _enqueue_once(
        DELIVERY_QUEUE, "connectors.private_reply_jobs.send_private_reply", reply_id,
        f"private-reply-{reply_id}", DELIVERY_RETRY,
        on_failure=Callback(send_private_reply_exhausted),
    )  # fmt: skip


def send_private_reply(reply_id: int) -> str:
    with _advisory_lock(_PRIVATE_REPLY_LOCK | reply_id) as acquired:
        if not acquired:
            return "skipped: another attempt is running"
        begun = services.private_reply_begin(reply_id=reply_id)
        if begun is None:
            return "nothing to do"
        reply, uncertain = begun
        comment = reply.message
        try:
            connector: Moderator = account_connector(comment.account)  # type: ignore[assignment]
            external_id = connector.private_reply(
                comment.external_id,
                comment.author_contact.external_id if comment.author_contact else "",
                reply.text,
                since=reply.started_at if uncertain else None,
            )
        except AlreadyReplied as error:
            if not uncertain:
                services.private_reply_failed(reply_id=reply_id, reason=str(error))
                return f"failed: {error}"
            external_id = ""  # our own earlier attempt: Graph does not say its id again
        except RateLimited as error:
            services.private_reply_deferred(
                reply_id=reply_id, reason=f"Waiting for the platform's rate limit: {error}"
            )
            django_rq.get_queue(DELIVERY_QUEUE).enqueue_at(
                error.reset_at, "connectors.private_reply_jobs.send_private_reply", reply_id,
                job_id=f"private-reply-{reply_id}-after-limit", retry=DELIVERY_RETRY,
                on_failure=Callback(send_private_reply_exhausted),
            )  # fmt: skip
            return "deferred until the rate limit resets"
        except (TargetGone, PlatformRejected, AuthExpired, MissingCredentials) as error:
            services.private_reply_failed(reply_id=reply_id, reason=failure_reason(error))
            return f"failed: {error}"
        services.private_reply_sent(reply_id=reply_id, external_id=external_id)
        return f"sent as {external_id or 'the earlier attempt'}"


def send_private_reply_exhausted(job: Job, connection: object, *exc_info: object) -> None:
    if reason := unreachable_after_last_retry(job, exc_info, "delivery failed"):
        services.private_reply_failed(reply_id=int(job.args[0]), reason=reason)
