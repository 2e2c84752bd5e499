"""Agents' own settings: the public name, initials and signatures customers see, the language."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectors.base import Platform
from inbox.composer.rendering import render_signature
from inbox.exceptions import InvalidInput
from inbox.models import Agent, Message
from inbox.permissions.access import agent_of
from inbox.stored_text import Text

PUBLIC_NAME_MAX = Agent._meta.get_field("public_name").max_length
INITIALS_MAX = Agent._meta.get_field("initials").max_length
SIGNATURE_MAX = Message._meta.get_field("signature").max_length


def _clean_signature(platform: str, template: str, *, public_name: str, initials: str) -> str:
    """A signature must name the agent: that is the point of answering under one's own name.
    Empty means the platform's default signature, which does."""
    template = template.replace("\r\n", "\n")
    if not template.strip():
        return ""
    rendered = render_signature(template, public_name=public_name, initials=initials)
    if len(rendered) > SIGNATURE_MAX:
        raise InvalidInput(
            _("The %(platform)s signature is %(length)s characters long; at most %(max)s.")
            % {"platform": platform, "length": len(rendered), "max": SIGNATURE_MAX},
            field=f"signature_{platform}",
        )
    first_name = public_name.split()[0]
    if not any(part in rendered for part in (public_name, first_name, initials)):
        raise InvalidInput(
            _(
                "The %(platform)s signature must contain your name or initials (write {name} "
                "or {initials})."
            )
            % {"platform": platform},
            field=f"signature_{platform}",
        )
    return template


@transaction.atomic(durable=True)
def agent_profile_update(
    *,
    user: AbstractBaseUser,
    public_name: str,
    initials: str,
    signatures: Mapping[str, str],
    language: str = "",
) -> Agent:
    agent = agent_of(user)
    public_name = " ".join(public_name.split())
    initials = initials.strip()
    if not public_name:
        raise InvalidInput(_("Your public name cannot be empty."), field="public_name")
    if len(public_name) > PUBLIC_NAME_MAX:
        raise InvalidInput(
            _("A public name has at most %(n)s characters.") % {"n": PUBLIC_NAME_MAX},
            field="public_name",
        )
    if not initials or len(initials) > INITIALS_MAX or any(c.isspace() for c in initials):
        raise InvalidInput(
            _("Initials are 1 to %(n)s characters without spaces.") % {"n": INITIALS_MAX},
            field="initials",
        )
    if language not in {"", *(code for code, _name in settings.LANGUAGES)}:
        raise InvalidInput(
            Text(gettext_lazy("Unknown language %(language)s."), language=repr(language)),
            field="language",
        )
    unknown = set(signatures) - {p.value for p in Platform}
    if unknown:
        raise InvalidInput(
            Text(gettext_lazy("Unknown platform %(unknown)s."), unknown=repr(sorted(unknown)[0])),
            field="signatures",
        )
    cleaned = {
        platform: _clean_signature(platform, template, public_name=public_name, initials=initials)
        for platform, template in signatures.items()
    }
    agent = Agent.objects.select_for_update(no_key=True).get(pk=agent.pk)
    agent.public_name = public_name
    agent.initials = initials
    agent.signatures = {**agent.signatures, **{p: t for p, t in cleaned.items() if t}}
    for platform, template in cleaned.items():
        if not template:
            agent.signatures.pop(platform, None)
    agent.language = language
    agent.save(update_fields=["public_name", "initials", "signatures", "language"])
    return agent
