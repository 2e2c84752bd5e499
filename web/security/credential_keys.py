"""The keys that encrypt channel accounts' access tokens at rest, read from the environment.

``SVAR_CREDENTIALS_KEYS`` holds comma-separated Fernet keys (``Fernet.generate_key()``): the
first encrypts, every one decrypts, so a rotation puts the new key first and drops the old one
after ``manage.py svar_rotate_credentials``. Production refuses to start without them; in
development a key derived from ``SECRET_KEY`` stands in. Pure functions: settings import this.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

FERNET_KEY_BYTES = 32
_DERIVATION_LABEL = b"svar-channel-credentials-v1:"


class BadCredentialKeys(ValueError):
    """The configured keys are missing or malformed (the message never contains a key)."""


def derived_key(secret_key: str) -> str:
    """A development-only Fernet key from SECRET_KEY: stable across restarts, never needed
    in production, where a leaked SECRET_KEY must not also unlock the tokens."""
    digest = hashlib.sha256(_DERIVATION_LABEL + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _check(key: str, position: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != FERNET_KEY_BYTES:
        raise BadCredentialKeys(
            f"SVAR_CREDENTIALS_KEYS: key {position} is not a Fernet key (32 url-safe base64 "
            'bytes; make one with python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())")'
        )
    return key


def credential_keys(raw: str, *, secret_key: str, production: bool) -> list[str]:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        if production:
            raise BadCredentialKeys(
                "SVAR_CREDENTIALS_KEYS must be set in production: the channel accounts' access "
                "tokens are encrypted with it"
            )
        return [derived_key(secret_key)]
    return [_check(key, n) for n, key in enumerate(keys, start=1)]
