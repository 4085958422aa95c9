"""A run killed in the middle of its write (a subprocess SIGKILLed inside the transaction) leaves nothing
half-written; running it again resumes the same run, and the result equals one clean run.

PostgreSQL only: the subprocess must reach the test database (SQLite's is in this process's memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.monitoring.models import JobStatus, MonitoringRun, Warning, WarningEvidence
from jiuzhu.monitoring.services.runs import monitoring_run
from jiuzhu.regions.models import Region
from tests.conftest import COUNTY
from tests.factories import add_member, new_entitlement, new_household, new_policy
from tests.monitoring.test_extract import feed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the subprocess needs a shared database"),
]

AS_OF = date(2026, 11, 15)

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date

    import django

    django.setup()
    from jiuzhu.audit.services import AuditContext
    from jiuzhu.monitoring.services import runs
    from jiuzhu.regions.models import Region

    original = runs._write

    def killed_midway(run, rules, hits):
        original(run, rules, hits)  # every row written, the transaction not yet committed
        os.kill(os.getpid(), signal.SIGKILL)

    runs._write = killed_midway
    county = Region.objects.get(code=sys.argv[1])
    runs.monitoring_run(ctx=AuditContext.system(), as_of=date(2026, 11, 15), county=county)
    """
)


def _world(tree: dict[str, Region]) -> None:
    new_policy(dibao_standard_rural=Decimal("520"))
    for i in range(3):
        household = new_household()
        spouse = add_member(household, "spouse")
        new_entitlement(household, program="dibao")
        feed("police_death", household.head.id_number, date(2026, 10, 1 + i), kind="death", source="death")
        feed(
            "vehicle",
            spouse.id_number,
            date(2026, 9, 1 + i),
            "50000",
            kind="car",
            vehicle_type="car",
            event="buy",
            plate=f"皖A{i}",
        )


def _snapshot() -> list[tuple[object, ...]]:
    warnings = sorted(
        (w.rule, w.person_id, w.status, w.evidence_count, w.due_on) for w in Warning.objects.all()
    )
    evidence = sorted((e.rule, e.person_id, e.evidence_key) for e in WarningEvidence.objects.all())
    return [*warnings, *evidence]


def test_a_run_killed_in_its_write_resumes_to_the_clean_result(tree: dict[str, Region]) -> None:
    _world(tree)
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings.get('PASSWORD') or ''}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.test"}
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, COUNTY], env=env, cwd=root, capture_output=True, timeout=300
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    stuck = MonitoringRun.objects.get()
    assert (stuck.status, stuck.phase) == (JobStatus.RUNNING, "write")
    assert not Warning.objects.exists() and not WarningEvidence.objects.exists()

    # Three minutes later its heartbeat is stale: running again resumes it.
    MonitoringRun.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    county = Region.objects.get(code=COUNTY)
    resumed = monitoring_run(ctx=AuditContext.system(), as_of=AS_OF, county=county)
    assert resumed.run.pk == stuck.pk and resumed.run.attempts == 2
    assert resumed.run.counts["death"] == {"hits": 3, "new_evidence": 3, "new_warnings": 3}
    assert resumed.run.counts["vehicle_acquired"] == {"hits": 3, "new_evidence": 3, "new_warnings": 3}
    after_resume = _snapshot()

    # One clean run over the same data gives the same warnings and evidence.
    Warning.objects.all().update(first_run=None)
    WarningEvidence.objects.all().delete()
    Warning.objects.all().delete()
    MonitoringRun.objects.all().delete()
    clean = monitoring_run(ctx=AuditContext.system(), as_of=AS_OF, county=county)
    assert clean.run.attempts == 1
    assert _snapshot() == after_resume
    assert len(after_resume) == 12  # 6 warnings, 6 pieces of evidence
