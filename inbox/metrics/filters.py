"""The filters every metric takes, parsed and checked once; and the SQL WHERE they mean.

Who may see what: metrics need ``inbox.view_metrics``; a manager sees the teams they belong to
(an admin every team). Asking for another team's figures is answered as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connectors.base import Platform
from inbox.exceptions import InvalidInput, NotFound, PermissionDenied
from inbox.models import (
    BusinessSchedule,
    ConversationTag,
    IntervalEnd,
    IntervalKind,
    Tag,
    Team,
)
from inbox.params import DATE_MIN, choice_param, date_param, id_param, text_param, time_zone_param
from inbox.permissions.access import visible_team_ids
from inbox.stored_text import Text

DEFAULT_DAYS = 28
TAG_MAX = 50  # Tag.name's length
MAX_DAYS = 400


class Clock(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class MetricFilters:
    """Intervals that *ended* in [start, end) (the heatmap: that *started*), of these teams."""

    start: datetime
    end: datetime
    team_ids: tuple[int, ...]
    time_zone: str
    agent_id: int | None = None
    platform: str | None = None
    account_id: int | None = None
    tag_id: int | None = None  # -1: a tag none of the user's teams uses, which matches nothing
    tag: str | None = None  # the tag's name, as asked for
    clock: Clock = Clock.CALENDAR

    @property
    def value_column(self) -> str:
        return "ri.business_seconds" if self.clock == Clock.BUSINESS else "ri.calendar_seconds"

    def previous(self) -> MetricFilters:
        """The period of the same length just before this one."""
        length = self.end - self.start
        return replace(self, start=self.start - length, end=self.start)

    def as_query(self) -> dict[str, str]:
        """These filters as query parameters (for links from one figure to its rows)."""
        zone = ZoneInfo(self.time_zone)
        query = {
            "from": self.start.astimezone(zone).date().isoformat(),
            "to": (self.end.astimezone(zone) - timedelta(seconds=1)).date().isoformat(),
            "clock": self.clock.value,
        }
        if len(self.team_ids) == 1:
            query["team"] = str(self.team_ids[0])
        for key, value in (
            ("agent", self.agent_id),
            ("platform", self.platform),
            ("account", self.account_id),
        ):
            if value is not None:
                query[key] = str(value)
        if self.tag is not None:
            query["tag"] = self.tag
        return query


def metric_team_ids(user: AbstractBaseUser) -> list[int]:
    if not user.has_perm("inbox.view_metrics"):
        raise PermissionDenied(_("Response-time metrics are for managers."))
    visible = visible_team_ids(user)
    if visible is None:
        return list(Team.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(visible)


def tags_in_use(team_ids: Sequence[int]) -> QuerySet[Tag]:
    """Tags on conversations of these teams. Tag names are shared by all teams, but another
    team's tags can name its cases: they are neither offered nor accepted across teams."""
    used = ConversationTag.objects.filter(tag_id=OuterRef("pk"), team_id__in=list(team_ids))
    return Tag.objects.filter(Exists(used))


def at_risk_team_ids(user: AbstractBaseUser, team: str | None) -> tuple[int, ...]:
    """Whose running waits the user may see flagged: every agent, for their own teams."""
    if not user.has_perm("inbox.view_conversation"):
        raise PermissionDenied(_("Your role does not allow reading conversations."))
    visible = visible_team_ids(user)
    allowed = list(Team.objects.values_list("pk", flat=True)) if visible is None else list(visible)
    team_id = id_param({"team": team or ""}, "team")
    if team_id is None:
        return tuple(sorted(allowed))
    if team_id not in allowed:
        raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))
    return (team_id,)


def _time_zone(params: Mapping[str, str], team_ids: list[int]) -> str:
    given = time_zone_param(params, "tz")
    if given is not None:
        return given
    zones = set(
        BusinessSchedule.objects.filter(team_id__in=team_ids).values_list("time_zone", flat=True)
    )
    # One team (or teams sharing a zone): its zone; otherwise the installation's.
    return zones.pop() if len(zones) == 1 else settings.TIME_ZONE


