"""The Channels page's forms: where a new connection goes, and which Facebook Pages to take."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inbox.models import Team
from inbox.services.accounts import POLL_INTERVAL_MIN

POLL_INTERVAL_DEFAULT = 30
POLL_INTERVAL_MAX = 3600  # an hour: beyond it a question waits longer than any SLA allows


class ConnectForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    poll_interval_seconds = forms.IntegerField(
        label=_("Poll every (seconds)"),
        min_value=POLL_INTERVAL_MIN,
        max_value=POLL_INTERVAL_MAX,
        initial=POLL_INTERVAL_DEFAULT,
        help_text=_("How often Svar asks the platform for new messages."),
    )

    def __init__(self, *args: object, teams: list[Team], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(team.pk, team.name) for team in teams]


class PagesForm(forms.Form):
    page_ids = forms.MultipleChoiceField(
        label=_("Pages"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one Page.")},
    )

    def __init__(self, *args: object, page_ids: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page_ids"].choices = [(page_id, page_id) for page_id in page_ids]
