"""Channel accounts' access tokens are encrypted at rest, rotatable, read only by the job layer,
and never shown back: not by the API, the live events, the admin, nor the command line."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from connectors import jobs
from connectors.simulator import demo
from inbox.credentials import CredentialsUnreadable, account_token
from inbox.events.snapshots import account_snapshot
from inbox.exceptions import PermissionDenied
from inbox.models import AccountHealth, ChannelAccount
from inbox.permissions.roles import Role
from inbox.services.accounts import channel_account_create
from inbox.services.credentials import channel_account_set_token, credentials_reseal_all
from tests.conftest import api_client_for
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.factories import AgentFactory, ChannelAccountFactory

pytestmark = pytest.mark.django_db
TOKEN = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2"


def _stored_column(account: ChannelAccount) -> str:
    """The column as PostgreSQL holds it, bypassing the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM inbox_channelaccount WHERE id = %s", [account.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def admin(db: None):
    return AgentFactory(public_name="Ada Admin", role=Role.ADMIN)


def test_a_token_set_by_an_admin_is_stored_encrypted_and_read_back_by_the_job_layer(admin, team):
    account = ChannelAccountFactory(team=team, credentials_ref="SVAR_CREDENTIAL_UNSET")

    channel_account_set_token(user=admin.user, account_id=account.pk, token=f"  {TOKEN}\n")

    account.refresh_from_db()
    stored = _stored_column(account)
    assert TOKEN not in stored
    assert stored.startswith("gAAAAA")
    assert account.credentials_ref == ""  # the stored token replaces the variable
    assert account.credentials_updated_at is not None
    assert account_token(account) == TOKEN


def test_an_agent_may_not_set_a_token(agent, x_account):
    with pytest.raises(PermissionDenied):
        channel_account_set_token(user=agent.user, account_id=x_account.pk, token=TOKEN)
    x_account.refresh_from_db()
    assert x_account.credentials_encrypted == ""


@pytest.mark.parametrize("bad", ["", "   ", "two words", "line\nbreak", "x" * 4097])
def test_a_token_that_cannot_be_a_bearer_token_is_refused(admin, x_account, bad):
    from inbox.exceptions import InvalidInput

    with pytest.raises(InvalidInput):
        channel_account_set_token(user=admin.user, account_id=x_account.pk, token=bad)


def test_an_environment_variable_is_still_a_source(x_account, monkeypatch):
    monkeypatch.setenv("SVAR_CREDENTIAL_TEST", "from-the-environment")
    assert account_token(x_account) == "from-the-environment"
    monkeypatch.delenv("SVAR_CREDENTIAL_TEST")
    assert account_token(x_account) is None


def test_keys_rotate_without_losing_a_token(admin, x_account, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SVAR_CREDENTIALS_KEYS = [old]
    channel_account_set_token(user=admin.user, account_id=x_account.pk, token=TOKEN)

    settings.SVAR_CREDENTIALS_KEYS = [new, old]  # step 1: the new key goes first
    x_account.refresh_from_db()
    assert account_token(x_account) == TOKEN
    result = credentials_reseal_all()  # step 2: re-encrypt
    assert (result.resealed, result.unreadable) == (1, [])

    settings.SVAR_CREDENTIALS_KEYS = [new]  # step 3: the old key is gone
    x_account.refresh_from_db()
    assert account_token(x_account) == TOKEN


def test_a_token_no_key_opens_pauses_the_account_instead_of_crashing(admin, x_account, settings):
    settings.SVAR_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    channel_account_set_token(user=admin.user, account_id=x_account.pk, token=TOKEN)
    settings.SVAR_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]  # the key was lost
    x_account.refresh_from_db()
    with pytest.raises(CredentialsUnreadable):
        account_token(x_account)

    assert jobs.poll_account(x_account.pk) == "paused: credentials rejected"

    x_account.refresh_from_db()
    assert x_account.health == AccountHealth.UNHEALTHY
    assert "cannot be decrypted" in x_account.last_error
    assert TOKEN not in x_account.last_error
    assert credentials_reseal_all().unreadable == [x_account.pk]


@pytest.mark.django_db(transaction=True)
def test_a_poll_authenticates_with_the_decrypted_token(x_sim, team):
    account = channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x_sim.base_url,
    )  # fmt: skip
    x_sim.app.add_mention(ME, CUSTOMER, "Hvornår kommer min årsopgørelse?")

    assert jobs.poll_account(account.pk).startswith("stored 1")


def test_the_api_and_live_events_never_show_a_token(admin, team):
    account = channel_account_create(
        platform="x", display_name="@skat", external_id="42", team_name=team.name, token=TOKEN
    )
    admin.teams.add(team)

    response = api_client_for(admin).get("/api/accounts")
    reconnect = api_client_for(admin).post(f"/api/accounts/{account.pk}/reconnect")

    assert response.status_code == 200
    assert reconnect.status_code == 200
    shown = [response.content.decode(), reconnect.content.decode(), str(account_snapshot(account))]
    for body in shown:
        assert TOKEN not in body
        assert "credentials" not in body
        assert account.credentials_encrypted not in body


def test_the_admin_shows_the_token_masked_and_takes_a_new_one_write_only(team):
    account = channel_account_create(
        platform="x", display_name="@skat", external_id="42", team_name=team.name, token=TOKEN
    )
    superuser = AgentFactory(public_name="Root").user
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client = Client()
    client.force_login(superuser)
    url = f"/admin/inbox/channelaccount/{account.pk}/change/"

    page = client.get(url).content.decode()
    assert TOKEN not in page
    assert account.credentials_encrypted not in page
    assert "••••••••" in page
    assert 'name="new_token"' in page

    form = {"display_name": "@skat", "handle": "", "team": team.pk, "base_url": "",
            "poll_interval_seconds": 30, "is_active": "on", "credentials_ref": "",
            "new_token": "renewed-token-123"}  # fmt: skip
    assert client.post(url, form).status_code == 302
    account.refresh_from_db()
    assert account_token(account) == "renewed-token-123"
    assert "renewed-token-123" not in client.get(url).content.decode()


def test_the_command_reads_the_token_from_stdin_and_stores_it_encrypted(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    out = io.StringIO()
    call_command(
        "svar_add_account", "--platform", "x", "--external-id", "42", "--name", "@skat",
        "--team", "Skat", "--token-stdin", stdout=out,
    )  # fmt: skip
    account = ChannelAccount.objects.get()
    assert account_token(account) == TOKEN
    assert TOKEN not in _stored_column(account)
    assert TOKEN not in out.getvalue()


def test_the_command_reads_the_token_from_a_named_variable(monkeypatch):
    monkeypatch.setenv("SVAR_NEW_X_TOKEN", TOKEN)
    call_command(
        "svar_add_account", "--platform", "x", "--external-id", "42", "--name", "@skat",
        "--team", "Skat", "--token-env", "SVAR_NEW_X_TOKEN",
    )  # fmt: skip
    account = ChannelAccount.objects.get()
    assert account_token(account) == TOKEN
    assert account.credentials_ref == ""  # the value was taken, not the name


def test_the_command_has_no_argument_that_takes_a_token():
    with pytest.raises(CommandError):
        call_command(
            "svar_add_account", "--platform", "x", "--external-id", "42", "--name", "@skat",
            "--team", "Skat", "--token", TOKEN,
        )  # fmt: skip
    assert not ChannelAccount.objects.exists()
