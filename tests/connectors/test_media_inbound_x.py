"""X media in, through tweepy against the simulator: photos with alt text, videos and GIFs
(the best MP4), media-only DMs; and the DM faults seen with recorded X answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import MediaKind
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from connectors.simulator.x import media as x_media
from connectors.simulator.x.app import XApp
from connectors.twitter.parse import dm_thread_id
from tests.connectors.twitter_support import CUSTOMER, ME, OTHER, XSim, start

ACCOUNT = {"id": ME, "username": demo.X_ACCOUNT_USERNAME, "name": demo.X_ACCOUNT_NAME}
CDN = "https://pbs.twimg.com/media"


@pytest.fixture
def x_sim() -> Iterator[XSim]:
    yield from start(XApp())


def test_a_photo_tweet_carries_its_photo_and_alt_text(x_sim: XSim) -> None:
    photo = x_media.photo(f"{CDN}/brev.jpg", alt_text="Et brev fra Skattestyrelsen")
    x_sim.app.add_mention(ME, CUSTOMER, "Hvad betyder det her? https://t.co/abc", media=[photo])

    [message] = x_sim.connector().fetch({}).messages

    [item] = message.media
    assert item.kind is MediaKind.PHOTO
    assert item.url == f"{CDN}/brev.jpg"
    assert item.alt_text == "Et brev fra Skattestyrelsen"
    assert item.key == photo["media_key"]


def test_a_video_and_a_gif_are_read_as_their_highest_bitrate_mp4(x_sim: XSim) -> None:
    clip = x_media.video("https://video.twimg.com/v/clip.mp4", f"{CDN}/clip.jpg")
    gif = x_media.video("https://video.twimg.com/g/kat.mp4", f"{CDN}/kat.jpg", gif=True)
    x_sim.app.add_mention(ME, CUSTOMER, "se her", media=[clip, gif])

    [message] = x_sim.connector().fetch({}).messages

    assert [(m.kind, m.url, m.mime_hint) for m in message.media] == [
        (MediaKind.VIDEO, "https://video.twimg.com/v/clip.mp4", "video/mp4"),
        (MediaKind.ANIMATED_GIF, "https://video.twimg.com/g/kat.mp4", "video/mp4"),
    ]


def test_a_dm_that_is_only_a_photo_is_a_message_with_media(x_sim: XSim) -> None:
    x_sim.app.add_dm(ME, CUSTOMER, "", media=[x_media.photo(f"{CDN}/kvittering.png")])

    [message] = x_sim.connector().fetch({}).messages

    assert message.body == ""
    assert [m.kind for m in message.media] == [MediaKind.PHOTO]


def test_the_accounts_own_dm_in_a_group_answers_a_member_not_the_conversation_id(
    x_sim: XSim,
) -> None:
    group = "1582103724607971328"  # group conversation ids have no hyphen
    x_sim.app.add_dm(ME, CUSTOMER, "Vi er tre i tråden", group_id=group)
    x_sim.app.add_dm(ME, ACCOUNT, "Tak, vi kigger på det", group_id=group)

    messages = x_sim.connector().fetch({}).messages

    own = next(m for m in messages if m.from_account)
    assert own.thread_external_id == dm_thread_id(group)
    assert own.author.external_id == CUSTOMER["id"] != group


def test_an_own_group_dm_with_no_member_beside_it_is_set_aside_not_given_a_made_up_contact(
    x_sim: XSim,
) -> None:
    x_sim.app.add_dm(ME, ACCOUNT, "Godmorgen alle", group_id="1582103724607971999")

    result = x_sim.connector().fetch({})

    assert result.messages == ()
    assert "group conversation" in result.rejected[0].reason


def test_dm_senders_missing_from_includes_are_looked_up_by_id(x_sim: XSim) -> None:
    x_sim.fault(FaultKind.MISSING_INCLUDES, path_prefix="/2/dm_events", remaining=1)
    x_sim.app.add_dm(ME, OTHER, "Hej, hvem taler jeg med?")

    [message] = x_sim.connector().fetch({}).messages

    assert (message.author.name, message.author.handle) == (OTHER["name"], OTHER["username"])
    assert ("GET", "/2/users") in x_sim.calls()  # the page came without them
