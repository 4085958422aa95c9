from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def checkpoint_log(settings, tmp_path: Path) -> Path:
    """Each test gets a key file and a checkpoint log of its own: the database is rolled back between
    tests, files are not."""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    settings.AUDIT_CHECKPOINT_LOG = tmp_path / "audit-checkpoints.log"
    return settings.AUDIT_CHECKPOINT_LOG
