"""Mail settings come from the environment: the console in development, SMTP in production,
every SMTP setting by its Django name. Settings are read once per process: a subprocess each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', "
    "'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL')}))"
)


def _mail_settings(**env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SVAR_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ.setdefault("
         f"'DJANGO_SETTINGS_MODULE', 'web.settings'); django.setup(); {SHOW}"],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_prints_mail_on_the_console():
    assert _mail_settings()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_the_smtp_server_the_environment_names():
    found = _mail_settings(
        SVAR_PROFILE="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="svar.example.com",
        SVAR_CREDENTIALS_KEYS="3q2-7wAAd7O0iXy2bRQz6Q6GqmvA9b8lZ2cJ7T4G1nE=",
        DATABASE_URL="postgresql://svar@db.invalid:5432/svar",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_HOST="smtp.example.dk", EMAIL_PORT="587", EMAIL_HOST_USER="svar",
        EMAIL_HOST_PASSWORD="from-the-vault", EMAIL_USE_TLS="on",
        DEFAULT_FROM_EMAIL="Kundeservice <svar@example.dk>",
    )  # fmt: skip
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.dk", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "svar",
        "EMAIL_HOST_PASSWORD": "from-the-vault", "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "Kundeservice <svar@example.dk>",
    }  # fmt: skip
