"""The metrics benchmark's data: 1,000,000 messages in set-based SQL, and their intervals.

Four teams with two channel accounts and ten agents each; 200,000 conversations over 90 days,
each of 3–7 messages alternating customer / agent (mean 5: 1,000,000 messages); replies take
an exponential time (mean 30 min), customers come back after one (mean 2 h). 90 % of the
conversations are resolved. Intervals are derived from the messages in SQL by the rules of
docs/metrics.md (for alternating messages: each customer message starts a wait that the next
agent message ends); business time is then set by each team's schedule through the same
recompute a schedule change runs, and timed.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection

from inbox.metrics.rebuild import business_seconds_recompute
from inbox.models import Agent, BusinessSchedule, ChannelAccount, SlaTarget, Tag, Team

TEAMS = ("Skat", "Told", "Motor", "Borger")
AGENTS_PER_TEAM = 10
CONVERSATIONS = 200_000
DAYS = 90
PASSWORD = "svar-bench"
WEEKDAYS = {str(d): [["08:00", "12:00"], ["12:30", "16:00"]] for d in range(1, 6)}
HOLIDAYS = ["2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25",
            "2026-06-05", "2026-12-24", "2026-12-25", "2026-12-31"]  # fmt: skip


def _user(username: str, role: str, *, superuser: bool = False) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_superuser=superuser)
    user.groups.add(Group.objects.get(name=role))
    return user


def load_people() -> dict[str, Any]:
    """Teams, accounts, agents, a manager of the first team and an admin; returns their ids."""
    teams = [Team.objects.create(name=name) for name in TEAMS]
    for team in teams:
        for platform in ("x", "facebook"):
            ChannelAccount.objects.create(
                platform=platform, display_name=f"{team.name} {platform}",
                external_id=f"{team.name}-{platform}", team=team, credentials_ref="BENCH",
            )  # fmt: skip
        for n in range(AGENTS_PER_TEAM):
            agent = Agent.objects.create(
                user=_user(f"{team.name.lower()}{n}", "agent"),
                public_name=f"{team.name} agent {n}",
                initials=f"{team.name[0]}{n}",
            )
            agent.teams.add(team)
    manager = Agent.objects.create(
        user=_user("manager", "manager"), public_name="Maja Manager", initials="MM"
    )
    manager.teams.add(teams[0])
    admin = Agent.objects.create(
        user=_user("admin", "admin", superuser=True), public_name="Ada Admin", initials="AA"
    )
    for name in ("faktura", "fradrag", "motor", "told", "klage"):
        Tag.objects.create(name=name)
    return {"manager": manager.user_id, "admin": admin.user_id, "teams": [t.pk for t in teams]}


MESSAGES_SQL = """
SELECT setseed(0.42);
CREATE TEMP TABLE team_agents AS
    SELECT t.team_id, array_agg(t.agent_id ORDER BY t.agent_id) AS ids
      FROM inbox_agent_teams t JOIN inbox_agent a ON a.id = t.agent_id
     WHERE a.public_name LIKE '%% agent %%' GROUP BY t.team_id;
CREATE TEMP TABLE accounts AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, team_id, platform
      FROM inbox_channelaccount;
INSERT INTO inbox_contact (platform, external_id, name, handle, created_at, updated_at)
    SELECT 'x', 'bench-' || g, 'Customer ' || g, 'cust' || g, now(), now()
      FROM generate_series(1, %(contacts)s) g;
CREATE TEMP TABLE plan AS
    SELECT g AS n,
           (SELECT id FROM accounts
             WHERE accounts.n = g %% (SELECT count(*) FROM accounts)) AS account_id,
           now() - interval '1 day' - random() * make_interval(days => %(days)s) AS start,
           3 + floor(random() * 5)::int AS msgs,
           random() < 0.9 AS resolved
      FROM generate_series(1, %(conversations)s) g;
