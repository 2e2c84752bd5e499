"""Bulk writes for the ingest path, one level below the ORM.

Django's ``bulk_create`` prepares every field of every row in Python, and with client-side
binding (Django's default for psycopg) it also quotes every value into the SQL text, element by
element for arrays. At a few hundred messages a poll that was a large share of an ingest's CPU
time (bench/ingest_throughput.py). These statements send one typed array per column as a binary
parameter of a server-side bound statement, on Django's own connection and so inside the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import psycopg
from django.db import connection, models
from psycopg import sql

M = TypeVar("M", bound=models.Model)

# Fields whose Python value PostgreSQL takes as it is; any other field is prepared by Django.
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.FloatField,
          models.BooleanField, models.DateTimeField, models.ForeignKey)  # fmt: skip


def insert_rows(objs: Sequence[M]) -> Sequence[M]:
    """``bulk_create(objs)`` for new rows of one model: sets each object's primary key.

    The statement Django 5.2 builds (``INSERT … SELECT * FROM unnest(…) RETURNING id``, whose
    ids come back in row order), without the per-value work in Python.
    """
    if not objs:
        return objs
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = insert_columns(model, {f.name: [db_value(f, obj) for obj in objs] for f in fields})
    for obj, (pk,) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def server_bound(statement: sql.Composable, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one statement with binary parameters (``%b``) in the current transaction."""
    assert connection.in_atomic_block, "bulk writes run inside a service transaction"
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def db_value(field: models.Field, obj: models.Model) -> Any:
    """The value of ``field`` to store for ``obj``, as ``bulk_create`` would compute it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.pre_save(obj, add=True)
    value = getattr(obj, field.attname)
    if isinstance(field, _PLAIN):
        # Choices are str (or int) enums: psycopg would send an Enum member's name.
        return value.value if isinstance(value, Enum) else value
    return field.get_db_prep_save(value, connection)


def insert_columns(
    model: type[models.Model], columns: dict[str, Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """INSERT rows given column by column, as database values (no model instances): the
    statement of :func:`insert_rows` for callers that never need the objects. Columns left out
    take their database default; returns the new ids in row order."""
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    statement = sql.SQL("INSERT INTO {} ({}) SELECT * FROM unnest({}) RETURNING {}").format(
        sql.Identifier(meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
        sql.SQL(", ").join(
            sql.SQL("%b::{}[]").format(sql.SQL(f.db_type(connection))) for f in fields
        ),
        sql.Identifier(meta.pk.column),
    )
    return server_bound(statement, list(columns.values()))


def update_columns(
    model: type[models.Model], pks: Sequence[Any], columns: dict[str, Sequence[Any]]
) -> None:
    """UPDATE each row ``pks[i]`` to the i-th value of every column: one statement from arrays
    (``bulk_update`` builds a CASE WHEN per row and field in Python)."""
    if not pks:
        return
    server_bound(_update_statement(model, tuple(columns)), [list(pks), *columns.values()])


@cache
def _update_statement(model: type[models.Model], names: tuple[str, ...]) -> sql.Composed:
    """Composed once per model and columns (composing it took more CPU than sending it)."""
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    return sql.SQL(
        "UPDATE {table} AS r SET {sets} FROM unnest({arrays}) AS v(pk, {names}) WHERE r.{pk} = v.pk"
    ).format(
        table=sql.Identifier(meta.db_table),
        sets=sql.SQL(", ").join(
            sql.SQL("{} = v.{}").format(sql.Identifier(f.column), sql.Identifier(f.column))
            for f in fields
        ),
        arrays=sql.SQL(", ").join(
            sql.SQL("%b::{}[]").format(sql.SQL(f.db_type(connection))) for f in [meta.pk, *fields]
        ),
        names=sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
        pk=sql.Identifier(meta.pk.column),
    )
