"""A model's rows written from columns by the fastest path each backend offers.

PostgreSQL gets ``COPY … FROM STDIN`` in text format; SQLite gets ``executemany`` inside the caller's
transaction. A chunk is given column by column (numpy arrays, or one constant for every row), so turning
millions of values into COPY text is numpy's work, not a Python loop per row. Table and column names come
from the model's metadata, so a renamed column cannot silently drift from what is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, JSONField, Max, Model
from django.db.models.fields import AutoFieldMixin

from .copytext import NULL, copy_text, copy_texts


@dataclass(frozen=True)
class Const:
    """The same value in every row (version, timestamps, empty end dates)."""

    value: Any


Column = np.ndarray | Const


@dataclass
class Rows:
    """One chunk of one table, column by field ``attname``. Arrays must share length ``n``.

    Array kinds: booleans, integers, floats, ``datetime64`` (NaT is NULL), strings (``U``), a masked
    integer array (masked is NULL), and object arrays of values whose ``str`` the database takes (None
    is NULL). Fields not given get their default; strings are escaped for COPY only where they need it."""

    model: type[Model]
    columns: dict[str, Column]
    n: int


def model_fields(model: type[Model]) -> list[Field[Any, Any]]:
    """The model's concrete fields: the columns of its table, in declaration order."""
    return list(model._meta.concrete_fields)


def optional(field: Field[Any, Any]) -> bool:
    """Whether a writer may leave ``field`` out: it then gets ``field.get_default()``, as a model instance
    built without it would (its default, NULL, or an empty string for a blank text field)."""
    return field.has_default() or field.null or (field.blank and field.empty_strings_allowed)


def generated(field: Field[Any, Any]) -> bool:
    """A primary key the database numbers itself when a writer leaves it out."""
    return field.primary_key and isinstance(field, AutoFieldMixin)


def _complete(rows: Rows) -> list[tuple[Field[Any, Any], Column]]:
    """The fields written, each with its column: those given, and the defaults of the others, so that a
    field added to a model later does not break a writer unless it is required. A primary key left out
    is left to the database's sequence."""
    fields = model_fields(rows.model)
    out: list[tuple[Field[Any, Any], Column]] = []
    for field in fields:
        if field.attname in rows.columns:
            out.append((field, rows.columns[field.attname]))
        elif generated(field):
            continue
        elif optional(field):
            out.append((field, Const(field.get_default())))
        else:
            raise ValueError(f"批量写入缺少必填字段：{rows.model.__name__}.{field.attname}")
    unknown = set(rows.columns) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"批量写入含有模型中不存在的字段：{rows.model.__name__}.{sorted(unknown)}")
    return out


def _const_text(conn: BaseDatabaseWrapper, field: Field[Any, Any], value: Any) -> str:
    if value is not None and isinstance(field, JSONField):
        return copy_text(json.dumps(value, cls=field.encoder))  # the adapter object has no text form
    value = field.get_db_prep_save(value, conn)
    if value is None:
        return NULL
    return "t" if value is True else "f" if value is False else copy_text(str(value))


def _pg_text(conn: BaseDatabaseWrapper, field: Field[Any, Any], col: Column, n: int) -> Iterable[str]:
    if isinstance(col, Const):
        return repeat(_const_text(conn, field, col.value), n)
    if isinstance(col, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(col), NULL, col.data.astype(str)).tolist()
    kind = col.dtype.kind
    if kind == "b":
        return np.where(col, "t", "f").tolist()
    if kind == "M":
        return np.where(np.isnat(col), NULL, col.astype(str)).tolist()
    if kind in "iuf":
        return col.astype(str).tolist()
    if kind == "O":
        return [NULL if v is None else copy_text(str(v)) for v in col.tolist()]
    return copy_texts(col.tolist())


def _py_values(conn: BaseDatabaseWrapper, field: Field[Any, Any], col: Column, n: int) -> Iterable[Any]:
    if isinstance(col, Const):
        return repeat(field.get_db_prep_save(col.value, conn), n)
    if isinstance(col, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(col), np.array(None), col.data.astype(object)).tolist()
    kind = col.dtype.kind
    if kind == "b":
        return col.astype(np.int8).tolist()
    if kind == "M":
        return np.where(np.isnat(col), np.array(None), col.astype(str).astype(object)).tolist()
    return col.tolist()


