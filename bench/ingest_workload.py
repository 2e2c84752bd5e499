"""The customer messages bench/ingest_throughput.py feeds through Svar: one list, three forms.

``build`` makes N messages spread over X accounts (mentions, DMs) and Facebook Pages (post
comments, Messenger), in time order, across many threads with follow-ups in some of them. The
same list is loaded into the simulator (end to end), turned into ``InboundMessage`` DTOs (the
ingest service alone) and into message rows (the raw INSERT baseline).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.base import ContactRef, InboundMessage, ThreadKind

KINDS = ("x_mention", "x_dm", "fb_comment", "messenger")
# Share of each kind among the messages; X carries most public questions at @skattefar.
MIX = {"x_mention": 0.35, "x_dm": 0.20, "fb_comment": 0.30, "messenger": 0.15}
FOLLOW_UP_SHARE = 0.3  # messages that continue an existing thread of their account
SPAN = timedelta(hours=36)  # inside Facebook's first-poll look-back of 7 days
COMMENTS_PER_POST = 40

_OPENINGS = (
    "Hej, jeg har et spørgsmål om min årsopgørelse.",
    "Hvornår får jeg min overskydende skat udbetalt?",
    "Jeg kan ikke logge på TastSelv med MitID, hvad gør jeg?",
    "Min forskudsopgørelse viser en forkert indkomst for i år.",
    "Skal jeg betale restskat, hvis jeg har haft to arbejdsgivere?",
    "Hvordan ændrer jeg mit fradrag for kørsel til arbejde?",
    "Jeg er flyttet til Sverige, hvor skal jeg betale skat nu?",
    "Kan I se, om min selvangivelse er modtaget?",
    "Hvorfor er mit skattekort ændret uden at jeg har gjort noget?",
    "Gælder fristen den 1. juli også for selvstændige?",
    "Jeg har fået et brev om rykker, men jeg har betalt.",
    "Hvordan får jeg fradrag for renovering af mit badeværelse (servicefradrag)?",
    "Min datter har fået SU og løn, skal hun have frikort?",
    "Jeg har solgt aktier i år, hvor indberetter jeg tabet?",
)
_DETAILS = (
    "Mit CPR-nummer har jeg ikke skrevet her, men I kan skrive privat.",
    "Det drejer sig om indkomståret 2025.",
    "Jeg har prøvet at ringe, men køen var over en time.",
    "Jeg har vedhæftet et skærmbillede i min besked på skat.dk.",
    "Tak for hjælpen på forhånd!",
    "Det haster lidt, da banken skal bruge opgørelsen.",
    "",
)
_FOLLOW_UPS = (
    "Tak, men det løser ikke mit problem.",
    "Jeg har nu prøvet igen, og det virker stadig ikke.",
    "Hvor lang tid tager det normalt?",
    "Kan I ikke bare se på det? Jeg har ventet i tre uger.",
    "Her er lidt mere info: jeg startede nyt job i marts.",
    "Super, tak for svaret!",
    "Og hvad med min ægtefælle, gælder det samme for hende?",
)
_FIRST = (
    "Mette",
    "Lars",
    "Kirsten",
    "Ole",
    "Anne",
    "Jens",
    "Sofie",
    "Mads",
    "Ida",
    "Peter",
    "Freja",
    "Niels",
    "Hanne",
    "Søren",
    "Camilla",
    "Rasmus",
    "Birgit",
    "Jonas",
)
_LAST = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
)


@dataclass(frozen=True, slots=True)
class Item:
    """One customer message, platform-neutral."""

    seq: int
    kind: str
    account: int  # index into the X accounts or the Facebook Pages, by kind
    thread: int  # per (kind, account): messages with the same number share a thread
    follow_up: bool  # continues an existing thread
    author_id: str
    author_name: str
    text: str
    sent_at: datetime

    @property
    def platform(self) -> str:
        return "x" if self.kind.startswith("x_") else "facebook"


@dataclass(frozen=True, slots=True)
class Workload:
    items: tuple[Item, ...]
    x_accounts: int
    facebook_pages: int

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    def threads(self) -> int:
        return len({(i.kind, i.account, i.thread) for i in self.items})


def build(messages: int, accounts: int, seed: int = 7) -> Workload:
    """``accounts`` channel accounts: half X, half Facebook Pages (at least one of each)."""
    rng = random.Random(seed)
    x_accounts = max(1, accounts // 2)
    pages = max(1, accounts - x_accounts)
    start = datetime.now(UTC) - SPAN
    step = SPAN / max(messages, 1)
    threads: dict[tuple[str, int], list[tuple[str, str]]] = {}  # -> thread authors
    items = []
    kinds, weights = zip(*MIX.items(), strict=True)
    for seq in range(messages):
        kind = rng.choices(kinds, weights)[0]
        account = rng.randrange(x_accounts if kind.startswith("x_") else pages)
        known = threads.setdefault((kind, account), [])
        follow_up = bool(known) and rng.random() < FOLLOW_UP_SHARE
        if follow_up:
            thread = rng.randrange(len(known))
            author_id, author_name = known[thread]
            text = rng.choice(_FOLLOW_UPS)
        else:
            thread = len(known)
            author_id = str(rng.randrange(10**9, 10**10))
            author_name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            known.append((author_id, author_name))
            text = f"{rng.choice(_OPENINGS)} {rng.choice(_DETAILS)}".strip()
        items.append(
            Item(seq=seq, kind=kind, account=account, thread=thread, follow_up=follow_up,
                 author_id=author_id, author_name=author_name, text=text,
                 sent_at=(start + step * seq).replace(microsecond=0))
        )  # fmt: skip
    return Workload(items=tuple(items), x_accounts=x_accounts, facebook_pages=pages)


def inbound(item: Item) -> InboundMessage:
    """The DTO a connector would produce for ``item`` (ids namespaced by kind and thread)."""
    public = item.kind in ("x_mention", "fb_comment")
    handle = f"kunde{item.author_id[-6:]}" if item.platform == "x" else ""
    return InboundMessage(
        external_id=f"{item.kind}-{item.seq}",
        thread_external_id=f"{item.kind}-{item.account}-{item.thread}",
        kind=ThreadKind.PUBLIC if public else ThreadKind.PRIVATE,
        author=ContactRef(external_id=item.author_id, name=item.author_name, handle=handle),
        body=item.text,
        sent_at=item.sent_at,
    )
