"""Demo traffic: citizens asking a tax authority questions on X and on its Facebook Page.

Danish, Swedish, Norwegian and English questions with emoji and links, as mentions, DMs,
Page comments and Messenger messages, and follow-ups in threads already open. The same seed
gives the same sequence of questions.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.simulator import demo
from connectors.simulator.graph import media as graph_media
from connectors.simulator.x import media as x_media

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Citizen:
    language: str
    name: str
    x_id: str
    x_username: str
    facebook_id: str  # app-scoped id, as on Page comments
    psid: str  # page-scoped id, as in Messenger (a different number for the same person)


@dataclass(frozen=True, slots=True)
class Injected:
    """One item the generator put into a platform."""

    channel: str  # "x_mention", "x_dm", "facebook_comment", "messenger"
    citizen: str
    text: str
    follow_up: bool
    ref: str  # the platform id of what was created


QUESTIONS: dict[str, tuple[str, ...]] = {
    "da": (
        "Hvornår kommer årsopgørelsen for 2025? 📄",
        "Jeg kan ikke logge ind på TastSelv med MitID 😩 Hvad gør jeg?",
        "Hvordan retter jeg min forskudsopgørelse? Jeg har fået nyt job 🎉",
        "Skal jeg betale skat af det, jeg sælger på Vinted? 👗",
        "Jeg har fået et brev om restskat, men jeg forstår det ikke. Kan I hjælpe?",
        "Gælder befordringsfradraget også, når jeg cykler til arbejde? 🚲",
        "Er det her link ægte? https://skat-refusion.dk/login Det ligner phishing 🤔",
        "Hvad er fristen for selvangivelsen, når man er selvstændig?",
    ),
    "sv": (
        "Hej! När kommer skatteåterbäringen i år? 💸",
        "Hur ändrar jag min preliminärskatt? Jag har bytt jobb.",
        "Jag bor i Malmö men jobbar i Köpenhamn – var ska jag deklarera? 🇸🇪🇩🇰",
        "Kan jag få ROT-avdrag för arbete på sommarstugan? 🏡",
        "Fick ett sms om återbäring med länken https://skatteverket-se.info – är det bedrägeri?",
    ),
    "no": (
        "Hei! Når kommer skatteoppgjøret? 🙂",
        "Jeg pendler fra Oslo til Danmark, hvor skal jeg betale skatt?",
        "Hvordan endrer jeg skattekortet mitt? Har fått ny jobb 💼",
        "Kan jeg trekke fra reiseutgifter til jobben? 🚆",
    ),
    "en": (
        "Hi, I moved to Denmark last month – how do I get a tax card? 🇩🇰",
        "Do I need to file a Danish tax return if I only worked here for 3 months?",
        "https://skat.dk/en won't load for me, is there an outage? ⚠️",
        "How do I get my tax refund paid into a foreign bank account? 💶",
    ),
}

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "da": (
        "Tak! Men hvad nu hvis jeg er på barsel?",
        "Jeg har prøvet igen, og det virker stadig ikke 😕",
        "Her er et skærmbillede af fejlen: https://imgur.com/a/x7Kp2",
        "Super, tusind tak for hjælpen 🙏",
    ),
    "sv": ("Tack! Gäller det även för 2024?", "Jag har fortfarande inte fått något svar 😞"),
    "no": ("Takk! Og hva med bompenger?", "Fikk ikke logget inn med BankID, «ukjent feil» 😬"),
    "en": ("Thanks! What about my pension contributions?", "Still waiting on this one 🙏"),
}

# language, name, X id, X username, and the suffix of both Facebook ids: the app-scoped id on
# Page comments is 61000000000000NN, the page-scoped id in Messenger 24000000000000NN.
_CITIZEN_TABLE = """
    da Mette Kristensen  2244994945  mette_k       11
    da Jonas Nielsen     1345678901  jonas_n_dk    12
    da Fatima Ali        1456789012  fatima_ali    13
    da Ole Sørensen      1567890123  olesoerensen  14
    sv Elin Johansson    1678901234  elinjoh       21
    sv Karl Lindqvist    1789012345  karl_lq       22
    no Ingrid Hansen     1890123456  ingrid_h      31
    no Lars Berg         1901234567  larsberg_no   32
    en Priya Sharma      2012345678  priya_in_cph  41
    en Tom Walker        2123456789  tomwalker     42
