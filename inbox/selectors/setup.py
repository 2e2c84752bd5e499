"""How far an organisation's Svar is set up: what the first-run guide asks for."""

from __future__ import annotations

from dataclasses import dataclass

from inbox.models import Agent, ChannelAccount, Invitation, Team


@dataclass(frozen=True, slots=True)
class SetupState:
    has_team: bool
    has_channel_account: bool
    has_colleague: bool  # a second agent, or an invitation sent to one


def setup_state() -> SetupState:
    return SetupState(
        has_team=Team.objects.exists(),
        has_channel_account=ChannelAccount.objects.exists(),
        has_colleague=Invitation.objects.exists() or Agent.objects.count() > 1,
    )


def setup_started() -> bool:
    """Someone has set this Svar up already (or loaded the demo): no guide on first visit."""
    return Team.objects.exists() or ChannelAccount.objects.exists()
