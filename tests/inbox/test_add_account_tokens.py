"""svar_add_account for scripted set-ups: which token each platform needs, and an X token pair
that the workers then renew themselves."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from connectors.simulator import demo
from connectors.twitter.oauth import x_authorization, x_exchange_code
from inbox.credentials import account_refresh_token
from inbox.models import ChannelAccount, TokenKind
from inbox.services.channels import x_token_renew
from tests.inbox.channel_oauth_support import CLIENT, REDIRECT_URI, consent, oauth_apps

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_help_names_the_token_each_platform_needs(capsys):
    with pytest.raises(SystemExit):
        call_command("svar_add_account", "--help")
    text = " ".join(capsys.readouterr().out.split())
    for needed in ("OAuth 2.0 user token", "offline.access", "dm.read", "app-only bearer",
                   "cannot read DMs or post", "MODERATE", "MESSAGING"):  # fmt: skip
        assert needed in text


def test_an_x_token_pair_added_by_script_is_renewed_by_the_workers(x_sim, monkeypatch):
    # A pair obtained elsewhere (here: the simulator's consent page, by hand).
    grant = x_authorization(client_id=CLIENT["SVAR_X_CLIENT_ID"], redirect_uri=REDIRECT_URI,
                            authorize_base_url=x_sim.base_url)  # fmt: skip
    query = consent(grant.url)
    pair = x_exchange_code(
        client_id=CLIENT["SVAR_X_CLIENT_ID"], client_secret=CLIENT["SVAR_X_CLIENT_SECRET"],
        redirect_uri=REDIRECT_URI, code=query["code"], code_verifier=grant.code_verifier,
        base_url=x_sim.base_url,
    )  # fmt: skip
    monkeypatch.setenv("X_ACCESS", pair.access_token)
    monkeypatch.setenv("X_REFRESH", pair.refresh_token)

    call_command(
        "svar_add_account", "--platform", "x", "--external-id", demo.X_ACCOUNT_ID,
        "--name", "@skattefar", "--team", "Skat", "--token-env", "X_ACCESS",
        "--refresh-token-env", "X_REFRESH", "--expires-in", "60", "--base-url", x_sim.base_url,
    )  # fmt: skip

    account = ChannelAccount.objects.get()
    assert account.token_kind == TokenKind.X_USER
    assert account_refresh_token(account) == pair.refresh_token
    with oauth_apps(x_sim.base_url):
        assert x_token_renew(account.pk) == "renewed"  # a minute left: inside RENEW_AHEAD
    account.refresh_from_db()
    assert account_refresh_token(account) != pair.refresh_token  # rotated and stored


def test_a_refresh_token_without_an_x_access_token_is_refused(monkeypatch):
    monkeypatch.setenv("FB_TOKEN", "EAAB-page-token")
    monkeypatch.setenv("A_REFRESH", "refresh-me")
    with pytest.raises(CommandError, match="refresh token is for an X"):
        call_command(
            "svar_add_account", "--platform", "facebook", "--external-id", "1", "--name", "Side",
            "--team", "Skat", "--token-env", "FB_TOKEN", "--refresh-token-env", "A_REFRESH",
        )  # fmt: skip
    assert not ChannelAccount.objects.exists()
