"""Ending everything a person is signed in with: sessions, API tokens and open WebSockets.

Sessions are rows of the database session store; a session names its user only inside its
signed data, so the live ones are decoded and the person's deleted. (Even a session left
behind would be refused: the auth backend loads no inactive user.) The WebSockets hear it on
the person's channel-layer group (``inbox.events.doorbell.agent_group``), which every
connection of theirs joins; the consumer closes on ``inbox.revoked`` with the code it carries."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from inbox.events.doorbell import agent_group

logger = logging.getLogger(__name__)
SESSION_USER_KEY = "_auth_user_id"


# The close codes of web/ws/consumer.py (the domain does not import the web layer).
CLOSE_SIGNED_OUT = 4401
CLOSE_ACCESS_CHANGED = 4409


def _close_websockets(agent_id: int, code: int) -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "inbox.revoked", "code": code}
    try:
        async_to_sync(layer.group_send)(agent_group(agent_id), message)
    except Exception:  # their next receive is refused anyway: the user is inactive
        logger.warning("closing the WebSockets of agent %s failed", agent_id, exc_info=True)


def sign_out_everywhere(user: AbstractBaseUser, *, agent_id: int) -> None:
    """Inside the caller's transaction; the WebSockets are closed once it commits."""
    Token.objects.filter(user=user).delete()
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_USER_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    transaction.on_commit(lambda: _close_websockets(agent_id, CLOSE_SIGNED_OUT))


def websockets_resubscribe(*, agent_id: int) -> None:
    """Once the caller's transaction commits, the person's open WebSockets close; their client
    reconnects and subscribes to the teams they are in now (a team taken away stops at once)."""
    transaction.on_commit(lambda: _close_websockets(agent_id, CLOSE_ACCESS_CHANGED))
