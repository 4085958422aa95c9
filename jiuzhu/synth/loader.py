"""Writing generated columns into the database by the fastest path each backend offers.

PostgreSQL gets ``COPY … FROM STDIN`` in text format; SQLite gets ``executemany`` inside the
caller's transaction. Table and column names come from the models' metadata, so a renamed column
cannot silently drift from what is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Max, Model

NULL = "\\N"


@dataclass(frozen=True)
class Const:
    """The same value in every row (version, timestamps, empty end dates)."""

    value: Any


Column = np.ndarray | Const


@dataclass
class Rows:
    """One chunk of one table, column by field ``attname``. Arrays must share length ``n``."""

    model: type[Model]
    columns: dict[str, Column]
    n: int


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def _complete(rows: Rows) -> list[tuple[Field[Any, Any], Column]]:
    """Every concrete field with its column; fields the generator does not know get their default,
    so a field added to a model later does not break the generator unless it is required."""
    out: list[tuple[Field[Any, Any], Column]] = []
    for field in _fields(rows.model):
        if field.attname in rows.columns:
            out.append((field, rows.columns[field.attname]))
        elif field.has_default() or field.null:
            out.append((field, Const(field.get_default())))
        else:
            raise ValueError(f"合成数据缺少必填字段：{rows.model.__name__}.{field.attname}")
    unknown = set(rows.columns) - {f.attname for f in _fields(rows.model)}
    if unknown:
        raise ValueError(f"合成数据含有模型中不存在的字段：{rows.model.__name__}.{sorted(unknown)}")
    return out


def _pg_text(conn: BaseDatabaseWrapper, field: Field[Any, Any], col: Column, n: int) -> Iterable[str]:
    # COPY text format: generated strings never contain tabs, newlines or backslashes.
    if isinstance(col, Const):
        value = field.get_db_prep_save(col.value, conn)
        if value is None:
            return repeat(NULL, n)
        return repeat("t" if value is True else "f" if value is False else str(value), n)
    if isinstance(col, np.ma.MaskedArray):
        return np.where(np.ma.getmaskarray(col), NULL, col.data.astype(str)).tolist()
    kind = col.dtype.kind
    if kind == "b":
        return np.where(col, "t", "f").tolist()
    if kind == "M":
        return np.where(np.isnat(col), NULL, col.astype(str)).tolist()
    if kind in "iu":
        return col.astype(str).tolist()
    return col.tolist()


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
    payload: str | list[tuple[Any, ...]]


def prepare(rows: Rows, conn: BaseDatabaseWrapper) -> Prepared:
    """Pure formatting (uses ``conn`` only for its vendor and value adapters), so it can run in a
    worker thread while the main thread's connection sends the previous chunk."""
    cols = _complete(rows)
    if conn.vendor == "postgresql":
        parts = [_pg_text(conn, f, c, rows.n) for f, c in cols]
        return Prepared(rows.model, "\n".join(map("\t".join, zip(*parts, strict=False))) + "\n")
    parts = [_py_values(conn, f, c, rows.n) for f, c in cols]
    return Prepared(rows.model, list(zip(*parts, strict=False)))


def send(prepared: Prepared) -> None:
    if not prepared.payload:
        return
    qn = connection.ops.quote_name
    table = qn(prepared.model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in _fields(prepared.model))
    with connection.cursor() as cursor:
        if isinstance(prepared.payload, str):
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(prepared.payload)
        else:
            marks = ", ".join(["%s"] * len(prepared.payload[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared.payload)


def write(rows: Rows) -> None:
    if rows.n:
        send(prepare(rows, connection))


def next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(models: list[type[Model]]) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(models: list[type[Model]]) -> None:
    """Fresh statistics, or the planner keeps believing the tables are empty."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
