"""Private replies to public comments: the agent invites a citizen who posted personal data
(or anything better said privately) to go on in a private message, with a ready text.

One per comment (Facebook allows one). Delivered like a reply: the attempt is committed
(``sending``) before the platform is called, so a retry after an unknown outcome looks for the
first attempt's message (X) or takes Graph's "already replied" as it (Facebook).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from connectors.base import Platform, ThreadKind
from inbox.audit import audit
from inbox.composer.rendering import render_reply
from inbox.events.kinds import private_reply_changed_event
from inbox.events.log import announce
from inbox.exceptions import InvalidInput, InvalidTransition, NotFound
from inbox.models import Agent, AuditAction, Direction, Message, PrivateReply
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.moderation import message_get_conversation_id

logger = logging.getLogger(__name__)
MAX_TEXT = 2000  # Messenger's limit for one message
DEFAULT_ENQUEUE = "connectors.private_reply_jobs.enqueue_private_reply"
_UNFINISHED = ("queued", "sending")


@transaction.atomic(durable=True)
def private_reply_create(*, user: AbstractBaseUser, message_id: int, text: str) -> PrivateReply:
    author = agent_of(user)
    conversation_id = message_get_conversation_id(message_id=message_id)
    not_found = NotFound(_("Message %(id)s was not found.") % {"id": message_id})
    if conversation_id is None:
        raise not_found
    try:
        conversation = access_conversation(user, conversation_id, for_update=True)
    except NotFound:
        raise not_found from None
    message = Message.objects.get(pk=message_id)
    if conversation.kind != ThreadKind.PUBLIC or message.direction != Direction.INBOUND:
        raise InvalidInput(
            _("A private reply answers a customer's public comment."), field="message"
        )
    text = _signed(author, conversation.account.platform, text)
    try:
        with transaction.atomic():
            reply = PrivateReply.objects.create(
                message=message, author=author, text=text, created_at=timezone.now()
            )
    except IntegrityError:
        raise InvalidTransition(
            _("This comment already has a private reply."), current_state="replied"
        ) from None
    reply.message.conversation = conversation
    audit(
        AuditAction.PRIVATE_REPLY_SENT, actor=author, object_type="message", object_id=message.pk,
        team_id=conversation.team_id, details={"conversation_id": conversation.pk, "text": text},
    )  # fmt: skip
    announce(private_reply_changed_event(reply=reply, actor=author))
    transaction.on_commit(lambda: enqueue_private_reply(reply.pk))
    return reply


def _signed(author: Agent, platform: str, text: object) -> str:
    """The text as sent. On Instagram, signed as the agent's DMs there are and within the DM
    limit with the signature counted (1,000 characters); elsewhere, as the agent wrote it."""
    body = text.strip() if isinstance(text, str) else ""
    signed = platform == Platform.INSTAGRAM
    rendered = render_reply(
        body, platform=platform, kind=ThreadKind.PRIVATE, public_name=author.public_name,
        initials=author.initials,
        signature_template=author.signatures.get(platform) if signed else None,
    )  # fmt: skip
    limit = min(MAX_TEXT, rendered.limit)
    if not rendered.text or rendered.length > limit:
        raise InvalidInput(
            _(
                "A private reply needs text, at most %(n)s characters "
                "(signature included); this one has %(length)s."
            )
            % {"n": limit, "length": rendered.length},
            field="text",
        )
    return rendered.text


def enqueue_private_reply(reply_id: int) -> None:
    try:
        import_string(getattr(settings, "SVAR_PRIVATE_REPLY_ENQUEUE", DEFAULT_ENQUEUE))(reply_id)
    except Exception:
        logger.warning("could not queue private reply %s", reply_id, exc_info=True)


def _lock(reply_id: int) -> PrivateReply:
    return (
        PrivateReply.objects.select_for_update(of=("self",), no_key=True)
        .select_related("message__conversation", "message__account", "message__author_contact")
        .get(pk=reply_id)
    )


@transaction.atomic(durable=True)
def private_reply_begin(*, reply_id: int) -> tuple[PrivateReply, bool] | None:
    """Record an attempt: the reply and whether an earlier one may have reached the platform."""
    reply = _lock(reply_id)
    if reply.state not in _UNFINISHED:
        return None
    uncertain = reply.state == "sending"
    reply.state, reply.attempts = "sending", reply.attempts + 1
    reply.started_at = reply.started_at or timezone.now()
    reply.save(update_fields=["state", "attempts", "started_at"])
    return reply, uncertain


def _finish(reply_id: int, state: str, *, external_id: str = "", error: str = "") -> None:
    reply = _lock(reply_id)
    if reply.state not in _UNFINISHED:
        return
    reply.state, reply.external_id, reply.error = state, external_id, error[:MAX_TEXT]
    reply.save(update_fields=["state", "external_id", "error"])
    announce(private_reply_changed_event(reply=reply, actor=None))


@transaction.atomic(durable=True)
def private_reply_sent(*, reply_id: int, external_id: str) -> None:
    _finish(reply_id, "sent", external_id=external_id)


@transaction.atomic(durable=True)
def private_reply_failed(*, reply_id: int, reason: str) -> None:
    _finish(reply_id, "failed", error=reason)


@transaction.atomic(durable=True)
def private_reply_deferred(*, reply_id: int, reason: str) -> None:
    _finish(reply_id, "queued", error=reason)
