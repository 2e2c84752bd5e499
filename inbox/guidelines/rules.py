"""A rule as the evaluator reads it (plain values, no ORM), and the defaults a team starts with."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inbox.guidelines.verdict import APPROVAL, BLOCK, WARN

NATIONAL_IDS = ("cpr", "personnummer", "fodselsnummer")
CONTACT_DATA = ("email", "phone")
DATA_KINDS = (*NATIONAL_IDS, *CONTACT_DATA)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int | None  # None: a default rule the team has not taken over yet
    name: str
    kind: str
    action: str
    words: tuple[str, ...] = ()
    pattern: str = ""
    allowed_domains: tuple[str, ...] = ()
    tag: str = ""
    data_kinds: tuple[str, ...] = ()


def default_rules() -> list[RuleSpec]:
    """The personal-data guard every team starts with: a national identity number is never
    posted in public; an e-mail address or phone number in public is worth a second look."""
    return [
        RuleSpec(
            None,
            str(_("National identity numbers")),
            "personal_data",
            BLOCK,
            data_kinds=NATIONAL_IDS,
        ),
        RuleSpec(
            None,
            str(_("E-mail addresses and phone numbers")),
            "personal_data",
            WARN,
            data_kinds=CONTACT_DATA,
        ),
    ]


ACTIONS = (WARN, APPROVAL, BLOCK)
