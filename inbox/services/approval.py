"""Four-eyes approval of replies (issue #16).

A reply that needs approval is stored ``AWAITING_APPROVAL`` with a pending ``ReplyApproval`` and
is not handed to the delivery worker. An approver (a manager, or an agent granted the right,
never the author) approves it as written or edited, or sends it back with a note. Approval
locks the conversation and then the reply (docs/architecture.md §3.5, locks 5 and 7) and queues
it once: a second approver waiting on the lock finds it decided and is refused. Every step names
the revision it acted on, so nobody approves a text the author changed meanwhile.

Decided (docs/using.md): a reply whose conversation was resolved or reassigned meanwhile may
still be approved; the conversation is answered as usual (resolved stays resolved). The SLA
clock runs while a reply waits: the customer is answered when the reply is approved.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.composer.rendering import RenderedReply
from inbox.events.kinds import reply_approval_changed_event
from inbox.events.log import announce
from inbox.exceptions import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from inbox.guidelines.verdict import Verdict
from inbox.models import (
    Agent,
    ApprovalState,
    AuditAction,
    DeliveryState,
    Message,
    ReplyApproval,
)
from inbox.models import NotificationKind as Kind
from inbox.permissions.access import access_conversation, agent_of
from inbox.permissions.guidelines import approver_of
from inbox.selectors.messages import reply_get_conversation_id
from inbox.services.locks import lock_reply
from inbox.services.notifications import Notice, notify
from inbox.services.replies import (
    checked_render,
    enforce_guidelines,
    enqueue_delivery,
    mark_answered_locked,
)
from inbox.stored_text import Text


def reply_hold_locked(*, message: Message, verdict: Verdict, now: datetime) -> ReplyApproval:
    """Open the approval of a reply just stored as waiting; the caller announces the event."""
    return ReplyApproval.objects.create(
        message=message,
        team_id=message.conversation.team_id,
        author=message.author_agent,
        state=ApprovalState.PENDING,
        reasons=[h.as_dict() for h in verdict.hits if h.action == "approval"],
        requested_at=now,
    )


def reply_hold_for_retry_locked(*, message: Message, verdict: Verdict) -> bool:
    """A failed reply sent again that the rules now hold: waiting for approval unless it was
    approved before. True when it now waits. The caller holds the reply's lock."""
    approval = ReplyApproval.objects.filter(message_id=message.pk).first()
    if approval is not None and approval.state == ApprovalState.APPROVED:
        return False
    now = timezone.now()
    if approval is None:
        approval = reply_hold_locked(message=message, verdict=verdict, now=now)
    message.delivery_state = DeliveryState.AWAITING_APPROVAL
    message.save(update_fields=["delivery_state"])
    announce(reply_approval_changed_event(message=message, approval=approval, actor=None))
    return True


def _lock(user: AbstractBaseUser, message_id: int) -> tuple[Message, ReplyApproval]:
    """Conversation, then reply, locked; another team's reply is not found."""
    conversation_id = reply_get_conversation_id(message_id=message_id)
    if conversation_id is None:
        raise NotFound(
            Text(gettext_lazy("Reply %(message_id)s was not found."), message_id=message_id)
        )
    try:
        conversation = access_conversation(user, conversation_id, for_update=True)
    except NotFound:
        raise NotFound(
            Text(gettext_lazy("Reply %(message_id)s was not found."), message_id=message_id)
        ) from None
    message = lock_reply(message_id)
    message.conversation = conversation
    approval = ReplyApproval.objects.filter(message_id=message_id).first()
    if approval is None:
        raise InvalidTransition(gettext_lazy("This reply was never waiting for approval."))
    return message, approval


def _check_revision(approval: ReplyApproval, revision: int) -> None:
    if approval.revision != revision:
        raise StaleVersion(
            gettext_lazy("The author changed this reply while you read it; read it again."),
            current_revision=approval.revision,
        )


def _check_pending(approval: ReplyApproval) -> None:
    if approval.state != ApprovalState.PENDING:
        raise InvalidTransition(
            Text(
                gettext_lazy("This reply is no longer waiting for approval (%(state)s)."),
                state=approval.state,
            ),
            current_state=approval.state,
        )


def _rewrite(message: Message, rendered: RenderedReply) -> None:
    message.body, message.signature, message.text = rendered.body, rendered.signature, rendered.text


