"""Benchmark of media (issue #13): what media costs the ingest, and what a fetch costs a worker.

    python -m bench.media_ingest [--messages 10000] [--rounds 2] [--video-mb 200] [--no-fetch]

1. The ingest service alone (``messages_ingest`` in this process, prebuilt poll batches, as
   ``bench.ingest_direct``), in the same run on the same workload shape: without media (the
   baseline) and with 20 % of the messages carrying a photo, alternating which goes first in
   each round. The media rows are written and their fetch jobs queued to Redis after each
   commit; nothing is downloaded. Beside messages/s: CPU per message of this process and of
   its PostgreSQL backend (steadier than wall time on a loaded machine).
2. One fetch job (``inbox.media.jobs.fetch_media``) in a fresh process, for a video of
   ``--video-mb`` MB served by the simulated CDN (generated while it is sent): the process's peak
   RSS (``ru_maxrss``) before and after the job, which streams the file to storage.

Uses its own database (``--dsn``, dropped and re-created) and Redis database (``--redis``).
It measures and reports; it asserts nothing. Results: bench/results/media_ingest.json
(``--out`` another file).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench import ingest_workload
from bench.ingest_cpu import CpuMeter, code_of_tree
from bench.ingest_database import REPO, create_accounts, recreate_database, setup_django
from bench.ingest_direct import batches

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_h13"
DEFAULT_REDIS = "redis://127.0.0.1:6379/1"
MEDIA_SHARE = 0.2


def run_ingest(workload: ingest_workload.Workload, prefix: str, with_media: bool) -> dict:
    from django.db import connection

    from connectors.base import MediaItem, MediaKind
    from inbox.services import messages_ingest

    account_ids = create_accounts(workload, "http://127.0.0.1:9", prefix=prefix)
    every = round(1 / MEDIA_SHARE)
    prepared = []
    for slot, items in batches(workload, 100):
        messages = []
        for item in items:
            message = ingest_workload.inbound(item)
            author = replace(message.author, external_id=prefix + message.author.external_id)
            message = replace(message, external_id=prefix + message.external_id, author=author)
            if with_media and item.seq % every == 0:
                photo = MediaItem(MediaKind.PHOTO, f"https://cdn.example/{item.seq}.jpg",
                                  "Et brev", "image/jpeg", f"3_{item.seq}")  # fmt: skip
                message = replace(message, media=(photo,))
            messages.append(message)
        prepared.append((account_ids[slot], messages))
    count = sum(len(m) for _, m in prepared)
    meter = CpuMeter.start()
    started = time.perf_counter()
    for account_id, messages in prepared:
        messages_ingest(account_id=account_id, messages=messages)
    elapsed = time.perf_counter() - started
    cpu, backend = meter.per_message(count)
    connection.close()
    with_photo = sum(1 for _, ms in prepared for m in ms if m.media)
    return {"messages": count, "with_media": with_photo, "seconds": round(elapsed, 3),
            "messages_per_s": round(count / elapsed, 1), "cpu_ms_per_message": cpu,
            "backend_cpu_ms_per_message": backend}  # fmt: skip


def run_fetch_child(media_id: int) -> None:
    """In a fresh process: the peak RSS before and after one fetch job."""
    import django

    django.setup()
    from django.db import connection

    from inbox.media.jobs import fetch_media

    connection.ensure_connection()
    import PIL.Image  # noqa: F401 - loaded before the baseline, as in a warm worker
    import requests  # noqa: F401

    rss_before = _rss_kb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = fetch_media(media_id)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "seconds": round(elapsed, 2),
                      "rss_before_mb": round(rss_before / 1024, 1),
                      "rss_after_mb": round(_rss_kb() / 1024, 1),
                      "peak_rss_before_mb": round(before / 1024, 1),
                      "peak_rss_after_mb": round(after / 1024, 1),
                      "growth_mb": round((after - before) / 1024, 1)}))  # fmt: skip


def _playable_mp4() -> bytes:
    """One second of a real, fast-start H.264 video made by ffmpeg, so the job does all a video
    costs (the poster too); the simulated CDN pads it to the size asked. Empty without ffmpeg."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "head.mp4")
        made = subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
             "testsrc=duration=1:size=640x360:rate=25", "-pix_fmt", "yuv420p",
             "-movflags", "+faststart", path],
            capture_output=True, check=False,
        )  # fmt: skip
        return Path(path).read_bytes() if made.returncode == 0 else b""


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def run_fetch(args: argparse.Namespace, media_root: str) -> dict:
    from connectors.base import MediaItem, MediaKind, ThreadKind
    from connectors.simulator.media_host import MediaHost
    from connectors.simulator.server import Simulator, SimulatorServer
    from inbox.models import Media
    from inbox.services import messages_ingest

    host = MediaHost()
    server = SimulatorServer(Simulator([host])).start()
    try:
        size = args.video_mb * 1024 * 1024
        url = server.base_url + host.put_large("big.mp4", size, head=_playable_mp4())
        workload = ingest_workload.build(1, 1)
        [account_id, *_] = create_accounts(workload, "http://127.0.0.1:9", prefix="fetch-")
        item = ingest_workload.inbound(workload.items[0])
        message = replace(item, kind=ThreadKind.PRIVATE, thread_external_id="dm:fetch",
                          media=(MediaItem(MediaKind.VIDEO, url),))  # fmt: skip
        messages_ingest(account_id=account_id, messages=[message])
        media_id = Media.objects.get(source_url=url).pk
        env = {**os.environ, "SVAR_MEDIA_ROOT": media_root,
               "SVAR_MEDIA_MAX_BYTES": str(size + 1), "LOG_LEVEL": "WARNING"}  # fmt: skip
        child = subprocess.run(
            [sys.executable, "-m", "bench.media_ingest", "--fetch-child", str(media_id)],
            cwd=REPO, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        result["file_mb"] = args.video_mb
        return result
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.media_ingest")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--video-mb", type=int, default=200)
    parser.add_argument("--no-fetch", action="store_true", help="the ingest part only")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "media_ingest.json"))
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--fetch-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fetch_child is not None:
        run_fetch_child(args.fetch_child)
        return
    recreate_database(args.dsn)
    setup_django(args.dsn, args.redis)
    import django_rq

    load_before = os.getloadavg()
    workload = ingest_workload.build(args.messages, 4)
    runs: dict[str, list[dict]] = {"without_media": [], "with_20pct_media": []}
    for n in range(args.rounds):
        for media in (False, True) if n % 2 == 0 else (True, False):
            name = "with_20pct_media" if media else "without_media"
            runs[name].append(
                run_ingest(workload, f"{'m' if media else 't'}{n}-", with_media=media)
            )
            django_rq.get_queue("default").empty()  # the photo fetches queued: not run here
    report = {"load_before": [round(x, 2) for x in load_before],
              "load_after": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "code": code_of_tree(), "ingest": runs, "median": _medians(runs)}  # fmt: skip
    if not args.no_fetch:
        with tempfile.TemporaryDirectory() as media_root:
            report["fetch"] = run_fetch(args, media_root)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "ingest"}, indent=2))


def _medians(runs: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    keys = ("messages_per_s", "cpu_ms_per_message", "backend_cpu_ms_per_message")
    return {
        name: {key: round(statistics.median(run[key] for run in each), 4) for key in keys}
        for name, each in runs.items()
    }


if __name__ == "__main__":
    main()
