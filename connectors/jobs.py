"""RQ jobs: the only glue between the pure connectors and ``inbox.services``. Jobs take ids only.

- ``dispatch`` runs in every worker's maintenance pass (connectors.worker): it queues a poll for
  every account that is due and re-queues replies whose delivery job was lost.
- ``poll_account`` reads one account's new items and stores them with the cursor in one
  transaction. A PostgreSQL advisory lock keeps polls of one account from overlapping; it is
  released by PostgreSQL itself if the worker dies. When the platform still holds unread items
  (``FetchResult.more_pending``) the poll queues its successor at once, so a backlog drains at
  full speed rather than one fetch per poll interval.
- ``deliver_reply`` posts one reply at most once: the attempt is committed before the call,
  and a repeated attempt after an unknown outcome first searches the platform for the reply.
- ``moderate_message`` hides, unhides or deletes one public comment under the same rules
  (``inbox.services.moderation``); hide and unhide are idempotent on the platform, and a delete
  retried after an unknown outcome counts "already gone" as done.

Every job is enqueued with ``Retry``: RQ re-runs a job whose work-horse was killed only if it
has retries left (docs/architecture.md §6). A job takes its advisory lock before any row lock,
then the services follow the lock order of docs/architecture.md §3.5.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import django_rq
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rq import Callback, Retry, get_current_job
from rq.job import Job, JobStatus

from connectors.base import (
    Connector,
    ModerationKind,
    ModerationRequest,
    Moderator,
    OutboundReply,
    Platform,
    SentReply,
    ThreadKind,
)
from connectors.errors import (
    AuthExpired,
    MissingCredentials,
    OutcomeUnknown,
    PlatformRejected,
    PlatformUnavailable,
    RateLimited,
    TargetGone,
)
from connectors.facebook.client import share_pacing_through
from connectors.factory import connector_for
from connectors.job_failures import (
    deliver_reply_exhausted,
    failure_reason,
    moderate_message_exhausted,
    moderation_failure_reason,
)
from connectors.media_delivery import send_reply
from connectors.token_jobs import call_renewing, renew_before_call
from inbox.credentials import CredentialsUnreadable, account_token, credentials_source
from inbox.models import AccountHealth, ChannelAccount, Message
from inbox.selectors.channel_accounts import channel_account_get, channel_account_list_due
from inbox.selectors.email_replies import email_reply_extra
from inbox.selectors.messages import reply_get_for_delivery, reply_list_awaiting_delivery
from inbox.selectors.moderation import (
    moderation_get_for_job,
    moderation_list_unfinished,
    private_reply_list_unfinished,
)
from inbox.services import accounts as account_services
from inbox.services import delivery as delivery_services
from inbox.services import moderation as moderation_services

logger = logging.getLogger(__name__)

POLL_QUEUE = "polling"
DELIVERY_QUEUE = "delivery"
DISPATCH_QUEUE = "default"
LOST_REPLY_AFTER = timedelta(minutes=2)

# The first retry is immediate: it needs no scheduler (whose lock outlives a killed worker by a
# minute or more) and a crashed attempt is best resumed at once. Later ones back off.
POLL_RETRY = Retry(max=3, interval=[0, 30, 120])
DELIVERY_RETRY = Retry(max=5, interval=[0, 30, 120, 600, 1800])

# Advisory-lock namespaces (the high bits of the 64-bit key).
_POLL_LOCK = 1 << 48
_DELIVERY_LOCK = 2 << 48
_MODERATION_LOCK = 3 << 48

_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


# --- scheduling -------------------------------------------------------------------------------


def _enqueue_once(
    queue_name: str,
    func: str,
    arg: int,
    job_id: str,
    retry: Retry,
    on_failure: Callback | None = None,
    also_live: tuple[str, ...] = (),
) -> bool:
    """Queue a job unless one with this id (or one of ``also_live``, the same work under
    another id) is already waiting, scheduled or running."""
    queue = django_rq.get_queue(queue_name)
    for existing in Job.fetch_many([job_id, *also_live], connection=queue.connection):
        if existing is not None and existing.get_status(refresh=False) in _LIVE:
            return False
    queue.enqueue(func, arg, job_id=job_id, retry=retry, on_failure=on_failure)
    return True


def dispatch() -> dict[str, int]:
    """Queue due polls and lost deliveries. Every worker runs this in its maintenance pass, so
    polling goes on while any worker lives (duplicates collapse: job ids, advisory locks)."""
    now = timezone.now()
    polls = 0
    for account_id in channel_account_list_due(now=now):
        plain, more = _poll_job_ids(account_id)
        polls += _enqueue_once(POLL_QUEUE, "connectors.jobs.poll_account", account_id, plain,
                               POLL_RETRY, also_live=(more,))  # fmt: skip
    deliveries = sum(
        enqueue_delivery(message_id)
        for message_id in reply_list_awaiting_delivery(queued_before=now - LOST_REPLY_AFTER)
    )
    moderations = sum(
        enqueue_moderation(action_id)
        for action_id in moderation_list_unfinished(created_before=now - LOST_REPLY_AFTER)
    )
    # Imported here: these modules build on this one's helpers.
    from connectors.private_reply_jobs import enqueue_private_reply

    moderations += sum(
        enqueue_private_reply(reply_id)
        for reply_id in private_reply_list_unfinished(created_before=now - LOST_REPLY_AFTER)
    )
    from connectors.token_upkeep import queue_token_upkeep

    return {"polls": polls, "deliveries": deliveries, "moderations": moderations,
            **queue_token_upkeep(now)}  # fmt: skip


def enqueue_delivery(message_id: int) -> bool:
    """Queue a reply's delivery (``inbox`` calls this after a reply or a retry commits)."""
    return _enqueue_once(
        DELIVERY_QUEUE, "connectors.jobs.deliver_reply", message_id, f"deliver-{message_id}",
        DELIVERY_RETRY, on_failure=Callback(deliver_reply_exhausted),
    )  # fmt: skip


