from datetime import UTC
from pathlib import Path

import pytest
from django.db import connection

from jiuzhu.audit.chain import canonical
from jiuzhu.audit.guard import guard_remove
from jiuzhu.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def checkpoint_log(settings, tmp_path: Path) -> Path:
    """Each test gets a key file and a checkpoint log of its own: the database is rolled back between
    tests, files are not."""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    settings.AUDIT_CHECKPOINT_LOG = tmp_path / "audit-checkpoints.log"
    return settings.AUDIT_CHECKPOINT_LOG


def guard_disable() -> None:
    """Take the append-only triggers out of the way for the rest of the test (until its transaction
    rolls back), as an attacker with DBA rights would, before tampering with the chain."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
    else:
        guard_remove(connection)


def line_content(e: AuditEvent) -> str:
    """A stored line's canonical content, through the chain's own function, as a forger would rebuild it
    (after changing the row) to recompute its hash."""
    return canonical(
        seq=e.seq,
        at=e.at.astimezone(UTC),
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        region_code=e.region_code,
        ip=e.ip,
        channel=e.channel,
        detail=e.detail,
    )
