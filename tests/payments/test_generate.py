"""Payroll generation: which entitlements get a line, the months each line pays (current, arrears,
prorated, taper, carried), the amount in force, deductions, idempotence. Figures computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import EntitlementEvent
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.payments.models import Payroll, PayrollJob, PayrollLine
from jiuzhu.payments.services.generate import payroll_generate, prorated

from ..conftest import COUNTY, EAST_TOWN, EAST_VILLAGE, WEST_TOWN, WEST_VILLAGE
from ..factories import add_member, new_entitlement, new_household, new_policy, new_user

pytestmark = pytest.mark.django_db

NOV = date(2026, 11, 1)


@pytest.fixture
def county(tree: Any) -> Any:
    new_policy()
    return tree[COUNTY]


@pytest.fixture
def approver(county: Any) -> Any:
    return new_user(role="county_approver", region=county)


def household(village: str = EAST_VILLAGE, account: str = "6228480000000001") -> Any:
    from jiuzhu.regions.models import Region

    return new_household(region=Region.objects.get(code=village), bank_name="农业银行", bank_account=account)


def ent(h: Any = None, *, amount: str = "520.00", start: date = date(2026, 1, 1), **kw: Any) -> Any:
    kw.setdefault("decided_on", date(start.year, start.month, 10))
    return new_entitlement(h or household(), amount=amount, start_month=start, **kw)


def generate(user: Any, month: date = NOV, program: str = "dibao") -> Payroll:
    return payroll_generate(ctx=AuditContext(user=user), county_code=COUNTY, program=program, month=month)


def line_of(payroll: Payroll, e: Any) -> PayrollLine:
    return PayrollLine.objects.get(payroll=payroll, entitlement=e)


def kinds(line: PayrollLine) -> list[tuple[str, str, str]]:
    return [(m["month"], m["kind"], m["amount"]) for m in line.computation["months"]]


def test_lines_for_live_monthly_entitlements_of_the_county_and_program(county, approver, tree) -> None:
    a = ent(household(account="6228480000000001"), amount="520.00")
    b = ent(household(EAST_VILLAGE, "6228480000000002"), amount="300.00")
    c = ent(household(WEST_VILLAGE, "6228480000000003"), amount="410.00")
    ent(amount="200.00", status="suspended")
    ent(amount="200.00", status="ended", end_month=date(2026, 10, 1))
    ent(amount="200.00", start=date(2026, 12, 1))  # starts after the month
    ent(amount="200.00", payment="once")
    ent(amount="200.00", program="tekun")
    from jiuzhu.regions.models import Region

    new_policy(region_code="980102000000")
    ent(household("980102001001"), amount="999.00")  # another county
    payroll = generate(approver)
    assert sorted(payroll.lines.values_list("entitlement_id", flat=True)) == sorted([a.pk, b.pk, c.pk])
    assert (payroll.lines_count, payroll.total_amount) == (3, Decimal("1230.00"))
    la = line_of(payroll, a)
    assert kinds(la) == [("2026-11", "current", "520.00")]
    assert (la.base_amount, la.arrears_amount, la.deduction_amount, la.amount) == (
        Decimal("520.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("520.00"),
    )
    assert la.person_id == a.household.head_id and la.holder_name == a.household.head.name
    assert (la.bank_name, la.bank_account, la.id_number) == (
        "农业银行",
        "6228480000000001",
        a.household.head.id_number,
    )
    assert (la.township_id, la.region_id) == (EAST_TOWN, EAST_VILLAGE)
    assert line_of(payroll, c).township_id == WEST_TOWN
    assert la.decision_id_ref == a.decision_id and la.computation["decision"] == a.decision_id
    assert la.computation["entitlement_amount"] == "520.00"
    assert Region.objects.get(code=COUNTY) == payroll.region
    job = payroll.jobs.get()
    assert (job.kind, job.status, job.progress_done, job.progress_total) == ("generate", "done", 3, 3)
    assert payroll.status == "draft"


def test_a_person_entitlement_pays_the_person(county, approver) -> None:
    h = household()
    child = add_member(h)
    e = ent(h, amount="600.00", program="tekun", person=child)
    payroll = generate(approver, program="tekun")
    line = line_of(payroll, e)
    assert (line.person_id, line.holder_name, line.id_number) == (child.pk, child.name, child.id_number)
    assert line.bank_account == "6228480000000001"


def test_generating_twice_gives_the_same_payroll(county, approver) -> None:
    ent(amount="520.00")
    ent(amount="300.00")
    first = generate(approver)
    lines = list(first.lines.order_by("id").values_list("id", "amount"))
    second = generate(approver)
    assert second.pk == first.pk and Payroll.objects.count() == 1
    assert list(second.lines.order_by("id").values_list("id", "amount")) == lines
    assert PayrollJob.objects.filter(kind="generate").count() == 1


def test_an_entitlement_ended_in_the_month_is_paid_its_last_month(county, approver) -> None:
    e = ent(amount="300.00", status="ended", end_month=NOV)
    payroll = generate(approver)
    assert kinds(line_of(payroll, e)) == [("2026-11", "current", "300.00")]


def test_arrears_after_a_late_decision(county, approver) -> None:
    ent(amount="520.00")  # the county's first payroll: October
    generate(approver, date(2026, 10, 1))
    late = ent(amount="300.00", start=date(2026, 8, 1), decided_on=date(2026, 11, 5))
    payroll = generate(approver)
    line = line_of(payroll, late)
    assert kinds(line) == [
        ("2026-08", "arrears", "300.00"),
        ("2026-09", "arrears", "300.00"),
        ("2026-10", "arrears", "300.00"),
        ("2026-11", "current", "300.00"),
    ]
    assert (line.base_amount, line.arrears_amount, line.amount) == (
        Decimal("300.00"),
        Decimal("900.00"),
        Decimal("1200.00"),
    )


def test_arrears_are_capped_by_the_policy(tree, approver) -> None:
    from jiuzhu.policy.models import PolicyVersion

    PolicyVersion.objects.update(payroll_arrears_months_max=2)
    late = ent(amount="300.00", start=date(2026, 6, 1), decided_on=date(2026, 11, 5))
    line = line_of(generate(approver), late)
    assert kinds(line) == [
        ("2026-09", "arrears", "300.00"),
        ("2026-10", "arrears", "300.00"),
        ("2026-11", "current", "300.00"),
    ]


def test_no_arrears_for_months_before_the_first_payroll_when_decided_before_it(county, approver) -> None:
    e = ent(amount="300.00", start=date(2026, 3, 1), decided_on=date(2026, 3, 20))
    line = line_of(generate(approver), e)
    assert kinds(line) == [("2026-11", "current", "300.00")]
    # December: paid in November, so nothing owed but December itself.
    dec = line_of(generate(approver, date(2026, 12, 1)), e)
    assert kinds(dec) == [("2026-12", "current", "300.00")]


def test_a_month_missed_while_the_payroll_ran_is_paid_as_arrears(county, approver) -> None:
    """Generated for October without the entitlement (decided after), November pays October too."""
    ent(amount="520.00")
    generate(approver, date(2026, 10, 1))
    e = ent(amount="300.00", start=date(2026, 10, 1), decided_on=date(2026, 10, 25))
    assert kinds(line_of(generate(approver), e)) == [
        ("2026-10", "arrears", "300.00"),
        ("2026-11", "current", "300.00"),
    ]


def test_the_first_month_prorated_by_days(tree, approver) -> None:
    from jiuzhu.policy.models import PolicyVersion

    PolicyVersion.objects.update(payroll_prorate_first_month=True)
    # November has 30 days; from the 21st: 10 days, 300 × 10 / 30 = 100.00.
    e = ent(amount="300.00", start=NOV, decided_on=date(2026, 11, 21))
    # Decided on the 1st: the whole month.
    whole = ent(amount="300.00", start=NOV, decided_on=date(2026, 11, 1))
    payroll = generate(approver)
    assert kinds(line_of(payroll, e)) == [("2026-11", "prorated", "100.00")]
    assert line_of(payroll, e).amount == Decimal("100.00")
    assert kinds(line_of(payroll, whole)) == [("2026-11", "current", "300.00")]
    # 520 × 19 / 31 (13 to 31 January) = 318.709… → 318.71
    assert prorated(Decimal("520.00"), date(2027, 1, 13)) == Decimal("318.71")


def test_the_amount_in_force_in_the_month(county, approver) -> None:
    """Raised from 300 to 400 from December: November still pays 300, December 400."""
    e = ent(amount="400.00")
    EntitlementEvent.objects.create(
        entitlement=e,
        at=timezone.now(),
        kind="adjust",
        changes={"amount": ["300.00", "400.00"], "from_month": "2026-12-01"},
    )
    assert kinds(line_of(generate(approver), e)) == [("2026-11", "current", "300.00")]
    assert kinds(line_of(generate(approver, date(2026, 12, 1)), e)) == [("2026-12", "current", "400.00")]


def test_taper_months_are_marked_and_end_with_valid_until(county, approver) -> None:
    taper = {"person_id": 1, "found_work_on": "2026-09-15", "months": 2, "until": "2026-11-01"}
    e = ent(amount="300.00", details={"taper": taper}, valid_until=date(2026, 11, 1))
    assert kinds(line_of(generate(approver), e)) == [("2026-11", "taper", "300.00")]
    assert not PayrollLine.objects.filter(payroll__month=date(2026, 12, 1)).exists()
    december = generate(approver, date(2026, 12, 1))
    assert not december.lines.filter(entitlement=e).exists()


def test_a_suspended_month_is_not_paid_as_arrears(county, approver) -> None:
    ent(amount="520.00")
    generate(approver, date(2026, 9, 1))
    e = ent(amount="300.00", start=date(2026, 9, 1), decided_on=date(2026, 9, 25))
    for kind, month in (("suspend", "2026-09-01"), ("resume", "2026-10-01")):
        EntitlementEvent.objects.create(
            entitlement=e, at=timezone.now(), kind=kind, changes={"from_month": month}
        )
    # September suspended, October owed (the September and October payrolls ran without it).
    generate(approver, date(2026, 10, 1))
    PayrollLine.objects.filter(entitlement=e).delete()
    assert kinds(line_of(generate(approver), e)) == [
        ("2026-10", "arrears", "300.00"),
        ("2026-11", "current", "300.00"),
    ]


def test_a_failed_line_is_carried_once_and_a_stopped_one_never(county, approver) -> None:
    a = ent(amount="520.00")
    b = ent(amount="300.00")
    october = generate(approver, date(2026, 10, 1))
    failed = line_of(october, a)
    PayrollLine.objects.filter(pk=failed.pk).update(status="failed")
    PayrollLine.objects.filter(pk=line_of(october, b).pk).update(status="stopped")
    november = generate(approver)
    la = line_of(november, a)
    assert kinds(la) == [("2026-10", "carried", "520.00"), ("2026-11", "current", "520.00")]
    assert la.carried_from_id == failed.pk
    assert (la.base_amount, la.arrears_amount, la.amount) == (
        Decimal("520.00"),
        Decimal("520.00"),
        Decimal("1040.00"),
    )
    assert kinds(line_of(november, b)) == [("2026-11", "current", "300.00")]
    december = generate(approver, date(2026, 12, 1))
    assert kinds(line_of(december, a)) == [("2026-12", "current", "520.00")]


def test_a_failed_payment_of_an_ended_entitlement_is_still_paid(county, approver) -> None:
    a = ent(amount="520.00")
    october = generate(approver, date(2026, 10, 1))
    PayrollLine.objects.filter(pk=line_of(october, a).pk).update(status="returned")
    type(a).objects.filter(pk=a.pk).update(status="ended", end_month=date(2026, 10, 1))
    line = line_of(generate(approver), a)
    assert kinds(line) == [("2026-10", "carried", "520.00")]
    assert (line.base_amount, line.arrears_amount, line.amount) == (
        Decimal("0.00"),
        Decimal("520.00"),
        Decimal("520.00"),
    )


def test_recovery_deducted_within_the_ratio_and_what_is_outstanding(county, approver) -> None:
    from jiuzhu.benefits.models import OverpaymentRecovery

    from ..factories import new_finding

    h = household()
    old = ent(h, amount="520.00", start=date(2025, 1, 1))
    found = new_finding(old, concealed_from=date(2026, 1, 1), found_on=date(2026, 10, 5))
    old.refresh_from_db()
    assert old.status == "ended" and old.end_month < NOV
    recovery = found.recovery
    assert recovery.amount_due >= Decimal("156.00")
    e = ent(h, amount="520.00", start=date(2026, 11, 1), decided_on=date(2026, 11, 1))
    # At most 30 % of 520 = 156.00.
    line = line_of(generate(approver), e)
    assert line.computation["deductions"] == [{"recovery": recovery.pk, "amount": "156.00"}]
    assert (line.deduction_amount, line.amount) == (Decimal("156.00"), Decimal("364.00"))
    # December: 40.00 left once November's 156.00 (still unpaid) is counted.
    OverpaymentRecovery.objects.filter(pk=recovery.pk).update(
        amount_collected=recovery.amount_due - Decimal("196.00"), status="partly_collected"
    )
    dec = line_of(generate(approver, date(2026, 12, 1)), e)
    assert dec.computation["deductions"] == [{"recovery": recovery.pk, "amount": "40.00"}]
    assert dec.amount == Decimal("480.00")


def test_generation_checks_its_input_and_jurisdiction(county, approver, tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        payroll_generate(ctx=AuditContext(user=approver), county_code=COUNTY, program="temporary", month=NOV)
    assert "program" in exc.value.errors
    with pytest.raises(ValidationFailed):
        payroll_generate(ctx=AuditContext(user=approver), county_code=EAST_TOWN, program="dibao", month=NOV)
    with pytest.raises(NotFound):
        payroll_generate(
            ctx=AuditContext(user=approver), county_code="980102000000", program="dibao", month=NOV
        )
    from jiuzhu.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        generate(new_user(role="township_caseworker", region=tree[EAST_TOWN]))
    assert not Payroll.objects.exists()


def test_an_earlier_month_is_refused_once_a_later_payroll_exists(county, approver) -> None:
    a = ent(amount="300.00")
    generate(approver, date(2026, 10, 1))
    december = generate(approver, date(2026, 12, 1))
    # December paid November as arrears: a November payroll would pay it a second time.
    assert kinds(line_of(december, a)) == [("2026-11", "arrears", "300.00"), ("2026-12", "current", "300.00")]
    with pytest.raises(ValidationFailed) as refused:
        generate(approver, NOV)
    assert "更晚月份" in refused.value.errors["month"]
    assert not Payroll.objects.filter(month=NOV).exists()
    # A payroll that exists may still be finished (resumed) after a later one.
    assert generate(approver, date(2026, 10, 1)).month == date(2026, 10, 1)


def test_a_stopped_line_gives_back_the_failed_payment_it_carried(county, approver) -> None:
    a = ent(amount="520.00")
    october = generate(approver, date(2026, 10, 1))
    PayrollLine.objects.filter(pk=line_of(october, a).pk).update(status="failed")
    november = line_of(generate(approver), a)
    assert november.carried_from_id == line_of(october, a).pk
    PayrollLine.objects.filter(pk=november.pk).update(status="stopped")  # a hold confirmed in November
    december = line_of(generate(approver, date(2026, 12, 1)), a)
    assert kinds(december) == [("2026-10", "carried", "520.00"), ("2026-12", "current", "520.00")]


def test_a_returned_line_carries_what_it_paid_not_the_deduction_already_collected(county, approver) -> None:
    from jiuzhu.benefits.models import RecoveryCollection
    from jiuzhu.payments.models import collection_reference

    a = ent(amount="400.00")
    b = ent(amount="400.00")
    october = generate(approver, date(2026, 10, 1))
    # Each October line deducted 100.00 for a recovery; a's deduction was collected when the bank first
    # reported it paid, then the money came back (returned); b was returned before it was ever paid.
    for e in (a, b):
        PayrollLine.objects.filter(pk=line_of(october, e).pk).update(
            status="returned", deduction_amount=Decimal("100.00"), amount=Decimal("300.00")
        )
    recovery = _recovery_for()
    RecoveryCollection.objects.create(
        recovery=recovery,
        amount=Decimal("100.00"),
        collected_on=date(2026, 10, 20),
        source="payroll_deduction",
        reference=collection_reference(october.pk, line_of(october, a).pk),
    )
    november = generate(approver)
    assert kinds(line_of(november, a))[0] == ("2026-10", "carried", "300.00")
    assert kinds(line_of(november, b))[0] == ("2026-10", "carried", "400.00")


def _recovery_for() -> Any:
    from ..factories import new_finding

    other = ent(amount="200.00", start=date(2025, 1, 1))
    return new_finding(other, concealed_from=date(2026, 1, 1), found_on=date(2026, 9, 5)).recovery
