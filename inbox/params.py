"""Query parameters, parsed in one place for the API and the pages alike: ids, numbers, dates,
time zones, enumerations and short texts, each with its limits.

Every parser takes the query (any ``Mapping[str, str]``, e.g. a ``QueryDict``) and the
parameter's name, and raises ``InvalidInput`` naming that field; web/errors.py answers it with
400 (the API's JSON shape, or Svar's error page). An empty value means the parameter was not
given (``platform=`` is no platform filter). It lives in the domain package because the metric
filters (``inbox.metrics.filters``) parse with it too, and ``inbox`` does not import ``web``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import date
from functools import lru_cache
from zoneinfo import available_timezones

from django.utils.translation import gettext_lazy as _

from inbox.exceptions import InvalidInput
from inbox.stored_text import Text

Query = Mapping[str, str]

INTEGER_MAX = 2**31 - 1  # PostgreSQL integer
ID_MAX = 2**63 - 1  # PostgreSQL bigint: every id column of Svar (BigAutoField)
# Dates a period may start or end on: far wider than any use, narrow enough that a period's
# arithmetic (a day after, 28 days before) stays within Python's and PostgreSQL's dates.
DATE_MIN = date(1970, 1, 1)
DATE_MAX = date(2999, 12, 31)
TEXT_MAX = 200
LIST_MAX = 200
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: int() would also take "²" or "٣"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def raw_value(query: Query, name: str) -> str | None:
    """The parameter as given, trimmed; None when absent or empty."""
    value = query.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def to_int(raw: str | int, name: str, *, minimum: int = 1, maximum: int = ID_MAX) -> int:
    """A whole number in [minimum, maximum], from ASCII digits (or a JSON integer)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InvalidInput(Text(_("%(name)s must be a whole number."), name=name), field=name)
    text = str(raw).strip()
    negative = text.startswith("-")
    if not _DIGITS.fullmatch(text.removeprefix("-")):
        raise InvalidInput(
            Text(
                _("%(name)s must be a number (digits 0–9), not %(text)s."),
                name=name,
                text=repr(text[:40]),
            ),
            field=name,
        )
    value = -int(text[1:]) if negative else int(text)
    if not minimum <= value <= maximum:
        raise InvalidInput(
            Text(
                _("%(name)s must be from %(minimum)s to %(maximum)s."),
                name=name,
                minimum=minimum,
                maximum=maximum,
            ),
            field=name,
        )
    return value


def optional_int_param(
    query: Query, name: str, *, minimum: int = 1, maximum: int = ID_MAX
) -> int | None:
    """A whole number in [minimum, maximum], or None."""
    raw = raw_value(query, name)
    return None if raw is None else to_int(raw, name, minimum=minimum, maximum=maximum)


def id_param(query: Query, name: str) -> int | None:
    """An id (a positive PostgreSQL bigint), or None."""
    return optional_int_param(query, name)


def int_param(query: Query, name: str, *, default: int, minimum: int, maximum: int) -> int:
    value = optional_int_param(query, name, minimum=minimum, maximum=maximum)
    return default if value is None else value


def id_list_param(query: Query, name: str, *, max_items: int = LIST_MAX) -> list[int]:
    """Comma-separated ids (``1,2,3``); empty items are skipped."""
    raw = raw_value(query, name) or ""
    items = [item for item in raw.split(",") if item.strip()]
    if len(items) > max_items:
        raise InvalidInput(
            Text(_("%(name)s takes at most %(max_items)s ids."), name=name, max_items=max_items),
            field=name,
        )
    return [to_int(item, name) for item in items]


def number_param(query: Query, name: str) -> float | None:
    """A plain decimal number (no exponent, no NaN, no infinity), or None."""
    raw = raw_value(query, name)
    if raw is None:
        return None
    if not _NUMBER.fullmatch(raw) or not math.isfinite(value := float(raw)):
        raise InvalidInput(
            Text(_("%(name)s must be a number, not %(raw)s."), name=name, raw=repr(raw[:40])),
            field=name,
        )
    return value


def date_param(query: Query, name: str) -> date | None:
    """A calendar date, YYYY-MM-DD, from DATE_MIN to DATE_MAX; or None."""
    raw = raw_value(query, name)
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        value = date.fromisoformat(raw)
    except ValueError:
        message = _("%(name)s must be a date (YYYY-MM-DD), not %(raw)s.")
        raise InvalidInput(Text(message, name=name, raw=repr(raw[:40])), field=name) from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise InvalidInput(
            Text(
                _("%(name)s must be from %(date_min)s to %(date_max)s."),
                name=name,
                date_min=DATE_MIN,
                date_max=DATE_MAX,
            ),
            field=name,
        )
    return value


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(raw: str, name: str) -> str:
    """An IANA time zone's name (``Europe/Copenhagen``). Checked against the zone database's
    list, never opened as a path: ``Europe`` is a directory and a long name an OSError."""
    if not isinstance(raw, str) or raw.strip() not in _time_zones():
        shown = raw[:40] if isinstance(raw, str) else raw
        raise InvalidInput(Text(_("Unknown time zone %(zone)s."), zone=repr(shown)), field=name)
    return raw.strip()


def time_zone_param(query: Query, name: str) -> str | None:
    raw = raw_value(query, name)
    return None if raw is None else time_zone(raw, name)


def choice_param(
    query: Query, name: str, choices: Collection[str], *, default: str | None = None
) -> str | None:
    """One of ``choices``, or ``default``."""
    raw = raw_value(query, name)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidInput(
            Text(
                _("Unknown %(name)s %(raw)s; use %(choices)s."),
                name=name,
                raw=repr(raw[:40]),
                choices=", ".join(sorted(choices)),
            ),
            field=name,
        )
    return raw


def text_param(query: Query, name: str, *, max_length: int = TEXT_MAX) -> str | None:
    """Free text up to ``max_length`` characters, without control characters (PostgreSQL
    refuses NUL, and none belongs in a filter)."""
    raw = raw_value(query, name)
    if raw is None:
        return None
    if len(raw) > max_length:
        raise InvalidInput(
            Text(
                _("%(name)s may be at most %(max_length)s characters."),
                name=name,
                max_length=max_length,
            ),
            field=name,
        )
    if _CONTROL.search(raw):
        raise InvalidInput(
            Text(_("%(name)s may not contain control characters."), name=name), field=name
        )
    return raw
