"""The simulated X's media bodies (tweets and DM events with ``attachments.media_keys`` and
``includes.media``; the ``GET /2/users`` lookup) validate against X's own OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.simulator.x import media as x_media
from connectors.simulator.x.app import XApp
from tests.connectors.test_twitter_simulator_schema import (  # noqa: F401 - the fixture
    _openapi_present,
    assert_matches_openapi,
    get,
)
from tests.connectors.twitter_support import CUSTOMER, ME, OTHER, XSim, start

MEDIA_FIELDS = "type,url,preview_image_url,variants,alt_text,width,height"
CDN = "https://pbs.twimg.com/media"


@pytest.fixture
def world() -> Iterator[XSim]:
    for sim in start(XApp()):
        photo = x_media.photo(f"{CDN}/a.jpg", alt_text="Et brev")
        clip = x_media.video("https://video.twimg.com/v/c.mp4", f"{CDN}/c.jpg")
        gif = x_media.video("https://video.twimg.com/g/k.mp4", f"{CDN}/k.jpg", gif=True)
        sim.app.add_mention(ME, CUSTOMER, "Se mit brev", media=[photo, clip, gif])
        sim.app.add_dm(ME, CUSTOMER, "", media=[x_media.photo(f"{CDN}/b.png")])
        yield sim


def test_mentions_with_media_match(world: XSim) -> None:
    response = get(world, f"/2/users/{ME}/mentions", **{
        "tweet.fields": "author_id,created_at,attachments", "media.fields": MEDIA_FIELDS,
        "expansions": "author_id,attachments.media_keys"})  # fmt: skip
    assert_matches_openapi("/2/users/{id}/mentions", "GET", response)
    body = response.json()
    assert [m["type"] for m in body["includes"]["media"]] == ["photo", "video", "animated_gif"]
    assert (
        body["data"][0]["attachments"]["media_keys"][0] == body["includes"]["media"][0]["media_key"]
    )


def test_dm_events_with_media_match(world: XSim) -> None:
    fields = "id,text,event_type,created_at,sender_id,attachments"
    response = get(world, "/2/dm_events", **{
        "dm_event.fields": fields, "media.fields": MEDIA_FIELDS,
        "expansions": "sender_id,attachments.media_keys"})  # fmt: skip
    assert_matches_openapi("/2/dm_events", "GET", response)
    assert response.json()["includes"]["media"][0]["type"] == "photo"


def test_the_users_lookup_matches(world: XSim) -> None:
    response = get(world, "/2/users", ids=f"{CUSTOMER['id']},{OTHER['id']}",
                   **{"user.fields": "username,name"})  # fmt: skip
    assert_matches_openapi("/2/users", "GET", response)
    assert [u["id"] for u in response.json()["data"]] == [CUSTOMER["id"]]  # OTHER is unknown
    assert response.json()["errors"][0]["resource_id"] == OTHER["id"]
