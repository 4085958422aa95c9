"""The township verifies each hold (clear: paid; confirm: stopped with a reason), the county submits and
approves (refused while a hold is open); each change locked by version and kept to the jurisdiction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.payments.models import Payroll, PayrollHold, PayrollLine
from jiuzhu.payments.services.check import apply_hits
from jiuzhu.payments.services.holds import (
    hold_clear,
    hold_confirm,
    payroll_approve,
    payroll_submit,
)

from ..conftest import EAST_TOWN, WEST_TOWN, WEST_VILLAGE
from ..factories import new_user
from . import test_generate
from .test_check import hit, hits_table
from .test_generate import ent, generate, household

pytestmark = pytest.mark.django_db
county = test_generate.county
approver = test_generate.approver


@pytest.fixture
def held(county, approver) -> Any:
    east = household()
    west = household(WEST_VILLAGE, "6228480000000009")
    ent(east, amount="520.00")
    ent(west, amount="300.00")
    ent(household(account="6228480000000003"), amount="410.00")
    payroll = generate(approver)
    apply_hits(
        payroll,
        hits_table(
            [
                hit("death", east.head, east.pk, "k-death"),
                hit("vehicle_acquired", east.head, east.pk, "k-car"),
                hit("vehicle_acquired", west.head, west.pk, "k-west"),
            ]
        ),
        rules={"death", "vehicle_acquired"},
    )
    Payroll.objects.filter(pk=payroll.pk).update(status="holds")
    payroll.refresh_from_db()
    return payroll, east, west


def ctx_of(role: str, region: Any) -> AuditContext:
    return AuditContext(user=new_user(role=role, region=region))


def test_clearing_every_hold_of_a_line_pays_it_again(held, tree) -> None:
    payroll, east, _ = held
    worker = ctx_of("township_caseworker", tree[EAST_TOWN])
    death, car = PayrollHold.objects.filter(line__household=east).order_by("evidence_key")
    hold_clear(ctx=worker, hold_id=car.pk, version=car.version, reason="购车人为同名他人")
    line = PayrollLine.objects.get(payroll=payroll, household=east)
    assert line.status == "held"  # the death hold is still open
    hold_clear(ctx=worker, hold_id=death.pk, version=death.version, reason="户籍信息误报")
    line.refresh_from_db()
    assert line.status == "pending"
    death.refresh_from_db()
    assert (death.status, death.reason, death.decided_by_id) == ("cleared", "户籍信息误报", worker.user.pk)
    payroll.refresh_from_db()
    assert (payroll.held_count, payroll.held_amount) == (1, Decimal("300.00"))
    assert AuditEvent.objects.filter(object_type="payroll_line", object_id=str(line.pk)).count() == 2


def test_confirming_stops_the_line_with_its_reason(held, tree) -> None:
    payroll, east, _ = held
    worker = ctx_of("township_caseworker", tree[EAST_TOWN])
    death = PayrollHold.objects.get(evidence_key="k-death")
    with pytest.raises(ValidationFailed) as exc:
        hold_confirm(ctx=worker, hold_id=death.pk, version=death.version, reason="  ")
    assert "reason" in exc.value.errors
    hold_confirm(ctx=worker, hold_id=death.pk, version=death.version, reason="经核实已于11月3日死亡")
    line = PayrollLine.objects.get(payroll=payroll, household=east)
    assert line.status == "stopped"
    # The line's other hold is settled with it.
    assert set(line.holds.values_list("status", flat=True)) == {"confirmed"}
    payroll.refresh_from_db()
    # 300 (west, held) + 410 (pending); the stopped 520 is out.
    assert (payroll.lines_count, payroll.total_amount) == (2, Decimal("710.00"))
    assert (payroll.held_count, payroll.held_amount) == (1, Decimal("300.00"))


def test_a_hold_is_decided_once_and_by_its_own_township(held, tree) -> None:
    hold = PayrollHold.objects.get(evidence_key="k-west")
    with pytest.raises(NotFound):
        hold_clear(ctx=ctx_of("township_caseworker", tree[EAST_TOWN]), hold_id=hold.pk, version=1)
    with pytest.raises(PermissionDenied):
        hold_clear(ctx=ctx_of("village_assistant", tree[WEST_VILLAGE]), hold_id=hold.pk, version=1)
    worker = ctx_of("township_caseworker", tree[WEST_TOWN])
    with pytest.raises(Conflict):
        hold_clear(ctx=worker, hold_id=hold.pk, version=hold.version + 1)
    hold_clear(ctx=worker, hold_id=hold.pk, version=hold.version)
    with pytest.raises(Conflict):
        hold_confirm(ctx=worker, hold_id=hold.pk, reason="再次", version=None)


def test_submit_and_approve_wait_for_every_hold(held, tree, approver) -> None:
    payroll, _, _ = held
    county_ctx = AuditContext(user=approver)
    with pytest.raises(Conflict, match="3 条"):
        payroll_submit(ctx=county_ctx, payroll_id=payroll.pk)
    Payroll.objects.filter(pk=payroll.pk).update(status="submitted")
    with pytest.raises(Conflict, match="不能审批"):
        payroll_approve(ctx=county_ctx, payroll_id=payroll.pk)
    Payroll.objects.filter(pk=payroll.pk).update(status="holds")
    for hold in PayrollHold.objects.select_related("line"):
        town = EAST_TOWN if hold.line.township_id == EAST_TOWN else WEST_TOWN
        hold_clear(ctx=ctx_of("township_caseworker", tree[town]), hold_id=hold.pk)
    payroll.refresh_from_db()
    with pytest.raises(Conflict):
        payroll_submit(ctx=county_ctx, payroll_id=payroll.pk, version=payroll.version + 1)
    payroll = payroll_submit(ctx=county_ctx, payroll_id=payroll.pk, version=payroll.version)
    assert (payroll.status, payroll.submitted_by) == ("submitted", approver)
    with pytest.raises(PermissionDenied):
        payroll_approve(ctx=ctx_of("township_caseworker", tree[EAST_TOWN]), payroll_id=payroll.pk)
    payroll = payroll_approve(ctx=county_ctx, payroll_id=payroll.pk, version=payroll.version)
    assert (payroll.status, payroll.approved_by) == ("approved", approver)
    assert (payroll.lines_count, payroll.total_amount, payroll.held_count) == (3, Decimal("1230.00"), 0)
    # Nothing is decided on an approved payroll any more.
    with pytest.raises(Conflict):
        payroll_approve(ctx=county_ctx, payroll_id=payroll.pk)


def test_another_county_cannot_touch_the_payroll(held, tree) -> None:
    payroll, _, _ = held
    other = AuditContext(user=new_user(role="county_approver", region=tree["980102000000"]))
    with pytest.raises(NotFound):
        payroll_submit(ctx=other, payroll_id=payroll.pk)
    with pytest.raises(NotFound):
        payroll_approve(ctx=other, payroll_id=payroll.pk)
