"""Set-based loading of a large, realistically shaped inbox into the bench database.

Everything is generated inside PostgreSQL (generate_series, INSERT … SELECT): no row crosses
the wire and no ORM object is built per row. Secondary indexes are dropped during the load
and rebuilt afterwards, and FK triggers are skipped (the generator only emits valid keys).
"""

from __future__ import annotations

import time

import psycopg

TEAMS = ("Skat Privat", "Skat Erhverv", "Motor", "Gæld")
AGENTS = 120
CONTACTS = 200_000
# Agent 1 is the benchmark agent (team 1 only); agent 2 is in teams 1 and 2; agent 120 admin.
BENCH_AGENT_USERNAME = "bench-agent-1"
MULTI_TEAM_AGENT_USERNAME = "bench-agent-2"
ADMIN_USERNAME = f"bench-agent-{AGENTS}"
TAGS = (
    "årsopgørelse", "forskud", "mitid", "login", "bil", "gæld", "klage", "moms", "fradrag",
    "presse", "vip", "spam", "refusion", "pension", "bolig", "arv", "told", "erhverv",
    "udland", "eskaleret",
)  # fmt: skip
FIRST_NAMES = (
    "Mette", "Kirsten", "Lars", "Jens", "Anne", "Peter", "Hanne", "Søren", "Camilla", "Mads",
    "Emma", "Oliver", "Sofie", "Lucas", "John", "Sarah", "Michael", "Laura", "David", "Ida",
)  # fmt: skip
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Madsen", "Smith", "Brown", "Olsen", "Thomsen", "Poulsen", "Johnson",
)  # fmt: skip
SNIPPETS = (
    "Hej, hvornår kommer min årsopgørelse?",
    "Jeg kan ikke logge ind med MitID",
    "Hvorfor er min forskudsopgørelse ændret?",
    "Tak for hjælpen, det virkede!",
    "Jeg har fået en rykker, men jeg har betalt",
    "Hvordan registrerer jeg min bil fra udlandet?",
    "Kan I ringe mig op i morgen?",
    "Min pakke fra England er blevet fortoldet",
    "Hvad er fristen for momsindberetning?",
    "Jeg vil gerne klage over sagsbehandlingstiden",
    "Hello, I moved to Denmark and need a tax card",
    "When will I receive my tax refund?",
    "I cannot log in to the self-service portal",
    "Thanks, that solved it",
    "How do I report income from abroad?",
    "My employer says my tax card is missing",
    "Is there a deduction for commuting?",
    "Why did I get a payment reminder?",
)

