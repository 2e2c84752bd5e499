"""Channel accounts' access tokens: sealed at rest with Fernet, opened only by the job layer.

A token is stored encrypted (``ChannelAccount.credentials_encrypted``) with the keys of
``settings.SVAR_CREDENTIALS_KEYS`` (web/security/credential_keys.py). An account may instead name an
environment variable (``credentials_ref``) that holds its token, for deployments that keep
secrets in their orchestrator. Nothing here ever logs or returns a token except
:func:`account_token`, which only the job layer calls.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from inbox.models import ChannelAccount

TOKEN_MAX_LENGTH = 4096
MASK = "••••••••"


class CredentialsUnreadable(Exception):
    """The sealed token cannot be opened with any configured key (a key was dropped too early,
    or the row was tampered with)."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.SVAR_CREDENTIALS_KEYS))


def seal(token: str) -> str:
    return cipher().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return cipher().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable(
            "the stored access token cannot be decrypted with SVAR_CREDENTIALS_KEYS"
        ) from None


def reseal(sealed: str) -> str:
    """The same token encrypted with the first (newest) key."""
    try:
        return cipher().rotate(sealed.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable(
            "the stored access token cannot be decrypted with SVAR_CREDENTIALS_KEYS"
        ) from None


def account_token(account: ChannelAccount) -> str | None:
    """The account's access token: the stored one if set, else the named environment variable.
    None when neither holds one. Raises :class:`CredentialsUnreadable` for a bad sealed value."""
    if account.credentials_encrypted:
        return unseal(account.credentials_encrypted)
    if account.credentials_ref:
        return os.environ.get(account.credentials_ref) or None
    return None


def credentials_source(account: ChannelAccount) -> str:
    """Where the token comes from, for people: never the token itself."""
    if account.credentials_encrypted:
        return "stored (encrypted)"
    if account.credentials_ref:
        return f"environment variable {account.credentials_ref}"
    return "none"


def account_refresh_token(account: ChannelAccount) -> str | None:
    """X's current refresh token (rotated on every use); None when the account has none."""
    if account.refresh_token_encrypted:
        return unseal(account.refresh_token_encrypted)
    return None


def grant_digest(user_token: str) -> str:
    """A Facebook user grant's fingerprint: accounts from one Login share it, and comparing
    digests needs no key."""
    return hashlib.sha256(user_token.encode()).hexdigest()
