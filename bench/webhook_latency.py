"""End-to-end latency of a customer's comment: from the moment the simulated Graph accepts it
to the moment its row appears in a logged-in agent's inbox in real Chromium (read from the
page by a MutationObserver), with Meta webhooks and with polling alone, in the same run.

    python -m bench.webhook_latency [--messages 500] [--rate 5] [--poll-interval 5]

Svar runs as deployed: uvicorn, one RQ worker (maintenance every 2 s), the Graph simulator on
a local port delivering signed webhooks. Polling alone: no webhook is delivered and the Page is
polled every ``--poll-interval`` seconds (5 s is the fastest Svar allows). With webhooks: the
same Page, its subscription healthy, polls at the safety pace. Its own database
(``svar_bench_webhooks``) and Redis db. Writes bench/results/webhook_latency.json; measures
only, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from datetime import UTC, datetime
from typing import Any

from bench import measure
from bench.realtime_fanout import _prepare_database, _setup_django

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_bench_webhooks"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
RESULTS = measure.REPO / "bench" / "results" / "webhook_latency.json"
PASSWORD = "bench-webhooks"
SECRET = "bench-app-secret"
CREDENTIAL = "SVAR_CREDENTIAL_BENCH_WEBHOOKS"
PAGE_ID, TOKEN = "100000000000042", "bench-page-token"
# Records the first moment each marker shows anywhere in the page (rows are re-rendered).
OBSERVER = r"""
() => {
  window.__seen = {};
  const scan = (node) => {
    const text = node.textContent || "";
    for (const m of text.matchAll(/bench-(\w+)-(\d+)\b/g)) {
      if (!(m[0] in window.__seen)) window.__seen[m[0]] = Date.now();
    }
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) scan(n);
  }).observe(document.body, {childList: true, subtree: true});
}
"""


def _world(base_url: str, poll_interval: int) -> Any:
    from django.contrib.auth.models import User

    from inbox.models import ChannelAccount, Team
    from tests.factories import AgentFactory  # an agent with the agent's role, as invited

    team = Team.objects.create(name="Skat")
    agent = AgentFactory(user__username="bench", public_name="Bench Agent", teams=[team])
    user = User.objects.get(pk=agent.user_id)
    user.set_password(PASSWORD)
    user.save()
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Bench Page", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=base_url, poll_interval_seconds=poll_interval,
    )  # fmt: skip


def _phase(page: Any, graph: Any, post_id: str, mode: str, args: argparse.Namespace) -> dict:
    """Write ``args.messages`` comments at ``args.rate`` per second; latency of each."""
    accepted: dict[str, float] = {}
    for n in range(args.messages):
        marker = f"bench-{mode}-{n}"
        graph.add_comment(post_id, {"id": f"9{n:05d}", "name": f"Borger {n}"}, marker)
        accepted[marker] = time.time() * 1000
        time.sleep(1 / args.rate)
    deadline = time.monotonic() + args.poll_interval * 4 + 30
    seen: dict[str, float] = {}
    while time.monotonic() < deadline:
        seen = page.evaluate("() => window.__seen")
        if all(marker in seen for marker in accepted):
            break
        time.sleep(0.5)
    samples = [seen[m] - accepted[m] for m in accepted if m in seen]
    return {"messages": len(accepted), "seen": len(samples),
            "latency_ms": measure.percentiles(samples) if samples else None}  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from connectors.simulator.graph.app import GraphApp
    from connectors.simulator.server import Simulator, SimulatorServer
    from tests.connectors.worker_support import WorkerProcess
    from tests.web.chromium import CHROMIUM_ARGS, executable
    from tests.web.servers import AsgiServer

    graph = GraphApp()
    graph.add_page(PAGE_ID, "Bench Page", TOKEN)
    sim = SimulatorServer(Simulator([graph])).start()
    account = _world(sim.base_url, args.poll_interval)
    server = AsgiServer().start()
    worker = WorkerProcess("default", "polling", name="bench-webhooks")
    post_id = graph.add_post(PAGE_ID, "Husk fristen")["id"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable(),
                                                 args=CHROMIUM_ARGS)  # fmt: skip
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{server.origin}/login/")
            page.get_by_label(re.compile("Username|Brugernavn")).fill("bench")
            page.get_by_label(re.compile("Password|Adgangskode")).fill(PASSWORD)
            page.get_by_role("button", name=re.compile("Log in|Log ind")).click()
            page.wait_for_url(f"{server.origin}/")
            page.wait_for_selector("#live-status[data-state=live]", state="attached")
            page.evaluate(OBSERVER)
            results = {"polling alone": _phase(page, graph, post_id, "poll", args)}
            graph.webhooks.configure({"url": f"{server.origin}/webhooks/meta",
                                      "app_secret": SECRET})  # fmt: skip
            results["webhooks"] = _phase(page, graph, post_id, "webhook", args)
            browser.close()
    finally:
        worker.stop()
        server.stop()
        sim.stop()
    account.refresh_from_db()
    return {"results": results, "webhook_gaps": account.webhook_gaps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0, help="comments per second")
    parser.add_argument("--poll-interval", type=int, default=5)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args(argv)
    os.environ.update({"SVAR_META_APP_SECRET": SECRET, CREDENTIAL: TOKEN,
                       "DJANGO_ALLOW_ASYNC_UNSAFE": "true"})  # fmt: skip
    _prepare_database(args.dsn)
    _setup_django(args.dsn, args.redis, "bench-webhooks")
    import django_rq

    django_rq.get_connection("default").flushdb()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE inbox_webhookdelivery RESTART IDENTITY")
    load_before = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **vars(args),
              "loadavg_before": load_before, **run(args),
              "loadavg_after": open("/proc/loadavg").read().split()[:3]}  # noqa: SIM115  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
