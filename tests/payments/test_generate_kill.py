"""Kill-and-resume: ``jiuzhu payroll generate`` killed (SIGKILL) after its first chunk of lines has
committed, then run again once its heartbeat has gone stale, leaves exactly one payroll with one line per
entitlement and the amounts of a clean run. PostgreSQL only (the command runs in another process, which
must see the test's committed rows; SQLite's test database lives in memory)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.payments.models import Payroll, PayrollJob, PayrollLine
from jiuzhu.payments.services.generate import payroll_generate

from ..conftest import COUNTY
from ..factories import new_entitlement, new_household, new_policy, new_user

pytestmark = pytest.mark.django_db(transaction=True)


def _command(user: str) -> list[str]:
    args = ["payroll", "generate", "--county", COUNTY, "--program", "dibao", "--month", "2026-11"]
    return [
        sys.executable,
        "-c",
        "from jiuzhu.cli import main; main()",
        *args,
        "--user",
        user,
        "--no-progress",
    ]


def test_a_killed_generation_is_finished_by_running_it_again(tree) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the command runs in another process: PostgreSQL only")
    new_policy()
    amounts = ["520.00", "300.00", "410.00", "260.00", "150.00"]
    ents = [new_entitlement(new_household(), amount=a, start_month=date(2026, 1, 1)) for a in amounts]
    approver = new_user(role="county_approver", region=tree[COUNTY])
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.test",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}:{settings.get('PASSWORD') or ''}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        "JIUZHU_PAYROLL_CHUNK": "2",
        "JIUZHU_PAYROLL_PAUSE": "60",
    }
    proc = subprocess.Popen(
        _command(approver.username), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the command pauses after its first chunk has committed
        assert line.startswith("PAYROLL-CHUNK 2"), (
            line,
            proc.stderr.read() if proc.poll() is not None else "",
        )
    finally:
        proc.kill()
        proc.wait(timeout=30)
    payroll = Payroll.objects.get()
    job = PayrollJob.objects.get(payroll=payroll)
    assert (job.status, job.attempts) == ("running", 1)
    assert PayrollLine.objects.filter(payroll=payroll).count() == 2
    # While its heartbeat is fresh the job is taken as running elsewhere; once stale, it resumes.
    from jiuzhu.core.errors import Conflict

    ctx = AuditContext(user=approver)
    with pytest.raises(Conflict):
        payroll_generate(ctx=ctx, county_code=COUNTY, program="dibao", month=date(2026, 11, 1))
    PayrollJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    payroll = payroll_generate(ctx=ctx, county_code=COUNTY, program="dibao", month=date(2026, 11, 1))
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert Payroll.objects.count() == 1
    lines = PayrollLine.objects.filter(payroll=payroll)
    assert sorted(lines.values_list("entitlement_id", flat=True)) == sorted(e.pk for e in ents)
    assert (payroll.lines_count, payroll.total_amount) == (5, Decimal("1640.00"))
    assert sorted(str(a) for a in lines.values_list("amount", flat=True)) == sorted(amounts)