def _decide(approval: ReplyApproval, approver: Agent, state: str, **fields: object) -> None:
    approval.state = state
    approval.decided_by = approver
    approval.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(approval, name, value)
    approval.save()


@transaction.atomic(durable=True)
def reply_approve(
    *, user: AbstractBaseUser, message_id: int, revision: int, body: str | None = None
) -> Message:
    """Approve the reply (edited when ``body`` is given: still signed by its author), and
    queue it for delivery, exactly once."""
    approver = approver_of(user)
    message, approval = _lock(user, message_id)
    _check_pending(approval)
    _check_revision(approval, revision)
    if approval.author_id == approver.pk:
        raise PermissionDenied(_("Someone else must approve your reply."))
    author = message.author_agent
    original = message.body
    if body is not None and body != message.body:
        rendered = checked_render(
            author, message.conversation, body, files=message.reply_attachments.exists()
        )
        _rewrite(message, rendered)
    # The rules still apply: an approver cannot wave through what the guidelines block.
    enforce_guidelines(author, message.conversation, message.body)
    now = timezone.now()
    edited = original if message.body != original else ""
    _decide(approval, approver, ApprovalState.APPROVED, original_body=edited)
    message.delivery_state = DeliveryState.QUEUED
    message.platform_time = now
    message.save(update_fields=["body", "signature", "text", "delivery_state", "platform_time"])
    mark_answered_locked(agent=author, conversation=message.conversation, now=now)
    _audit(AuditAction.REPLY_APPROVED, approver, message, {"edited_from": edited})
    announce(reply_approval_changed_event(message=message, approval=approval, actor=approver))
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


@transaction.atomic(durable=True)
def reply_send_back(
    *, user: AbstractBaseUser, message_id: int, revision: int, note: str
) -> Message:
    """Return the reply to its author with a note; nothing is posted."""
    approver = approver_of(user)
    if not note.strip():
        raise InvalidInput(_("Say what the author should change."), field="note")
    message, approval = _lock(user, message_id)
    _check_pending(approval)
    _check_revision(approval, revision)
    if approval.author_id == approver.pk:
        raise PermissionDenied(_("Someone else must review your reply."))
    _decide(approval, approver, ApprovalState.SENT_BACK, note=note.strip())
    message.delivery_state = DeliveryState.SENT_BACK
    message.save(update_fields=["delivery_state"])
    _audit(AuditAction.REPLY_SENT_BACK, approver, message, {"note": approval.note})
    notify([Notice(approval.author_id, Kind.REPLY_SENT_BACK, message.conversation_id, approver.pk)])
    announce(reply_approval_changed_event(message=message, approval=approval, actor=approver))
    return message


@transaction.atomic(durable=True)
def reply_revise(*, user: AbstractBaseUser, message_id: int, revision: int, body: str) -> Message:
    """The author changes a waiting (or sent back) reply; it waits for approval again, checked
    against the rules again. An approver who read the older revision must read it again."""
    author = agent_of(user)
    message, approval = _lock(user, message_id)
    if approval.author_id != author.pk:
        raise PermissionDenied(_("Only the author may change a reply waiting for approval."))
    if approval.state == ApprovalState.APPROVED:
        raise InvalidTransition(
            gettext_lazy("This reply was approved already."), current_state=approval.state
        )
    _check_revision(approval, revision)
    rendered = checked_render(
        author, message.conversation, body, files=message.reply_attachments.exists()
    )
    verdict = enforce_guidelines(author, message.conversation, rendered.body)
    _rewrite(message, rendered)
    message.delivery_state = DeliveryState.AWAITING_APPROVAL
    message.save(update_fields=["body", "signature", "text", "delivery_state"])
    approval.state = ApprovalState.PENDING
    approval.revision += 1
    approval.reasons = [h.as_dict() for h in verdict.hits if h.action == "approval"]
    approval.decided_by, approval.decided_at = None, None
    approval.save()
    announce(reply_approval_changed_event(message=message, approval=approval, actor=author))
    return message


def _audit(action: AuditAction, approver: Agent, message: Message, details: dict) -> None:
    audit(
        action,
        actor=approver,
        object_type="message",
        object_id=message.pk,
        team_id=message.conversation.team_id,
        details={
            "conversation_id": message.conversation_id,
            "author_id": message.author_agent_id,
            "text": message.text,
            **details,
        },
    )