_SQL_BASE = """
TRUNCATE inbox_conversation_tags, inbox_message, inbox_note, inbox_inboxevent,
         inbox_conversation, inbox_contact, inbox_agent_teams, inbox_agent, inbox_tag,
         inbox_channelaccount, inbox_team, authtoken_token, auth_user_groups,
         auth_user_user_permissions, auth_user RESTART IDENTITY CASCADE;

INSERT INTO inbox_team (id, name, event_seq)
SELECT i, (%(teams)s::text[])[i], 0 FROM generate_series(1, 4) i;

-- Two channel accounts per team: account 2t-1 is X, account 2t is a Facebook Page.
INSERT INTO inbox_channelaccount (id, platform, display_name, external_id, handle, team_id,
    credentials_ref, base_url, poll_cursor, poll_interval_seconds, is_active, health,
    last_error, created_at, consecutive_failures, credentials_encrypted)
SELECT i, CASE WHEN i %% 2 = 1 THEN 'x' ELSE 'facebook' END, 'Account ' || i, (5000 + i)::text,
       'service' || i, (i + 1) / 2, 'SVAR_CREDENTIAL_BENCH', '', '{}', 30, true, 'healthy', '',
       now(), 0, ''
FROM generate_series(1, 8) i;

INSERT INTO inbox_tag (id, name) SELECT i, (%(tags)s::text[])[i]
FROM generate_series(1, cardinality(%(tags)s::text[])) i;

INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined)
SELECT i, '!', false, 'bench-agent-' || i, '', '', '', false, true, now()
FROM generate_series(1, %(agents)s) i;

INSERT INTO inbox_agent (id, user_id, public_name, initials, signatures, language, avatar_url)
SELECT i, i, (%(first)s::text[])[1 + i %% 20] || ' ' || i,
       left((%(first)s::text[])[1 + i %% 20], 1) || i %% 100, '{}', 'da', ''
FROM generate_series(1, %(agents)s) i;

-- Agents spread round-robin over the teams; every tenth agent (and agent 2) also in the next.
INSERT INTO inbox_agent_teams (agent_id, team_id)
SELECT i, 1 + (i - 1) %% 4 FROM generate_series(1, %(agents)s) i
UNION
SELECT i, 1 + i %% 4 FROM generate_series(1, %(agents)s) i WHERE i %% 10 = 0
UNION SELECT 2, 1 UNION SELECT 2, 2;

-- Roles: the last 5 are admins, the 15 before them managers, everyone else an agent.
INSERT INTO auth_user_groups (user_id, group_id)
SELECT i, g.id FROM generate_series(1, %(agents)s) i
JOIN auth_group g ON g.name = CASE WHEN i > %(agents)s - 5 THEN 'admin'
                                   WHEN i > %(agents)s - 20 THEN 'manager' ELSE 'agent' END;

-- Contacts 1..half are on X, the rest on Facebook.
INSERT INTO inbox_contact (id, platform, external_id, name, handle, created_at, updated_at)
SELECT i, CASE WHEN i <= %(contacts)s / 2 THEN 'x' ELSE 'facebook' END, (100000000 + i)::text,
       (%(first)s::text[])[1 + (i * 7) %% 20] || ' ' || (%(last)s::text[])[1 + (i * 13) %% 16],
       lower((%(first)s::text[])[1 + (i * 7) %% 20]) || '_' || i, now(), now()
FROM generate_series(1, %(contacts)s) i;
"""

# One row per conversation; the random draws live in a subquery so each is made once.
_SQL_CONVERSATIONS = """
CREATE TEMP TABLE bench_team_agent AS
SELECT team_id, agent_id, row_number() OVER (PARTITION BY team_id ORDER BY agent_id) - 1 AS n
FROM inbox_agent_teams WHERE agent_id <= %(agents)s - 5;
CREATE TEMP TABLE bench_team_size AS
SELECT team_id, count(*) AS size FROM bench_team_agent GROUP BY team_id;

INSERT INTO inbox_conversation (id, account_id, contact_id, kind, external_thread_id, team_id,
    status, assignee_id, waiting_since, opened_at, resolved_at, last_message_at, snippet,
    version, search_vector, created_at)
SELECT s.g, s.account_id, ct.id, s.kind, 'bench-' || s.g, s.team_id, s.status,
       CASE WHEN s.r_assigned < s.assigned_share THEN ta.agent_id END,
       CASE WHEN s.status = 'open' THEN s.last_at - s.r_wait * interval '3 hours' END,
       s.last_at - s.r_open * interval '4 days',
       CASE WHEN s.status = 'resolved' THEN s.last_at + interval '20 minutes' END,
       s.last_at, s.snippet, 1 + (s.g %% 7),
       to_tsvector('simple', ct.name || ' ' || ct.handle || ' ' || s.snippet),
       s.last_at - s.r_open * interval '4 days'
FROM (
    SELECT g, account_id, (account_id + 1) / 2 AS team_id, status, kind, snippet,
           r_assigned, r_wait, r_open, r_agent, r_contact,
           CASE status WHEN 'open' THEN 0.75 WHEN 'pending' THEN 0.95 ELSE 0.9 END
               AS assigned_share,
           -- Unresolved conversations are recent; resolved ones spread over a year.
           now() - CASE WHEN status = 'resolved' THEN r_age * interval '365 days'
                        ELSE r_age * interval '14 days' END AS last_at
    FROM (
        SELECT g, 1 + floor(random() * 8)::int AS account_id,
               CASE WHEN r < 0.08 THEN 'open' WHEN r < 0.12 THEN 'pending'
                    ELSE 'resolved' END AS status,
               CASE WHEN random() < 0.7 THEN 'public' ELSE 'private' END AS kind,
               (%(snippets)s::text[])[1 + floor(random() * cardinality(%(snippets)s::text[]))::int]
                   AS snippet,
               random() AS r_assigned, random() AS r_wait, random() AS r_open,
               random() AS r_agent, random() AS r_age, random() AS r_contact
        FROM (SELECT g, random() AS r FROM generate_series(1, %(conversations)s) g) draws
    ) picked
) s
-- Contacts skewed so some customers write often; same platform as the account.
JOIN inbox_contact ct ON ct.id = CASE WHEN s.account_id %% 2 = 1 THEN 0
                                      ELSE %(contacts)s / 2 END
                                 + 1 + floor(power(s.r_contact, 1.5) * (%(contacts)s / 2))::int
JOIN bench_team_size z ON z.team_id = s.team_id
JOIN bench_team_agent ta ON ta.team_id = s.team_id AND ta.n = floor(s.r_agent * z.size)::int;

-- Tags on about 15 percent, skewed towards the first names in TAGS; some get a second tag.
-- Triggers are off during the load (session_replication_role): the links' copies of their
-- conversation's team, status and latest activity are written here (migration 0012).
INSERT INTO inbox_conversation_tags (conversation_id, tag_id, team_id, status, last_message_at)
SELECT id, 1 + floor(power(random(), 2) * cardinality(%(tags)s::text[]))::int,
       team_id, status, last_message_at
FROM inbox_conversation WHERE random() < 0.15;
INSERT INTO inbox_conversation_tags (conversation_id, tag_id, team_id, status, last_message_at)
SELECT conversation_id, 1 + floor(random() * cardinality(%(tags)s::text[]))::int,
       team_id, status, last_message_at
FROM inbox_conversation_tags WHERE random() < 0.3
ON CONFLICT DO NOTHING;
"""

