"""Reads of canned responses."""

from __future__ import annotations

from django.db.models import Q

from inbox.models import CannedResponse


def canned_response_list(*, team_id: int, language: str) -> list[CannedResponse]:
    """Canned responses for a conversation of this team: the team's own and the shared ones,
    in the agent's language or in none."""
    return list(
        CannedResponse.objects.filter(Q(team_id=team_id) | Q(team__isnull=True))
        .filter(Q(language="") | Q(language=language))
        .order_by("title", "id")
    )
