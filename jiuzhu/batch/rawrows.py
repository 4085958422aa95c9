"""Model instances from hand-written SQL, converted exactly as the ORM converts them.

For the few reads on a hot path where compiling the ORM query costs more than running it (see
docs/decisions.md, "Raw SQL on the report's hot path"). The SQL names its columns through ``columns``,
so a renamed column or a new field follows the model; values pass through the same converters the ORM
applies (SQLite's decimals, aware datetimes, JSON), so both databases give the same instances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


class RowLoader(Generic[M]):
    """Loads one model's columns from a slice of a row; the table is addressed by ``alias``."""

    def __init__(self, model: type[M], alias: str, only: Sequence[str] = ()) -> None:
        """``only``: load these fields (and the primary key), deferring the rest, as ``QuerySet.only``."""
        self.model = model
        self.alias = alias
        self.fields: list[Field[Any, Any]] = [
            f for f in model._meta.concrete_fields if not only or f.primary_key or f.name in only
        ]
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    @property
    def width(self) -> int:
        return len(self.fields)

    @cached_property
    def columns(self) -> str:
        """The select list, once: PostgreSQL and SQLite quote names alike."""
        qn = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)

    def _converters_for(self, conn: Any) -> list[tuple[int, list[Converter], Any]]:
        if conn.vendor not in self._converters:
            out = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.alias)
                found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if found:
                    out.append((i, found, col))
            self._converters[conn.vendor] = out
        return self._converters[conn.vendor]

    def values(self, row: Sequence[Any], start: int = 0) -> list[Any]:
        """The fields' values in order, converted; no instance (cheaper where a few values will do)."""
        conn = connections[DEFAULT_DB_ALIAS]  # resolved once: the ``connection`` proxy looks it up per use
        values = list(row[start : start + self.width])
        for i, converters, col in self._converters_for(conn):
            for convert in converters:
                values[i] = convert(values[i], col, conn)
        return values

    def load(self, row: Sequence[Any], start: int = 0) -> M:
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, self.values(row, start))


def fetch_together(statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each read statement, in order. On PostgreSQL they travel in one round trip: Django's
    client-side binding sends them as one query, and each result is read in turn (READ COMMITTED gives
    each statement its own snapshot, as separate queries would have). SQLite runs them one by one, and
    so does PostgreSQL with server-side binding. A failing statement raises, as it would alone."""
    results: list[list[tuple[Any, ...]]] = []
    # Server-side binding (an option of Django's PostgreSQL backend) prepares each query, and a prepared
    # statement holds one command: then they go one by one, as on SQLite.
    together = connection.vendor == "postgresql" and not connection.settings_dict.get("OPTIONS", {}).get(
        "server_side_binding"
    )
    with connection.cursor() as cur:
        if not together:
            for sql, params in statements:
                cur.execute(sql, params)
                results.append(cur.fetchall())
            return results
        cur.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        results.append(cur.fetchall())
        while cur.nextset():
            results.append(cur.fetchall())
    return results
