"""Instagram through facebook-sdk against the simulated Graph on 127.0.0.1: comments and replies
on the account's media, DMs (story replies included), public and private replies, the windows,
moderation, and every refusal as the error the jobs act on."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from connectors.base import MediaKind, ModerationKind, ModerationRequest, ThreadKind
from connectors.errors import (
    AlreadyReplied,
    AuthExpired,
    OutsideMessagingWindow,
    PlatformRejected,
    TargetGone,
)
from connectors.instagram.connector import MEDIA_COUNTS
from tests.connectors import instagram_support
from tests.connectors.instagram_support import (
    IG_ID,
    KIRSTEN,
    OLE,
    PAGE_ID,
    TOKEN,
    ago,
    comment_reply,
    dm_reply,
)

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram


def by_id(result) -> dict:
    return {m.external_id: m for m in result.messages}


def test_comments_and_replies_are_read_and_threaded_by_top_level_comment(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Husk fristen 1. maj", timestamp=ago(hours=3))
    question = ig.add_comment(media["id"], KIRSTEN, "Gælder det også mig?", timestamp=ago(hours=1))
    follow_up = ig.add_comment(media["id"], OLE, "Og mig?", parent_id=question["id"],
                               timestamp=ago(minutes=30))  # fmt: skip

    found = by_id(instagram.connector().fetch({}))

    assert set(found) == {question["id"], follow_up["id"]}
    top, reply = found[question["id"]], found[follow_up["id"]]
    assert top.kind is ThreadKind.PUBLIC
    assert top.thread_external_id == question["id"]
    assert top.author.handle == "kirsten.madsen"
    assert top.body == "Gælder det også mig?"
    assert reply.thread_external_id == question["id"]
    assert reply.in_reply_to_external_id == question["id"]


def test_a_second_poll_reads_only_media_whose_comment_count_changed(instagram):
    ig = instagram.ig
    quiet = ig.add_media(IG_ID, "Gammelt opslag", timestamp=ago(days=2))
    busy = ig.add_media(IG_ID, "Nyt opslag", timestamp=ago(hours=2))
    ig.add_comment(quiet["id"], KIRSTEN, "Første", timestamp=ago(hours=1))
    connector = instagram.connector()
    first = connector.fetch({})
    assert json.loads(first.cursor[MEDIA_COUNTS]) == {quiet["id"]: 1, busy["id"]: 0}
    new = ig.add_comment(busy["id"], OLE, "Ny kommentar")
    calls_before = len(instagram.app.requests)

    second = connector.fetch(first.cursor)

    assert [m.external_id for m in second.messages] == [new["id"]]
    comment_reads = [c for c in instagram.app.requests[calls_before:] if "/comments" in c]
    assert comment_reads == [f"GET /v21.0/{busy['id']}/comments"]


def test_a_malformed_comment_is_set_aside_and_the_rest_is_read(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    good = ig.add_comment(media["id"], KIRSTEN, "Hej", timestamp=ago(minutes=5))
    ig.add_malformed_comment(media["id"], {"id": "17999", "text": "uden tid", "from": OLE})

    result = instagram.connector().fetch({})

    assert [m.external_id for m in result.messages] == [good["id"]]
    [bad] = result.rejected
    assert "time" in bad.reason
    assert '"uden tid"' in bad.raw


def test_dms_story_replies_and_echoes_are_read(instagram):
    ig = instagram.ig
    dm = ig.add_dm(PAGE_ID, "6001", "jens.h", "Hvor er min refusion?", timestamp=ago(hours=1))
    story = ig.add_dm(
        PAGE_ID, "6002", "anna", "", timestamp=ago(minutes=10),
        media={"story": {"mention": {"link": "https://lookaside.fbsbx.com/s/1.jpg", "id": "55"}}},
    )  # fmt: skip
    connector = instagram.connector()
    connector.send(dm_reply(dm, "Den er på vej", customer_last_message_at=dm["created_time"]))

    found = connector.fetch({}).messages

    customer = next(m for m in found if m.external_id == dm["id"])
    assert customer.kind is ThreadKind.PRIVATE
    assert customer.thread_external_id == dm["conversation_id"]
    assert not customer.from_account
    assert customer.author.handle == "jens.h"
    [echo] = [m for m in found if m.from_account]
    assert echo.body == "Den er på vej"
    assert echo.thread_external_id == dm["conversation_id"]
    assert echo.author.handle == "jens.h"  # the customer it answers, as the inbox expects
    mention = next(m for m in found if m.external_id == story["id"])
    assert mention.body == ""
    assert mention.media[0].kind is MediaKind.PHOTO
    assert mention.media[0].alt_text == "story mention"


def test_a_public_reply_goes_under_the_top_level_comment(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    question = ig.add_comment(media["id"], KIRSTEN, "Hvornår?")
    follow_up = ig.add_comment(media["id"], OLE, "Også mig", parent_id=question["id"])

    sent = instagram.connector().send(comment_reply(follow_up, "Kl. 9 /Mette"))

    [reply] = instagram.sent()["comments"]
    assert reply == {**reply, "id": sent.external_id, "in_reply_to": question["id"],
                     "text": "Kl. 9 /Mette"}  # fmt: skip


def test_a_reply_to_a_hidden_comment_is_refused_for_good(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    comment = ig.add_comment(media["id"], KIRSTEN, "Spam")
    ig.hide_comment(comment["id"])

    with pytest.raises(PlatformRejected, match="hidden"):
        instagram.connector().send(comment_reply(comment, "Hej"))
    assert instagram.sent()["comments"] == []


def test_a_reply_to_a_reply_is_refused_by_instagram(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    top = ig.add_comment(media["id"], KIRSTEN, "Hej")
    reply = ig.add_comment(media["id"], OLE, "Hej igen", parent_id=top["id"])
    wrong = replace(comment_reply(reply, "Svar"), thread_external_id=reply["id"])

    with pytest.raises(PlatformRejected, match="top-level"):
        instagram.connector().send(wrong)


def test_a_comment_on_a_deleted_media_is_gone(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    comment = ig.add_comment(media["id"], KIRSTEN, "Hej")
    ig.delete_media(media["id"])

    with pytest.raises(TargetGone):
        instagram.connector().send(comment_reply(comment, "Hej"))
    assert instagram.connector().fetch({}).messages == ()


def test_a_private_reply_is_one_dm_per_comment_within_seven_days(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(days=10))
    fresh = ig.add_comment(media["id"], KIRSTEN, "Mit CPR-nummer er …", timestamp=ago(days=6))
    old = ig.add_comment(media["id"], OLE, "Hjælp", timestamp=ago(days=8))
    connector = instagram.connector()

    message_id = connector.private_reply(fresh["id"], KIRSTEN["id"], "Skriv til os her /Mette")

    [sent] = instagram.sent()["messages"]
    assert sent["message_id"] == message_id
    assert sent["comment_id"] == fresh["id"]
    with pytest.raises(AlreadyReplied):
        connector.private_reply(fresh["id"], KIRSTEN["id"], "Igen")
    with pytest.raises(OutsideMessagingWindow):
        connector.private_reply(old["id"], OLE["id"], "For sent")


def test_dm_replies_use_the_human_agent_tag_after_24_hours_and_stop_after_7_days(instagram):
    ig = instagram.ig
    recent = ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej", timestamp=ago(days=2))
    stale = ig.add_dm(PAGE_ID, "6002", "anna", "Hej", timestamp=ago(days=8))
    connector = instagram.connector()

    connector.send(dm_reply(recent, "Svar", customer_last_message_at=recent["created_time"]))
    with pytest.raises(OutsideMessagingWindow):
        connector.send(dm_reply(stale, "Svar"))  # the window read from Graph itself

    [sent] = instagram.sent()["messages"]
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_a_dm_over_1000_characters_is_refused(instagram):
    dm = instagram.ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej")
    with pytest.raises(PlatformRejected, match="1000"):
        instagram.connector().send(dm_reply(dm, "x" * 1001))


def test_hide_unhide_and_delete_a_comment(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    comment = ig.add_comment(media["id"], KIRSTEN, "Spam")
    connector = instagram.connector()

    connector.moderate(ModerationRequest(ModerationKind.HIDE, comment["id"]))
    assert instagram.app.world.instagram.comments[comment["id"]].hidden is True
    connector.moderate(ModerationRequest(ModerationKind.UNHIDE, comment["id"]))
    assert instagram.app.world.instagram.comments[comment["id"]].hidden is False
    connector.moderate(ModerationRequest(ModerationKind.DELETE, comment["id"]))
    with pytest.raises(TargetGone):
        connector.moderate(ModerationRequest(ModerationKind.DELETE, comment["id"]))
    connector.moderate(ModerationRequest(ModerationKind.DELETE, comment["id"], uncertain=True))


def test_an_expired_token_is_auth_expired(instagram):
    instagram.app.expire_token(TOKEN)
    with pytest.raises(AuthExpired):
        instagram.connector().fetch({})


def test_a_reply_of_unknown_outcome_is_found_instead_of_sent_twice(instagram):
    ig = instagram.ig
    media = ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=2))
    comment = ig.add_comment(media["id"], KIRSTEN, "Hvornår?")
    connector = instagram.connector()
    reply = comment_reply(comment, "Kl. 9 /Mette")
    started = ago(seconds=5)
    assert connector.find_sent(reply, since=started) is None
    sent = connector.send(reply)

    assert connector.find_sent(reply, since=started).external_id == sent.external_id
