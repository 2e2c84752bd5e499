"""The clients of the contention drill (test_concurrency.py): agents working through the REST
API of a web process, customers writing on the simulated X, and the ledger of what each was
answered, from which the drill checks that no write was lost."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import defaultdict
from typing import Any

import httpx

from tests.connectors.twitter_support import ME, XSim
from tests.web.servers import AsgiServer

CUSTOMER_EVERY = 0.5  # seconds between customers' messages
REPLY_EVERY = 0.4  # seconds between one client's replies (the workers post each one)


class Ledger:
    """What every request was answered, shared by the clients (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.outcomes: list[tuple[str, bool]] = []  # (operation, done; else refused)
        self.failures: list[str] = []
        # (conversation, version answered, operation, what was asked: the status, assignee or
        # tag) of each write that bumps the version: a reply, tags, a status, an assignment.
        self.writes: list[tuple[int, int, str, Any]] = []
        self._created: dict[str, list[int]] = defaultdict(list)
        self._last_tag: dict[tuple[str, int], str] = {}  # (client, conversation) → its tag
        self.customer_messages = 0

    def created(self, kind: str) -> list[int]:
        with self._lock:
            return list(self._created[kind])

    def expected_tags(self, conversation_id: int) -> set[str]:
        """Each client keeps one tag of its own on a conversation: its latest."""
        with self._lock:
            return {tag for (_, c), tag in self._last_tag.items() if c == conversation_id}

    def record(self, client: str, op: str, conversation_id: int, response: httpx.Response,
               asked: Any = None) -> None:  # fmt: skip
        json = response.headers.get("content-type", "").startswith("application/json")
        body = response.json() if json else {}
        # Refused, not failed: a status change to the status the conversation has already.
        refused = op == "status" and response.status_code == 409
        refused = refused and _code(body) == "invalid_transition"
        with self._lock:
            if response.status_code >= 400 and not refused or "deadlock" in response.text:
                self.failures.append(f"{op} → {response.status_code}: {response.text[:300]}")
                return
            self.outcomes.append((op, not refused))
            if refused:
                return
            version = body.get("conversation", body)["version"]
            if op != "note":  # a note leaves the conversation's snapshot as it was
                self.writes.append((conversation_id, version, op, asked))
            if op in ("reply", "note"):
                self._created[op].append(body["message" if op == "reply" else "note"]["id"])
            if op == "tag":
                self._last_tag[(client, conversation_id)] = asked

    def fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(what)

    def customer_wrote(self) -> None:
        with self._lock:
            self.customer_messages += 1


def _code(body: dict[str, Any]) -> str | None:
    return (body.get("error") or {}).get("code")


class ApiClient(threading.Thread):
    """An agent's client of one web process, working until the deadline."""

    def __init__(self, web: AsgiServer, token: str, conversations: list[int], ledger: Ledger,
                 deadline: float, *, name: str) -> None:  # fmt: skip
        super().__init__(name=name, daemon=True)
        self.web, self.token, self.conversations = web, token, conversations
        self.ledger, self.deadline = ledger, deadline

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.web.origin, headers=headers, timeout=30,
                          trust_env=False) as http:  # fmt: skip
            for n in itertools.count():
                if time.monotonic() > self.deadline:
                    return
                try:
                    self.act(http, n)
                except httpx.HTTPError as error:
                    self.ledger.fail(f"{self.name}: {error!r}")

    def act(self, http: httpx.Client, n: int) -> None:
        raise NotImplementedError

    def post(self, http: httpx.Client, op: str, conversation_id: int, path: str,
             body: dict[str, Any], asked: Any = None) -> None:  # fmt: skip
        response = http.post(f"/api/conversations/{conversation_id}/{path}", json=body)
        self.ledger.record(self.name, op, conversation_id, response, asked)


class ReplyClient(ApiClient):
    """Replies in turn to each conversation; every reply is delivered by a worker."""

    def act(self, http: httpx.Client, n: int) -> None:
        conversation_id = self.conversations[n % len(self.conversations)]
        self.post(http, "reply", conversation_id, "reply", {"body": f"Svar {self.name}-{n}"})
        time.sleep(REPLY_EVERY)


class EditClient(ApiClient):
    """Notes, tags, status changes and assignments, as fast as the web process answers."""

    def __init__(self, *args: Any, assignees: list[int], rng: random.Random, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.assignees, self.rng = assignees, rng
        self.tags: dict[int, str] = {}  # the tag this client last put on each conversation

    def act(self, http: httpx.Client, n: int) -> None:
        conversation_id = self.rng.choice(self.conversations)
        op = self.rng.choice(("note", "tag", "status", "assign"))
        if op == "note":
            self.post(http, op, conversation_id, "notes", {"body": f"Note {self.name}-{n}"})
        elif op == "tag":
            tag = f"{self.name}-{n}"
            previous = [self.tags[conversation_id]] if conversation_id in self.tags else []
            self.post(http, op, conversation_id, "tags", {"add": [tag], "remove": previous}, tag)
            self.tags[conversation_id] = tag
        elif op == "status":
            status = self.rng.choice(("open", "pending", "resolved"))
            self.post(http, op, conversation_id, "status", {"status": status}, status)
        else:
            assignee = self.rng.choice(self.assignees)
            self.post(http, op, conversation_id, "assign", {"assignee_id": assignee}, assignee)


class Customers(threading.Thread):
    """Customers writing again in the drill's threads: the workers' polls bring each message
    into its conversation while agents work on it."""

    def __init__(self, x: XSim, threads: dict[int, str], ledger: Ledger, deadline: float):
        super().__init__(name="customers", daemon=True)
        self.x, self.roots, self.ledger, self.deadline = x, list(threads.values()), ledger, deadline

    def run(self) -> None:
        for n in itertools.count():
            if time.monotonic() > self.deadline:
                return
            root = self.roots[n % len(self.roots)]
            author = {"id": str(8000 + n), "username": f"c{n}", "name": f"Customer {n}"}
            self.x.app.add_mention(ME, author, f"Og {n}?", conversation_id=root,
                                   in_reply_to_tweet_id=root)  # fmt: skip
            self.ledger.customer_wrote()
            time.sleep(CUSTOMER_EVERY)