_BULK_TABLES = ("inbox_conversation", "inbox_conversation_tags")


def _params(conversations: int) -> dict[str, object]:
    return {
        "teams": list(TEAMS),
        "tags": list(TAGS),
        "first": list(FIRST_NAMES),
        "last": list(LAST_NAMES),
        "snippets": list(SNIPPETS),
        "agents": AGENTS,
        "contacts": CONTACTS,
        "conversations": conversations,
    }


def conversation_count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM inbox_conversation").fetchone()[0]


def _secondary_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """Indexes not backing a constraint: safe to drop and recreate from their definition."""
    return conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    ).fetchall()


def _reset_sequences(conn: psycopg.Connection) -> None:
    tables = (
        "inbox_team", "inbox_channelaccount", "inbox_tag", "auth_user", "inbox_agent",
        "inbox_contact", "inbox_conversation", "inbox_conversation_tags", "inbox_agent_teams",
        "auth_user_groups",
    )  # fmt: skip
    for table in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 -- constants
            f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def load(dsn: str, conversations: int) -> float:
    """Replace the bench database's inbox with ``conversations`` generated ones; seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute("SET session_replication_role = replica")  # skip FK triggers
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SELECT setseed(0.4242)")
        dropped = [ix for table in _BULK_TABLES for ix in _secondary_indexes(conn, table)]
        for name, _definition in dropped:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        params = _params(conversations)
        try:
            with conn.transaction():
                conn.execute(_SQL_BASE, params)
                conn.execute(_SQL_CONVERSATIONS, params)
                _reset_sequences(conn)
        finally:
            # Also after a failed load: a later run captures the indexes it finds, so an index
            # left dropped here would be missing from every benchmark after it.
            for _name, definition in dropped:
                conn.execute(definition)
        conn.execute("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        _record_load(conn, conversations, seconds)
    return seconds


def _record_load(conn: psycopg.Connection, conversations: int, seconds: float) -> None:
    """Keep the load time beside the data, so a later run that reuses it can report it."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_load (conversations int, seconds float8,"
        " loaded_at timestamptz DEFAULT now())"
    )
    conn.execute("TRUNCATE bench_load")
    conn.execute(
        "INSERT INTO bench_load (conversations, seconds) VALUES (%s, %s)", [conversations, seconds]
    )


def last_load(dsn: str) -> tuple[float, str] | None:
    """Seconds and time of the load that produced the current data, if recorded."""
    with psycopg.connect(dsn) as conn:
        if conn.execute("SELECT to_regclass('bench_load')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT seconds, loaded_at::text FROM bench_load").fetchone()
    return (row[0], row[1]) if row else None
