"""Setting, rotating and re-encrypting channel accounts' access tokens.

Tokens are sealed (inbox/credentials.py) before they reach a model field, and no service
returns one. Setting a token also makes an unhealthy account eligible for polling again,
since a renewed token is the usual cure for "token rejected".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.credentials import (
    TOKEN_MAX_LENGTH,
    CredentialsUnreadable,
    credentials_source,
    reseal,
    seal,
)
from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.models import AuditAction, ChannelAccount, TokenKind
from inbox.services.locks import lock_channel_account
from inbox.stored_text import Text


def clean_token(token: str) -> str:
    """A bearer token is one printable line; anything else is a paste accident."""
    token = token.strip()
    if not token:
        raise InvalidInput(_("The access token is empty."), field="token")
    if len(token) > TOKEN_MAX_LENGTH:
        raise InvalidInput(
            Text(
                _("An access token has at most %(token_max_length)s characters."),
                token_max_length=TOKEN_MAX_LENGTH,
            ),
            field="token",
        )
    if any(not c.isprintable() or c.isspace() for c in token):
        raise InvalidInput(
            _("An access token has no spaces, line breaks or control characters."), field="token"
        )
    return token


def _check_may_manage(user: AbstractBaseUser | None) -> None:
    """``user=None`` is the operator at the command line (manage.py)."""
    if user is not None and not user.has_perm("inbox.manage_channels"):
        raise PermissionDenied(_("Only admins can change channel accounts' credentials."))


@transaction.atomic(durable=True)
def channel_account_set_token(
    *, user: AbstractBaseUser | None, account_id: int, token: str
) -> ChannelAccount:
    """Store a new access token, encrypted; it replaces any environment variable reference."""
    _check_may_manage(user)
    account = lock_channel_account(account_id)
    return channel_account_set_token_locked(user=user, account=account, token=token)


def channel_account_set_token_locked(
    *, user: AbstractBaseUser | None, account: ChannelAccount, token: str
) -> ChannelAccount:
    """The body of :func:`channel_account_set_token`, for callers already inside a transaction
    holding the account's row (the Django admin's save)."""
    previous = credentials_source(account)
    account.credentials_encrypted = seal(clean_token(token))
    account.credentials_ref = ""
    account.credentials_updated_at = timezone.now()
    # A pasted token replaces an OAuth pair: renewing the old pair would overwrite it.
    account.token_kind = TokenKind.MANUAL
    account.refresh_token_encrypted = ""
    account.token_expires_at = None
    account.save(update_fields=["credentials_encrypted", "credentials_ref",
                                "credentials_updated_at", "token_kind",
                                "refresh_token_encrypted", "token_expires_at"])  # fmt: skip
    audit(AuditAction.ACCOUNT_CREDENTIALS_SET, actor=getattr(user, "agent", None), user=user,
          object_type="channel_account", object_id=account.pk, team_id=account.team_id,
          details={"replaced": previous})  # fmt: skip
    return account


@dataclass(frozen=True, slots=True)
class ResealResult:
    resealed: int
    unreadable: list[int]  # account ids whose token no configured key opens


@transaction.atomic(durable=True)
def credentials_reseal_all() -> ResealResult:
    """Re-encrypt every stored token with the newest key, the step between adding a key in
    front of SVAR_CREDENTIALS_KEYS and removing the old one."""
    resealed, unreadable = 0, []
    accounts = ChannelAccount.objects.select_for_update(no_key=True)
    accounts = accounts.exclude(credentials_encrypted="")
    for account in accounts.order_by("pk"):
        try:
            account.credentials_encrypted = reseal(account.credentials_encrypted)
        except CredentialsUnreadable:
            unreadable.append(account.pk)
            continue
        account.save(update_fields=["credentials_encrypted"])
        resealed += 1
    return ResealResult(resealed=resealed, unreadable=unreadable)
