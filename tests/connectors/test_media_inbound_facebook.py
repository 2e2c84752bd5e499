"""Graph media in, through facebook-sdk against the simulator: Messenger attachments, stickers
and shares, comment attachments; and the token faults seen with recorded Graph answers."""

from __future__ import annotations

from connectors.base import MediaKind
from connectors.facebook.permissions import HIDDEN_COMMENT, MODERATE, PAGE_TOKEN
from connectors.simulator.graph import media as fb_media
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, ago

graph_server = facebook_support.graph_server
graph = facebook_support.graph
CDN = "https://scontent.xx.fbcdn.net/v/t1.15752-9"


def test_a_messenger_message_that_is_only_a_photo_arrives_with_its_photo(graph):
    graph.app.add_messenger_message(
        PAGE_ID, "8001", "Jens", "", media=fb_media.messenger_photo(f"{CDN}/kvit.jpg?oh=1")
    )

    [message] = graph.connector().fetch({}).messages

    assert message.body == ""
    [item] = message.media
    assert (item.kind, item.url, item.mime_hint) == (
        MediaKind.PHOTO, f"{CDN}/kvit.jpg?oh=1", "image/jpeg",
    )  # fmt: skip
    assert item.key


def test_every_messenger_media_kind_is_told_apart(graph):
    kinds = [
        fb_media.messenger_video(f"{CDN}/v.mp4?oh=2"),
        fb_media.messenger_file(f"{CDN}/lyd.mp3?oh=3", "besked.mp3", "audio/mpeg"),
        fb_media.messenger_file(f"{CDN}/brev.pdf?oh=4", "brev.pdf", "application/pdf"),
        fb_media.messenger_sticker("https://scontent.xx.fbcdn.net/t39.1997-6/like.png"),
        fb_media.messenger_share("https://skat.dk/fradrag", "Fradrag"),
        fb_media.messenger_photo(f"{CDN}/s.png?oh=5", mime="image/png", sticker=True),
        {"attachments": {"data": [{"id": "9", "mime_type": "", "name": "ukendt", "size": 0}]}},
    ]
    for n, media in enumerate(kinds):
        graph.app.add_messenger_message(PAGE_ID, "8001", "Jens", "", ago(minutes=30 - n), media)

    messages = sorted(graph.connector().fetch({}).messages, key=lambda m: m.sent_at)

    assert [m.media[0].kind for m in messages] == [
        MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.FILE, MediaKind.STICKER, MediaKind.SHARE,
        MediaKind.STICKER, MediaKind.FALLBACK,
    ]  # fmt: skip
    assert messages[4].media[0].url == "https://skat.dk/fradrag"


def test_a_comment_keeps_its_text_and_its_photo(graph):
    post = graph.app.add_post(PAGE_ID, "Nyt om fradrag", created_time=ago(hours=2))
    graph.app.add_comment(
        post["id"], KIRSTEN, "Se mit brev", created_time=ago(minutes=5),
        attachment=fb_media.comment_attachment("photo", f"{CDN}/brev.jpg"),
    )  # fmt: skip

    [message] = graph.connector().fetch({}).messages

    assert message.body == "Se mit brev"
    assert [(m.kind, m.url) for m in message.media] == [(MediaKind.PHOTO, f"{CDN}/brev.jpg")]


def test_comment_stickers_videos_and_shares_are_kept(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=2))
    for n, kind in enumerate(("sticker", "video_inline", "share")):
        url = "https://skat.dk/a" if kind == "share" else f"{CDN}/{kind}.jpg"
        graph.app.add_comment(post["id"], KIRSTEN, "", created_time=ago(minutes=9 - n),
                              attachment=fb_media.comment_attachment(kind, url))  # fmt: skip

    messages = sorted(graph.connector().fetch({}).messages, key=lambda m: m.sent_at)

    assert [(m.media[0].kind, m.media[0].url) for m in messages] == [
        (MediaKind.STICKER, f"{CDN}/sticker.jpg"),
        (MediaKind.VIDEO, f"{CDN}/video_inline.mp4"),
        (MediaKind.SHARE, "https://skat.dk/a"),
    ]


def test_comments_without_id_and_from_report_the_missing_moderate_task(graph):
    graph.app.add_limited_token("page-token-without-moderate", PAGE_ID, "no_moderate")
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=2))
    graph.app.add_comment(post["id"], KIRSTEN, "Hej", created_time=ago(minutes=5))

    result = graph.connector("page-token-without-moderate").fetch({})

    assert result.messages == ()
    assert result.missing_permissions == (MODERATE,)
    assert result.rejected[0].reason == HIDDEN_COMMENT


def test_comments_counted_but_not_returned_report_that_a_page_token_is_needed(graph):
    graph.app.add_limited_token("a-user-token", PAGE_ID, "user")
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=2))
    for n in range(3):
        graph.app.add_comment(post["id"], KIRSTEN, f"Hej {n}", created_time=ago(minutes=5 - n))

    result = graph.connector("a-user-token").fetch({})

    assert result.messages == ()
    assert result.missing_permissions == (PAGE_TOKEN,)


def test_a_full_page_token_reports_nothing_missing(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=2))
    graph.app.add_comment(post["id"], KIRSTEN, "Hej", created_time=ago(minutes=5))

    assert graph.connector().fetch({}).missing_permissions == ()
