"""The forms of the people and teams pages: they check the shape of what was typed; the rules
(unique names, an address that already has an account, the last admin) are the services'."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import InvalidInput
from inbox.models import Agent, Invitation, Team
from inbox.permissions.roles import Role

TEAM_NAME_MAX = Team._meta.get_field("name").max_length
PUBLIC_NAME_MAX = Agent._meta.get_field("public_name").max_length
INITIALS_MAX = Agent._meta.get_field("initials").max_length
EMAIL_MAX = Invitation._meta.get_field("email").max_length
ROLE_LABELS = {
    Role.AGENT: _("Agent: answers conversations"),
    Role.MANAGER: _("Manager: also sees metrics and the audit log"),
    Role.ADMIN: _("Admin: also manages people, teams and channel accounts"),
}


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role]) for role in Role]


def team_choices(teams: Iterable[Team]) -> list[tuple[int, str]]:
    return [(team.pk, team.name) for team in teams]


def show_error(form: forms.Form, error: InvalidInput) -> None:
    """A service's InvalidInput beside the field it names (or above the form)."""
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=TEAM_NAME_MAX)


class PersonFields(forms.Form):
    """What an admin sets for a person: names, roles and teams."""

    public_name = forms.CharField(
        label=_("Public name"),
        max_length=PUBLIC_NAME_MAX,
        help_text=_("Customers see this name on the person's replies."),
    )
    initials = forms.CharField(label=_("Initials"), max_length=INITIALS_MAX)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=role_choices
    )
    teams = forms.TypedMultipleChoiceField(
        label=_("Teams"), widget=forms.CheckboxSelectMultiple, coerce=int, required=False
    )

    def __init__(self, *args: object, teams: Iterable[Team], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = team_choices(teams)


class InviteForm(PersonFields):
    email = forms.EmailField(label=_("E-mail address"), max_length=EMAIL_MAX)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Of the invitation e-mail, and of Svar's pages for them."),
    )
    field_order = ["email", "public_name", "initials", "language", "roles", "teams"]


class PersonForm(PersonFields):
    # The version the admin saw: a colleague's save in between is refused, not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProfileStartForm(forms.Form):
    """A superuser's own agent profile, the first step of the first run."""

    public_name = forms.CharField(
        label=_("Your public name"),
        max_length=PUBLIC_NAME_MAX,
        help_text=_("Customers see this name on your replies."),
    )
    initials = forms.CharField(label=_("Your initials"), max_length=INITIALS_MAX)


class AcceptForm(forms.Form):
    """The invited person's password, typed twice; Django's validators are the service's."""

    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
