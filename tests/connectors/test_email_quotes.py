"""Quoted history: folded for display in the thread, kept in full in the stored text."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from connectors import jobs
from connectors.email.quotes import split_quoted
from inbox.models import Message
from tests.connectors.email_support import mail

pytest_plugins = ["tests.connectors.mail_fixtures"]
ANSWER = "Tak, det hjalp."


@pytest.mark.parametrize(
    "history",
    [
        "> Den kommer i marts.\n>\n> Venlig hilsen\n> Mette",
        "Den 5. dec. 2026 kl. 10.00 skrev Mette Jensen, Skattestyrelsen <ks@skat.dk>:\n"
        "> Den kommer i marts.",
        "On Sat, 5 Dec 2026 at 10:00, Mette Jensen <ks@skat.dk>\nwrote:\n> Den kommer i marts.",
        "Den lør. 5. dec. 2026 skrev Mette <ks@skat.dk>:\n\nDen kommer i marts.",
        "-----Oprindelig meddelelse-----\nFra: Kundeservice\nSendt: 5. december 2026\n\nHej",
        "-----Original Message-----\nFrom: Kundeservice\n\nHello",
        "Am 05.12.2026 um 10:00 schrieb Mette Jensen:\n> Den kommer i marts.",
    ],
)
def test_the_history_below_an_answer_is_folded_and_nothing_is_lost(history):
    text = f"{ANSWER}\n\n{history}"

    shown, quoted = split_quoted(text)

    assert shown == ANSWER
    assert quoted == history
    assert f"{shown}\n\n{quoted}" == text  # folded, not removed


def test_an_answer_written_between_the_quotes_is_not_folded():
    text = "> Hvornår kommer den?\nI marts.\n> Og skattekortet?\nDet er sendt."

    assert split_quoted(text) == (text, "")


def test_a_mail_that_is_only_a_quote_stays_shown():
    text = "> Den kommer i marts."

    assert split_quoted(text) == (text, "")


def test_an_ordinary_sentence_about_writing_is_not_an_attribution():
    text = "Den dag skrev jeg til jer om det:\nmin adresse er ændret."

    assert split_quoted(text) == (text, "")


@pytest.mark.django_db(transaction=True)
def test_the_thread_folds_the_history_in_details_and_stores_it_whole(dovecot, mail_account, agent):
    history = "Den 5. dec. 2026 kl. 10.00 skrev Mette <ks@skat.dk>:\n> Den kommer i marts."
    dovecot.deliver(mail(f"{ANSWER}\n\n{history}"))
    jobs.poll_account(mail_account.pk)
    message = Message.objects.get()
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))

    page = client.get(f"/conversations/{message.conversation_id}/").content.decode()

    assert message.text == f"{ANSWER}\n\n{history}"
    entry = page[page.index(f'data-message="{message.pk}"') :]
    assert entry.index(ANSWER) < entry.index('<details class="quoted">')
    folded = entry[entry.index('<details class="quoted">') : entry.index("</details>")]
    assert "Quoted earlier mail" in folded
    assert "Den kommer i marts." in folded


def test_an_answer_line_right_above_the_attribution_stays_shown():
    text = "Den er god.\nOn Sat, 5 Dec 2026 at 10:00, Mette <ks@skat.dk> wrote:\n> Hej"

    assert split_quoted(text) == ("Den er god.", text.split("\n", 1)[1])
