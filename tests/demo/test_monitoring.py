"""The demo's monitoring and payroll data on the small synthetic county: facts about the first township's
assisted households raise warnings in a county run; the month's 低保 payroll holds the deceased member's
household and the car owner's, the first hold confirmed (line stopped) and the second cleared, approved,
exported and reconciled with two lines failed; the caseworker's warnings closed in each of the four
outcomes, one verified and pending, one escalated; the village assistant has a lead; running it again
changes nothing; deleting the procedure's data removes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.demo import monitoring, program_migrate
from jiuzhu.demo.build import Layout, demo_accounts, demo_users_ensure, demo_verification_data
from jiuzhu.demo.procedure import demo_procedure, procedure_accounts, procedure_delete
from jiuzhu.demo.programs import MODULES
from jiuzhu.monitoring.models import MonitoringRun, Warning
from jiuzhu.payments.models import BankReturn, Payroll, PayrollHold, PayrollLine
from jiuzhu.synth import synth_county

pytestmark = pytest.mark.django_db

# The demo drives the services of every part of monitoring and payment.
for _needed in (
    "jiuzhu.monitoring.services.runs",
    "jiuzhu.monitoring.services.warnings",
    "jiuzhu.payments.services.generate",
    "jiuzhu.payments.services.check",
    "jiuzhu.payments.services.holds",
    "jiuzhu.payments.services.bank",
):
    pytest.importorskip(_needed)


@pytest.fixture
def built(db: None, tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.VAR_DIR = tmp_path
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
    # The migrated 存量 entitlements give the first township enough assisted households.
    program_migrate.build(layout=layout, log=lambda _: None)
    lines: list[str] = []
    monitoring.build(layout=layout, log=lines.append)
    return {"layout": layout, "log": lines}


def test_the_monitoring_demo(built: dict[str, Any]) -> None:
    assert monitoring in MODULES and MODULES[-1] is monitoring
    layout: Layout = built["layout"]
    town1 = layout.township_codes[0]
    assert MonitoringRun.objects.filter(kind="monitor", status="done").count() == 1
    homes = monitoring._assisted_households(
        __import__("jiuzhu.regions.models", fromlist=["Region"]).Region.objects.get(code=town1)
    )
    dead, car = homes[0][0], homes[1][0]

    # The month's payroll: both households held, the deceased's line stopped, the car owner's cleared
    # and paid; two lines failed at the bank; reconciled.
    payroll = Payroll.objects.get(program="dibao", month=timezone.localdate().replace(day=1))
    assert payroll.status == "reconciled"
    holds = PayrollHold.objects.filter(line__payroll=payroll)
    held_homes = set(holds.values_list("line__household_id", flat=True))
    assert {dead.pk, car.pk} <= held_homes
    assert not holds.filter(status="held").exists()
    assert PayrollLine.objects.get(payroll=payroll, household=dead).status == "stopped"
    assert PayrollLine.objects.get(payroll=payroll, household=car).status == "paid"
    lines = PayrollLine.objects.filter(payroll=payroll)
    assert lines.filter(status="failed").count() == 2
    assert BankReturn.objects.filter(payroll=payroll).count() == 1

    # The caseworker's warnings: the four outcomes, one verified and pending, one escalated.
    closed = Warning.objects.filter(status="closed")
    assert set(closed.values_list("outcome", flat=True)) == {"assist", "adjust", "stop", "dismiss"}
    assert Warning.objects.get(household=dead, rule="death").outcome == "stop"
    assert Warning.objects.get(household=car, rule="vehicle_acquired").outcome == "adjust"
    assert Warning.objects.filter(status="verified", rule="detained").count() == 1
    escalated = Warning.objects.filter(escalated_at__isnull=False, status="open")
    assert escalated.filter(rule="property_acquired").count() == 1
    # The village assistant's lead (a low-income family's large medical bill).
    assert Warning.objects.filter(purpose="lead", rule="medical_expense_lead").exists()
    assert any("发放名册" in line for line in built["log"])

    # Each new page has something for the demo user whose work it is.
    client = Client()
    for username, url, text in [
        ("approver", "/monitoring/runs/", "监测"),
        ("caseworker", "/monitoring/warnings/", "预警"),
        ("village", "/monitoring/warnings/", "线索"),
        ("approver", "/payments/payrolls/", "低保"),
    ]:
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode()

    # Again: nothing new.
    again: list[str] = []
    monitoring.build(layout=layout, log=again.append)
    assert again == ["  动态监测：监测批次已存在，沿用现有数据"]
    assert Payroll.objects.count() == 1

    # The procedure's delete takes the monitoring and payroll rows first.
    procedure_delete(layout.county_code)
    assert not Warning.objects.exists() and not Payroll.objects.exists()
    assert not MonitoringRun.objects.exists()
