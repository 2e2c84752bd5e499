"""The dry run: what the retention job would delete or anonymise now, counted per policy and in
all; nothing changes (docs/privacy.md, "Dry run").

Per policy in force (the team's, and each account's own) it counts the due conversations, their
messages and notes, and the stored media files the run would remove with them: each media row's
file and thumbnail, and each reply attachment's file (both actions remove them all,
``inbox.retention.purge``), with their bytes as recorded when they were stored (a thumbnail's
size is not recorded, so it adds a file and no bytes). A path is counted once, under the lowest
account that holds it, as the job removes it once. The contacts that would go are counted for
the team only: one contact may write to accounts under different policies.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection
from django.db.models import Q

from inbox.models import ChannelAccount, Conversation, RetentionPolicy
from inbox.retention.policies import AccountRule, due_filter, rules_in_force

_PER_ACCOUNT_SQL = """
WITH due AS (SELECT id, account_id FROM inbox_conversation WHERE id = ANY(%(ids)s))
SELECT 'conversations', account_id, count(*), 0 FROM due GROUP BY account_id
UNION ALL
SELECT 'messages', due.account_id, count(*), 0
FROM inbox_message m JOIN due ON m.conversation_id = due.id GROUP BY due.account_id
UNION ALL
SELECT 'notes', due.account_id, count(*), 0
FROM inbox_note n JOIN due ON n.conversation_id = due.id GROUP BY due.account_id
UNION ALL
SELECT 'media', account_id, count(*), coalesce(sum(size), 0) FROM (
  SELECT min(account_id) AS account_id, max(size) AS size FROM (
    SELECT due.account_id, md.file AS path, md.size FROM inbox_media md
      JOIN inbox_message m ON md.message_id = m.id JOIN due ON m.conversation_id = due.id
      WHERE md.file <> ''
    UNION ALL
    SELECT due.account_id, md.thumbnail, NULL FROM inbox_media md
      JOIN inbox_message m ON md.message_id = m.id JOIN due ON m.conversation_id = due.id
      WHERE md.thumbnail <> ''
    UNION ALL
    SELECT due.account_id, a.file, a.size FROM inbox_replyattachment a
      JOIN due ON a.conversation_id = due.id WHERE a.file <> ''
    UNION ALL
    SELECT due.account_id, a.file, a.size FROM inbox_replyattachment a
      JOIN inbox_message m ON a.message_id = m.id JOIN due ON m.conversation_id = due.id
      WHERE a.file <> ''
  ) files GROUP BY path
) paths GROUP BY account_id
"""

# The contacts all of whose conversations are due. Joined, not ``c.id <> ALL(ids)`` per row:
# that compared every conversation with every due id, 30 s at 100,000 due (bench/
# retention_dry_run.py), where this takes under a second.
_CONTACTS_SQL = """
WITH due AS (SELECT id, contact_id FROM inbox_conversation WHERE id = ANY(%s))
SELECT count(*) FROM (
  SELECT c.contact_id FROM inbox_conversation c
  JOIN (SELECT DISTINCT contact_id FROM due) due_contacts USING (contact_id)
  LEFT JOIN due ON due.id = c.id
  GROUP BY c.contact_id HAVING count(due.id) = count(*)
) free
"""

_COUNTED = ("conversations", "messages", "notes", "media_files", "media_bytes")


def _per_account(ids: list[int]) -> dict[int, Counter]:
    counts: dict[int, Counter] = {}
    with connection.cursor() as cursor:
        cursor.execute(_PER_ACCOUNT_SQL, {"ids": ids})
        for what, account_id, number, size in cursor.fetchall():
            into = counts.setdefault(account_id, Counter())
            if what == "media":
                into.update(media_files=number, media_bytes=int(size))
            else:
                into[what] += number
    return counts


def _policies(
    team_id: int, rules: dict[int, AccountRule], per_account: dict[int, Counter]
) -> list[dict[str, Any]]:
    """One entry per policy of the team (the team's first, then the accounts' by name)."""
    names = dict(ChannelAccount.objects.filter(team_id=team_id).values_list("pk", "display_name"))
    policies = sorted(
        RetentionPolicy.objects.filter(Q(team_id=team_id) | Q(account__team_id=team_id)),
        key=lambda p: (p.account_id is not None, names.get(p.account_id, ""), p.pk),
    )
    entries = []
    for policy in policies:
        counted = Counter()
        for rule in rules.values():
            if rule.policy_id == policy.pk:
                counted.update(per_account.get(rule.account_id, Counter()))
        entries.append({
            "account": policy.account_id, "name": names.get(policy.account_id),
            "days": policy.days, "action": policy.action,
            **{key: counted[key] for key in _COUNTED},
        })  # fmt: skip
    return entries


def retention_dry_run(team_id: int) -> dict[str, Any]:
    """What the job would delete or anonymise now: totals, and ``policies`` (one entry per
    policy: ``account`` is None for the team's). Nothing changes."""
    rules = rules_in_force(team_id)
    ids = list(
        Conversation.objects.filter(due_filter(rules), team_id=team_id).values_list("pk", flat=True)
    )
    per_account = _per_account(ids)
    with connection.cursor() as cursor:
        cursor.execute(_CONTACTS_SQL, [ids])
        contacts = cursor.fetchone()[0]
    totals = sum(per_account.values(), Counter())
    return {
        **{key: totals[key] for key in _COUNTED},
        "contacts": contacts,
        "held": Conversation.objects.filter(team_id=team_id, legal_hold=True).count(),
        "policies": _policies(team_id, rules, per_account),
    }
