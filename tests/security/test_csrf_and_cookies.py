"""A browser session can change nothing without the CSRF token; the production cookies are
Secure, HttpOnly (session) and host-only."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from inbox.models import Note
from tests.web.test_deploy_settings import CREDENTIALS_KEY, ROOT, STRONG_KEY

pytestmark = pytest.mark.django_db


def test_a_session_post_without_the_csrf_token_is_refused(agent, conversation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(type(agent.user).objects.get(pk=agent.user.pk))  # the stored hash
    url = f"/api/conversations/{conversation.pk}/notes"

    refused = client.post(url, {"body": "Ring tilbage"}, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("CSRF Failed")
    assert not Note.objects.exists()

    client.get("/")  # the inbox page renders forms, and so sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        url, {"body": "Ring tilbage"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201
    assert Note.objects.count() == 1


def test_a_token_authenticated_script_needs_no_csrf_token(agent, conversation):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=agent.user)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/conversations/{conversation.pk}/notes",
        {"body": "Fra et script"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.status_code == 201


def test_production_cookies_are_secure_http_only_and_host_only():
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_NAME', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS')}))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "web.settings",
        "SVAR_PROFILE": "production",
        "SECRET_KEY": STRONG_KEY,
        "SVAR_CREDENTIALS_KEYS": CREDENTIALS_KEY,
        "DATABASE_URL": "postgresql://svar@db.invalid:5432/svar",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "ALLOWED_HOSTS": "svar.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    values = json.loads(result.stdout.strip().splitlines()[-1])

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "__Host-svar-session",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
