"""The dashboard's approval figures: approved, sent back and time to decide, per team and
approver, in the API and on the managers' page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from inbox.models import ReplyApproval
from inbox.services import reply_create
from inbox.services.approval import reply_approve, reply_send_back
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_approvals_count_time_to_decide_and_sent_back_per_team_and_approver(
    team, manager, conversation
):
    new_agent = AgentFactory(public_name="Nina Ny", teams=[team], needs_approval=True)
    first = reply_create(user=new_agent.user, conversation_id=conversation.pk, body="Første")
    second = reply_create(user=new_agent.user, conversation_id=conversation.pk, body="Andet")
    third = reply_create(user=new_agent.user, conversation_id=conversation.pk, body="Tredje")
    # Asked ten minutes ago, so the time to decide is measurable.
    ReplyApproval.objects.update(requested_at=timezone.now() - timedelta(minutes=10))
    reply_approve(user=manager.user, message_id=first.pk, revision=1)
    reply_send_back(user=manager.user, message_id=second.pk, revision=1, note="Kortere")
    today = timezone.localdate().isoformat()

    data = api_client_for(manager).get(f"/api/metrics/approvals?from={today}&to={today}").json()

    assert data["pending"] == 1  # the third still waits
    [row] = data["rows"]
    assert (row["team"], row["approver"], row["approved"], row["sent_back"]) == (
        "Skat",
        manager.public_name,
        1,
        1,
    )
    assert 590 < row["median_seconds"] < 700
    assert third.delivery_state == "approval"

    client = Client()
    client.force_login(User.objects.get(pk=manager.user_id))
    page = client.get(f"/metrics/?from={today}&to={today}").content.decode()
    assert 'id="approvals"' in page
    assert manager.public_name in page
