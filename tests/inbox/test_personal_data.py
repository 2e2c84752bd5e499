"""The personal-data detector: each kind of finding, its checksums, and what it leaves alone."""

from __future__ import annotations

import pytest

from inbox.composer.personal_data import (
    PersonalDataKind,
    find_personal_data,
    is_cpr,
    is_fodselsnummer,
    is_personnummer,
    luhn_valid,
)

K = PersonalDataKind


def kinds(text: str) -> list[tuple[PersonalDataKind, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mit CPR er 010190-1234, tak", [(K.CPR, "010190-1234")]),
        ("cpr 0101901234", [(K.CPR, "0101901234")]),
        ("Født 1. marts 2005: 010305-4123", [(K.CPR, "010305-4123")]),
        ("Personnummer 811218-9876", [(K.PERSONNUMMER, "811218-9876")]),
        ("pnr 19811218-9876 tack", [(K.PERSONNUMMER, "19811218-9876")]),
        ("fødselsnummer 01019050188", [(K.FODSELSNUMMER, "01019050188")]),
        ("D-nummer 41019050144?", []),  # not checksum-valid: nothing
        ("skriv til kirsten.m+skat@example.dk i dag", [(K.EMAIL, "kirsten.m+skat@example.dk")]),
        ("ring på 12 34 56 78", [(K.PHONE, "12 34 56 78")]),
        ("mobil 2345 6789", [(K.PHONE, "2345 6789")]),
        ("+46 70 123 45 67", [(K.PHONE, "+46 70 123 45 67")]),
        ("0047 912 34 567", [(K.PHONE, "0047 912 34 567")]),
        ("tlf. 12345678", [(K.PHONE, "12345678")]),
    ],
)
def test_each_kind_is_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Beløbet er 12345678 kr",  # an amount, no phone cue
        "Fristen er 2024-06-15",  # a date
        "faktura på 12.500,00 kr",
        "i 2023 og 2024",
        "tweet 1500000000000000001",  # a long id, not a CPR inside it
        "ordre 0101901234567",  # 13 digits: no 10-digit id carved out of it
        "310290-1234",  # 31 February: no such date
        "811218-9875",  # Swedish shape, wrong Luhn digit, not a date as CPR
        "01019050189",  # Norwegian shape, wrong second check digit
        "se https://skat.dk/hjaelp/0101901234x",
        "mail@localhost",  # no top-level domain
        "version 1.010190-1234",  # part of a decimal number
    ],
)
def test_look_alikes_are_left_alone(text):
    assert kinds(text) == []


def test_findings_carry_their_offsets_in_order():
    text = "Kirsten (kirsten@example.dk, 010190-1234)"
    found = find_personal_data(text)
    assert [(f.kind, text[f.start : f.end]) for f in found] == [
        (K.EMAIL, "kirsten@example.dk"),
        (K.CPR, "010190-1234"),
    ]
    assert [f.is_national_id for f in found] == [False, True]


def test_checksums():
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")
    assert is_personnummer("8112189876")
    assert is_personnummer("198112189876")
    assert is_personnummer("8112789876") is False  # day 78 − 60 = 18 but the Luhn breaks
    assert is_fodselsnummer("01019050188")
    assert not is_fodselsnummer("01019050180")
    # The 7th digit sets the century: 29 Feb 1900 never was, 29 Feb 2000 was.
    assert is_cpr("2902001234") is False
    assert is_cpr("2902004234") is True
