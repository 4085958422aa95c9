"""The demo's integrity data on the small synthetic county: an application ended by the reviewer's
finding with the applicant's dishonesty record, an entitlement paid for months ended by the county's
finding with a recovery partly repaid and its notices; running it again changes nothing; deleting the
procedure's data removes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.benefits.engine.review import add_months
from jiuzhu.benefits.models import ConcealmentFinding, DishonestyRecord, OverpaymentRecovery
from jiuzhu.demo import program_integrity
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.synth import synth_county
from jiuzhu.workflow.models import Case, Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(db: None, tmp_path: Path) -> dict[str, Any]:
    county = synth_county(households=600, seed=3, progress=False, as_of=date(2026, 1, 1))
    layout = Layout(county.county_code, list(county.township_codes), list(county.village_codes))
    accounts = demo_accounts(
        county_code=layout.county_code,
        township_codes=layout.township_codes,
        village_codes=layout.village_codes,
    )
    demo_users_ensure([*accounts, *procedure_accounts(layout)], password="x-demo-password")
    demo_verification_data(
        layout=layout, seed=1, as_of=timezone.localdate(), folder=tmp_path, sample=20, log=lambda _: None
    )
    demo_procedure(layout=layout, log=lambda _: None)
    lines: list[str] = []
    program_integrity.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def test_the_integrity_demo(built: dict[str, Any]) -> None:
    assert program_integrity in MODULES
    today = timezone.localdate()
    terminated = Case.objects.get(outcome="terminated", events__action="terminate")
    assert terminated.state == "terminated"
    records = {r.person_id: r for r in DishonestyRecord.objects.all()}
    assert len(records) == 2 and terminated.applicant_id in records
    assert all(r.status == "in_force" and r.months == 36 for r in records.values())
    assert Notice.objects.filter(case=terminated, kind="concealment_termination").count() == 1
    recovery = OverpaymentRecovery.objects.get()
    # Concealed since the first of the month three months before this one, found today: 4 months.
    assert recovery.from_month == add_months(today.replace(day=1), -3) and recovery.months == 4
    assert recovery.amount_due == recovery.monthly_amount * 4
    assert recovery.status == "partly_collected"
    assert Decimal(0) < recovery.amount_collected < recovery.amount_due
    assert recovery.entitlement.status == "ended" and recovery.entitlement.end_month == today.replace(day=1)
    kinds = set(Notice.objects.filter(household=recovery.household).values_list("kind", flat=True))
    assert {"concealment_termination", "recovery_demand"} <= kinds
    assert "诚信" in built["log"][0] and "已退回" in built["log"][0]
    # Again: nothing new.
    lines: list[str] = []
    program_integrity.build(layout=built["layout"], log=lines.append)
    assert lines == ["  诚信：隐瞒收入财产认定已存在，沿用现有数据"]
    assert ConcealmentFinding.objects.count() == 2 and OverpaymentRecovery.objects.count() == 1
    # The procedure's delete takes the programs' rows first.
    procedure_delete(built["layout"].county_code)
    assert not ConcealmentFinding.objects.exists() and not DishonestyRecord.objects.exists()
    assert not OverpaymentRecovery.objects.exists() and not Case.objects.exists()
