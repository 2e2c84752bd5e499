"""Meta deliveries for tests: signed as Meta signs them, shaped as Meta sends them."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from inbox.models import ChannelAccount
from tests.connectors.facebook_support import PAGE_ID, TOKEN

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_WEBHOOK_TEST"
URL = "/webhooks/meta"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def comment_delivery(
    comment_id: str, message: str, *, page_id: str = PAGE_ID, post_id: str | None = None,
    author: dict[str, str] | None = None, created: int = 1_764_900_000,
) -> bytes:  # fmt: skip
    post_id = post_id or f"{page_id}_1"
    value = {
        "item": "comment", "verb": "add", "comment_id": comment_id, "post_id": post_id,
        "parent_id": post_id, "from": author or {"id": "7001", "name": "Kirsten Madsen"},
        "message": message, "created_time": created,
    }  # fmt: skip
    entry = {"id": page_id, "time": created * 1000, "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def post(client: Any, body: bytes, signature: str | None = None) -> Any:
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def meta_settings(settings: Any) -> Any:
    settings.SVAR_META_APP_SECRET = APP_SECRET
    settings.SVAR_META_WEBHOOK_VERIFY_TOKEN = VERIFY_TOKEN
    settings.SVAR_WEBHOOK_PAGES_CACHE_SECONDS = 0  # each test's own accounts, at once
    return settings


def page_account(team: Any, base_url: str = "", monkeypatch: Any = None) -> ChannelAccount:
    if monkeypatch is not None:
        monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=base_url,
    )  # fmt: skip
