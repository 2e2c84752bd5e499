"""Inviting a person: a single-use link that expires, sent again with a new token (which kills
the old link), revoked, or accepted with a password, which makes the user, the agent profile,
the roles and the teams in one transaction.

The token travels only in the e-mail; the database keeps its SHA-256, so reading the table does
not open any invitation. Every way a link can be dead (unknown, expired, used, revoked) answers
the same NotFound, so a guesser learns nothing."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.exceptions import InvalidInput, NotFound
from inbox.models import Agent, AuditAction, Invitation
from inbox.permissions.people import actor_managing_people
from inbox.permissions.roles import roles_parse, roles_set
from inbox.services import person_fields as fields
from inbox.services.invitation_mail import invitation_mail_send
from inbox.stored_text import Text

VALID_FOR = timedelta(days=7)
DEAD_LINK = "This invitation link is not valid: it was used, revoked, replaced or has expired."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + VALID_FOR
    return token


def _refuse_existing_account(email: str) -> None:
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise InvalidInput(
            _("There is already an account for %(email)s.") % {"email": email}, field="email"
        )


def _pending(invitations: object) -> object:
    return invitations.filter(  # type: ignore[attr-defined]
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def _audit(action: AuditAction, invitation: Invitation, *, actor: Agent | None, user: object,
           **details: object) -> None:  # fmt: skip
    team_ids = sorted(t.pk for t in invitation.teams.all())
    audit(
        action, actor=actor, user=user, object_type="invitation",  # type: ignore[arg-type]
        object_id=invitation.pk, team_id=team_ids[0] if len(team_ids) == 1 else None,
        details={"email": invitation.email, "roles": invitation.roles, "team_ids": team_ids,
                 **details},
    )  # fmt: skip


def invitation_create(
    *,
    user: AbstractBaseUser,
    email: str,
    public_name: str,
    initials: str,
    language: str = "",
    roles: Iterable[str] = ("agent",),
    team_ids: Iterable[object] = (),
    base_url: str | None = None,
) -> Invitation:
    """Invite and e-mail the link. The plain token is on the returned object (``.token``)."""
    with transaction.atomic(durable=True):
        actor = actor_managing_people(user)
        email = fields.clean_email(email)
        _refuse_existing_account(email)
        if _pending(Invitation.objects.filter(email__iexact=email)).exists():  # type: ignore[attr-defined]
            raise InvalidInput(
                _("%(email)s is already invited; send the invitation again instead.")
                % {"email": email},
                field="email",
            )
        invitation = Invitation(
            email=email, public_name=fields.clean_public_name(public_name),
            initials=fields.clean_initials(initials), language=fields.clean_language(language),
            roles=[r.value for r in roles_parse(list(roles))], invited_by=actor,
            created_at=timezone.now(),
        )  # fmt: skip
        teams = fields.teams_named(team_ids)
        token = _new_token(invitation)
        invitation.save()
        invitation.teams.set(teams)
        _audit(AuditAction.INVITATION_SENT, invitation, actor=actor, user=user)
    invitation_mail_send(invitation, token=token, base_url=base_url)
    invitation.token = token  # type: ignore[attr-defined]
    return invitation


def _lock_invitation(invitation_id: int) -> Invitation:
    try:
        return Invitation.objects.select_for_update(no_key=True).get(pk=invitation_id)
    except Invitation.DoesNotExist:
        raise NotFound(
            Text(
                gettext_lazy("Invitation %(invitation_id)s was not found."),
                invitation_id=invitation_id,
            )
        ) from None


def invitation_resend(
    *, user: AbstractBaseUser, invitation_id: int, base_url: str | None = None
) -> Invitation:
    """A new link, valid for another VALID_FOR; the old link stops working."""
    with transaction.atomic(durable=True):
        actor = actor_managing_people(user)
        invitation = _lock_invitation(invitation_id)
        if invitation.accepted_at or invitation.revoked_at:
            raise InvalidInput(gettext_lazy("This invitation was already accepted or revoked."))
        _refuse_existing_account(invitation.email)
        token = _new_token(invitation)
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _audit(AuditAction.INVITATION_RESENT, invitation, actor=actor, user=user)
    invitation_mail_send(invitation, token=token, base_url=base_url)
    invitation.token = token  # type: ignore[attr-defined]
    return invitation


@transaction.atomic(durable=True)
def invitation_revoke(*, user: AbstractBaseUser, invitation_id: int) -> None:
    actor = actor_managing_people(user)
    invitation = _lock_invitation(invitation_id)
    if invitation.accepted_at:
        raise InvalidInput(
            gettext_lazy("This invitation was accepted; deactivate the person instead.")
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(AuditAction.INVITATION_REVOKED, invitation, actor=actor, user=user)


def invitation_by_token(*, token: str, for_update: bool = False) -> Invitation:
    """The live invitation behind a link, or NotFound (the same for every dead link)."""
    invitations = Invitation.objects.prefetch_related("teams")
    if for_update:
        invitations = invitations.select_for_update(no_key=True)
    invitation = _pending(invitations.filter(token_hash=token_hash(str(token)))).first()  # type: ignore[attr-defined]
    if invitation is None:
        raise NotFound(DEAD_LINK)
    return invitation


@transaction.atomic(durable=True)
def invitation_accept(*, token: str, password: str) -> User:
    """The new user, signed-in-able with ``password``; a second use of the link is NotFound."""
    invitation = invitation_by_token(token=token, for_update=True)
    _refuse_existing_account(invitation.email)
    person = User(username=invitation.email, email=invitation.email)
    try:
        password_validation.validate_password(password, user=person)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from None
    person.set_password(password)
    person.save()
    agent = Agent.objects.create(
        user=person, public_name=invitation.public_name, initials=invitation.initials,
        language=invitation.language,
    )  # fmt: skip
    agent.teams.set(invitation.teams.all())
    roles_set(person, roles_parse(invitation.roles))
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = person
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    _audit(AuditAction.INVITATION_ACCEPTED, invitation, actor=agent, user=person,
           agent_id=agent.pk)  # fmt: skip
    return person
