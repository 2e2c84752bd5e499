"""Benchmark: ingest throughput with 20 automation rules active against none, in the same run
(issue #17; figures in docs/performance.md).

    python -m bench.ingest_rules [--messages 4000] [--rounds 3] [--batch 100]

The ingest service (``inbox.services.messages_ingest``) is called in this process with prebuilt
batches of the ingest benchmark's workload (bench/ingest_workload.py: X mentions and DMs,
Facebook comments and Messenger, follow-ups in known threads), once with the rules switched
off and once on, alternating which goes first in each round; every run stores new customers on
new accounts, so both do the same work. The 20 rules, 10 per team: words (tags), platform and
kind (priority), language (Danish, Swedish, Norwegian: Lingua runs on every conversation a
customer wrote in), accounts and customers. Uses its own database (``--dsn``, dropped and
re-created). It measures and reports; it asserts nothing. Results:
bench/results/ingest_rules.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bench import ingest_workload
from bench.ingest_database import REPO, create_accounts, recreate_database, setup_django
from bench.ingest_direct import batches

RESULTS = REPO / "bench" / "results" / "ingest_rules.json"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_rules_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"


def _rules_of(team_id: int, languages: bool = True) -> list[dict[str, Any]]:
    """Ten rules as a team would write them (``languages=False``: the two language rules
    become word rules, to tell Lingua's share of the cost)."""
    rules = [
        {"conditions": {"words": ["faktura", "regning"]}, "actions": {"tags": ["faktura"]}},
        {"conditions": {"words": ["skat", "årsopgørelse"]}, "actions": {"tags": ["skat"]}},
        {"conditions": {"words": ["haster", "akut"]}, "actions": {"priority": "urgent"}},
        {"conditions": {"words": ["klage"]}, "actions": {"tags": ["klage"], "priority": "high"}},
        {"conditions": {"platforms": ["x"], "kinds": ["public"]}, "actions": {"priority": "high"}},
        {"conditions": {"platforms": ["facebook"], "kinds": ["private"]},
         "actions": {"tags": ["messenger"]}},
        {"conditions": {"languages": ["sv"]}, "actions": {"tags": ["svensk"]}},
        {"conditions": {"languages": ["nb"]}, "actions": {"tags": ["norsk"]}},
        {"conditions": {"account_ids": [10**9]}, "actions": {"priority": "low"}},
        {"conditions": {"contact_ids": [10**9]}, "actions": {"tags": ["vip"]}},
    ]  # fmt: skip
    if not languages:
        rules[6:8] = [
            {"conditions": {"words": ["tak", "hjælp"]}, "actions": {"tags": ["tak"]}},
            {"conditions": {"words": ["pakke"]}, "actions": {"tags": ["pakke"]}},
        ]
    return rules


def install_rules(languages: bool) -> int:
    from inbox.models import AutomationRule, Team

    AutomationRule.objects.all().delete()
    rules = [
        AutomationRule(team=team, name=f"rule {n}", position=n, trigger="customer_writes",
                       enabled=False, **spec)
        for team in Team.objects.all()
        for n, spec in enumerate(_rules_of(team.pk, languages))
    ]  # fmt: skip
    AutomationRule.objects.bulk_create(rules)
    return len(rules)


def run_once(
    workload: ingest_workload.Workload, batch: int, label: str, rules_on: bool
) -> tuple[float, float]:
    """Messages per second of wall time, and this process's CPU milliseconds per message
    (where the rules run; less disturbed by other load on the machine than wall time)."""
    from django.db import connection

    from inbox.models import AutomationRule
    from inbox.services import messages_ingest

    AutomationRule.objects.update(enabled=rules_on)
    account_ids = create_accounts(workload, "http://127.0.0.1:9", prefix=f"{label}-")
    prepared = [
        (account_ids[slot], [replace(m, author=replace(m.author, external_id=label +
                                                      m.author.external_id))
                             for m in map(ingest_workload.inbound, items)])
        for slot, items in batches(workload, batch)
    ]  # fmt: skip
    started, cpu = time.perf_counter(), time.process_time()
    for account_id, messages in prepared:
        messages_ingest(account_id=account_id, messages=messages)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    return len(workload.items) / elapsed, 1000 * cpu / len(workload.items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--no-language-rules", action="store_true")
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args()
    recreate_database(args.dsn)
    setup_django(args.dsn, args.redis)
    workload = ingest_workload.build(args.messages, accounts=4)
    create_accounts(workload, "http://127.0.0.1:9", prefix="warm-")  # teams and the agent
    rule_count = install_rules(not args.no_language_rules)
    load_before = os.getloadavg()
    rates: dict[str, list[float]] = {"none": [], "rules": []}
    cpu: dict[str, list[float]] = {"none": [], "rules": []}
    for n in range(args.rounds):
        order = ("none", "rules") if n % 2 == 0 else ("rules", "none")
        for mode in order:
            rate, ms = run_once(workload, args.batch, f"{mode}{n}", mode == "rules")
            rates[mode].append(round(rate, 1))
            cpu[mode].append(round(ms, 3))
    none, rules = statistics.median(rates["none"]), statistics.median(rates["rules"])
    cpu_none, cpu_rules = statistics.median(cpu["none"]), statistics.median(cpu["rules"])
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": args.messages, "batch": args.batch, "rounds": args.rounds,
        "rules": rule_count, "language_rules": not args.no_language_rules,
        "messages_per_s": rates,
        "median_none": round(none, 1), "median_rules": round(rules, 1),
        "rules_cost_percent": round(100 * (1 - rules / none), 1),
        "cpu_ms_per_message": cpu, "median_cpu_none": cpu_none, "median_cpu_rules": cpu_rules,
        "rules_cpu_percent": round(100 * (cpu_rules / cpu_none - 1), 1),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in os.getloadavg()], "cpus": os.cpu_count(),
    }  # fmt: skip
    results = (
        RESULTS.with_name("ingest_rules_no_language.json") if args.no_language_rules else RESULTS
    )
    results.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{args.messages} messages in batches of {args.batch}, {args.rounds} rounds; "
          f"load {report['loadavg_before']} → {report['loadavg_after']}")  # fmt: skip
    print(f"{'run':<24}{'messages/s (each round)':>34}{'median':>10}")
    for mode, label in (("none", "no rules"), ("rules", f"{rule_count} rules active")):
        each = ", ".join(f"{r:.0f}" for r in rates[mode])
        print(f"{label:<24}{each:>34}{statistics.median(rates[mode]):>10.0f}")
    print(f"cost of the rules: {report['rules_cost_percent']} % of throughput (wall time)")
    print(f"this process's CPU per message: {cpu_none:.3f} ms without rules, {cpu_rules:.3f} ms "
          f"with them: +{report['rules_cpu_percent']} %")  # fmt: skip


if __name__ == "__main__":
    main()
