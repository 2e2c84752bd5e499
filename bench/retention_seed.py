"""The retention bench's data: loaded once into a seed database, cloned for every run.

The job deletes what it measures, so each run works on a copy: the seed database (default
``svar_ret_bench``) is created, migrated and loaded once (set-based SQL, no row crosses the
wire) and then copied file by file (``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY``),
which takes seconds where the load takes minutes. Shape: N resolved conversations of a year
ago on one X account, ``per`` messages each (every fifth with a stored photo's media row),
a note on every second conversation, a tag on every tenth, one response interval each; a
second account of the same team receives the live ingest; one agent lists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import psycopg

from bench import measure

_MARK = "bench_retention_seed"

_LOAD_SQL = """
INSERT INTO inbox_contact (platform, external_id, name, handle, created_at, updated_at)
SELECT 'x', 'c' || g, 'Kunde ' || g, 'kunde' || g, now(), now() FROM generate_series(1, %(n)s) g;
INSERT INTO inbox_conversation (account_id, contact_id, kind, external_thread_id, team_id,
  status, opened_at, resolved_at, last_message_at, snippet, version, created_at, legal_hold,
  priority, subject)
SELECT %(account)s, c.id, 'public', 't' || c.external_id, %(team)s, 'resolved',
  now() - interval '400 days', now() - interval '399 days', now() - interval '399 days',
  'Hej', 1, now(), false, 'normal', ''
FROM inbox_contact c WHERE c.external_id LIKE 'c%%' ORDER BY c.id;
INSERT INTO inbox_message (conversation_id, account_id, direction, external_id, body,
  signature, text, author_contact_id, in_reply_to_external_id, platform_time, received_at,
  delivery_state, delivery_error, delivery_attempts)
SELECT v.id, %(account)s, 'in', v.id || '-' || k, 'Besked ' || k, '', 'Besked ' || k,
  v.contact_id, '', v.opened_at + k * interval '1 minute', v.opened_at, 'received', '', 0
FROM inbox_conversation v, generate_series(1, %(per)s) k WHERE v.account_id = %(account)s
ORDER BY v.id, k;
INSERT INTO inbox_media (position, kind, source_url, platform_key, alt_text, mime_hint, state,
  unavailable_reason, content_type, size, sha256, file, thumbnail, attempts, created_at,
  message_id)
SELECT 0, 'photo', '', '', '', '', 'stored', '', 'image/jpeg', 1000, '',
  'media/' || m.id || '.jpg', '', 0, now(), m.id FROM inbox_message m WHERE m.id %% 5 = 0;
INSERT INTO inbox_note (body, created_at, author_id, conversation_id)
SELECT 'Note', now(), %(agent)s, v.id FROM inbox_conversation v WHERE v.id %% 2 = 0;
INSERT INTO inbox_tag (name) VALUES ('klage');
INSERT INTO inbox_conversation_tags (conversation_id, tag_id, team_id, status, last_message_at)
SELECT v.id, (SELECT id FROM inbox_tag WHERE name = 'klage'), v.team_id, v.status,
  v.last_message_at FROM inbox_conversation v WHERE v.id %% 10 = 0;
INSERT INTO inbox_responseinterval (platform, kind, opening, started_at, ended_at, ended_by,
  calendar_seconds, business_seconds, account_id, agent_id, conversation_id, team_id)
SELECT 'x', 'first_response', 1, v.opened_at, v.opened_at + interval '10 minutes', 'agent',
  600, 600, v.account_id, %(agent)s, v.id, v.team_id FROM inbox_conversation v
"""


def _admin(dsn: str) -> str:
    return dsn.rsplit("/", 1)[0] + "/postgres"


def _name(dsn: str) -> str:
    return dsn.rsplit("/", 1)[1]


def _seeded(dsn: str, conversations: int, per: int) -> dict[str, Any] | None:
    """The seed's description if it holds this shape, else None."""
    try:
        with psycopg.connect(dsn) as conn:
            row = conn.execute(
                f"SELECT team, live, agent_user, load_seconds FROM {_MARK}"
                " WHERE conversations = %s AND per = %s",
                [conversations, per],
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    return dict(zip(("team", "live", "agent_user", "load_seconds"), row, strict=True))


def _create(dsn: str) -> None:
    with psycopg.connect(_admin(dsn), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name(dsn)}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{_name(dsn)}"')
    env = {**os.environ, "DATABASE_URL": dsn}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity=0"], cwd=measure.REPO,
                   env=env, check=True)  # fmt: skip


def seed(dsn: str, conversations: int, per: int) -> dict[str, Any]:
    """Load the seed database unless it already holds this shape (Django is set up on it)."""
    found = _seeded(dsn, conversations, per)
    if found:
        return found
    _create(dsn)
    from inbox.permissions.roles import Role
    from tests.factories import AgentFactory, ChannelAccountFactory

    account = ChannelAccountFactory()
    live = ChannelAccountFactory(team=account.team)  # ingest goes here during the run
    agent = AgentFactory(teams=[account.team], role=Role.AGENT)
    started = time.perf_counter()
    params = {"n": conversations, "per": per, "account": account.pk,
              "team": account.team_id, "agent": agent.pk}  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in filter(str.strip, _LOAD_SQL.split(";\n")):
            conn.execute(statement, params)
        conn.execute("VACUUM ANALYZE")
        load = time.perf_counter() - started
        conn.execute(
            f"CREATE TABLE {_MARK} (conversations int, per int, team bigint, live bigint,"
            " agent_user bigint, load_seconds float)"
        )
        row = [conversations, per, account.team_id, live.pk, agent.user_id, load]
        conn.execute(f"INSERT INTO {_MARK} VALUES (%s, %s, %s, %s, %s, %s)", row)
    return _seeded(dsn, conversations, per) or {}


def clone(seed_dsn: str, run_dsn: str) -> float:
    """A fresh copy of the seed for one run; returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(_admin(seed_dsn), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name(run_dsn)}" WITH (FORCE)')
        conn.execute(
            f'CREATE DATABASE "{_name(run_dsn)}" TEMPLATE "{_name(seed_dsn)}" STRATEGY FILE_COPY'
        )
    with psycopg.connect(run_dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started
