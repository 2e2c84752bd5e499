"""The Facebook Login callback and the admin's choice of Pages.

The code becomes a long-lived user token (kept sealed on the attempt while the admin chooses);
each chosen Page becomes an account with its own Page token, or reconnects the account it
already is. Tasks a Page token lacks (Svar needs MODERATE and MESSAGING) are stored and named.
A Page's linked Instagram business account is offered beside it (chosen as
``instagram:{ig-user-id}``) and becomes an Instagram account read with the same Page token.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.base import Platform
from connectors.errors import ConnectorError
from connectors.facebook.oauth import (
    FacebookPageGrant,
    facebook_exchange_code,
    facebook_inspect,
    facebook_long_lived,
    facebook_pages,
)
from inbox.credentials import seal, unseal
from inbox.exceptions import InvalidInput, OAuthFailed
from inbox.models import OAUTH_ATTEMPT_LIFETIME, ChannelAccount, OAuthAttempt, TokenKind
from inbox.services.channels.apps import oauth_app
from inbox.services.channels.attempts import consent_refused, oauth_attempt_claim
from inbox.services.channels.store import ConnectedIdentity, oauth_account_store_locked
from inbox.services.channels.x_connect import platform_failure


@dataclass(frozen=True, slots=True)
class FacebookPageChoice:
    page_id: str
    name: str
    tasks: tuple[str, ...]
    missing_tasks: tuple[str, ...]  # shown as a warning: what Svar cannot do on this Page
    existing_account_id: int | None  # choosing it reconnects this account
    instagram_id: str = ""  # the linked Instagram business account, offered as instagram:{id}
    instagram_username: str = ""


@dataclass(frozen=True, slots=True)
class FacebookPagesOffer:
    attempt_id: int
    pages: tuple[FacebookPageChoice, ...]


def _choices(pages: list[FacebookPageGrant]) -> tuple[FacebookPageChoice, ...]:
    existing = dict(
        ChannelAccount.objects.filter(
            platform=Platform.FACEBOOK, external_id__in=[p.page_id for p in pages]
        ).values_list("external_id", "pk")
    )
    return tuple(
        FacebookPageChoice(page_id=p.page_id, name=p.name, tasks=p.tasks,
                           missing_tasks=p.missing_tasks,
                           existing_account_id=existing.get(p.page_id),
                           instagram_id=p.instagram_id, instagram_username=p.instagram_username)
        for p in pages
    )  # fmt: skip


INSTAGRAM_CHOICE = "instagram:"


def _offered(pages: list[FacebookPageGrant]) -> dict[str, FacebookPageGrant]:
    """What the admin may choose: each Page by its id, its Instagram account as instagram:{id}."""
    offered = {p.page_id: p for p in pages}
    offered.update({f"{INSTAGRAM_CHOICE}{p.instagram_id}": p for p in pages if p.instagram_id})
    return offered


def _as_chosen(
    choice: str, page: FacebookPageGrant, identity: ConnectedIdentity
) -> ConnectedIdentity:
    """The Page's identity, or its Instagram account's (the same Page token reads both)."""
    if not choice.startswith(INSTAGRAM_CHOICE):
        return identity
    return replace(
        identity,
        platform=Platform.INSTAGRAM,
        external_id=page.instagram_id,
        display_name=f"@{page.instagram_username}",
        handle=page.instagram_username,
    )


def facebook_oauth_finish(
    *, user: AbstractBaseUser, state: str, code: str = "", error: str = ""
) -> FacebookPagesOffer:
    """The callback: the Pages the admin manages, for them to choose from."""
    attempt = oauth_attempt_claim(user=user, platform=Platform.FACEBOOK, state=state)
    if error or not code:
        raise consent_refused("Facebook", error or "no code")
    app = oauth_app(Platform.FACEBOOK)
    try:
        short = facebook_exchange_code(app_id=app.client_id, app_secret=app.client_secret,
                                       redirect_uri=attempt.redirect_uri, code=code,
                                       base_url=app.base_url)  # fmt: skip
        grant = facebook_long_lived(
            app_id=app.client_id,
            app_secret=app.client_secret,
            user_token=short.access_token,
            base_url=app.base_url,
        )
        pages = facebook_pages(user_token=grant.access_token, base_url=app.base_url)
    except ConnectorError as failure:
        raise platform_failure("Facebook", failure) from None
    OAuthAttempt.objects.filter(pk=attempt.pk).update(secret_encrypted=seal(grant.access_token))
    return FacebookPagesOffer(attempt_id=attempt.pk, pages=_choices(pages))


def _chosen_attempt(user: AbstractBaseUser, attempt_id: int, *, lock: bool) -> OAuthAttempt:
    queryset = OAuthAttempt.objects.select_for_update(no_key=True) if lock else OAuthAttempt.objects
    attempt = queryset.filter(pk=attempt_id, started_by_id=user.pk,
                              platform=Platform.FACEBOOK).first()  # fmt: skip
    if attempt is None or attempt.used_at is None or not attempt.secret_encrypted:
        raise OAuthFailed(_("This connection is not valid. Start connecting again."))
    if attempt.completed_at is not None:
        raise OAuthFailed(_("These Pages were already connected. Start connecting again."))
    if timezone.now() - attempt.used_at > OAUTH_ATTEMPT_LIFETIME:
        raise OAuthFailed(_("This connection has expired. Start connecting again."))
    return attempt


def _identities(attempt: OAuthAttempt, page_ids: list[str]) -> list[ConnectedIdentity]:
    """The chosen Pages with fresh Page tokens and their expiry (platform calls, no lock)."""
    app = oauth_app(Platform.FACEBOOK)
    user_token = unseal(attempt.secret_encrypted)
    try:
        pages = _offered(facebook_pages(user_token=user_token, base_url=app.base_url))
        unknown = [page_id for page_id in page_ids if page_id not in pages]
        if unknown or not page_ids:
            raise InvalidInput(_("Choose among the Pages offered."), field="page_ids")
        identities = []
        for page_id in dict.fromkeys(page_ids):
            page = pages[page_id]
            seen = facebook_inspect(app_id=app.client_id, app_secret=app.client_secret,
                                    token=page.access_token, base_url=app.base_url)  # fmt: skip
            identities.append(_as_chosen(page_id, page, ConnectedIdentity(
                platform=Platform.FACEBOOK, external_id=page.page_id, display_name=page.name,
                handle="", token_kind=TokenKind.FACEBOOK_PAGE, access_token=page.access_token,
                base_url=app.base_url, expires_at=seen.expires_at,
                data_access_expires_at=seen.data_access_expires_at, scopes=seen.scopes,
                missing=page.missing_tasks, grant_token=user_token,
            )))  # fmt: skip
    except ConnectorError as failure:
        raise platform_failure("Facebook", failure) from None
    return identities


def facebook_pages_connect(
    *, user: AbstractBaseUser, attempt_id: int, page_ids: list[str]
) -> list[ChannelAccount]:
    """Connect (or reconnect) the chosen Pages, once per attempt."""
    identities = _identities(_chosen_attempt(user, attempt_id, lock=False), page_ids)
    with transaction.atomic(durable=True):
        attempt = _chosen_attempt(user, attempt_id, lock=True)
        attempt.completed_at = timezone.now()
        attempt.save(update_fields=["completed_at"])
        return [
            oauth_account_store_locked(user=user, attempt=attempt, identity=identity)
            for identity in sorted(identities, key=lambda i: i.external_id)
        ]