@dataclass
class Prepared:
    """Rows in the form the backend takes: COPY text for PostgreSQL, tuples for the rest."""

    model: type[Model]
    columns: list[str]  # the table's column names, in payload order
    payload: str | list[tuple[Any, ...]]


def prepare(rows: Rows, conn: BaseDatabaseWrapper) -> Prepared:
    """Pure formatting (uses ``conn`` only for its vendor and value adapters), so it can run in a worker
    thread while the main thread's connection sends the previous chunk."""
    cols = _complete(rows)
    names = [f.column for f, _ in cols]
    if conn.vendor == "postgresql":
        parts = [_pg_text(conn, f, c, rows.n) for f, c in cols]
        return Prepared(rows.model, names, "\n".join(map("\t".join, zip(*parts, strict=False))) + "\n")
    parts = [_py_values(conn, f, c, rows.n) for f, c in cols]
    return Prepared(rows.model, names, list(zip(*parts, strict=False)))


def concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    """A field of the model's table, by name or attname ("batch" or "batch_id"); anything else (an
    unknown name, a reverse relation, a many-to-many) is refused."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, Field) or not field.concrete or not field.column:
        raise ValueError(f"{model.__name__}.{name} 不是数据表中的列")
    return field


def insert_sql(
    model: type[Model],
    fields: list[str],
    *,
    skip_existing: bool = False,
    conn: BaseDatabaseWrapper | None = None,
) -> str:
    """``INSERT INTO <table> (<columns>) VALUES (%s, …)`` for ``executemany``, names from the model's
    metadata (fields by name or attname). ``skip_existing``: a row that breaks a unique constraint is
    skipped instead of failing the statement (``OR IGNORE`` on SQLite, ``ON CONFLICT DO NOTHING`` on
    PostgreSQL)."""
    conn = conn or connection
    qn = conn.ops.quote_name
    columns = [qn(concrete_field(model, name).column) for name in fields]
    verb, tail = "INSERT", ""
    if skip_existing:
        verb, tail = (
            ("INSERT OR IGNORE", "") if conn.vendor == "sqlite" else ("INSERT", " ON CONFLICT DO NOTHING")
        )
    marks = ", ".join(["%s"] * len(columns))
    return f"{verb} INTO {qn(model._meta.db_table)} ({', '.join(columns)}) VALUES ({marks}){tail}"


def send(prepared: Prepared) -> None:
    """Write prepared rows into the model's table, on this thread's connection."""
    if not prepared.payload:
        return
    qn = connection.ops.quote_name
    table = qn(prepared.model._meta.db_table)
    columns = ", ".join(qn(c) for c in prepared.columns)
    with connection.cursor() as cursor:
        if isinstance(prepared.payload, str):
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(prepared.payload)
        else:
            marks = ", ".join(["%s"] * len(prepared.columns))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared.payload)


def write(rows: Rows) -> None:
    """Prepare and send one chunk (where no worker thread formats ahead)."""
    if rows.n:
        send(prepare(rows, connection))


def next_id(model: type[Model]) -> int:
    """The first free primary key, for a writer that assigns ids itself."""
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(models: list[type[Model]]) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(models: list[type[Model]]) -> None:
    """Fresh statistics, or the planner keeps believing the tables are empty (PostgreSQL; a no-op
    elsewhere)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """``n`` primary keys for rows a writer will insert with their ids given (so that rows of other
    tables can point at them before they are written). PostgreSQL draws them from the table's sequence,
    which other writers share, so no one else can take them; elsewhere (SQLite, whose writers take turns)
    they follow the largest id, and must be written in the same transaction."""
    if n <= 0:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        column = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, n],
            )
            return [int(r[0]) for r in cursor.fetchall()]
    first = next_id(model)
    return list(range(first, first + n))
