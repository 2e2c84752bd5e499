"""Admins connect channel accounts from the command line; a token never appears in argv."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inbox.models import ChannelAccount

pytestmark = pytest.mark.django_db


def test_an_account_is_added_with_a_reference_to_its_token_variable(capsys):
    call_command(
        "svar_add_account", "--platform", "x", "--external-id", "42", "--name", "@skat",
        "--team", "Skat", "--credentials-env", "SVAR_CREDENTIAL_X_SKAT",
    )  # fmt: skip
    account = ChannelAccount.objects.get()
    assert account.credentials_ref == "SVAR_CREDENTIAL_X_SKAT"
    assert account.team.name == "Skat"
    assert "is connected" in capsys.readouterr().out


def test_running_it_again_updates_the_same_account():
    for name in ("@skat", "@skattestyrelsen"):
        call_command(
            "svar_add_account", "--platform", "x", "--external-id", "42", "--name", name,
            "--team", "Skat", "--credentials-env", "SVAR_CREDENTIAL_X_SKAT",
        )  # fmt: skip
    assert ChannelAccount.objects.get().display_name == "@skattestyrelsen"


def test_a_token_itself_is_refused_as_a_credential_reference():
    with pytest.raises(CommandError, match="must name an environment variable"):
        call_command(
            "svar_add_account", "--platform", "facebook", "--external-id", "1", "--name", "Side",
            "--team", "Skat", "--credentials-env", "EAAB-looks-like-a-real-token",
        )  # fmt: skip
    assert not ChannelAccount.objects.exists()
