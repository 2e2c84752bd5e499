"""Benchmark: ingest throughput with 20 automation rules active against none, in the same run
(issue #17; figures in docs/performance.md).

    python -m bench.ingest_rules [--messages 4000] [--rounds 3] [--batch 100]

The ingest service (``inbox.services.messages_ingest``) is called in this process with prebuilt
batches of the ingest benchmark's workload (bench/ingest_workload.py: X mentions and DMs,
Facebook comments and Messenger, follow-ups in known threads), once with the rules switched
off and once on, alternating which goes first in each round; every run stores new customers on
new accounts, so both do the same work. The 20 rules, 10 per team: words (tags), platform and
kind (priority), language (Danish, Swedish, Norwegian: Lingua runs on every conversation a
customer wrote in), accounts and customers. Each customer text is made unique (a number
appended, which Lingua does not read), as real customers' texts are: the workload's own texts
repeat, and the language of a text seen before is remembered (``--repeat-texts`` keeps them).
Beside messages/s it reports CPU per message of this process and of its PostgreSQL backend.
Uses its own database (``--dsn``, dropped and re-created). It measures and reports; it asserts
nothing. Results: bench/results/ingest_rules.json (``--out`` another file).

Old against new code in the same run: check the old commit out in a second worktree, copy
bench/ into it, and run both in turn (docs/performance.md, "Ingest with automation rules").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ingest_workload
from bench.ingest_cpu import CpuMeter, code_of_tree
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
    workload: ingest_workload.Workload, batch: int, label: str, rules_on: bool, unique: bool
) -> tuple[float, float, float]:
    """Messages per second of wall time, and CPU milliseconds per message of this process
    (where the rules run) and of its PostgreSQL backend: less disturbed than wall time by other
    load on the machine. ``unique``: each customer text made unique (a number appended, which
    Lingua does not read), as real customers' texts are; the workload's own texts repeat, and
    the language of a text seen before is remembered."""
    from django.db import connection

    from inbox.models import AutomationRule
    from inbox.services import messages_ingest

    AutomationRule.objects.update(enabled=rules_on)
    account_ids = create_accounts(workload, "http://127.0.0.1:9", prefix=f"{label}-")
    prepared = [
        (account_ids[slot], [replace(m, author=replace(m.author, external_id=label +
                                                      m.author.external_id),
                                     body=f"{m.body} ({label}-{n})" if unique else m.body)
                             for n, m in enumerate(map(ingest_workload.inbound, items))])
        for slot, items in batches(workload, batch)
    ]  # fmt: skip
    meter = CpuMeter.start()
    started = time.perf_counter()
    for account_id, messages in prepared:
        messages_ingest(account_id=account_id, messages=messages)
    elapsed = time.perf_counter() - started
    cpu, backend = meter.per_message(len(workload.items))
    connection.close()
    return len(workload.items) / elapsed, cpu, backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--no-language-rules", action="store_true")
    parser.add_argument(
        "--repeat-texts",
        action="store_true",
        help="the workload's texts as they are (they repeat), not made unique",
    )
    parser.add_argument("--out", default=None, help="results file (default bench/results/…)")
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args()  # fmt: skip
    recreate_database(args.dsn)
    setup_django(args.dsn, args.redis)
    workload = ingest_workload.build(args.messages, accounts=4)
    create_accounts(workload, "http://127.0.0.1:9", prefix="warm-")  # teams and the agent
    rule_count = install_rules(not args.no_language_rules)
    _warm_up()
    load_before = os.getloadavg()
    runs: dict[str, dict[str, list[float]]] = {
        mode: {"rate": [], "cpu": [], "backend": []} for mode in ("none", "rules")
    }
    for n in range(args.rounds):
        order = ("none", "rules") if n % 2 == 0 else ("rules", "none")
        for mode in order:
            figures = run_once(
                workload, args.batch, f"{mode}{n}", mode == "rules", not args.repeat_texts
            )
            for key, value in zip(("rate", "cpu", "backend"), figures, strict=True):
                runs[mode][key].append(round(value, 4 if key != "rate" else 1))
    report = _report(args, rule_count, runs, load_before)
    default = "ingest_rules_no_language.json" if args.no_language_rules else RESULTS.name
    (Path(args.out) if args.out else RESULTS.with_name(default)).write_text(
        json.dumps(report, indent=2) + "\n"
    )
    _print(report, rule_count)


def _warm_up() -> None:
    """Lingua loads each language's models on first use (about a second): in neither figure."""
    from inbox.automation.language import language_of

    for text in ("Hvornår kommer min årsopgørelse?", "När kommer min deklaration?",
                 "Når kommer skattemeldingen min?", "When will my tax return arrive?"):  # fmt: skip
        language_of(text)


def _report(args, rule_count, runs, load_before) -> dict[str, Any]:
    med = {mode: {k: statistics.median(v) for k, v in runs[mode].items()} for mode in runs}
    total = {mode: med[mode]["cpu"] + med[mode]["backend"] for mode in med}
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "code": code_of_tree(),
        "messages": args.messages, "batch": args.batch, "rounds": args.rounds,
        "rules": rule_count, "language_rules": not args.no_language_rules,
        "unique_texts": not args.repeat_texts,
        "messages_per_s": {m: runs[m]["rate"] for m in runs},
        "median_none": round(med["none"]["rate"], 1),
        "median_rules": round(med["rules"]["rate"], 1),
        "rules_cost_percent": round(100 * (1 - med["rules"]["rate"] / med["none"]["rate"]), 1),
        "cpu_ms_per_message": {m: runs[m]["cpu"] for m in runs},
        "backend_cpu_ms_per_message": {m: runs[m]["backend"] for m in runs},
        "median_cpu_none": med["none"]["cpu"], "median_cpu_rules": med["rules"]["cpu"],
        "median_backend_none": med["none"]["backend"],
        "median_backend_rules": med["rules"]["backend"],
        "rules_cpu_percent": round(100 * (med["rules"]["cpu"] / med["none"]["cpu"] - 1), 1),
        "rules_total_cpu_percent": round(100 * (total["rules"] / total["none"] - 1), 1),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in os.getloadavg()], "cpus": os.cpu_count(),
    }  # fmt: skip


def _print(report: dict[str, Any], rule_count: int) -> None:
    print(f"\n{report['messages']} messages in batches of {report['batch']}, "
          f"{report['rounds']} rounds, code {report['code']}; "
          f"load {report['loadavg_before']} → {report['loadavg_after']}")  # fmt: skip
    print(f"{'run':<24}{'messages/s (each round)':>34}{'median':>10}")
    for mode, label in (("none", "no rules"), ("rules", f"{rule_count} rules active")):
        rates = report["messages_per_s"][mode]
        each = ", ".join(f"{r:.0f}" for r in rates)
        print(f"{label:<24}{each:>34}{statistics.median(rates):>10.0f}")
    print(f"cost of the rules: {report['rules_cost_percent']} % of throughput (wall time)")
    print(f"CPU per message, this process: {report['median_cpu_none']:.3f} ms without rules, "
          f"{report['median_cpu_rules']:.3f} ms with them (+{report['rules_cpu_percent']} %); "
          f"PostgreSQL backend: {report['median_backend_none']:.3f} → "
          f"{report['median_backend_rules']:.3f} ms; "
          f"both: +{report['rules_total_cpu_percent']} %")  # fmt: skip


if __name__ == "__main__":
    main()
