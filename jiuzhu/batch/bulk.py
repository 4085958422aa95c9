"""PostgreSQL bulk mode: load with foreign keys and secondary indexes dropped, then rebuild them.

Sorting once to build an index is far cheaper than millions of random inserts into it, a foreign
key re-added is checked by one join instead of one trigger per row, and deleting millions of rows
fires no per-row checks. Everything happens in the caller's transaction, so a failure leaves the
schema as it was; the tables are locked meanwhile, which suits a batch load, not a live registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model

# Foreign keys from or to the tables: incoming ones (other apps' rows pointing at persons and
# households) are dropped too, or every deleted person costs one check per referencing table.
_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))
"""
# Secondary indexes, with the unique constraint they back if any; an index that a foreign key
# elsewhere depends on cannot be dropped and is left alone.
_INDEXES = """
SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname
FROM pg_index i
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype = 'u'
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
"""


@contextmanager
def bulk_mode(models: list[type[Model]], *, use: bool) -> Iterator[None]:
    """Drop foreign keys and secondary indexes of ``models`` for the block when ``use`` is set."""
    qn = connection.ops.quote_name
    tables = [qn(m._meta.db_table) for m in models]
    if not use or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # A table with pending deferred checks (the regions just written) cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_FOREIGN_KEYS, [tables, tables])
        fks = cursor.fetchall()
        cursor.execute(_INDEXES, [tables])
        indexes = cursor.fetchall()
        for table, name, _ in fks:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for table, index, _, constraint in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(constraint)}")
            else:
                cursor.execute(f"DROP INDEX {index}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, index, definition, constraint in indexes:
            cursor.execute(definition)
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {qn(constraint)} UNIQUE USING INDEX {index}"
                )
        for table, name, definition in fks:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are initially deferred
