"""Reads of channel accounts: for the connector jobs (which to poll) and the accounts page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from inbox.models import AccountHealth, ChannelAccount, TokenKind
from inbox.permissions.access import visible_team_ids


def channel_account_get(*, account_id: int) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(pk=account_id).first()


def channel_account_list_due(*, now: datetime) -> list[int]:
    """Ids of the accounts to poll: active, not paused for a bad token, and past their next
    poll time (or never polled)."""
    return list(
        ChannelAccount.objects.filter(is_active=True)
        .exclude(health=AccountHealth.UNHEALTHY)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at", "pk")
        .values_list("pk", flat=True)
    )


def channel_account_list(*, user: AbstractBaseUser) -> list[ChannelAccount]:
    """Accounts of the user's teams (every account for admins), with their health."""
    queryset = ChannelAccount.objects.order_by("display_name", "pk")
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=team_ids)
    return list(queryset)


def channel_account_list_of_teams(*, team_ids: list[int]) -> list[ChannelAccount]:
    return list(ChannelAccount.objects.filter(team_id__in=team_ids).order_by("display_name"))


def channel_account_health_list() -> list[tuple[Any, ...]]:
    """What operators watch per active account: (pk, platform, display_name, health,
    lag_seconds, last_polled_at, consecutive_failures)."""
    return list(
        ChannelAccount.objects.filter(is_active=True).values_list(
            "pk",
            "platform",
            "display_name",
            "health",
            "lag_seconds",
            "last_polled_at",
            "consecutive_failures",
        )  # fmt: skip
    )


def channel_account_list_renewal_due(*, now: datetime, ahead: timedelta) -> list[int]:
    """X and e-mail OAuth accounts whose access token ends within ``ahead`` and can be
    renewed."""
    return list(
        ChannelAccount.objects.filter(
            token_kind__in=TokenKind.renewing(), is_active=True, reconnect_needed=False,
            token_expires_at__lte=now + ahead,
        )
        .exclude(refresh_token_encrypted="")
        .order_by("token_expires_at", "pk")
        .values_list("pk", flat=True)
    )  # fmt: skip


def channel_account_list_inspection_due(*, now: datetime, every: timedelta) -> list[int]:
    """Facebook Page accounts not inspected within ``every`` (their expiry is re-read)."""
    return list(
        ChannelAccount.objects.filter(token_kind=TokenKind.FACEBOOK_PAGE, is_active=True)
        .filter(Q(token_checked_at__isnull=True) | Q(token_checked_at__lte=now - every))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def channel_account_list_expiring(
    *,
    user: AbstractBaseUser | None = None,
    now: datetime | None = None,
    within: timedelta = timedelta(days=7),
) -> list[ChannelAccount]:
    """Connected accounts an admin must act on soon: a reconnect is needed, or a token or
    Facebook's data access ends within ``within`` (tokens that renew themselves: only
    their reconnect counts). ``user`` limits it to that user's teams."""
    horizon = (now or timezone.now()) + within
    ending = Q(data_access_expires_at__lte=horizon) | (
        Q(token_expires_at__lte=horizon) & ~Q(token_kind__in=TokenKind.renewing())
    )
    queryset = ChannelAccount.objects.filter(disconnected_at__isnull=True).filter(
        Q(reconnect_needed=True) | ending
    )
    if user is not None:
        team_ids = visible_team_ids(user)
        if team_ids is not None:
            queryset = queryset.filter(team_id__in=team_ids)
    return list(queryset.order_by("display_name", "pk"))
