"""Tags put on many conversations at once, by name, in one statement (the automation rules in
ingest): the tags that do not exist yet are created, and the links made, in one round trip.

``bulk_create`` of the new tags, a query for their ids and ``bulk_create`` of the links took
three round trips and built a model instance per row in Python, a large part of what the rules
cost an ingest (docs/performance.md, "Ingest with automation rules").
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DatabaseError
from psycopg import sql

from inbox.db.bulk import server_bound
from inbox.models import ConversationTag, Tag

ATTEMPTS = 3

_STATEMENT = sql.SQL("""
WITH wanted AS (SELECT DISTINCT w.name FROM unnest(%b::text[]) AS w(name)),
     inserted AS (
       INSERT INTO {tag} (name) SELECT name FROM wanted ORDER BY name
       ON CONFLICT (name) DO NOTHING
       RETURNING id, name),
     ids AS (SELECT id, name FROM inserted
             UNION ALL
             SELECT t.id, t.name FROM {tag} AS t JOIN wanted USING (name)),
     linked AS (
       INSERT INTO {link} (conversation_id, tag_id)
       SELECT l.conversation_id, ids.id
         FROM unnest(%b::bigint[], %b::text[]) AS l(conversation_id, name)
         JOIN ids USING (name)
        ORDER BY l.conversation_id, ids.id
       ON CONFLICT (conversation_id, tag_id) DO NOTHING)
SELECT name FROM wanted WHERE name NOT IN (SELECT name FROM ids)
""").format(
    tag=sql.Identifier(Tag._meta.db_table), link=sql.Identifier(ConversationTag._meta.db_table)
)


def tag_links_add(links: Sequence[tuple[int, str]]) -> None:
    """Tag each conversation ``links[i][0]`` with the tag named ``links[i][1]`` (created if
    new; a link already there is kept). Runs in the caller's transaction.

    New tags are inserted in name order, so concurrent ingests creating the same tags wait for
    each other in one order. A tag another transaction created and committed while this
    statement waited for it is not in the statement's snapshot: its name comes back, and its
    links are made by the next statement, which sees it.
    """
    pending = list(links)
    for _ in range(ATTEMPTS):
        if not pending:
            return
        missing = server_bound(
            _STATEMENT,
            [
                sorted({name for _, name in pending}),
                [pk for pk, _ in pending],
                [name for _, name in pending],
            ],
        )
        names = {name for (name,) in missing}
        pending = [(pk, name) for pk, name in pending if name in names]
    if pending:
        raise DatabaseError(f"tags {sorted({n for _, n in pending})} could not be linked")
