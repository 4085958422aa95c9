"""The pre-payment comparison through the real monitoring run (I2): facts in the feeds hold the lines of
the deceased and of the new car owner's household with the warnings they raised; the others are paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.monitoring.models import MonitoringRun, Warning
from jiuzhu.payments.models import PayrollHold, PayrollLine
from jiuzhu.payments.services.check import payroll_check
from tests.monitoring.test_extract import feed

from ..factories import add_member
from . import test_generate
from .test_generate import ent, generate, household

pytestmark = pytest.mark.django_db
county = test_generate.county
approver = test_generate.approver


def test_the_month_s_comparison_holds_the_deceased_and_the_new_car_owner(county, approver) -> None:
    dead, car, clean = (
        household(),
        household(account="6228480000000002"),
        household(account="6228480000000003"),
    )
    buyer = add_member(car, "spouse")
    ent(dead, amount="520.00")
    ent(car, amount="300.00")
    ent(clean, amount="410.00")
    feed("police_death", dead.head.id_number, date(2026, 11, 3), kind="death", source="death")
    feed(
        "vehicle",
        buyer.id_number,
        date(2026, 10, 5),
        "80000",
        kind="car",
        vehicle_type="car",
        event="buy",
        plate="皖A1",
    )
    payroll = generate(approver)
    payroll = payroll_check(ctx=AuditContext(user=approver), payroll_id=payroll.pk)
    assert payroll.status == "holds"
    assert (payroll.held_count, payroll.held_amount) == (2, Decimal("820.00"))
    run = MonitoringRun.objects.get(pk=payroll.check_run_id)
    assert (run.kind, run.region_id, run.status) == ("pre_payment", payroll.region_id, "done")
    death = PayrollHold.objects.get(line__household=dead)
    assert death.rule == "death" and death.warning is not None
    assert death.warning == Warning.objects.get(rule="death", person=dead.head)
    vehicle = PayrollHold.objects.get(line__household=car)
    assert vehicle.rule == "vehicle_acquired" and vehicle.warning.person_id == buyer.pk
    assert PayrollLine.objects.get(payroll=payroll, household=clean).status == "pending"
    job = payroll.jobs.get(kind="check")
    assert job.status == "done" and job.result["holds_added"] == 2
    # Run again: the same evidence, nothing new.
    payroll = payroll_check(ctx=AuditContext(user=approver), payroll_id=payroll.pk)
    assert PayrollHold.objects.count() == 2 and payroll.status == "holds"
