"""Benchmark of the live inbox: fan-out latency and catch-up time over a real uvicorn.

    python -m bench.realtime_fanout [--agents 200] [--rate 20] [--seconds 30] [--workers 1]

1. Baseline: a raw channels-redis ``group_send`` to ``--agents`` channels on the same layer,
   time from the send to each ``receive``.
2. Fan-out: ``--agents`` agents of one team connected over WebSockets to a real uvicorn;
   real services (``note_create``, ``conversation_tag``) commit ``--rate`` events a second;
   latency from the commit (the on-commit hook that rings the doorbell) to the frame
   arriving at each client.
3. Catch-up: a client that missed 1,000 events says hello; time until ``caught_up``.

Uses its own database (``--dsn``, created and emptied by the bench) and a channel-layer prefix
of its own. It measures and reports; it asserts nothing.
Results: bench/results/realtime_fanout.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "realtime_fanout.json"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_bench_rt"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
CATCH_UP_EVENTS = 1_000
CATCH_UP_RUNS = 7
_SEQ = re.compile(rb'"seq":(\d+)')


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": round(ordered[-1], 2),
    }


def _prepare_database(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres")) as conn:
        conn.autocommit = True
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(dsn: str, redis_url: str, prefix: str) -> None:
    os.environ.update(
        DATABASE_URL=dsn,
        REDIS_URL=redis_url,
        SVAR_CHANNEL_PREFIX=prefix,
        DEBUG="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="web.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:  # a clean slate in the bench's own database
        cursor.execute(
            "TRUNCATE inbox_inboxevent, inbox_note, inbox_message, inbox_conversation_tags, "
            "inbox_conversation, inbox_contact, inbox_channelaccount, inbox_agent_teams, "
            "inbox_agent, inbox_team, django_session, auth_user_groups, auth_user "
            "RESTART IDENTITY CASCADE"
        )


def _world(agents: int) -> tuple[Any, list[str], Any]:
    """One team, its agents with real sessions, one conversation to act on."""
    from django.conf import settings
    from django.test import Client

    from inbox.models import Conversation
    from inbox.permissions.roles import ensure_role_groups
    from inbox.services import messages_ingest
    from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound

    # The server never checks these passwords (sessions are forced): hash them cheaply, or
    # 200 agents cost minutes of PBKDF2 before the bench starts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_role_groups()
    team = TeamFactory(name="Bench")
    account = ChannelAccountFactory(team=team)
    messages_ingest(account_id=account.pk, messages=[inbound(thread="bench")])
    people = [AgentFactory(teams=[team]) for _ in range(agents)]
    cookies = []
    for person in people:
        client = Client()
        client.force_login(type(person.user).objects.get(pk=person.user.pk))
        name = settings.SESSION_COOKIE_NAME
        cookies.append(f"{name}={client.cookies[name].value}")
    return people[0].user, cookies, Conversation.objects.get()


async def _baseline(agents: int, rate: float, seconds: float) -> list[float]:
    """Raw group_send → receive on the same channel layer, no consumer, no WebSocket."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    group = f"bench.raw.{uuid.uuid4().hex[:8]}"
    channels = [await layer.new_channel() for _ in range(agents)]
    for channel in channels:
        await layer.group_add(group, channel)
    samples: list[float] = []
    sent: dict[int, float] = {}
    count = int(rate * seconds)

    async def receiver(channel: str) -> None:
        for _ in range(count):
            message = await layer.receive(channel)
            samples.append((time.perf_counter() - sent[message["n"]]) * 1000)

    tasks = [asyncio.create_task(receiver(c)) for c in channels]
    for n in range(count):
        sent[n] = time.perf_counter()
        await layer.group_send(group, {"type": "bench.ping", "n": n})
        await asyncio.sleep(1 / rate)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    for channel in channels:
        await layer.group_discard(group, channel)
    return samples


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its direct children (uvicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Writer:
    """Real services committing events at a steady rate (in a thread of its own, as a worker
    would); records each commit's time."""

    def __init__(self, user: Any, conversation: Any, rate: float, count: int) -> None:
        self.user, self.conversation, self.rate, self.count = user, conversation, rate, count
        self.committed: dict[int, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection

        from inbox.events import doorbell
        from inbox.services import conversation_tag, note_create

        real_ring = doorbell.ring

        def timed_ring(rows: Any) -> None:
            now = time.perf_counter()  # on commit: the transaction is durable now
            for row in rows:
                self.committed[row.seq] = now
            real_ring(rows)

        doorbell.ring = timed_ring
        try:
            started = time.perf_counter()
            for n in range(self.count):
                delay = started + n / self.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                if n % 2:
                    note_create(user=self.user, conversation_id=self.conversation.pk, body=f"n{n}")
                else:
                    key = {"add" if n % 4 == 0 else "remove": ["bench"]}
                    conversation_tag(user=self.user, conversation_id=self.conversation.pk, **key)
        except BaseException as error:
            self.error = error
        finally:
            doorbell.ring = real_ring
            connection.close()


async def _fanout(
    server: Any, cookies: list[str], writer: Writer
) -> tuple[list[float], dict[str, Any]]:
    from websockets.asyncio.client import connect

    received: list[tuple[int, float]] = []
    sockets = []
    for cookie in cookies:
        ws = await connect(
            server.ws_url, origin=server.origin, additional_headers={"Cookie": cookie},
            proxy=None, max_size=None, compression=None,
        )  # fmt: skip
        await ws.send('{"type":"hello"}')
        while json.loads(await ws.recv())["type"] != "caught_up":
            pass
        sockets.append(ws)

    async def listen(ws: Any) -> None:
        async for raw in ws:
            now = time.perf_counter()
            data = raw.encode() if isinstance(raw, str) else raw
            if data.startswith(b'{"type":"events"'):
                # Only the event seqs matter here: a regex keeps the client's cost small.
                received.extend((int(seq), now) for seq in _SEQ.findall(data))

    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    await asyncio.to_thread(writer.run)
    await asyncio.sleep(2)  # the last frames drain
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*listeners, return_exceptions=True)
    if writer.error:
        raise writer.error
    samples = [(at - writer.committed[seq]) * 1000 for seq, at in received]
    expected = len(writer.committed) * len(cookies)
    return samples, {"events": len(writer.committed), "deliveries": len(received),
                     "expected_deliveries": expected}  # fmt: skip


async def _catch_up(server: Any, cookie: str, team_id: int, head: int) -> list[dict[str, float]]:
    from websockets.asyncio.client import connect

    runs = []
    for _ in range(CATCH_UP_RUNS):
        started = time.perf_counter()
        async with connect(
            server.ws_url, origin=server.origin, additional_headers={"Cookie": cookie},
            proxy=None, max_size=None, compression=None,
        ) as ws:  # fmt: skip
            connected = time.perf_counter()
            hello = {"type": "hello", "last_seq": {str(team_id): head - CATCH_UP_EVENTS}}
            await ws.send(json.dumps(hello))
            events = 0
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "events":
                    events += len(frame["events"])
                elif frame["type"] == "caught_up":
                    break
            done = time.perf_counter()
        assert events == CATCH_UP_EVENTS, f"replayed {events} events"
        runs.append(
            {
                "hello_to_caught_up_ms": round((done - connected) * 1000, 2),
                "with_handshake_ms": round((done - started) * 1000, 2),
            }
        )
    return runs


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    load_before = os.getloadavg()
    prefix = f"svar-bench-{uuid.uuid4().hex[:8]}"
    _prepare_database(args.dsn)
    _setup_django(args.dsn, args.redis, prefix)

    print(f"preparing {args.agents} agents …", flush=True)
    user, cookies, conversation = _world(args.agents)

    print("baseline: raw group_send …", flush=True)
    baseline = asyncio.run(_baseline(args.agents, args.rate, min(args.seconds, 10)))
    fanout, delivery, catch_up = _over_uvicorn(args, user, cookies, conversation)
    load_after = os.getloadavg()
    catch_ms = sorted(r["hello_to_caught_up_ms"] for r in catch_up)
    result = {
        "benchmark": "realtime_fanout",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # Other work on the machine competes for the same CPUs: read the latencies
            # against the load average around the run.
            "load_average_1m_before": round(load_before[0], 2),
            "load_average_1m_after": round(load_after[0], 2),
        },
        "setup": {
            "agents": args.agents,
            "events_per_second": args.rate,
            "seconds": args.seconds,
            "uvicorn_workers": args.workers,
            "clients": "websockets, in the bench process",
        },
        "baseline_group_send_ms": percentiles(baseline),
        "fanout_commit_to_client_ms": {**percentiles(fanout), **delivery},
        "catch_up_1000_events": {
            "median_hello_to_caught_up_ms": catch_ms[len(catch_ms) // 2],
            "max_hello_to_caught_up_ms": catch_ms[-1],
            "runs": catch_up,
        },
        "targets": {"fanout_p99_ms": 50, "catch_up_ms": 200},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("BENCH_DSN", DEFAULT_DSN))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", DEFAULT_REDIS))
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where to write the JSON (trial runs)"
    )
    return parser.parse_args(argv)


