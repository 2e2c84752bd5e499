"""What the Channels page says about each account's token, in words for people.

"Renews itself", "Expires in 5 days", "Reconnect needed: <reason>": the state an admin acts on,
with a tone the page colours (ok, warn, bad, muted). The API gives the same facts as fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from connectors.base import Platform
from inbox.models import ChannelAccount, TokenKind

SOON = timedelta(days=7)  # the page's warning horizon, as the expiring-accounts selector's
PLATFORM_LABELS = {
    Platform.X: "X",
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.EMAIL: "E-mail",
}


@dataclass(frozen=True, slots=True)
class TokenState:
    text: str
    tone: str  # ok | warn | bad | muted


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: ChannelAccount
    team_name: str
    platform_label: str
    token: TokenState
    data_access: str  # Facebook's data-access expiry, "" when unknown or not Facebook
    missing: str  # the scopes or Page tasks Svar needs that the token lacks, named
    expiring: bool  # in the warning banner
    reconnectable: bool  # the platform's OAuth app is set up


def _when(moment: datetime) -> str:
    return date_format(moment, "DATETIME_FORMAT", use_l10n=True)


def _ends(moment: datetime, now: datetime) -> TokenState:
    if moment <= now:
        return TokenState(_("Expired %(when)s") % {"when": _when(moment)}, "bad")
    tone = "warn" if moment - now <= SOON else "ok"
    return TokenState(_("Expires in %(span)s") % {"span": timeuntil(moment, now, depth=1)}, tone)


def token_state(account: ChannelAccount, now: datetime) -> TokenState:
    if account.disconnected_at is not None:
        return TokenState(_("Disconnected %(when)s") % {"when": _when(account.disconnected_at)},
                          "muted")  # fmt: skip
    if account.reconnect_needed:
        reason = account.reconnect_reason_shown or _("the token no longer works")
        return TokenState(_("Reconnect needed: %(reason)s") % {"reason": reason}, "bad")
    if account.token_kind in TokenKind.renewing() and account.refresh_token_encrypted:
        return TokenState(_("Renews itself"), "ok")
    if account.token_expires_at is not None:
        return _ends(account.token_expires_at, now)
    if account.token_kind == TokenKind.FACEBOOK_PAGE:
        return TokenState(_("Does not expire"), "ok")
    if account.token_kind == TokenKind.APP_BEARER:
        return TokenState(_("App-only token: reads mentions, cannot read DMs or reply"), "warn")
    return TokenState(_("Set by hand; its expiry is not known"), "muted")


def inbox_token_note(account: ChannelAccount, now: datetime) -> TokenState | None:
    """What the inbox's account list says about the token: only what needs someone to act
    (reconnect, disconnected, expired or expiring within a week), else nothing."""
    state = token_state(account, now)
    if state.tone == "bad" or (state.tone == "warn" and account.token_expires_at is not None):
        return state
    if account.disconnected_at is not None:
        return state
    return None


def data_access_state(account: ChannelAccount, now: datetime) -> str:
    moment = account.data_access_expires_at
    if account.platform != Platform.FACEBOOK or moment is None:
        return ""
    if moment <= now:
        return _("Data access ended %(when)s") % {"when": _when(moment)}
    return _("Data access ends in %(span)s") % {"span": timeuntil(moment, now, depth=1)}


def missing_permissions(account: ChannelAccount) -> str:
    names = ", ".join(str(name) for name in account.missing_permissions or [])
    if not names:
        return ""
    if account.platform == Platform.FACEBOOK:
        # Page tasks are upper case (MODERATE); permissions lower case (pages_read_user_content).
        tasks = [str(n) for n in account.missing_permissions if str(n).isupper()]
        scopes = [str(n) for n in account.missing_permissions if not str(n).isupper()]
        parts = [_("Missing Page tasks: %(names)s") % {"names": ", ".join(tasks)}] if tasks else []
        if scopes:
            parts.append(
                _("Missing permissions (a Page access token is needed): %(names)s")
                % {"names": ", ".join(scopes)}
            )
        return " ".join(parts)
    return _("Missing scopes: %(names)s") % {"names": names}


def account_rows(
    accounts: list[ChannelAccount], *, team_names: dict[int, str], expiring_ids: set[int],
    configured: dict[str, bool], now: datetime,
) -> list[AccountRow]:  # fmt: skip
    return [
        AccountRow(
            account=account,
            team_name=team_names.get(account.team_id, ""),
            platform_label=PLATFORM_LABELS.get(Platform(account.platform), account.platform),
            token=token_state(account, now),
            data_access=data_access_state(account, now),
            missing=missing_permissions(account),
            expiring=account.pk in expiring_ids,
            reconnectable=configured.get(account.platform, False),
        )
        for account in accounts
    ]
