"""Checking what an administrator or an invitation says about a person: e-mail address,
public name, initials, language, teams."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.exceptions import InvalidInput
from inbox.models import Agent, Team
from inbox.stored_text import Text

PUBLIC_NAME_MAX = Agent._meta.get_field("public_name").max_length
INITIALS_MAX = Agent._meta.get_field("initials").max_length


def clean_email(email: str) -> str:
    """Lower case: an address is one account however it is typed."""
    email = str(email).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _("'%(email)s' is not an e-mail address.") % {"email": email}, field="email"
        ) from None
    return email


def clean_public_name(public_name: str) -> str:
    public_name = " ".join(str(public_name).split())
    if not public_name:
        raise InvalidInput(_("The public name cannot be empty."), field="public_name")
    if len(public_name) > PUBLIC_NAME_MAX:
        raise InvalidInput(
            _("A public name has at most %(n)s characters.") % {"n": PUBLIC_NAME_MAX},
            field="public_name",
        )
    return public_name


def clean_initials(initials: str) -> str:
    initials = str(initials).strip()
    if not initials or len(initials) > INITIALS_MAX or any(c.isspace() for c in initials):
        raise InvalidInput(
            _("Initials are 1 to %(n)s characters without spaces.") % {"n": INITIALS_MAX},
            field="initials",
        )
    return initials


def clean_language(language: str) -> str:
    if language not in {"", *(code for code, _ in settings.LANGUAGES)}:
        raise InvalidInput(
            Text(gettext_lazy("Unknown language %(language)s."), language=repr(language)),
            field="language",
        )
    return language


def teams_named(team_ids: Iterable[object]) -> list[Team]:
    """The teams with these ids; InvalidInput names one that does not exist."""
    if isinstance(team_ids, str | bytes):
        raise InvalidInput(gettext_lazy("Teams are a list of team ids."), field="team_ids")
    try:
        wanted = {int(t) for t in team_ids}  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidInput(
            gettext_lazy("Teams are a list of team ids."), field="team_ids"
        ) from None
    teams = list(Team.objects.filter(pk__in=wanted).order_by("name"))
    missing = wanted - {t.pk for t in teams}
    if missing:
        raise InvalidInput(
            Text(gettext_lazy("Team %(team_id)s does not exist."), team_id=min(missing)),
            field="team_ids",
        )
    return teams
