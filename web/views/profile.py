"""The agent's profile: the public name, initials and signatures customers see; the language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from connectors.base import Platform, ThreadKind
from inbox.composer.rendering import DEFAULT_SIGNATURES, render_reply
from inbox.exceptions import InvalidInput
from inbox.permissions.access import agent_of
from inbox.services.profile import (
    INITIALS_MAX,
    PUBLIC_NAME_MAX,
    SIGNATURE_MAX,
    agent_profile_update,
)
from web.templatetags.svar import platform_label
from web.views.notification_settings import notification_switches

SAMPLE_BODY = _("Your tax assessment arrives in March.")


class ProfileForm(forms.Form):
    public_name = forms.CharField(
        label=_("Public name"),
        max_length=PUBLIC_NAME_MAX,
        help_text=_("Customers see this name on your replies."),
    )
    initials = forms.CharField(label=_("Initials"), max_length=INITIALS_MAX)
    signature_x = forms.CharField(
        label=_("Signature on X"),
        required=False,
        max_length=SIGNATURE_MAX,
        strip=False,
        help_text=_("Appended to every reply. {name} and {initials} are filled in."),
    )
    signature_facebook = forms.CharField(
        label=_("Signature on Facebook"),
        required=False,
        max_length=SIGNATURE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Appended to every reply. {name} and {initials} are filled in."),
    )
    signature_email = forms.CharField(
        label=_("Signature in e-mails"),
        required=False,
        max_length=SIGNATURE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Appended to every reply. {name} and {initials} are filled in."),
    )
    signature_instagram = forms.CharField(
        label=_("Signature on Instagram"),
        required=False,
        max_length=SIGNATURE_MAX,
        strip=False,
        help_text=_("Appended to every reply. {name} and {initials} are filled in."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser"))] + [(c, n) for c, n in settings.LANGUAGES],
    )


@login_required
def profile_page(request: HttpRequest) -> HttpResponse:
    agent = agent_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agent_profile_update(
                    user=request.user,
                    public_name=data["public_name"],
                    initials=data["initials"],
                    signatures={p.value: data[f"signature_{p.value}"] for p in Platform},
                    language=data["language"],
                )
            except InvalidInput as error:
                field = error.details.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                if data["language"]:  # say it in the language just chosen
                    translation.activate(data["language"])
                messages.success(request, _("Your profile is saved."))
                return redirect("profile")
    else:
        form = ProfileForm(
            initial={
                "public_name": agent.public_name,
                "initials": agent.initials,
                "language": agent.language,
                **{f"signature_{p.value}": agent.signatures.get(p.value, "") for p in Platform},
            }
        )
    samples = [
        {
            "platform": platform_label(p.value),
            "text": render_reply(
                str(SAMPLE_BODY),
                platform=p,
                kind=ThreadKind.PUBLIC,
                public_name=agent.public_name,
                initials=agent.initials,
                signature_template=agent.signatures.get(p.value),
            ).text,
        }
        for p in Platform
    ]
    return render(
        request,
        "profile.html",
        {
            "form": form,
            "samples": samples,
            "defaults": DEFAULT_SIGNATURES,
            "notification_switches": notification_switches(request),
        },  # fmt: skip
    )
