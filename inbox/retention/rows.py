"""Set-based deletion for the retention job: one SQL statement per table and batch.

Django's ``QuerySet.delete()`` loads every message of a batch (all columns) and its related
rows into Python before deleting them, which made the job CPU-bound and slowed ingest and the
inbox beside it (docs/performance.md). Here the rows go top-down, one ``DELETE … WHERE fk =
ANY(ids) RETURNING id`` per table, following the models' own ``on_delete`` rules, read from
their metadata, so a model added later is covered without a change here:

- ``CASCADE``: its rows are deleted the same way (and their own dependants after them);
- ``SET_NULL``: the reference is cleared (the response intervals: metrics survive);
- ``DO_NOTHING``: left alone;
- ``PROTECT`` / ``RESTRICT`` and the rest: not handled here; the foreign-key constraint refuses
  the batch at commit, so nothing is lost.

Svar's foreign keys are ``DEFERRABLE INITIALLY DEFERRED`` (Django's default on PostgreSQL), so a
parent may go before its dependants within the transaction; the constraint checks at commit
see the whole batch gone. Deleted rows with file fields (media, reply attachments) report their
stored files' paths (the files are removed after the commit, ``inbox.retention.media``) and,
where the row records it (a ``size`` field), the first file's size in bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models.deletion import get_candidate_relations_to_delete


@dataclass
class Deleted:
    """What a deletion took: rows per model label, the stored files left to remove (every
    file field of the deleted rows: media, thumbnails, reply attachments) and the recorded
    size of those that have one, by path (a thumbnail's size is not recorded)."""

    counts: Counter = field(default_factory=Counter)
    media_paths: list[str] = field(default_factory=list)
    media_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def media_bytes(self) -> int:
        return sum(self.media_sizes.values())


def _dependants(model: type[models.Model]) -> list[tuple[type[models.Model], str, object]]:
    """(model, column, on_delete) of every foreign key pointing at ``model``."""
    return [
        (rel.related_model, rel.field.column, rel.on_delete)
        for rel in get_candidate_relations_to_delete(model._meta)
    ]


def rows_delete(model: type[models.Model], column: str, keys: Sequence[int], out: Deleted) -> None:
    """Delete the rows of ``model`` whose ``column`` is one of ``keys``, and what depends on
    them, inside the caller's transaction; adds what went to ``out``."""
    if not keys:
        return
    table, pk = model._meta.db_table, model._meta.pk.column
    files = [f.column for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    sized = bool(files) and any(f.column == "size" for f in model._meta.concrete_fields)
    returning = ", ".join(f'"{name}"' for name in [pk, *files, *(["size"] if sized else [])])
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{table}" WHERE "{column}" = ANY(%s) RETURNING {returning}', [list(keys)]
        )
        rows = cursor.fetchall()
    out.counts[model._meta.label] += len(rows)
    out.media_paths += [path for row in rows for path in row[1 : 1 + len(files)] if path]
    if sized:  # the size is the first file field's (Media: the file, not its thumbnail)
        out.media_sizes.update((row[1], row[-1] or 0) for row in rows if row[1])
    deleted = [row[0] for row in rows]
    for dependant, fk_column, on_delete in _dependants(model):
        if on_delete is models.CASCADE:
            rows_delete(dependant, fk_column, deleted, out)
        elif on_delete is models.SET_NULL:
            _clear(dependant, fk_column, deleted)


def _clear(model: type[models.Model], column: str, keys: Sequence[int]) -> None:
    if keys:
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{model._meta.db_table}" SET "{column}" = NULL WHERE "{column}" = ANY(%s)',
                [list(keys)],
            )
