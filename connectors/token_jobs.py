"""Token upkeep jobs: X and e-mail (XOAUTH2) access tokens renewed before they end, Facebook
tokens re-inspected.

``connectors.jobs.dispatch`` queues them (one job id per account, so each is queued once), and
a poll or a delivery renews first when its token is about to end, so an expiring token never
produces a failed call; a mailbox whose server refuses the token at AUTHENTICATE renews once
and tries again (a provider may end a token before its stated expiry). The renewals themselves
(row lock, rotation) are ``inbox.services.channels.renewal`` and ``.mail_renewal``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.utils import timezone

from connectors.errors import AuthExpired, PlatformUnavailable
from inbox.credentials import account_token
from inbox.models import ChannelAccount, TokenKind
from inbox.selectors.channel_accounts import channel_account_get
from inbox.services import accounts as account_services
from inbox.services.channels import facebook_token_inspect, mail_token_renew, x_token_renew

T = TypeVar("T")

# A poll or delivery renews a token with less than this left: a call never outlives its token.
CALL_RENEW_AHEAD = timedelta(minutes=2)


def renew_token(account_id: int) -> str:
    account = channel_account_get(account_id=account_id)
    return _renewal_for(account.token_kind if account else None)(account_id)


def _renewal_for(token_kind: str | None) -> Callable[..., str]:
    """The service that renews this kind of token (both lock the row and store the rotation)."""
    return mail_token_renew if token_kind == TokenKind.MAIL_OAUTH else x_token_renew


def inspect_token(account_id: int) -> str:
    return facebook_token_inspect(account_id)


def renew_before_call(account: ChannelAccount) -> str | None:
    """Renew the account's X or e-mail OAuth token if it ends soon. None: go ahead (re-read the
    account, its token may be new); otherwise why the call must not happen now (the account's
    state already says so: paused for a reconnect, or backing off while the token endpoint is
    unreachable)."""
    if account.token_kind not in TokenKind.renewing() or account.token_expires_at is None:
        return None
    if account.token_expires_at > timezone.now() + CALL_RENEW_AHEAD:
        return None
    outcome = _renewal_for(account.token_kind)(account.pk, ahead=CALL_RENEW_AHEAD)
    return _refusal(account, outcome)


def call_renewing(account: ChannelAccount, attempt: Callable[[ChannelAccount], T]) -> T:
    """``attempt(account)``; when a mailbox's server refuses its OAuth access token at
    AUTHENTICATE, the token is renewed whatever its stated expiry (a provider may end one
    early) and the attempt made once more with the new one: a renewed token refused too is a
    real refusal. A dead refresh token re-raises the refusal (the account already says
    "re-authorise"); a token endpoint out of reach is ``PlatformUnavailable`` (try later)."""
    try:
        return attempt(account)
    except AuthExpired:
        if account.token_kind != TokenKind.MAIL_OAUTH:
            raise
        outcome = mail_token_renew(account.pk, refused=account_token(account) or "")
        if outcome.startswith("unavailable"):
            raise PlatformUnavailable(f"Renewing the access token failed: {outcome}") from None
        if outcome not in ("renewed", "fresh: renewed meanwhile"):
            raise
    renewed = channel_account_get(account_id=account.pk)
    return attempt(renewed if renewed is not None else account)


def _refusal(account: ChannelAccount, outcome: str) -> str | None:
    if outcome == "reconnect needed":
        return "paused: reconnect needed"
    if outcome.startswith("unavailable"):
        account_services.account_poll_failed(
            account_id=account.pk, error=f"Renewing the access token failed: {outcome}"
        )
        return f"failed: {outcome}"
    return None
