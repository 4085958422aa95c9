"""Stage and merge: load a file into a temporary table shaped from a model, then move the rows that are
new into the model's table in one statement (PostgreSQL).

    stage = stage_open(FeedRecord, [("line", BigIntegerField()), "id_number", "date", "amount", "kind",
                                    "data", "row_key"])
    stage_copy(stage, "good.txt")                      # COPY text format (or format="csv")
    stage_delete(stage, "line", [7, 12])               # lines that turned out to be repeats
    copy_into(QuarantinedRow, ["batch", "row_number", "raw", "reasons"], "bad.csv", format="csv")
    added = stage_merge(stage, key=["feed", "row_key"], constants={"feed": "bank", "batch": batch.pk})
    refresh_statistics(FeedRecord, added)
    stage_clear(stage)

Every table and column name comes from the model's metadata; a staged column that is not a field of the
model (a line number) is declared with a Django field, whose database type it takes. A merge adds only
rows whose key is not in the table yet, so merging the same stage twice adds nothing: a crashed load is
resumed by running it again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, Model

from .write import concrete_field, generated, optional

Format = Literal["text", "csv"]
Source = str | os.PathLike[str] | IO[bytes]
StageColumn = str | tuple[str, Field[Any, Any]]  # a model field's name, or (column, field) of an extra one

ANALYZE_AFTER = 100_000  # rows a merge must add (and at least a tenth of the table) to re-sample it
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Stage:
    """An open staging table: its name, its columns in file order, and which of them are the model's."""

    model: type[Model]
    table: str  # unquoted; a temporary table of this session
    columns: list[tuple[str, Field[Any, Any]]]  # (column, field) in the order a file gives them
    fields: list[Field[Any, Any]]  # the staged columns that are fields of ``model``
    using: str = DEFAULT_DB_ALIAS

    @property
    def conn(self) -> BaseDatabaseWrapper:
        return connections[self.using]


def _postgres(conn: BaseDatabaseWrapper) -> None:
    if conn.vendor != "postgresql":
        raise NotSupportedError("暂存与合并需要 PostgreSQL（COPY 与临时表）")


def _column_type(field: Field[Any, Any], conn: BaseDatabaseWrapper) -> str:
    kind = field.db_type(conn)
    if kind is None:
        raise ValueError(f"{field!r} 没有数据库类型")
    # A primary key's type (an identity column, "serial") would number the staged rows itself.
    return {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}.get(kind, kind)