def _period(params: Mapping[str, str], zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day asked for (inclusive), DEFAULT_DAYS up to today by default."""
    today = timezone.now().astimezone(zone).date()
    last = date_param(params, "to") or today
    first = date_param(params, "from") or max(last - timedelta(days=DEFAULT_DAYS - 1), DATE_MIN)
    if first > last:
        raise InvalidInput(_("from must not be after to."), field="from")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            Text(_("A period may span at most %(max_days)s days."), max_days=MAX_DAYS), field="from"
        )
    return first, last


def parse_filters(user: AbstractBaseUser, params: Mapping[str, str]) -> MetricFilters:
    """Filters from query parameters: from, to (dates, inclusive, in the teams' time zone),
    team, agent, platform, account, tag, clock, tz."""
    allowed = metric_team_ids(user)
    team_id = id_param(params, "team")
    if team_id is not None:
        if team_id not in allowed:
            raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))
        team_ids = [team_id]
    else:
        team_ids = allowed
    zone_name = _time_zone(params, team_ids)
    zone = ZoneInfo(zone_name)
    first, last = _period(params, zone)
    platform = choice_param(params, "platform", [p.value for p in Platform])
    clock = choice_param(params, "clock", [c.value for c in Clock], default=Clock.CALENDAR.value)
    tag_id = None
    tag_name = (text_param(params, "tag", max_length=TAG_MAX) or "").lower() or None
    if tag_name:
        tag_id = tags_in_use(allowed).filter(name=tag_name).values_list("pk", flat=True).first()
        tag_id = tag_id or -1
    return MetricFilters(
        start=datetime.combine(first, time(0), tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
        team_ids=tuple(team_ids),
        time_zone=zone_name,
        agent_id=id_param(params, "agent"),
        platform=platform,
        account_id=id_param(params, "account"),
        tag_id=tag_id,
        tag=tag_name,
        clock=Clock(clock),
    )


def parse_kind(params: Mapping[str, str], default: str = IntervalKind.FIRST_RESPONSE) -> str:
    kind = choice_param(params, "kind", IntervalKind.values, default=default)
    assert kind is not None
    return kind


# Waits that ended with a reply; waits closed by resolving without one are not response times.
ANSWERED = (IntervalEnd.AGENT.value, IntervalEnd.NATIVE.value, IntervalEnd.RESOLVED.value)


def where(
    filters: MetricFilters,
    kinds: tuple[str, ...],
    *,
    by: str = "ended_at",
    kind_from: str | None = None,
) -> tuple[str, list[object]]:
    """The WHERE clause (on ``inbox_responseinterval AS ri``) for these filters. With
    ``kind_from`` (an SQL column, e.g. a lateral join's outer kind) the rows are of that one
    kind instead of ``kinds``."""
    assert by in ("ended_at", "started_at")
    clauses = [
        "ri.team_id = ANY(%s)",
        "ri.kind = ANY(%s)" if kind_from is None else f"ri.kind = {kind_from}",
        f"ri.{by} >= %s",
        f"ri.{by} < %s",
    ]
    params: list[object] = [list(filters.team_ids)]
    if kind_from is None:
        params.append(list(kinds))
    params += [filters.start, filters.end]
    if by == "ended_at":
        clauses.append("ri.ended_by = ANY(%s)")
        params.append(list(ANSWERED))
    for column, value in (
        ("ri.agent_id", filters.agent_id),
        ("ri.platform", filters.platform),
        ("ri.account_id", filters.account_id),
    ):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if filters.tag_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM inbox_conversation_tags ct"
            " WHERE ct.conversation_id = ri.conversation_id AND ct.tag_id = %s)"
        )
        params.append(filters.tag_id)
    return " AND ".join(clauses), params
