"""Instagram comments by webhook: the simulated Graph delivers ``object: instagram`` to Meta's
one route exactly as it would to Svar (captured on a real port, then posted signed), the job
stores the comment in the thread a poll gives it, and the next poll finds nothing new."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from connectors import jobs
from connectors.webhook_jobs import ingest_webhook_deliveries
from inbox.models import Arrival, ChannelAccount, Conversation, Message
from inbox.selectors.webhooks import webhook_delivery_bodies
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, KIRSTEN, OLE, TOKEN
from tests.webhooks.support import APP_SECRET, meta_settings, post  # noqa: F401 (a fixture)

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]
CREDENTIAL = "SVAR_CREDENTIAL_INSTAGRAM_WEBHOOK_TEST"


@pytest.fixture
def captured() -> Iterator[tuple[str, list[tuple[bytes, str]]]]:
    """A stand-in for Svar's route on a real port: what Meta (the simulator) delivered."""
    bodies: list[tuple[bytes, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            bodies.append((body, self.headers["X-Hub-Signature-256"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/meta", bodies
    server.shutdown()


@pytest.fixture
def account(instagram, team, monkeypatch, captured) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    instagram.app.webhooks.configure({"url": captured[0], "app_secret": APP_SECRET})
    return ChannelAccount.objects.create(
        platform="instagram", display_name="@skattemor", external_id=IG_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=instagram.base_url,
    )  # fmt: skip


def _relay(captured, count: int) -> str:
    """Post what Meta delivered to Svar's route, signature and all, and run the job."""
    deadline = time.monotonic() + 10
    while len(captured[1]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    for body, signature in captured[1][-count:]:
        assert post(Client(), body, signature).status_code == 200
    return ingest_webhook_deliveries(webhook_delivery_bodies(limit=10))


def test_a_comment_and_its_reply_arrive_by_webhook_in_one_thread(instagram, account, captured):
    media = instagram.ig.add_media(IG_ID, "Husk fristen 1. maj")
    question = instagram.ig.add_comment(media["id"], KIRSTEN, "Gælder fristen også mig?")
    instagram.ig.add_comment(media["id"], OLE, "Og mig?", parent_id=question["id"])

    assert _relay(captured, 2) == "stored 2, 0 already known"

    conversation = Conversation.objects.get()
    assert conversation.external_thread_id == question["id"]
    assert conversation.contact.handle == KIRSTEN["username"]
    assert set(Message.objects.values_list("arrival", flat=True)) == {Arrival.WEBHOOK}
    assert jobs.poll_account(account.pk).startswith("stored 0, 2 already known")