"""


def _citizen(row: str) -> Citizen:
    language, first, last, x_id, x_username, suffix = row.split()
    return Citizen(
        language, f"{first} {last}", x_id, x_username, f"61000000000000{suffix}",
        f"24000000000000{suffix}",
    )  # fmt: skip


CITIZENS: tuple[Citizen, ...] = tuple(map(_citizen, _CITIZEN_TABLE.strip().splitlines()))

PAGE_POSTS = (
    "Årsopgørelsen for 2025 er klar i TastSelv fra i dag 📄 Læs mere: https://skat.dk/aarsopgoerelse",
    "Pas på falske sms'er om tilbagebetaling af skat ⚠️ Vi sender aldrig links med login.",
)

# (channel, weight); a follow-up reuses a thread the citizen already has on that channel.
CHANNELS = (("x_mention", 3), ("x_dm", 2), ("facebook_comment", 3), ("messenger", 2),
            ("instagram_comment", 2), ("instagram_dm", 2))  # fmt: skip
INSTAGRAM_CAPTIONS = (
    "Husk: fristen for at rette årsopgørelsen er 1. maj 📅",
    "Sådan finder du din forskudsopgørelse i TastSelv 👇",
)
FOLLOW_UP_CHANCE = 0.3
PHOTO_CHANCE = 0.15  # with hosted photos: about one question in seven carries one


class XInjector(Protocol):
    def add_mention(
        self, account_user_id: str, author: dict, text: str,
        in_reply_to_tweet_id: str | None = None, *, media: Any = (),
    ) -> dict: ...  # fmt: skip

    def add_dm(self, account_user_id: str, sender: dict, text: str, *, media: Any = ()) -> dict: ...

    def posted_replies(self, account_user_id: str) -> list[dict]: ...


class GraphInjector(Protocol):
    def add_post(self, page_id: str, message: str) -> dict: ...

    def add_comment(
        self, post_id: str, author: dict, message: str, parent_id: str | None = None,
        *, attachment: Any = None,
    ) -> dict: ...  # fmt: skip

    def add_messenger_message(
        self, page_id: str, psid: str, name: str, text: str, *, media: Any = None
    ) -> dict: ...


@dataclass(slots=True)
class _Threads:
    tweets: dict[str, list[str]] = field(default_factory=dict)  # x id -> tweet ids, oldest first
    comments: dict[str, tuple[str, str]] = field(default_factory=dict)  # fb id -> (post, comment)
    dms: set[str] = field(default_factory=set)
    messenger: set[str] = field(default_factory=set)
    instagram: dict[str, str] = field(default_factory=dict)  # igsid -> top-level comment id
    instagram_dms: set[str] = field(default_factory=set)


class TrafficGenerator:
    def __init__(
        self,
        x: XInjector,
        graph: GraphInjector,
        *,
        seed: int = 0,
        x_account_id: str = demo.X_ACCOUNT_ID,
        page_id: str = demo.FACEBOOK_PAGE_ID,
        photos: Callable[[int], tuple[str, str]] | None = None,
    ) -> None:
        self.x = x
        self.photos = photos  # (url, alt text) of a new hosted photo; None: text only
        self.graph = graph
        self.x_account_id = x_account_id
        self.page_id = page_id
        self._random = random.Random(seed)
        self._threads = _Threads()
        self._posts: list[str] = []
        self._media: list[str] = []
        self._lock = threading.Lock()
        self._photo: tuple[str, str] | None = None

    def step(self) -> Injected:
        """Inject one question or follow-up."""
        with self._lock:
            if not self._posts:
                self._posts = [self.graph.add_post(self.page_id, text)["id"] for text in PAGE_POSTS]
            names, weights = zip(*CHANNELS, strict=True)
            channel = self._random.choices(names, weights)[0]
            citizen = self._random.choice(CITIZENS)
            follow_up = self._random.random() < FOLLOW_UP_CHANCE and self._has_thread(
                channel, citizen
            )
            pool = FOLLOW_UPS if follow_up else QUESTIONS
            text = self._random.choice(pool[citizen.language])
            self._photo = self._maybe_photo()
            ref = getattr(self, f"_{channel}")(citizen, text, follow_up)
            return Injected(channel, citizen.name, text, follow_up, ref)

    def run(self, per_minute: float, stop: threading.Event) -> None:
        """Inject ``per_minute`` items a minute until ``stop`` is set."""
        interval = 60.0 / per_minute
        while not stop.wait(interval):
            try:
                injected = self.step()
            except Exception:  # demo traffic must keep flowing past one bad injection
                logger.exception("traffic generator: injection failed")
                continue
            logger.info(
                "traffic: %s from %s: %s", injected.channel, injected.citizen, injected.text
            )

    def _maybe_photo(self) -> tuple[str, str] | None:
        """Now and then a citizen sends a photo with the question (only with ``photos``, so
        text-only traffic keeps its random sequence)."""
        if self.photos is None or self._random.random() >= PHOTO_CHANCE:
            return None
        return self.photos(self._random.randrange(1000))

    # -- channels ----------------------------------------------------------------------------

    def _has_thread(self, channel: str, citizen: Citizen) -> bool:
        threads = self._threads
        return {
            "x_mention": citizen.x_id in threads.tweets,
            "x_dm": citizen.x_id in threads.dms,
            "facebook_comment": citizen.facebook_id in threads.comments,
            "messenger": citizen.psid in threads.messenger,
            "instagram_comment": _igsid(citizen) in threads.instagram,
            "instagram_dm": _igsid(citizen) in threads.instagram_dms,
        }[channel]

    def _x_mention(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        author = {"id": citizen.x_id, "username": citizen.x_username, "name": citizen.name}
        thread = self._threads.tweets.get(citizen.x_id, [])
        reply_to = self._latest_in_thread(thread) if follow_up else None
        media = [x_media.photo(*self._photo)] if self._photo else []
        tweet = self.x.add_mention(
            self.x_account_id, author, text, in_reply_to_tweet_id=reply_to, media=media
        )
        if follow_up:
            thread.append(tweet["id"])
        else:
            self._threads.tweets[citizen.x_id] = [tweet["id"]]
        return tweet["id"]

    def _latest_in_thread(self, thread: list[str]) -> str:
        """The citizen answers the agent's latest reply in the thread, if there is one."""
        conversation = thread[0]
        replies = [
            t
            for t in self.x.posted_replies(self.x_account_id)
            if t.get("conversation_id") == conversation
        ]
        return max((t["id"] for t in replies), key=int, default=thread[-1])

    def _x_dm(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        sender = {"id": citizen.x_id, "username": citizen.x_username, "name": citizen.name}
        self._threads.dms.add(citizen.x_id)
        media = [x_media.photo(*self._photo)] if self._photo else []
        return self.x.add_dm(self.x_account_id, sender, text, media=media)["id"]

    def _facebook_comment(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        author = {"id": citizen.facebook_id, "name": citizen.name}
        if follow_up:
            post_id, parent_id = self._threads.comments[citizen.facebook_id]
            return self.graph.add_comment(post_id, author, text, parent_id=parent_id)["id"]
        post_id = self._random.choice(self._posts)
        photo = graph_media.comment_attachment("photo", self._photo[0]) if self._photo else None
        comment = self.graph.add_comment(post_id, author, text, attachment=photo)
        self._threads.comments[citizen.facebook_id] = (post_id, comment["id"])
        return comment["id"]

    def _messenger(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        self._threads.messenger.add(citizen.psid)
        media = graph_media.messenger_photo(self._photo[0]) if self._photo else None
        message = self.graph.add_messenger_message(
            self.page_id, citizen.psid, citizen.name, text, media=media
        )
        return str(message["id"])

    def _instagram_comment(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        instagram = self.graph.instagram  # type: ignore[attr-defined]
        author = {"id": _igsid(citizen), "username": citizen.x_username}
        if not self._media:
            self._media = [instagram.add_media(demo.INSTAGRAM_ACCOUNT_ID, caption)["id"]
                           for caption in INSTAGRAM_CAPTIONS]  # fmt: skip
        if follow_up:
            top = self._threads.instagram[author["id"]]
            media_id = instagram.world.comments[top].media_id
            return instagram.add_comment(media_id, author, text, parent_id=top)["id"]
        comment = instagram.add_comment(self._random.choice(self._media), author, text)
        self._threads.instagram[author["id"]] = comment["id"]
        return comment["id"]

    def _instagram_dm(self, citizen: Citizen, text: str, follow_up: bool) -> str:
        instagram = self.graph.instagram  # type: ignore[attr-defined]
        self._threads.instagram_dms.add(_igsid(citizen))
        media = (
            {"story": {"reply_to": {"link": self._photo[0], "id": "1"}}} if self._photo else None
        )
        dm = instagram.add_dm(self.page_id, _igsid(citizen), citizen.x_username, text, media=media)
        return str(dm["id"])


def _igsid(citizen: Citizen) -> str:
    """The citizen's Instagram-scoped id (from their Messenger one, same digits after 2)."""
    return "67" + citizen.psid[2:]
