"""Writes of retention: policies (admins) and legal hold (managers), audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.audit import audit
from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.models import AuditAction, ChannelAccount, RetentionAction, RetentionPolicy
from inbox.permissions.access import access_conversation, agent_of

MAX_DAYS = 36_500


def check_may_set_retention(user: AbstractBaseUser) -> None:
    if not user.has_perm("inbox.manage_channels"):
        raise PermissionDenied(_("Only administrators may set retention policies."))


def _validated(days: object, action: object) -> tuple[int, str]:
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput(_("The retention period must be a whole number of days."))
    if days < 1 or days > MAX_DAYS:
        raise InvalidInput(
            _("The retention period must be between 1 and %(max)d days.") % {"max": MAX_DAYS}
        )
    if action not in RetentionAction.values:
        raise InvalidInput(_("The action must be delete or anonymise."))
    return days, str(action)


def retention_policy_set(
    *, user: AbstractBaseUser, team_id: int, account_id: int | None, days: object, action: object
) -> RetentionPolicy:
    """Set the team's policy, or one account's (which overrides the team's)."""
    check_may_set_retention(user)
    days, action = _validated(days, action)
    where = {"account_id": account_id} if account_id else {"team_id": team_id}
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.update_or_create(
            **where, defaults={"days": days, "action": action, "updated_at": timezone.now()}
        )
        audit(AuditAction.RETENTION_SET, actor=getattr(user, "agent", None), user=user,
              object_type="account" if account_id else "team",
              object_id=account_id or team_id, team_id=team_id,
              details={"days": days, "action": action})  # fmt: skip
    return policy


def retention_policy_clear(*, user: AbstractBaseUser, team_id: int, account_id: int) -> None:
    """Remove an account's own policy: the team's applies again."""
    check_may_set_retention(user)
    with transaction.atomic():
        RetentionPolicy.objects.filter(account_id=account_id).delete()
        audit(AuditAction.RETENTION_SET, actor=getattr(user, "agent", None), user=user,
              object_type="account", object_id=account_id, team_id=team_id,
              details={"days": None})  # fmt: skip


def team_account(team_id: int, account_id: int) -> ChannelAccount:
    account = ChannelAccount.objects.filter(pk=account_id, team_id=team_id).first()
    if account is None:
        raise InvalidInput(_("That channel account is not one of the team's."))
    return account


def legal_hold_set(*, user: AbstractBaseUser, conversation_id: int, held: bool) -> bool:
    """Put a conversation on legal hold or release it (managers of its team)."""
    if not user.has_perm("inbox.legal_hold"):
        raise PermissionDenied(_("Only managers may put a conversation on legal hold."))
    with transaction.atomic():
        conversation = access_conversation(user, conversation_id, for_update=True)
        if conversation.legal_hold != held:
            conversation.legal_hold = held
            conversation.save(update_fields=["legal_hold"])
            audit(AuditAction.LEGAL_HOLD_SET, actor=agent_of(user), user=user,
                  object_type="conversation", object_id=conversation.pk,
                  team_id=conversation.team_id, details={"held": held})  # fmt: skip
    return held