def _over_uvicorn(
    args: argparse.Namespace, user: Any, cookies: list[str], conversation: Any
) -> tuple[list[float], dict[str, Any], list[dict[str, float]]]:
    """Fan-out, then catch-up, against Svar under uvicorn."""
    from inbox.models import Team
    from inbox.services import note_create
    from tests.web.servers import AsgiServer

    count = int(args.rate * args.seconds)
    server = AsgiServer(workers=args.workers).start()
    try:
        print(f"fan-out: {count} events to {args.agents} WebSockets …", flush=True)
        writer = Writer(user, conversation, args.rate, count)
        server_cpu, bench_cpu = _cpu_seconds(server.process.pid), time.process_time()
        fanout, delivery = asyncio.run(_fanout(server, cookies, writer))
        server_cpu = _cpu_seconds(server.process.pid) - server_cpu
        bench_cpu = time.process_time() - bench_cpu
        delivery["server_cpu_us_per_delivery"] = round(server_cpu / delivery["deliveries"] * 1e6)
        delivery["bench_process_cpu_us_per_delivery_clients_and_writer"] = round(
            bench_cpu / delivery["deliveries"] * 1e6
        )

        print(f"catch-up: {CATCH_UP_EVENTS} missed events …", flush=True)
        for n in range(CATCH_UP_EVENTS):
            note_create(user=user, conversation_id=conversation.pk, body=f"missed {n}")
        team = Team.objects.get()
        catch_up = asyncio.run(_catch_up(server, cookies[0], team.pk, team.event_seq))
    finally:
        server.stop()
    return fanout, delivery, catch_up


if __name__ == "__main__":
    raise SystemExit(main())
