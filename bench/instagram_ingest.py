"""Ingest throughput with and without Instagram traffic, in the same run (A-B-A).

    python -m bench.instagram_ingest [--messages 2000] [--pages 2]

Each round puts N customer messages into a fresh simulated Graph (served over real HTTP from
this process) and polls every channel account with the production poll job
(``connectors.jobs``: connector over facebook-sdk, then the ingest service into PostgreSQL with
its events) until all N are stored. Round A: Facebook only (Page comments and Messenger, on
``--pages`` Pages). Round B: the same N, half of them on the Pages' linked Instagram accounts
(comments with replies on their media, and DMs). A again, to show drift from the machine's
other load. Reports wall time, messages/s, CPU per message (this process: the simulator's
threads included, as they are in a real run's worker only partly) and the load average.

Uses its own database (``--dsn``, dropped and re-created). It measures; it asserts nothing.
Results: bench/results/instagram_ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.ingest_database import REPO, recreate_database, setup_django

RESULTS = REPO / "bench" / "results" / "instagram_ingest.json"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ig_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/4"
PER_MEDIA = 40  # comments per Instagram media or Facebook post
FOLLOW_UP_SHARE = 0.3


def _world(round_no: int, messages: int, pages: int, instagram: bool) -> tuple[Any, list[dict]]:
    """A Graph with ``pages`` Pages (and linked Instagram accounts) holding ``messages``."""
    from connectors.simulator.graph.app import GraphApp

    graph, rng = GraphApp(), random.Random(round_no)
    specs = []
    for p in range(pages):
        page_id, ig_id = f"1000000{round_no:02d}{p:06d}", f"178414{round_no:02d}{p:09d}"
        token = f"bench-token-{round_no}-{p}"
        graph.add_page(page_id, f"Side {p}", token)
        graph.instagram.link_account(page_id, ig_id, f"skattemor_{round_no}_{p}")
        specs.append({"page": page_id, "ig": ig_id, "token": token, "env": f"SVAR_BENCH_IG_{p}"})
    kinds = ["fb_comment", "messenger"] + (["ig_comment", "ig_dm"] if instagram else [])
    start = datetime.now(UTC) - timedelta(hours=6)
    threads: dict[tuple[str, int], list[str]] = {}
    containers: dict[tuple[str, int], str] = {}
    for n in range(messages):
        kind, p = kinds[n % len(kinds)], rng.randrange(pages)
        spec, when = specs[p], start + timedelta(seconds=n)
        known = threads.setdefault((kind, p), [])
        follow = (
            known[rng.randrange(len(known))] if known and rng.random() < FOLLOW_UP_SHARE else None
        )
        author = str(rng.randrange(10**9, 10**10))
        if kind in ("fb_comment", "ig_comment"):
            box = (kind, p * 10_000 + len(known) // PER_MEDIA)
            if box not in containers:
                containers[box] = (
                    graph.add_post(spec["page"], "Husk fristen", created_time=start)["id"]
                    if kind == "fb_comment"
                    else graph.instagram.add_media(spec["ig"], "Husk fristen", timestamp=start)[
                        "id"
                    ]
                )
            if kind == "fb_comment":
                made = graph.add_comment(
                    containers[box],
                    {"id": author, "name": "Kunde"},
                    f"Spørgsmål {n}",
                    parent_id=follow,
                    created_time=when,
                )
            else:
                made = graph.instagram.add_comment(containers[box], {"id": author,
                                                   "username": f"kunde{author[-6:]}"},
                                                   f"Spørgsmål {n}", parent_id=follow,
                                                   timestamp=when)  # fmt: skip
            if follow is None:
                known.append(made["id"])
        elif kind == "messenger":
            graph.add_messenger_message(spec["page"], follow or author, "Kunde", f"Besked {n}",
                                        created_time=when)  # fmt: skip
            known.append(follow or author)
        else:
            graph.instagram.add_dm(spec["page"], follow or author, f"kunde{author[-6:]}",
                                   f"Besked {n}", timestamp=when)  # fmt: skip
            known.append(follow or author)
    return graph, specs


def _round(round_no: int, label: str, args: argparse.Namespace, instagram: bool) -> dict:
    from connectors import jobs
    from connectors.simulator.server import Simulator, SimulatorServer
    from inbox.models import ChannelAccount, Message, Team

    graph, specs = _world(round_no, args.messages, args.pages, instagram)
    server = SimulatorServer(Simulator([graph]), host="127.0.0.1", port=0).start()
    team = Team.objects.get_or_create(name="Bench")[0]
    ids = []
    for spec in specs:
        os.environ[spec["env"]] = spec["token"]
        platforms = [("facebook", spec["page"])] + (
            [("instagram", spec["ig"])] if instagram else []
        )
        for platform, external in platforms:
            ids.append(ChannelAccount.objects.create(
                platform=platform, display_name=external, external_id=external, team=team,
                credentials_ref=spec["env"], base_url=server.base_url,
            ).pk)  # fmt: skip
    before = Message.objects.count()
    cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    polls = 0
    try:
        while Message.objects.count() - before < args.messages and polls < 2000:
            for account_id in ids:
                more = True
                while more:
                    _, more = jobs._poll_once(account_id)
                    polls += 1
    finally:
        server.stop()
    wall, cpu1 = time.perf_counter() - wall0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    stored = Message.objects.count() - before
    return {"round": label, "instagram": instagram, "messages": stored, "polls": polls,
            "seconds": round(wall, 2), "messages_per_second": round(stored / wall, 1),
            "cpu_ms_per_message": round(cpu * 1000 / max(stored, 1), 2),
            "loadavg": [round(v, 2) for v in os.getloadavg()]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args()
    recreate_database(args.dsn)
    setup_django(args.dsn, args.redis)
    rows = [
        _round(1, "A: Facebook only", args, instagram=False),
        _round(2, "B: half Instagram", args, instagram=True),
        _round(3, "A again", args, instagram=False),
    ]
    print(f"\n{'round':<20}{'messages':>10}{'polls':>7}{'seconds':>9}{'msg/s':>9}"
          f"{'CPU ms/msg':>12}  load")  # fmt: skip
    for r in rows:
        print(
            f"{r['round']:<20}{r['messages']:>10}{r['polls']:>7}{r['seconds']:>9}"
            f"{r['messages_per_second']:>9}{r['cpu_ms_per_message']:>12}  {r['loadavg']}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rounds": rows, "cpus": os.cpu_count(),
                                   "at": datetime.now(UTC).isoformat()}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
