"""Teams: creating and renaming them (admins). Names are unique, compared without case."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.composer.customer_texts import CUSTOMER_LANGUAGES
from inbox.exceptions import InvalidInput, NotFound
from inbox.models import AuditAction, Team
from inbox.permissions.people import actor_managing_people
from inbox.stored_text import Text

NAME_MAX = Team._meta.get_field("name").max_length


def _clean_name(name: str, *, except_id: int | None = None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise InvalidInput(_("A team needs a name."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            _("A team name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name"
        )
    taken = Team.objects.filter(name__iexact=name).exclude(pk=except_id)
    if taken.exists():
        raise InvalidInput(_already_called(name), field="name")
    return name


def _already_called(name: str) -> str:
    return _("There is already a team called '%(name)s'.") % {"name": name}


@transaction.atomic(durable=True)
def team_create(*, user: AbstractBaseUser, name: str) -> Team:
    actor = actor_managing_people(user)
    name = _clean_name(name)
    try:
        with transaction.atomic():  # two admins creating the same name at once: one is told
            team = Team.objects.create(name=name)
    except IntegrityError:
        raise InvalidInput(_already_called(name), field="name") from None
    audit(
        AuditAction.TEAM_CREATED, actor=actor, user=user, object_type="team",
        object_id=team.pk, team_id=team.pk, details={"name": team.name},
    )  # fmt: skip
    return team


@transaction.atomic(durable=True)
def team_rename(
    *, user: AbstractBaseUser, team_id: int, name: str, customer_language: str | None = None
) -> Team:
    """Rename the team and, when given, set the language proposed for its customers."""
    actor = actor_managing_people(user)
    try:
        team = Team.objects.select_for_update(no_key=True).get(pk=team_id)
    except Team.DoesNotExist:
        raise NotFound(
            Text(gettext_lazy("Team %(team_id)s was not found."), team_id=team_id)
        ) from None
    before = team.name
    team.name = _clean_name(name, except_id=team.pk)
    details = {"from": before, "to": team.name}
    if customer_language is not None:
        details["customer_language"] = customer_language
        if customer_language not in {"", *CUSTOMER_LANGUAGES}:
            raise InvalidInput(
                gettext_lazy("Unknown customer language."), field="customer_language"
            )
        team.customer_language = customer_language
    team.save(update_fields=["name", "customer_language"])
    audit(
        AuditAction.TEAM_RENAMED, actor=actor, user=user, object_type="team",
        object_id=team.pk, team_id=team.pk,
        details=details,
    )  # fmt: skip
    return team