ANALYZE plan;
INSERT INTO inbox_conversation (account_id, contact_id, kind, external_thread_id, team_id, status,
                                opened_at, last_message_at, snippet, version, created_at)
    SELECT p.account_id, (SELECT min(id) FROM inbox_contact) + (p.n %% %(contacts)s), 'public',
           'bench-' || p.n, a.team_id, 'open', p.start, p.start, '', 1, now()
      FROM plan p JOIN accounts a ON a.id = p.account_id;
ANALYZE inbox_conversation;
CREATE TEMP TABLE timeline AS
    SELECT c.id AS conversation_id, c.account_id, c.contact_id, c.team_id, i,
           p.start + make_interval(secs => sum(
               CASE WHEN i = 1 THEN 0
                    WHEN i %% 2 = 0 THEN -ln(1 - random()) * 1800
                    ELSE -ln(1 - random()) * 7200 END)
               OVER (PARTITION BY c.id ORDER BY i)) AS at,
           p.msgs, p.resolved
      FROM plan p
      JOIN inbox_conversation c
        ON c.account_id = p.account_id AND c.external_thread_id = 'bench-' || p.n
     CROSS JOIN LATERAL generate_series(1, p.msgs) i;
ANALYZE timeline;
INSERT INTO inbox_message (conversation_id, account_id, direction, external_id, body, signature,
                           text, author_contact_id, author_agent_id, in_reply_to_external_id,
                           platform_time, received_at, delivery_state, delivery_error,
                           delivery_attempts)
    SELECT t.conversation_id, t.account_id, CASE WHEN i %% 2 = 1 THEN 'in' ELSE 'out' END,
           'bench-' || t.conversation_id || '-' || i, 'Hej', '', 'Hej',
           CASE WHEN i %% 2 = 1 THEN t.contact_id END,
           CASE WHEN i %% 2 = 0
                THEN ta.ids[1 + (t.conversation_id + i) %% array_length(ta.ids, 1)] END,
           '', t.at, t.at, CASE WHEN i %% 2 = 1 THEN 'received' ELSE 'sent' END, '', 0
      FROM timeline t JOIN team_agents ta ON ta.team_id = t.team_id;
"""

INTERVALS_SQL = """
CREATE TEMP TABLE closing AS
    SELECT conversation_id, max(at) + make_interval(secs => 600 + random() * 7200) AS resolved_at
      FROM timeline WHERE resolved GROUP BY conversation_id;
ANALYZE closing;
UPDATE inbox_conversation c
   SET status = CASE WHEN cl.resolved_at IS NULL THEN 'open' ELSE 'resolved' END,
       resolved_at = cl.resolved_at,
       last_message_at = m.last_at,
       waiting_since = CASE WHEN cl.resolved_at IS NULL AND m.msgs %% 2 = 1 THEN m.last_at END
  FROM (SELECT conversation_id, max(at) AS last_at, max(msgs) AS msgs FROM timeline
         GROUP BY conversation_id) m
  LEFT JOIN closing cl ON cl.conversation_id = m.conversation_id
 WHERE c.id = m.conversation_id;
CREATE TEMP TABLE steps AS
    SELECT m.conversation_id, m.account_id, c.team_id, a.platform, m.direction, m.platform_time,
           m.author_agent_id,
           row_number() OVER w AS i,
           lead(m.platform_time) OVER w AS next_at,
           lead(m.author_agent_id) OVER w AS next_agent,
           cl.resolved_at
      FROM inbox_message m
      JOIN inbox_conversation c ON c.id = m.conversation_id
      JOIN inbox_channelaccount a ON a.id = m.account_id
      LEFT JOIN closing cl ON cl.conversation_id = m.conversation_id
    WINDOW w AS (PARTITION BY m.conversation_id ORDER BY m.platform_time, m.id);
