"""DMs from people who do not follow the account: Instagram files them in the "requests"
folder of the Conversations API (``folder=requests``), not in the inbox, until the account
answers. The connector reads both folders, so they arrive like any other DM, once."""

from __future__ import annotations

from connectors.base import ThreadKind
from tests.connectors import instagram_support
from tests.connectors.instagram_support import PAGE_ID, ago, dm_reply

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram


def _folder(instagram, folder: str | None) -> list[str]:
    """The conversation ids Graph lists in ``folder`` (the inbox when None), over HTTP."""
    client = instagram.connector().client
    args = {"platform": "instagram", **({"folder": folder} if folder else {})}
    return [c["id"] for c in client.get(f"{PAGE_ID}/conversations", client.conversations_pacer,
                                        **args)["data"]]  # fmt: skip


def test_a_non_followers_dm_sits_in_requests_until_answered(instagram):
    ig = instagram.ig
    friend = ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej", timestamp=ago(minutes=5))
    stranger = ig.add_dm(PAGE_ID, "6009", "ukendt", "Kan I hjælpe?", follower=False)

    assert _folder(instagram, None) == [friend["conversation_id"]]
    assert _folder(instagram, "requests") == [stranger["conversation_id"]]

    reply = dm_reply(stranger, "Ja", customer_last_message_at=stranger["created_time"])
    instagram.connector().send(reply)
    assert _folder(instagram, "requests") == []
    assert stranger["conversation_id"] in _folder(instagram, None)


def test_the_connector_reads_the_requests_folder_like_the_inbox(instagram):
    ig = instagram.ig
    ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej", timestamp=ago(minutes=5))
    stranger = ig.add_dm(
        PAGE_ID, "6009", "ukendt", "Kan I hjælpe?", timestamp=ago(minutes=3), follower=False
    )
    connector = instagram.connector()

    first = connector.fetch({})
    found = {m.external_id: m for m in first.messages}
    assert stranger["id"] in found
    request = found[stranger["id"]]
    assert (request.kind, request.thread_external_id) == (
        ThreadKind.PRIVATE, stranger["conversation_id"]
    )  # fmt: skip
    assert request.author.handle == "ukendt"
    assert "instagram_requests_since" in first.cursor

    later = ig.add_dm(PAGE_ID, "6009", "ukendt", "Hallo?", follower=False)
    again = {m.external_id for m in connector.fetch(first.cursor).messages}
    assert later["id"] in again  # the boundary second may repeat; the inbox dedupes it
