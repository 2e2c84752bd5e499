"""How long the retention dry run takes on the retention bench's data (issue #19).

    python -m bench.retention_dry_run [--rounds 5]

Copies the retention bench's seed (``bench/retention_seed.py``: 100,000 conversations of 400
days ago, 1,000,000 messages, 200,000 media rows) into its own database, sets a 90-day
*delete* policy (so every conversation is due) and times ``retention_dry_run`` (the counts
per policy, media files and bytes included) beside the dry run as it was before (one query:
conversations, messages, notes, and contacts by comparing each conversation with every due
id), alternately, in the same run. The page and
``GET /api/teams/{id}/retention`` run it on every load. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench.retention_seed import clone

SEED_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ret_bench"
COPY_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ret_bench_dry"

_BEFORE_SQL = """
WITH due AS (SELECT id, contact_id FROM inbox_conversation WHERE id = ANY(%s))
SELECT
  (SELECT count(*) FROM due),
  (SELECT count(*) FROM inbox_message m JOIN due ON m.conversation_id = due.id),
  (SELECT count(*) FROM inbox_note n JOIN due ON n.conversation_id = due.id),
  (SELECT count(DISTINCT due.contact_id) FROM due WHERE NOT EXISTS (
      SELECT 1 FROM inbox_conversation c
      WHERE c.contact_id = due.contact_id AND c.id <> ALL(%s)))
"""


def _before(team_id: int) -> None:
    from django.db import connection

    from inbox.models import Conversation, RetentionPolicy
    from inbox.retention.policies import due_filter, rules_in_force

    rules = rules_in_force(team_id)
    due = Conversation.objects.filter(due_filter(rules), team_id=team_id)
    ids = list(due.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_BEFORE_SQL, [ids, ids])
        cursor.fetchone()
    Conversation.objects.filter(team_id=team_id, legal_hold=True).count()
    RetentionPolicy.objects.count()


def _load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    clone_seconds = clone(SEED_DSN, COPY_DSN)
    os.environ["DATABASE_URL"] = COPY_DSN
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django

    django.setup()
    from django.utils import timezone

    from inbox.models import ChannelAccount, RetentionPolicy
    from inbox.retention.dry_run import retention_dry_run

    team_id = ChannelAccount.objects.order_by("pk").values_list("team_id", flat=True)[0]
    RetentionPolicy.objects.update_or_create(
        team_id=team_id, defaults={"days": 90, "action": "delete", "updated_at": timezone.now()}
    )
    timings: dict[str, list[float]] = {"now": [], "before": []}
    counts, load_before = {}, _load()
    for _ in range(args.rounds):
        for name, run in (("now", retention_dry_run), ("before", _before)):
            started = time.perf_counter()
            result = run(team_id)
            timings[name].append(time.perf_counter() - started)
            if result:
                counts = {k: v for k, v in result.items() if k != "policies"}
    print(f"copy {clone_seconds:.1f} s; load {load_before} → {_load()}; counts {counts}")
    for name, seconds in timings.items():
        print(f"{name}: median {statistics.median(seconds):.2f} s, all "
              + " ".join(f"{s:.2f}" for s in seconds))  # fmt: skip


if __name__ == "__main__":
    main()
