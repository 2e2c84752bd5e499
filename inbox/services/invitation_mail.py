"""The invitation e-mail, in the invitee's language, through Django's mail settings
(web/settings.py: EMAIL_* from the environment)."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import Unavailable
from inbox.models import Invitation
from inbox.stored_text import Text

logger = logging.getLogger(__name__)


def invitation_link(token: str, base_url: str | None) -> str:
    """The acceptance page's address: the request's own origin, else SVAR_PUBLIC_URL."""
    base = (base_url or settings.SVAR_PUBLIC_URL).rstrip("/")
    return base + reverse("invitation-accept", args=[token])


def invitation_mail_send(invitation: Invitation, *, token: str, base_url: str | None) -> None:
    language = invitation.language or settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "link": invitation_link(token, base_url),
        "expires_at": invitation.expires_at,
        "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
    }
    with translation.override(language):
        subject = render_to_string("email/invitation_subject.txt", context).strip()
        body = render_to_string("email/invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except (OSError, SMTPException) as error:  # the invitation is kept: it can be sent again
        logger.warning("invitation %s: mail not sent: %s", invitation.pk, error)
        raise Unavailable(
            Text(
                _(
                    "The invitation to %(email)s is saved, but the mail server did not take"
                    " the e-mail. Check the mail settings, then send the invitation again."
                ),
                email=invitation.email,
            ),
            invitation_id=invitation.pk,
        ) from None
