"""DRF's token authentication, reading the user's agent profile in the same query.

The agent's profile language is activated here, as web/agent_language.py does for sessions.
Every API route asks whether the user has an agent profile (web/agent_profile.py); joined to
the token lookup, that answer costs no query of its own.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from web.agent_language import activate_for


class TokenWithAgentAuthentication(TokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """Also switches to the agent's profile language: the API then answers, and words its
        errors, as the pages would (web/agent_language.py)."""
        found = super().authenticate(request)
        if found is not None:
            activate_for(request, found[0])
        return found

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__agent").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
