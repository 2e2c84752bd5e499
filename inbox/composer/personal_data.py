"""Personal data an agent should not post in public: Nordic national ids, e-mail, phone numbers.

Pure functions, no I/O. The composer asks for findings as the agent types and, before a public
reply that has any, proposes to continue in a private message. National ids are checked the
way the issuing registries check them, so that order numbers and amounts rarely match:

- Danish CPR (DDMMYY-SSSS): a real date and a century the 7th digit allows. CPR numbers issued
  since 2007 need not satisfy modulus 11, so the checksum is not required.
- Swedish personnummer ([YY]YYMMDD-NNNC, ``+`` for people over 100): a real date (day + 60 for a
  samordningsnummer) and the Luhn check digit.
- Norwegian fødselsnummer (DDMMYYIIICC): a real date (day + 40 for a D-number) and both
  modulus-11 check digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PersonalDataKind(StrEnum):
    CPR = "cpr"
    PERSONNUMMER = "personnummer"
    FODSELSNUMMER = "fodselsnummer"
    EMAIL = "email"
    PHONE = "phone"


NATIONAL_IDS = frozenset(
    {PersonalDataKind.CPR, PersonalDataKind.PERSONNUMMER, PersonalDataKind.FODSELSNUMMER}
)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: PersonalDataKind
    start: int
    end: int
    text: str

    @property
    def is_national_id(self) -> bool:
        return self.kind in NATIONAL_IDS


# Digits that are not part of a longer run of digits (or of a decimal number).
_EDGE_L = r"(?<![\d.,/])"
_EDGE_R = r"(?![\d/]|[.,]\d)"
_CPR = re.compile(_EDGE_L + r"(\d{6})[- ]?(\d{4})" + _EDGE_R)
_PERSONNUMMER = re.compile(_EDGE_L + r"((?:19|20)?\d{6})([-+]?)(\d{4})" + _EDGE_R)
_FODSELSNUMMER = re.compile(_EDGE_L + r"(\d{6}) ?(\d{5})" + _EDGE_R)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# International numbers (+45 / 0045 …) in any grouping; Nordic national numbers of 8 digits
# written in pairs or fours (12 34 56 78, 1234 5678); a bare 8-digit run only after a cue word,
# since amounts, order and case numbers are often 8 digits too.
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ -]?\d){6,12}(?![\d])")
_PHONE_GROUPED = re.compile(
    r"(?<![\d.,])(?:\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}|\d{4} \d{4}|\d{3} \d{2} \d{3})(?![\d]|[.,]\d)"
)
_PHONE_CUED = re.compile(
    r"(?i)\b(?:tlf|telefon|telefonnummer|phone|mobil|mobile|mobilnummer|ring|call|tel)"
    r"\.?:?\s*(?:på\s+|on\s+|at\s+)?(\d{8})(?!\d)"
)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _cpr_year(yy: int, seventh: int) -> int | None:
    """The full birth year from the two-digit year and the serial's first digit (CPR rules)."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return 2000 + yy if yy <= 36 else 1900 + yy
    if yy <= 57:
        return 2000 + yy
    return 1800 + yy


def is_cpr(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = _cpr_year(yy, int(digits[6]))
    return year is not None and _valid_date(year, month, day)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_personnummer(digits: str) -> bool:
    """10 digits YYMMDDNNNC or 12 digits YYYYMMDDNNNC; Luhn over the last ten."""
    if len(digits) not in (10, 12) or not digits.isdigit():
        return False
    ten = digits[-10:]
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:  # samordningsnummer
        day -= 60
    year = int(digits[:4]) if len(digits) == 12 else 2000  # 2000: a leap year for 29 Feb
    return _valid_date(year, month, day) and luhn_valid(ten)


_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


def is_fodselsnummer(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit():
        return False
    day, month = int(digits[0:2]), int(digits[2:4])
    if day > 40:  # D-nummer
        day -= 40
    if month > 40:  # H-nummer (health services)
        month -= 40
    if not _valid_date(2000, month, day):
        return False
    return _mod11_digit(digits[:9], _FNR_WEIGHTS_1) == int(digits[9]) and _mod11_digit(
        digits[:10], _FNR_WEIGHTS_2
    ) == int(digits[10])


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, one finding per stretch of text."""
    found: list[Finding] = []

    def add(kind: PersonalDataKind, start: int, end: int) -> None:
        if any(f.start < end and start < f.end for f in found):
            return  # the first (most specific) reading of a stretch wins
        found.append(Finding(kind, start, end, text[start:end]))

    for match in _FODSELSNUMMER.finditer(text):
        if is_fodselsnummer(match[1] + match[2]):
            add(PersonalDataKind.FODSELSNUMMER, match.start(), match.end())
    for match in _PERSONNUMMER.finditer(text):
        digits = match[1] + match[3]
        # Ten digits that are a valid CPR as well are read as CPR (either way a national id).
        if is_personnummer(digits) and not (len(digits) == 10 and is_cpr(digits)):
            add(PersonalDataKind.PERSONNUMMER, match.start(), match.end())
    for match in _CPR.finditer(text):
        if is_cpr(match[1] + match[2]):
            add(PersonalDataKind.CPR, match.start(), match.end())
    for match in _EMAIL.finditer(text):
        add(PersonalDataKind.EMAIL, match.start(), match.end())
    for pattern in (_PHONE_INTERNATIONAL, _PHONE_GROUPED):
        for match in pattern.finditer(text):
            add(PersonalDataKind.PHONE, match.start(), match.end())
    for match in _PHONE_CUED.finditer(text):
        add(PersonalDataKind.PHONE, match.start(1), match.end(1))
    return sorted(found, key=lambda f: f.start)
