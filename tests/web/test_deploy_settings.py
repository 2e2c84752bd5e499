"""The production profile passes Django's deployment checklist and refuses a weak SECRET_KEY.

Settings are read once per process, so each case runs ``manage.py`` in a fresh subprocess.
No database or Redis is contacted: URLs are only parsed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "q7-Vb1!zR4s^Kp0x@Lm9&Tg3*Wc8(Yd2)Hn6=Jf5+Ue#Ao$Ni%Sr_Bk~Xw.Zt,Qy"
CREDENTIALS_KEY = "3q2-7wAAd7O0iXy2bRQz6Q6GqmvA9b8lZ2cJ7T4G1nE="  # a Fernet key (32 bytes)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SVAR_", "DJANGO_"))}
    base.pop("SECRET_KEY", None)
    base.pop("DEBUG", None)
    production = {
        "SVAR_PROFILE": "production",
        "ALLOWED_HOSTS": "svar.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://svar.example.com",
        "DATABASE_URL": "postgresql://svar@db.invalid:5432/svar",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "SVAR_CREDENTIALS_KEYS": CREDENTIALS_KEY,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_the_deployment_checklist_without_warnings():
    assert len(STRONG_KEY) >= 50

    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=STRONG_KEY)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    assert "WARNING" not in output, output


@pytest.mark.parametrize("secret_key", [None, "", "too-short-for-production"])
def test_production_refuses_a_missing_or_short_secret_key(secret_key: str | None):
    env = {} if secret_key is None else {"SECRET_KEY": secret_key}

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set to at least 50 random characters" in result.stderr


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [
        ("", "SVAR_CREDENTIALS_KEYS must be set in production"),
        ("not-a-key", "key 1 is not a Fernet key"),
        (f"{CREDENTIALS_KEY},short", "key 2 is not a Fernet key"),
    ],
)
def test_production_refuses_missing_or_malformed_credential_keys(keys: str, complaint: str):
    result = _manage("check", SECRET_KEY=STRONG_KEY, SVAR_CREDENTIALS_KEYS=keys)

    assert result.returncode != 0
    assert complaint in result.stderr
    assert "not-a-key" not in result.stderr  # a key, even a wrong one, is never echoed
