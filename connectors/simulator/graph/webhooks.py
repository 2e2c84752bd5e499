"""Meta webhooks from the simulated Graph (issue #20): every new Page comment and customer
Messenger message is delivered, signed ``X-Hub-Signature-256`` with the app secret, to the
configured URL (Svar's ``/webhooks/meta``), the way Meta delivers them.

Knobs, to show what Svar does when Meta misbehaves (``POST /_sim/graph/webhooks``):
``drop`` (a share of deliveries never sent), ``duplicate`` (sent twice), ``delay_ms`` (every
delivery waits this long), ``reorder`` (a share held back up to ``reorder_ms`` more, so later
ones overtake it), ``bad_signature`` (signed with the wrong secret). ``seed`` makes the random
choices repeatable. ``GET`` reports what was sent, dropped and duplicated, and which items were
dropped (by platform id), so a test can tell the polls' reconciliation what to expect.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

SENDERS = 4


@dataclass(slots=True)
class WebhookSettings:
    url: str = ""
    app_secret: str = ""
    drop: float = 0.0
    duplicate: float = 0.0
    delay_ms: int = 0
    reorder: float = 0.0
    reorder_ms: int = 500
    bad_signature: float = 0.0
    seed: int | None = None


@dataclass(slots=True)
class WebhookStats:
    sent: int = 0
    answered: dict[str, int] = field(default_factory=dict)  # HTTP status → count
    failed: int = 0  # no answer (connection refused, timeout)
    dropped: list[str] = field(default_factory=list)  # item ids never delivered
    duplicated: list[str] = field(default_factory=list)
    badly_signed: list[str] = field(default_factory=list)


class WebhookSender:
    """Queues deliveries and sends them from a few threads, each at its due time."""

    def __init__(self) -> None:
        self.settings = WebhookSettings()
        self.stats = WebhookStats()
        self._random = random.Random()
        self._lock = threading.Condition()
        self._due: list[tuple[float, int, str, bytes, str]] = []
        self._numbers = itertools.count()
        self._pool: ThreadPoolExecutor | None = None
        self._session = requests.Session()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.settings = WebhookSettings(**{**asdict(WebhookSettings()), **options})
            self.stats = WebhookStats()
            self._random = random.Random(self.settings.seed)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="sim-webhook")
                threading.Thread(target=self._dispatch, daemon=True).start()
            return asdict(self.settings)

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {**asdict(self.stats), "pending": len(self._due)}

    def comment(self, page_id: str, comment: Any, post_id: str) -> None:
        value = {
            "item": "comment", "verb": "add", "comment_id": comment.id, "post_id": post_id,
            "parent_id": comment.parent_id or post_id, "from": dict(comment.author),
            "message": comment.message, "created_time": int(comment.created_time.timestamp()),
        }  # fmt: skip
        self._deliver(comment.id, page_id, {"changes": [{"field": "feed", "value": value}]})

    def messenger(self, page_id: str, message: Any) -> None:
        event = {
            "sender": {"id": message.sender["id"]}, "recipient": {"id": message.recipient["id"]},
            "timestamp": int(message.created_time.timestamp() * 1000),
            "message": {"mid": message.id, "text": message.text},
        }  # fmt: skip
        self._deliver(message.id, page_id, {"messaging": [event]})

    def instagram_comment(self, ig_id: str, comment: Any) -> None:
        """Instagram's ``comments`` field: no time in the value (the entry's ``time`` says)."""
        value = {"from": dict(comment.author), "media": {"id": comment.media_id,
                 "media_product_type": "FEED"}, "id": comment.id, "text": comment.text,
                 **({"parent_id": comment.parent_id} if comment.parent_id else {})}  # fmt: skip
        content = {"changes": [{"field": "comments", "value": value}]}
        self._deliver(comment.id, ig_id, content, "instagram")

    def instagram_mention(self, ig_id: str, media_id: str, comment_id: str | None) -> None:
        """Instagram's ``mentions`` field: only the ids; the account looks the item up."""
        value = {"media_id": media_id, **({"comment_id": comment_id} if comment_id else {})}
        content = {"changes": [{"field": "mentions", "value": value}]}
        self._deliver(comment_id or media_id, ig_id, content, "instagram")

    def _deliver(
        self, item_id: str, page_id: str, content: dict[str, Any], kind: str = "page"
    ) -> None:
        with self._lock:
            knobs = self.settings
            if not knobs.url:
                return
            if self._random.random() < knobs.drop:
                self.stats.dropped.append(item_id)
                return
            now_ms = int(time.time() * 1000)
            entry = {"id": page_id, "time": now_ms, **content}
            body = json.dumps({"object": kind, "entry": [entry]}).encode()
            secret = knobs.app_secret
            if self._random.random() < knobs.bad_signature:
                secret, _ = secret + "-wrong", self.stats.badly_signed.append(item_id)
            signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            copies = 2 if self._random.random() < knobs.duplicate else 1
            if copies == 2:
                self.stats.duplicated.append(item_id)
            for _ in range(copies):
                delay = knobs.delay_ms
                if self._random.random() < knobs.reorder:
                    delay += self._random.randint(1, max(knobs.reorder_ms, 1))
                due = time.monotonic() + delay / 1000
                heapq.heappush(self._due, (due, next(self._numbers), knobs.url, body, signature))
            self._lock.notify()

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while not self._due or self._due[0][0] > time.monotonic():
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._lock.wait(wait)
                _, _, url, body, signature = heapq.heappop(self._due)
            assert self._pool is not None
            self._pool.submit(self._post, url, body, signature)

    def _post(self, url: str, body: bytes, signature: str) -> None:
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        try:
            status = self._session.post(url, data=body, headers=headers, timeout=10).status_code
        except requests.RequestException:
            with self._lock:
                self.stats.failed += 1
            return
        with self._lock:
            self.stats.sent += 1
            self.stats.answered[str(status)] = self.stats.answered.get(str(status), 0) + 1
