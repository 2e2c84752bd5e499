"""An answer to an Instagram mention whose outcome is unknown (the POST went out, the answer
never came back) is posted at most once.

- Caption mention: the real API lets the account read the comments on the mentioning media
  through the mention (``mentioned_media.media_id(…){comments{…}}``), so the next attempt looks
  for the account's own comment first and records it instead of posting again.
- Comment mention: ``mentioned_comment`` offers no replies, and the comments of another user's
  media are not the account's to list, so nothing can be checked: the reply is failed as
  "outcome unknown — check on Instagram" and never posted again by itself.

The unknown outcome is the simulator's SLOW fault: Graph stores the comment after the client
gave up waiting (the delivery job's 10-second timeout).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from connectors import jobs
from connectors.base import OutboundReply, ThreadKind
from connectors.errors import OutcomeUnknown, PlatformUnavailable
from connectors.instagram.fields import MENTION_CHECK_LIMIT
from connectors.simulator.faults import FaultKind
from inbox.models import Conversation, DeliveryState
from inbox.services import reply_create
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, IG_USERNAME
from tests.webhooks import test_webhook_instagram as comments_by_webhook
from tests.webhooks.support import meta_settings  # noqa: F401 (a fixture)

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
account = comments_by_webhook.account
captured = comments_by_webhook.captured
_relay = comments_by_webhook._relay
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]
POST_ANSWER = f"/v21.0/{IG_ID}/mentions"
JOB_TIMEOUT = 10.0  # connectors.factory: the delivery job's Graph timeout


def _answer_times_out(instagram, delay: float = JOB_TIMEOUT + 0.5) -> None:
    instagram.fault(FaultKind.SLOW, POST_ANSWER, remaining=1, delay_seconds=delay)


def _wait_for_comments(instagram, count: int) -> list[dict]:
    deadline = time.monotonic() + JOB_TIMEOUT
    while len(instagram.sent()["comments"]) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return instagram.sent()["comments"]


def _reply(agent, body: str):
    conversation = Conversation.objects.get()
    return reply_create(user=agent.user, conversation_id=conversation.pk, body=body)


def test_a_caption_answer_that_timed_out_after_posting_is_found_not_posted_again(
    instagram, account, captured, agent
):
    instagram.ig.mention(IG_ID, "lise.berg", f"Hvornår svarer @{IG_USERNAME}?")
    assert _relay(captured, 1) == "stored 1, 0 already known"
    reply = _reply(agent, "I dag")
    _answer_times_out(instagram)

    with pytest.raises(PlatformUnavailable):
        jobs.deliver_reply(reply.pk)  # RQ's Retry runs it again
    [posted] = _wait_for_comments(instagram, 1)  # Graph stored it after the timeout

    assert jobs.deliver_reply(reply.pk) == f"sent as {posted['id']}"
    assert len(instagram.sent()["comments"]) == 1
    reply.refresh_from_db()
    assert (reply.delivery_state, reply.external_id) == (DeliveryState.SENT, posted["id"])
    assert reply.delivery_attempts == 2


def test_a_caption_answer_refused_before_posting_is_posted_once_on_the_retry(
    instagram, account, captured, agent
):
    instagram.ig.mention(IG_ID, "lise.berg", f"Hej @{IG_USERNAME}")
    assert _relay(captured, 1) == "stored 1, 0 already known"
    reply = _reply(agent, "Hej selv")
    instagram.fault(FaultKind.SERVER_ERROR_HTML, POST_ANSWER, remaining=1)

    with pytest.raises(PlatformUnavailable):
        jobs.deliver_reply(reply.pk)
    assert jobs.deliver_reply(reply.pk).startswith("sent as ")

    assert len(instagram.sent()["comments"]) == 1


def test_a_comment_answer_of_unknown_outcome_is_never_posted_twice_and_says_so(
    instagram, account, captured, agent
):
    media = instagram.app.world.instagram.add_foreign_media("ole_s", "Cykel", instagram.app.now())
    instagram.ig.mention(IG_ID, "kirsten.madsen", f"@{IG_USERNAME} fradrag?", media_id=media.id)
    assert _relay(captured, 1) == "stored 1, 0 already known"
    reply = _reply(agent, "Nej, desværre")
    _answer_times_out(instagram)

    with pytest.raises(PlatformUnavailable):
        jobs.deliver_reply(reply.pk)
    _wait_for_comments(instagram, 2)  # the mention itself, and the answer stored late

    assert jobs.deliver_reply(reply.pk).startswith("outcome unknown")
    assert jobs.deliver_reply(reply.pk) == "nothing to do"  # a lost job's re-run posts nothing
    answers = [c for c in instagram.sent()["comments"] if c.get("mention")]
    assert len(answers) == 1
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "Look on Instagram" in reply.delivery_error_shown
    with translation.override("da"):
        assert "Instagram" in reply.delivery_error_shown
        assert "Look on Instagram" not in reply.delivery_error_shown


def _caption_reply(media_id: str, body: str) -> OutboundReply:
    return OutboundReply(
        idempotency_key="svar-1", thread_external_id=f"mention:{media_id}",
        kind=ThreadKind.PUBLIC, body=body, recipient_external_id="@lise.berg",
    )  # fmt: skip


def test_the_check_reads_the_media_comments_through_the_mention_wire_exact(instagram):
    connector = instagram.connector()
    caption = instagram.ig.mention(IG_ID, "lise.berg", f"Tak @{IG_USERNAME}!")
    since = datetime.now(UTC) - timedelta(seconds=5)
    reply = _caption_reply(caption["media_id"], "Selv tak")

    assert connector.find_sent(reply, since=since) is None  # no comments yet: an empty edge
    posted = connector.send(reply)
    other = _caption_reply(caption["media_id"], "Noget andet")
    found = connector.find_sent(reply, since=since)
    assert found is not None
    assert found.external_id == posted.external_id
    assert connector.find_sent(other, since=since) is None
    assert f"GET /v21.0/{IG_ID}" in instagram.app.requests


def test_a_full_page_of_newer_comments_leaves_the_outcome_unknown(instagram):
    connector = instagram.connector()
    caption = instagram.ig.mention(IG_ID, "lise.berg", f"Konkurrence! Tag @{IG_USERNAME}")
    since = datetime.now(UTC) - timedelta(seconds=5)
    for n in range(MENTION_CHECK_LIMIT):
        instagram.ig.add_comment(caption["media_id"], {"id": f"u{n}", "username": f"u{n}"}, "!")

    with pytest.raises(OutcomeUnknown):
        connector.find_sent(_caption_reply(caption["media_id"], "Held og lykke"), since=since)


def test_a_comment_mention_cannot_be_checked(instagram):
    connector = instagram.connector()
    media = instagram.app.world.instagram.add_foreign_media("ole_s", "Cykel", instagram.app.now())
    mention = instagram.ig.mention(IG_ID, "kirsten", f"@{IG_USERNAME} hej", media_id=media.id)
    reply = OutboundReply(
        idempotency_key="svar-2", thread_external_id=f"mention:{media.id}:{mention['comment_id']}",
        kind=ThreadKind.PUBLIC, body="Hej", recipient_external_id="@kirsten",
    )  # fmt: skip

    requests_before = len(instagram.app.requests)
    with pytest.raises(OutcomeUnknown):
        connector.find_sent(reply, since=datetime.now(UTC))
    assert len(instagram.app.requests) == requests_before  # nothing asked of Graph
