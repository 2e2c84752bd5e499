"""What one worker process does in the shared-pacing test: Conversations API calls to the
simulator through a fresh GraphClient. A module of its own (no Django), so a spawned process
imports only this."""

from __future__ import annotations

from typing import Any

from tests.connectors.facebook_support import PAGE_ID, TOKEN


def conversations_calls(
    base_url: str, redis_url: str | None, start: Any, calls: int, results: Any
) -> None:
    from connectors.errors import RateLimited
    from connectors.facebook.client import GraphClient, share_pacing_through

    share_pacing_through(redis_url)  # None: this process paces alone
    client = GraphClient(TOKEN, base_url=base_url, page_id=PAGE_ID)
    start.wait(timeout=120)  # both processes begin together
    outcomes = []
    for _ in range(calls):
        try:
            client.get(f"{PAGE_ID}/conversations", client.conversations_pacer, platform="messenger")
            outcomes.append("ok")
        except RateLimited:
            outcomes.append("error 32")
            client.blocked_until = None  # keep calling: count every refusal
    results.put(outcomes)
