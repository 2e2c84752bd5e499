"""Services that lock a row by id report a missing one as the domain's NotFound (which the API
and the jobs know how to answer), not as the ORM's DoesNotExist."""

from __future__ import annotations

import pytest

from inbox.exceptions import NotFound
from inbox.services import messages_ingest
from inbox.services.credentials import channel_account_set_token
from inbox.services.delivery import reply_delivery_begin
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def test_ingest_for_an_account_that_does_not_exist_is_not_found():
    with pytest.raises(NotFound, match="Channel account 987654 was not found"):
        messages_ingest(account_id=987654, messages=[inbound()])


def test_setting_the_token_of_an_account_that_does_not_exist_is_not_found():
    with pytest.raises(NotFound, match="Channel account 987654 was not found"):
        channel_account_set_token(user=None, account_id=987654, token="abc")


def test_delivering_a_reply_that_does_not_exist_is_not_found():
    with pytest.raises(NotFound, match="Reply 987654 was not found"):
        reply_delivery_begin(message_id=987654)
