"""A note, a tag and a reply need text someone can see: zero-width, direction-control, format
and blank characters alone are refused as an empty body is, by the services (so by every way
in). Direction controls inside a reply are dropped: the customer reads what the agent wrote."""

from __future__ import annotations

import pytest

from inbox.exceptions import InvalidInput, ReplyEmpty
from inbox.models import Message, Note, Tag
from inbox.services import conversation_tag, note_create, reply_create, reply_preview
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

INVISIBLE_ONLY = [
    "\u200b",  # zero-width space
    "\u200c\u200d",  # zero-width non-joiner, joiner
    "\u200e\u200f",  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e",  # embeddings, pop, overrides
    "\u2060\u2061\u2062\u2063\u2064",  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069",  # isolates
    "\ufeff",  # byte-order mark
    " \u00ad\t\u00a0\u3000\n",  # soft hyphen among whitespace of several kinds
    "\u180e\U000e0041\U000e007f",  # Mongolian vowel separator, tag characters
    "\u3164\u115f\u2800",  # Hangul fillers, braille blank: drawn as nothing
    "\u034f\ufe0f",  # combining grapheme joiner, variation selector: marks on nothing
]
NORDIC = [
    "Vi ringer dig op i morgen om din årsopgørelse – æøå ÆØÅ.",  # Danish
    "Vi återkommer om din deklaration så snart vi kan – åäö ÅÄÖ.",  # Swedish
    "Vi kommer tilbake til deg om skattemeldingen – æøå ÆØÅ.",  # Norwegian
]


@pytest.mark.parametrize("body", INVISIBLE_ONLY)
def test_a_note_of_invisible_characters_only_is_refused(agent, conversation, body):
    with pytest.raises(InvalidInput, match="A note needs text"):
        note_create(user=agent.user, conversation_id=conversation.pk, body=body)
    assert not Note.objects.exists()


@pytest.mark.parametrize("body", INVISIBLE_ONLY)
def test_a_reply_of_invisible_characters_only_is_refused_as_empty(agent, conversation, body):
    with pytest.raises(ReplyEmpty, match="A reply needs text"):
        reply_create(user=agent.user, conversation_id=conversation.pk, body=body)
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.parametrize("body", INVISIBLE_ONLY)
def test_the_preview_of_invisible_characters_only_is_that_of_an_empty_body(
    agent, conversation, body
):
    empty = reply_preview(agent=agent, conversation=conversation, body="")
    assert reply_preview(agent=agent, conversation=conversation, body=body) == empty
    assert (empty.text, empty.length, empty.fits) == ("", 0, False)


@pytest.mark.parametrize("name", INVISIBLE_ONLY)
def test_a_tag_of_invisible_characters_only_is_refused(agent, conversation, name):
    with pytest.raises(InvalidInput, match="visible character"):
        conversation_tag(user=agent.user, conversation_id=conversation.pk, add=["skat", name])
    assert not Tag.objects.exists()


@pytest.mark.parametrize("body", NORDIC)
def test_nordic_text_is_kept_as_written(agent, conversation, body):
    note = note_create(user=agent.user, conversation_id=conversation.pk, body=body)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body=body)
    conversation_tag(user=agent.user, conversation_id=conversation.pk, add=[body[:40]])

    assert note.body == body
    assert reply.text == f"{body} /Mette"
    assert list(Tag.objects.values_list("name", flat=True)) == [body[:40].lower()]


def test_emoji_sequences_and_right_to_left_marks_are_text(agent, conversation):
    body = (
        "👩\u200d💻 \u200fשלום\u200f 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    )
    assert reply_create(user=agent.user, conversation_id=conversation.pk, body=body).body == body


def test_direction_controls_are_dropped_from_a_reply_so_the_customer_reads_what_was_written(
    agent, conversation
):
    # Shown with the override, "ring 1234 5678" would read "ring 8765 4321".
    body = "Ring på \u202e1234 5678\u202c eller skriv til \u2067os\u2069."
    preview = reply_preview(agent=agent, conversation=conversation, body=body)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body=body)

    assert reply.body == preview.body == "Ring på 1234 5678 eller skriv til os."
    assert reply.text == "Ring på 1234 5678 eller skriv til os. /Mette"


def test_zero_width_spaces_and_direction_controls_do_not_make_a_second_tag(agent, conversation):
    conversation_tag(user=agent.user, conversation_id=conversation.pk, add=["vip"])
    conversation_tag(
        user=agent.user, conversation_id=conversation.pk, add=["v\u200bip\ufeff", "\u202evip"]
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("notes", {"body": "\u200b\u200b"}, "invalid"),
        ("reply", {"body": "\u202e\u2066\ufeff"}, "reply_empty"),
        ("tags", {"add": ["\u2060"]}, "invalid"),
    ],
)
def test_the_api_answers_invisible_only_text_with_a_400(agent, conversation, action, payload, code):
    response = api_client_for(agent).post(
        f"/api/conversations/{conversation.pk}/{action}", payload, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