ANALYZE steps;
CREATE INDEX ON steps (conversation_id, i);
INSERT INTO inbox_responseinterval (conversation_id, team_id, account_id, platform, kind, opening,
                                    started_at, ended_at, ended_by, agent_id)
    SELECT conversation_id, team_id, account_id, platform, k.kind, 1, platform_time,
           COALESCE(next_at, resolved_at),
           CASE WHEN next_at IS NOT NULL THEN 'agent'
                WHEN resolved_at IS NOT NULL THEN 'unanswered' ELSE '' END,
           next_agent
      FROM steps
     CROSS JOIN (VALUES ('reply'), ('first_response')) AS k(kind)
     WHERE direction = 'in' AND (k.kind = 'reply' OR i = 1);
INSERT INTO inbox_responseinterval (conversation_id, team_id, account_id, platform, kind, opening,
                                    started_at, ended_at, ended_by, agent_id)
    SELECT s.conversation_id, s.team_id, s.account_id, s.platform, 'resolution', 1,
           s.platform_time, s.resolved_at,
           CASE WHEN s.resolved_at IS NULL THEN '' ELSE 'resolved' END,
           CASE WHEN s.resolved_at IS NOT NULL THEN
               (SELECT author_agent_id FROM steps x WHERE x.conversation_id = s.conversation_id
                   AND x.author_agent_id IS NOT NULL ORDER BY x.i DESC LIMIT 1) END
      FROM steps s WHERE s.i = 1;
UPDATE inbox_responseinterval
   SET calendar_seconds = greatest(0, extract(epoch FROM ended_at - started_at)),
       business_seconds = greatest(0, extract(epoch FROM ended_at - started_at))
 WHERE ended_at IS NOT NULL;
INSERT INTO inbox_conversation_tags (conversation_id, tag_id)
    SELECT c.id, (SELECT min(id) FROM inbox_tag) + (c.id %% 5)
      FROM inbox_conversation c WHERE random() < 0.4;
"""


def _run(sql: str, params: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def load(log: Any) -> dict[str, Any]:
    """Load everything; returns ids and the load's own timings (seconds)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    people = load_people()
    params = {"contacts": 150_000, "conversations": CONVERSATIONS, "days": DAYS}
    _run(MESSAGES_SQL, params)
    timings["messages_seconds"] = round(time.perf_counter() - started, 1)
    log(f"messages loaded in {timings['messages_seconds']} s")
    started = time.perf_counter()
    _run(INTERVALS_SQL, params)
    timings["intervals_sql_seconds"] = round(time.perf_counter() - started, 1)
    log(f"intervals derived in {timings['intervals_sql_seconds']} s")
    started = time.perf_counter()
    for team_id in people["teams"]:
        BusinessSchedule.objects.create(
            team_id=team_id, time_zone="Europe/Copenhagen", weekly=WEEKDAYS, holidays=HOLIDAYS
        )
        business_seconds_recompute(team_id=team_id)
        SlaTarget.objects.create(team_id=team_id, kind="first_response", target_seconds=3600)
        SlaTarget.objects.create(team_id=team_id, kind="reply", target_seconds=7200)
        SlaTarget.objects.create(
            team_id=team_id, kind="resolution", target_seconds=86400, business_hours=False
        )
    timings["business_recompute_seconds"] = round(time.perf_counter() - started, 1)
    log(f"business hours recomputed in {timings['business_recompute_seconds']} s")
    with connection.cursor() as cursor:  # autocommit: VACUUM sets the visibility map too
        # Loading wrote each interval three times (derived, timed, business time set): every
        # write left an entry in the ledger's indexes, and VACUUM leaves their pages a third
        # full (pgstatindex: 30 % leaf density, 280 MB for ri_team_kind_ended). Live recording
        # adds an interval to ri_team_kind_ended once, when it closes, in end-time order, which
        # fills pages as a fresh build does. Rebuilt so the aggregates read what production has.
        cursor.execute("REINDEX TABLE inbox_responseinterval")
        for table in (
            "inbox_responseinterval",
            "inbox_message",
            "inbox_conversation",
            "inbox_conversation_tags",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {**people, "load": timings}