def stage_open(
    model: type[Model],
    fields: Sequence[StageColumn],
    *,
    name: str | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Stage:
    """An empty temporary table with ``fields`` in that order: model fields by name, typed as in the model
    (without its constraints), and extra columns as ``(column, Field())``. Named ``stage_<table>`` unless
    ``name`` says otherwise; one already open under that name in this session is replaced."""
    conn = connections[using]
    _postgres(conn)
    columns: list[tuple[str, Field[Any, Any]]] = []
    own: list[Field[Any, Any]] = []
    for spec in fields:
        if isinstance(spec, str):
            field = concrete_field(model, spec)
            columns.append((field.column, field))
            own.append(field)
        else:
            columns.append(spec)
    names = [c for c, _ in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"暂存表的列重复：{names}")
    stage = Stage(model, name or f"stage_{model._meta.db_table}", columns, own, using)
    qn = conn.ops.quote_name
    spec_sql = ", ".join(f"{qn(c)} {_column_type(f, conn)}" for c, f in columns)
    with conn.cursor() as cur:
        # Replaced rather than reused, so a stage of another shape under the same name cannot linger.
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{qn(stage.table)}")
        cur.execute(f"CREATE TEMP TABLE {qn(stage.table)} ({spec_sql})")
    return stage


def _copy_sql(table: str, columns: Sequence[str], fmt: Format, conn: BaseDatabaseWrapper) -> str:
    qn = conn.ops.quote_name
    options = " (FORMAT csv)" if fmt == "csv" else ""  # text is COPY's default
    return f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN{options}"


def _stream(conn: BaseDatabaseWrapper, sql: str, source: Source) -> None:
    """Send a file (a path or an open binary file) through COPY in blocks, never whole in memory."""
    with conn.cursor() as cur, cur.cursor.copy(sql) as copy:  # psycopg's own cursor, for COPY
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as fh:
                while block := fh.read(_BLOCK):
                    copy.write(block)
        else:
            while block := source.read(_BLOCK):
                copy.write(block)


def stage_copy(stage: Stage, source: Source, *, format: Format = "text") -> None:
    """COPY a file into the stage; its fields in the stage's column order. The text format (the default)
    parses faster than CSV; values are escaped as ``copytext`` says."""
    _postgres(stage.conn)
    _stream(stage.conn, _copy_sql(stage.table, [c for c, _ in stage.columns], format, stage.conn), source)


def copy_into(
    model: type[Model],
    fields: Sequence[str],
    source: Source,
    *,
    format: Format = "csv",
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """COPY a file straight into a model's table (rows that need no merge, such as refused lines kept for
    review); ``fields`` names the file's columns in order."""
    conn = connections[using]
    _postgres(conn)
    columns = [concrete_field(model, name).column for name in fields]
    _stream(conn, _copy_sql(model._meta.db_table, columns, format, conn), source)


def stage_delete(stage: Stage, column: str, values: Sequence[Any]) -> int:
    """Take the staged rows whose ``column`` is one of ``values`` out of the stage; how many went."""
    _postgres(stage.conn)
    if column not in {c for c, _ in stage.columns}:
        raise ValueError(f"暂存表没有列 {column}")
    qn = stage.conn.ops.quote_name
    with stage.conn.cursor() as cur:
        cur.execute(f"DELETE FROM {qn(stage.table)} WHERE {qn(column)} = ANY(%s)", [list(values)])
        return int(cur.rowcount)


def stage_clear(stage: Stage) -> None:
    """Empty the stage and keep it open."""
    with stage.conn.cursor() as cur:
        cur.execute(f"TRUNCATE {stage.conn.ops.quote_name(stage.table)}")


def stage_close(stage: Stage) -> None:
    """Drop the stage (it would go with the session anyway)."""
    with stage.conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{stage.conn.ops.quote_name(stage.table)}")


def _prep(field: Field[Any, Any], value: Any, conn: BaseDatabaseWrapper) -> Any:
    """A constant as the database takes it; a related field also takes the related instance."""
    if isinstance(value, Model) and isinstance(field, ForeignKey):
        value = getattr(value, field.target_field.attname)
    return field.get_db_prep_save(value, conn)


def merge_sql(
    stage: Stage, *, key: Sequence[str], constants: Mapping[str, Any] = {}
) -> tuple[str, list[Any]]:
    """The merge statement and its parameters (see ``stage_merge``)."""
    conn, model = stage.conn, stage.model
    qn = conn.ops.quote_name
    staged = {f.name: f for f in stage.fields}
    fixed = {(f := concrete_field(model, name)).name: (f, value) for name, value in constants.items()}
    both = set(staged) & set(fixed)
    if both:
        raise ValueError(f"字段既在暂存表中又给了常量：{sorted(both)}")
    for field in model._meta.concrete_fields:  # unstaged fields take their default, as in write.Rows
        if field.name in staged or field.name in fixed or generated(field) or field.null:
            continue
        if not optional(field):
            raise ValueError(f"合并缺少必填字段：{model.__name__}.{field.name}")
        fixed[field.name] = (field, field.get_default())
    insert = [qn(f.column) for f in staged.values()] + [qn(f.column) for f, _ in fixed.values()]
    select = [f"s.{qn(f.column)}" for f in staged.values()] + ["%s"] * len(fixed)
    params = [_prep(f, v, conn) for f, v in fixed.values()]
    match: list[str] = []
    for name in key:
        field = concrete_field(model, name)
        if field.name in fixed:
            match.append(f"t.{qn(field.column)} = %s")
            params.append(_prep(field, fixed[field.name][1], conn))
        elif field.name in staged:
            match.append(f"t.{qn(field.column)} = s.{qn(field.column)}")
        else:
            raise ValueError(f"合并键 {name} 既不在暂存表中也不是常量")
    target = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {target} ({', '.join(insert)}) SELECT {', '.join(select)} FROM {qn(stage.table)} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {' AND '.join(match)})"
    )
    return sql, params


def stage_merge(stage: Stage, *, key: Sequence[str], constants: Mapping[str, Any] = {}) -> int:
    """Insert the staged rows whose ``key`` (model field names) is not in the model's table yet; returns
    how many were added. ``constants`` gives fields that are the same for every row (the feed, the batch);
    a key field may be one of them. Fields neither staged nor given take their default. The stage must not
    hold one key twice (the table's unique constraint would refuse the whole merge): take repeats out
    first with ``stage_delete``.

    An anti-join (``NOT EXISTS``) rather than ``ON CONFLICT DO NOTHING``, whose speculative insertion cost
    about 40 % more per row on the feed import (13.9 s against 9.9 s for a million rows). The table lock
    keeps that safe: two merges, or a merge and the row-by-row path's inserts, wait for each other, so no
    row can appear between the check and the insert; reads go on."""
    _postgres(stage.conn)
    sql, params = merge_sql(stage, key=key, constants=constants)
    qn = stage.conn.ops.quote_name
    with stage.conn.cursor() as cur:
        cur.execute(f"LOCK TABLE {qn(stage.model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"ANALYZE {qn(stage.table)}")  # temporary tables get no statistics otherwise
        cur.execute(sql, params)
        return int(cur.rowcount)


def refresh_statistics(
    model: type[Model], loaded: int, *, at_least: int = ANALYZE_AFTER, using: str = DEFAULT_DB_ALIAS
) -> bool:
    """Re-sample a table after a load that changed it a lot: ``loaded`` new rows, at least ``at_least``
    and at least a tenth of what the table held. Until autovacuum gets to a freshly filled table
    PostgreSQL plans without statistics (a verification report took 70 ms instead of 20 after the first
    load of 22M facts); ANALYZE reads a fixed sample (about 1.3 s at that size). Whether it ran."""
    conn = connections[using]
    if conn.vendor != "postgresql" or loaded < at_least:
        return False
    table = conn.ops.quote_name(model._meta.db_table)
    with conn.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cur.fetchone()
        known = max(float(row[0]), 0.0) if row else 0.0  # -1 when never analysed
        if loaded < known / 10:
            return False
        cur.execute(f"ANALYZE {table}")
    return True
