"""The append-only guard on the audit table, as database triggers (installed by migration 0002)."""

from __future__ import annotations

from typing import Any

MESSAGE = "审计记录只能追加，不能修改或删除"

PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    """CREATE TRIGGER audit_auditevent_append_only
  BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_append_only()",
]
SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_{op.lower()} BEFORE {op} ON audit_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for op in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def guard_install(connection: Any) -> None:
    _run(connection, PG_INSTALL if connection.vendor == "postgresql" else SQLITE_INSTALL)


def guard_remove(connection: Any) -> None:
    _run(connection, PG_REMOVE if connection.vendor == "postgresql" else SQLITE_REMOVE)
