"""The Messenger reply window as the conversation view shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inbox.composer.reply_window import WindowState, reply_window

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def window(hours_ago: float, platform: str = "facebook", kind: str = "private"):
    last = NOW - timedelta(hours=hours_ago)
    return reply_window(platform=platform, kind=kind, customer_last_message_at=last, now=NOW)


def test_messenger_has_a_standard_day_then_a_human_agent_week():
    assert window(2).state == WindowState.STANDARD
    assert window(30).state == WindowState.HUMAN_AGENT
    assert window(24 * 8).state == WindowState.CLOSED
    assert window(2).closes_at == NOW - timedelta(hours=2) + timedelta(days=7, minutes=-1)


def test_public_threads_and_x_have_no_window():
    assert window(500, kind="public") is None
    assert window(500, platform="x") is None
