"""X has no affordable webhooks: each poll sets the next one's pace. Faster while mentions
arrive in bursts or a conversation is active, slower while quiet, and never faster than the
rate budget the poll just read allows. Through the real service and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import FetchResult
from inbox.models import ChannelAccount, ConversationStatus
from inbox.services import accounts as account_services
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _pace(settings) -> None:
    settings.SVAR_X_POLL_MIN_SECONDS = 5
    settings.SVAR_X_POLL_MAX_SECONDS = 120
    settings.SVAR_X_ACTIVE_CONVERSATION_SECONDS = 300


def _poll(account: ChannelAccount, *messages, remaining=None, reset_in=None) -> float:
    """Apply one poll's result; the seconds until the next poll."""
    reset_at = timezone.now() + timedelta(seconds=reset_in) if reset_in else None
    result = FetchResult(messages=tuple(messages), cursor={}, rate_limit_remaining=remaining,
                         rate_limit_reset_at=reset_at)  # fmt: skip
    account_services.poll_result_apply(account_id=account.pk, result=result)
    account.refresh_from_db()
    return (account.next_poll_at - timezone.now()).total_seconds()


def _resolve_everything(account: ChannelAccount) -> None:
    account.conversations.update(status=ConversationStatus.RESOLVED)


def test_quiet_polls_stretch_the_pace_up_to_the_slowest(x_account):
    waits = [_poll(x_account) for _ in range(6)]
    assert waits[0] == pytest.approx(45, abs=1)  # 30 s × 1.5
    assert all(later >= earlier - 1 for earlier, later in zip(waits, waits[1:], strict=False))
    assert waits[-1] == pytest.approx(120, abs=1)


def test_a_burst_of_mentions_brings_the_next_poll_to_the_fastest_pace(x_account):
    _poll(x_account)
    _poll(x_account)
    old = timezone.now() - timedelta(hours=1)
    burst = [inbound(thread=f"t{i}", author=f"c{i}", at=old) for i in range(3)]
    assert _poll(x_account, *burst) == pytest.approx(5, abs=1)


def test_a_single_mention_halves_the_pace(x_account):
    assert _poll(x_account) == pytest.approx(45, abs=1)
    _resolve_everything(x_account)
    one = inbound(at=timezone.now() - timedelta(hours=1))
    assert _poll(x_account, one) == pytest.approx(22.5, abs=1)


def test_an_active_conversation_keeps_the_fast_pace_while_it_lasts(x_account):
    assert _poll(x_account, inbound(at=timezone.now() - timedelta(seconds=30))) == pytest.approx(
        5, abs=1
    )
    assert _poll(x_account) == pytest.approx(5, abs=1)  # nothing new, but the customer waits
    _resolve_everything(x_account)
    assert _poll(x_account) == pytest.approx(7.5, abs=1)  # quiet again: stretching


def test_never_faster_than_the_rate_budget_allows(x_account):
    burst = [inbound(thread=f"t{i}", author=f"c{i}") for i in range(3)]
    # 10 calls left for 600 s: one poll every 60 s at most, burst or not.
    assert _poll(x_account, *burst, remaining=10, reset_in=600) == pytest.approx(60, abs=1)


def test_with_the_budget_spent_the_next_poll_waits_for_the_reset(x_account):
    assert _poll(x_account, remaining=0, reset_in=300) == pytest.approx(300, abs=2)