def enqueue_moderation(action_id: int) -> bool:
    """Queue a moderation action (``inbox`` calls this after the request commits)."""
    return _enqueue_once(
        DELIVERY_QUEUE, "connectors.jobs.moderate_message", action_id, f"moderate-{action_id}",
        DELIVERY_RETRY, on_failure=Callback(moderate_message_exhausted),
    )  # fmt: skip


@contextmanager
def _advisory_lock(key: int) -> Iterator[bool]:
    """A session lock: held across the job's transactions, dropped if the process dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def account_connector(account: ChannelAccount) -> Connector:
    try:
        token = account_token(account)
    except CredentialsUnreadable as error:
        raise MissingCredentials(str(error)) from None
    if not token:
        raise MissingCredentials(f"no access token: {credentials_source(account)} holds none")
    # Every worker paces a Page's Conversations API calls through the same Redis: together,
    # not each on its own, they must stay inside the Page's per-second budget.
    share_pacing_through(settings.REDIS_URL)
    return connector_for(
        platform=account.platform,
        external_id=account.external_id,
        token=token,
        base_url=account.base_url or None,
        mail_settings=account.mail_settings,
    )


# --- polling ----------------------------------------------------------------------------------


def _poll_job_ids(account_id: int) -> tuple[str, str]:
    """The two ids a poll of one account runs under. A poll that leaves a backlog queues its
    successor under the id it is not running under itself (its own id is still "started", so
    RQ's one-job-per-id check would drop it); dispatch treats either id as "already queued"."""
    return f"poll-{account_id}", f"poll-{account_id}-more"


def poll_account(account_id: int) -> str:
    outcome, more_pending = _poll_once(account_id)
    if more_pending:
        # Only now, with the lock released: the successor may start on another worker at once.
        _queue_successor(account_id)
    return outcome


def _queue_successor(account_id: int) -> None:
    plain, more = _poll_job_ids(account_id)
    current = get_current_job()
    running = current.id if current else None
    successor = plain if running == more else more
    # Our own id reads "started" until we return; any other id of this account counts as queued.
    others = tuple(i for i in (plain, more) if i not in (successor, running))
    _enqueue_once(POLL_QUEUE, "connectors.jobs.poll_account", account_id, successor, POLL_RETRY,
                  also_live=others)  # fmt: skip


def _poll_once(account_id: int) -> tuple[str, bool]:
    """One poll under the account's advisory lock: what happened, and whether more is unread."""
    with _advisory_lock(_POLL_LOCK | account_id) as acquired:
        if not acquired:
            return "skipped: another poll of this account is running", False
        account = channel_account_get(account_id=account_id)
        if account is None or not account.is_active:
            return "skipped: account gone or inactive", False
        if account.health == AccountHealth.UNHEALTHY:
            return "skipped: paused until reconnected", False
        if (refused := renew_before_call(account)) is not None:
            return refused, False
        account = channel_account_get(account_id=account_id)  # perhaps a renewed token
        reset_at = account.rate_limit_reset_at
        if account.rate_limit_remaining == 0 and reset_at and reset_at > timezone.now():
            return f"skipped: rate limited until {reset_at.isoformat()}", False
        started = time.perf_counter()
        try:
            result = call_renewing(account, lambda a: account_connector(a).fetch(a.poll_cursor))
        except RateLimited as error:
            account_services.account_rate_limited(
                account_id=account_id, reset_at=error.reset_at, detail=str(error)
            )
            return "rate limited", False
        except (AuthExpired, MissingCredentials) as error:
            account_services.account_auth_expired(account_id=account_id, reason=str(error))
            return "paused: credentials rejected", False
        except (PlatformUnavailable, PlatformRejected) as error:
            account_services.account_poll_failed(account_id=account_id, error=str(error))
            return f"failed: {error}", False
        fetched = time.perf_counter()
        for item in result.rejected:
            logger.warning(
                "account %s: skipped an unreadable item (%s); raw payload: %s",
                account_id,
                item.reason,
                item.raw,
            )
        stored = account_services.poll_result_apply(account_id=account_id, result=result)
        # One line per poll: where a poll's time goes (platform vs database), for operators and
        # bench/ingest_throughput.py.
        logger.info(
            "account %s: poll fetched %d item(s) in %.1f ms, stored %d in %.1f ms%s",
            account_id, len(result.messages), (fetched - started) * 1000, stored.created,
            (time.perf_counter() - fetched) * 1000, ", more pending" if result.more_pending else "",
        )  # fmt: skip
        # Out of budget: the account's next_poll_at already waits for the reset.
        more = result.more_pending and result.rate_limit_remaining != 0
        return f"stored {stored.created}, {stored.duplicates} already known", more


# --- delivery ---------------------------------------------------------------------------------


def _outbound(message: Message, ticket: delivery_services.DeliveryTicket) -> OutboundReply:
    conversation = message.conversation
    extra: dict[str, str] = {}
    if ticket.customer_last_message_at is not None:
        extra["customer_last_message_at"] = ticket.customer_last_message_at.isoformat()
    if ticket.persona_id:
        extra["persona_id"] = ticket.persona_id
    if conversation.account.platform == Platform.EMAIL:
        extra.update(email_reply_extra(message))
    agent = message.author_agent
    return OutboundReply(
        idempotency_key=f"svar-{message.pk}",
        thread_external_id=conversation.external_thread_id,
        kind=ThreadKind(conversation.kind),
        body=message.text,
        recipient_external_id=conversation.contact.external_id,
        in_reply_to_external_id=message.in_reply_to_external_id or None,
        persona_name=agent.public_name if agent else None,
        extra=extra,
    )


def _ensure_persona(connector: Connector, message: Message, reply: OutboundReply) -> OutboundReply:
    """Messenger shows the agent's own name natively; a persona is made once per agent and Page."""
    ensure = getattr(connector, "ensure_persona", None)
    if ensure is None or reply.kind != ThreadKind.PRIVATE or message.author_agent is None:
        return reply
    if "persona_id" in reply.extra:
        return reply
    agent = message.author_agent
    persona_id = ensure(agent.public_name, agent.avatar_url or settings.SVAR_DEFAULT_AVATAR_URL)
    delivery_services.agent_persona_save(
        agent_id=message.author_agent_id, account_id=message.account_id, persona_id=persona_id
    )
    return replace(reply, extra={**reply.extra, "persona_id": persona_id})


def _attempt(
    account: ChannelAccount, message: Message, ticket: delivery_services.DeliveryTicket
) -> SentReply:
    connector = account_connector(account)
    reply = _outbound(message, ticket)
    sent = connector.find_sent(reply, since=ticket.started_at) if ticket.uncertain else None
    if sent is None:
        reply = _ensure_persona(connector, message, reply)
        sent = send_reply(connector, reply, message)  # with its files, if any
    return sent


def deliver_reply(message_id: int) -> str:
    with _advisory_lock(_DELIVERY_LOCK | message_id) as acquired:
        if not acquired:
            return "skipped: another attempt is running"
        ticket = delivery_services.reply_delivery_begin(message_id=message_id)
        if ticket is None:
            return "nothing to do"
        message = reply_get_for_delivery(message_id=message_id)
        if message.account.disconnected_at is not None:
            delivery_services.reply_delivery_failed(
                message_id=message_id, reason="The channel account was disconnected."
            )
            return "failed: account disconnected"
        renew_before_call(message.account)  # a refusal shows as the send's AuthExpired
        message = reply_get_for_delivery(message_id=message_id)
        try:  # a mailbox's refused OAuth token is renewed once: nothing was sent with it
            sent = call_renewing(message.account, lambda a: _attempt(a, message, ticket))
        except RateLimited as error:
            delivery_services.reply_delivery_deferred(
                message_id=message_id, reason=f"Waiting for the platform's rate limit: {error}"
            )
            django_rq.get_queue(DELIVERY_QUEUE).enqueue_at(
                error.reset_at, "connectors.jobs.deliver_reply", message_id,
                job_id=f"deliver-{message_id}-after-limit", retry=DELIVERY_RETRY,
                on_failure=Callback(deliver_reply_exhausted),
            )  # fmt: skip
            return "deferred until the rate limit resets"
        except OutcomeUnknown as error:  # may be posted, cannot be checked: never post again
            delivery_services.reply_delivery_outcome_unknown(message_id=message_id)
            return f"outcome unknown: {error}"
        except (TargetGone, PlatformRejected, AuthExpired, MissingCredentials) as error:
            delivery_services.reply_delivery_failed(
                message_id=message_id, reason=failure_reason(error)
            )
            if isinstance(error, AuthExpired | MissingCredentials):
                account_services.account_auth_expired(
                    account_id=message.account_id, reason=str(error)
                )
            return f"failed: {error}"
        # PlatformUnavailable and anything unexpected propagate: the outcome is unknown, the
        # message stays "sending", and RQ's Retry runs this job again (searching first).
        delivery_services.reply_delivery_succeeded(
            message_id=message_id, external_id=sent.external_id, sent_at=sent.sent_at
        )
        return f"sent as {sent.external_id}"


# --- moderation -------------------------------------------------------------------------------


def moderate_message(action_id: int) -> str:
    with _advisory_lock(_MODERATION_LOCK | action_id) as acquired:
        if not acquired:
            return "skipped: another attempt is running"
        begun = moderation_services.moderation_begin(action_id=action_id)
        if begun is None:
            return "nothing to do"
        action, uncertain = begun
        message = moderation_get_for_job(action_id=action_id).message
        request = ModerationRequest(
            kind=ModerationKind(action.kind), external_id=message.external_id, uncertain=uncertain
        )
        try:
            connector: Moderator = account_connector(message.account)  # type: ignore[assignment]
            connector.moderate(request)
        except RateLimited as error:
            moderation_services.moderation_deferred(
                action_id=action_id, reason=f"Waiting for the platform's rate limit: {error}"
            )
            django_rq.get_queue(DELIVERY_QUEUE).enqueue_at(
                error.reset_at, "connectors.jobs.moderate_message", action_id,
                job_id=f"moderate-{action_id}-after-limit", retry=DELIVERY_RETRY,
                on_failure=Callback(moderate_message_exhausted),
            )  # fmt: skip
            return "deferred until the rate limit resets"
        except (TargetGone, PlatformRejected, AuthExpired, MissingCredentials) as error:
            moderation_services.moderation_failed(
                action_id=action_id, reason=moderation_failure_reason(error)
            )
            if isinstance(error, AuthExpired | MissingCredentials):
                account_services.account_auth_expired(
                    account_id=message.account_id, reason=str(error)
                )
            return f"failed: {error}"
        # PlatformUnavailable and anything unexpected propagate: RQ's Retry runs it again.
        moderation_services.moderation_succeeded(action_id=action_id)
        return f"{action.kind} done"
