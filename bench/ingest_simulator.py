"""The simulated platforms of the ingest benchmark, served from the benchmark's process: X
accounts and Facebook Pages holding every customer message of the workload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bench import ingest_workload
from bench.ingest_workload import Workload


def x_account(index: int) -> dict[str, str]:
    return {
        "id": str(1500000000000000100 + index),
        "username": f"skattefar_b{index}",
        "name": f"Skattefar {index}",
        "token": f"x-bench-token-{index}",
        "env": f"SVAR_CREDENTIAL_BENCH_X_{index}",
    }


def page_of(index: int) -> dict[str, str]:
    return {
        "id": str(100000000000100 + index),
        "name": f"Skattestyrelsen {index}",
        "token": f"fb-bench-token-{index}",
        "env": f"SVAR_CREDENTIAL_BENCH_FB_{index}",
    }


def load_simulator(workload: Workload) -> tuple[Any, dict[str, str]]:
    """Start the simulator in this process and put every message of the workload into it."""
    from connectors.simulator.graph.app import GraphApp
    from connectors.simulator.server import Simulator, SimulatorServer
    from connectors.simulator.x.app import XApp

    x, graph = XApp(), GraphApp()
    tokens: dict[str, str] = {}
    for i in range(workload.x_accounts):
        acc = x_account(i)
        x.add_account(acc["id"], acc["username"], acc["name"], acc["token"])
        tokens[acc["env"]] = acc["token"]
    for i in range(workload.facebook_pages):
        page = page_of(i)
        graph.add_page(page["id"], page["name"], page["token"])
        tokens[page["env"]] = page["token"]

    tweets: dict[tuple[int, int], tuple[str, str]] = {}  # thread -> (root id, last id)
    comments: dict[tuple[int, int], str] = {}  # thread -> top-level comment id
    posts: dict[tuple[int, int], str] = {}
    first_time = workload.items[0].sent_at if workload.items else datetime.now(UTC)
    for item in workload.items:
        key = (item.account, item.thread)
        author = {"id": item.author_id, "name": item.author_name,
                  "username": f"kunde{item.author_id[-6:]}"}  # fmt: skip
        if item.kind == "x_mention":
            me = x_account(item.account)["id"]
            root, last = tweets.get(key, (None, None))
            tweet = x.add_mention(me, author, item.text, conversation_id=root,
                                  in_reply_to_tweet_id=last, created_at=item.sent_at)  # fmt: skip
            tweets[key] = (root or tweet["id"], tweet["id"])
        elif item.kind == "x_dm":
            x.add_dm(x_account(item.account)["id"], author, item.text, created_at=item.sent_at)
        elif item.kind == "fb_comment":
            page_id = page_of(item.account)["id"]
            post_key = (item.account, item.thread // ingest_workload.COMMENTS_PER_POST)
            if post_key not in posts:
                posts[post_key] = graph.add_post(
                    page_id, "Husk: fristen for at rette årsopgørelsen er 1. maj.",
                    created_time=first_time - timedelta(hours=1),
                )["id"]  # fmt: skip
            comment = graph.add_comment(
                posts[post_key],
                author,
                item.text,
                parent_id=comments.get(key),
                created_time=item.sent_at,
            )
            comments.setdefault(key, comment["id"])
        else:
            graph.add_messenger_message(
                page_of(item.account)["id"],
                item.author_id,
                item.author_name,
                item.text,
                created_time=item.sent_at,
            )
    server = SimulatorServer(Simulator([x, graph]), host="127.0.0.1", port=0).start()
    return server, tokens
