"""How far to look for a search's newest matches by walking the list newest first.

A search page is the newest conversations whose words start with every word typed. Two ways to
find them:

- the full-text index (``conv_search``): PostgreSQL gathers every conversation holding a word
  that starts with each typed word and only then sorts the survivors by time. A prefix of a
  common word (a common first name) brings tens of thousands of entries: two common names took
  40 ms on 1,000,000 conversations (bench/conversations_list.py);
- the list's own index, newest first, checking each conversation's words: about 2 µs a row and
  it stops at a full page, so it wins when matches are dense and loses when they are rare.

PostgreSQL's statistics say how common each word is (``pg_stats.most_common_elems`` of the
search column, from ANALYZE). The walk is given as many rows as the index would read entries
divided by ``ENTRY_COST_RATIO``, the measured cost of a walked row over an index entry; if
it does not fill the page the index answers. So a search never costs much more than twice the
index alone, and a search for common words stops early. Rare words (not among the common
elements) go straight to the index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

# A walked row (index entry, heap visit, words checked) costs about six index entries gathered
# for a prefix (bench/conversations_list.py: 2.3 µs against 0.36 µs on the bench data).
ENTRY_COST_RATIO = 6
WALK_MIN = 500  # below this the walk is not worth its query
WALK_MAX = 20_000
STATS_TTL_SECONDS = 600  # ANALYZE runs when the table changes; its figures change slowly

_STATS_SQL = """
SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs
  FROM pg_class c
  LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname
                      AND s.attname = 'search_vector'
 WHERE c.oid = 'inbox_conversation'::regclass
"""


@dataclass(frozen=True, slots=True)
class WordStatistics:
    rows: float
    share: dict[str, float]  # common words: the share of conversations holding each
    read_at: float


_cached: WordStatistics | None = None
_lock = threading.Lock()


def _statistics() -> WordStatistics:
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached.read_at < STATS_TTL_SECONDS:
        return cached
    with _lock, connection.cursor() as cursor:
        if _cached is not None and _cached is not cached:  # read by another thread meanwhile
            return _cached
        cursor.execute(_STATS_SQL)
        rows, words, shares = cursor.fetchone()
        # The element frequencies end with three summary figures (min, max, null share).
        share = dict(zip(words or [], shares or [], strict=False))
        _cached = WordStatistics(max(float(rows), 0.0), share, time.monotonic())
        return _cached


def forget_statistics() -> None:
    """Read the statistics again on next use (after ANALYZE, in tests)."""
    global _cached
    _cached = None


def walk_budget(prefixes: Sequence[str]) -> int:
    """Rows to walk newest first before asking the full-text index; 0: ask it at once."""
    stats = _statistics()
    entries = 0.0
    for prefix in prefixes:
        share = sum(s for word, s in stats.share.items() if word.startswith(prefix))
        entries += min(share, 1.0) * stats.rows
    budget = int(entries / ENTRY_COST_RATIO)
    return min(budget, WALK_MAX) if budget >= WALK_MIN else 0
