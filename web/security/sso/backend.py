"""The OpenID Connect authentication backend: mozilla-django-oidc's, made strict.

The library checks the ID token's signature against the provider's JWKS and the nonce against
the session. It does not check the audience or the issuer (it decodes with
``verify_aud=False``), so :meth:`SvarOIDCBackend.get_payload_data` checks both, with the
expiry. Claims are the ID token's over the userinfo answer's (the ID token is signed). People
are matched by e-mail address; who they are in Svar comes from inbox.services.sso.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from inbox.exceptions import InboxError
from inbox.services.sso import (
    SsoIdentity,
    access_from_groups,
    parse_group_map,
    person_from_sso_create,
    person_from_sso_update,
)
from web.security.auth_backend import ModelBackendOneQuery
from web.security.sso import provider

logger = logging.getLogger(__name__)
# The service's refusals (inbox.services.sso), in the words of the person's language.
REFUSALS = {
    "no_team": gettext_lazy(
        "Your groups at %(provider)s give you no team in Svar, so you cannot sign in yet. "
        "Ask an administrator to map one of your groups to a team."
    ),
    "deactivated": gettext_lazy("This account has been deactivated. Ask an administrator."),
    "username_taken": gettext_lazy(
        "Another account already uses this address as its user name. "
        "Ask an administrator to sort it out."
    ),
}
CLOCK_SKEW_SECONDS = 60


class SvarOIDCBackend(OIDCAuthenticationBackend):
    # Endpoints are read on first use, not here: Django builds every backend for every
    # password login too, which must not wait for the provider.
    def __init__(self, *args: object, **kwargs: object) -> None:
        self.UserModel = User
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    get_settings = staticmethod(provider.setting)

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 -- the library's attribute names
        return provider.endpoint("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return provider.endpoint("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider.endpoint("OIDC_OP_JWKS_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    def authenticate(self, request: HttpRequest | None, **kwargs: object) -> User | None:
        # A password login passes username/password: not ours (and no provider round trip).
        if request is None or "username" in kwargs or not provider.sso_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as refusal:
            logger.warning("single sign-on refused: %s", refusal)
            self._refuse(_("The sign-in could not be verified. Try again."))
            return None
        except requests.RequestException as error:
            logger.warning("identity provider failed: %s", error)
            self._refuse(_("The identity provider did not answer. Try again in a moment."))
            return None

    def get_payload_data(self, token: bytes | str, key: object) -> dict:
        payload = self._verify_jws(token, key)  # signature (and alg) as the library checks it
        try:
            jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.SVAR_OIDC_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict:
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):  # OpenID Connect Core §5.3.2
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        return {**userinfo, **payload}

    def verify_claims(self, claims: dict) -> bool:
        if not claims.get("email") or claims.get("email_verified") is False:
            self._refuse(_("Your account at the provider has no verified e-mail address."))
            return False
        domain = settings.SVAR_OIDC_HOSTED_DOMAIN  # Google Workspace: the organisation's domain
        if domain and claims.get("hd") != domain:
            self._refuse(_("This account does not belong to the organisation."))
            return False
        return True

    def filter_users_by_claims(self, claims: dict) -> QuerySet[User]:
        return User.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict) -> User | None:
        identity = self._identity(claims)
        return self._provision(person_from_sso_create, identity=identity)

    def update_user(self, user: User, claims: dict) -> User | None:
        identity = self._identity(claims)
        return self._provision(person_from_sso_update, user_id=user.pk, identity=identity)

    def get_user(self, user_id: int) -> User | None:
        # With the agent profile in one query; None for a deactivated person's session.
        return ModelBackendOneQuery().get_user(user_id)

    # Permissions are the model backend's job (web/security/auth_backend.py), asked once.
    def get_all_permissions(self, user_obj: object, obj: object = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: object, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, user_obj: object, app_label: str) -> bool:
        return False

    # --- helpers ------------------------------------------------------------------------------

    def _identity(self, claims: dict) -> SsoIdentity:
        groups = claims.get(settings.SVAR_OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        groups = [*groups, *settings.SVAR_OIDC_DEFAULT_GROUPS]
        return SsoIdentity(
            email=claims["email"],
            name=str(claims.get("name") or ""),
            groups=tuple(str(group) for group in groups),
            provider=settings.SVAR_OIDC_PROVIDER_NAME,
        )

    def _provision(self, service: Callable[..., User], **kwargs: object) -> User | None:
        mapping = parse_group_map(json.loads(settings.SVAR_OIDC_GROUP_MAP or "{}"))
        identity = kwargs["identity"]
        access = access_from_groups(identity.groups, mapping)
        try:
            user = service(access=access, **kwargs)
        except InboxError as refusal:
            logger.info("single sign-on refused for %s: %s", identity.email, refusal)
            words = REFUSALS.get(refusal.details.get("reason", ""))
            self._refuse(str(words) % {"provider": identity.provider} if words else str(refusal))
            return None
        return user

    def _refuse(self, message: str) -> None:
        messages.error(self.request, message)
