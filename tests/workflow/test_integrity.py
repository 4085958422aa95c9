"""A finding that income or assets were hidden (rules §1.11), through the workflow's service: at any open
step of an application (the case terminated, a dishonesty record, no recovery: nothing was paid), on a
review case (its entitlement ended and the months paid recovered) and on an entitlement in payment;
who may record it; the notices; all or nothing. Expected figures worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import (
    ConcealmentFinding,
    DishonestyRecord,
    Entitlement,
    EntitlementEvent,
    OverpaymentRecovery,
)
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow.models import Case, CaseEvent, Notice
from jiuzhu.workflow.services.integrity import concealment_find

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN
from ..factories import new_case, new_entitlement, new_household, new_policy

pytestmark = pytest.mark.django_db

ITEMS = [
    {"kind": "hidden_income", "item": "隐瞒在外务工工资收入", "amount": "3000"},
    {"kind": "hidden_asset", "item": "隐瞒银行存款", "amount": "50000.5"},
]


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy()


def _find(user: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("items", ITEMS)
    kwargs.setdefault("evidence", "人社部门工资记录、银行查询结果，入户调查笔录")
    return concealment_find(ctx=AuditContext(user=user), **kwargs)


@pytest.mark.parametrize(
    "state", ["verification", "investigation", "review", "public_notice", "confirmation"]
)
def test_a_finding_at_any_open_step_terminates_the_application(make_user, policy, state) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    case = new_case(state=state, accepted_on=date(2024, 1, 10))
    found = _find(reviewer, case_id=case.pk, version=case.version, found_on=date(2024, 2, 29))
    case.refresh_from_db()
    assert (case.state, case.status, case.outcome) == ("terminated", "closed", "terminated")
    assert found.case is not None and found.case.pk == case.pk
    finding = ConcealmentFinding.objects.get()
    assert finding.case_number == case.number and finding.entitlement is None
    assert finding.hidden_total == Decimal("53000.50")  # 3000 + 50000.50
    assert finding.person == case.applicant and finding.recorded_by == reviewer
    record = DishonestyRecord.objects.get()
    # 36 months from 29 February 2024: 29 February 2027 does not exist, so the month's last day.
    assert (record.person, record.starts_on, record.ends_on, record.months, record.status) == (
        case.applicant,
        date(2024, 2, 29),
        date(2027, 2, 28),
        36,
        "in_force",
    )
    assert not OverpaymentRecovery.objects.exists()  # an application: nothing was paid
    [notice] = Notice.objects.filter(case=case)
    assert notice.kind == "concealment_termination" and notice.region_id == EAST_TOWN
    assert "隐瞒收入：隐瞒在外务工工资收入，金额 3000.00 元" in notice.body
    assert "隐瞒财产：隐瞒银行存款，金额 50000.50 元" in notice.body
    assert "有效期至2027年2月28日" in notice.body and "追缴" not in notice.body
    assert case.number in notice.body
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last is not None and (last.action, last.to_state) == ("terminate", "terminated")
    assert last.data["finding"] == finding.pk and last.data["notices"] == [notice.pk]
    assert last.reason.startswith("查实隐瞒家庭收入、财产：")
    assert AuditEvent.objects.filter(object_type="dishonesty_record", action="create").count() == 1


def test_a_finding_on_a_review_case_ends_the_entitlement_and_recovers_the_months(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    entitlement = new_entitlement(household, amount="612.50", start_month=date(2023, 11, 1))
    case = new_case(
        household=household,
        state="investigation",
        accepted_on=date(2024, 1, 10),
        purpose="review",
        entitlement=entitlement,
    )
    found = _find(approver, case_id=case.pk, version=case.version, found_on=date(2024, 2, 29))
    entitlement.refresh_from_db()
    # Paid November 2023 to February 2024: 4 months × 612.50 = 2450.00; ends with February.
    assert (entitlement.status, entitlement.end_month, entitlement.version) == ("ended", date(2024, 2, 1), 2)
    recovery = OverpaymentRecovery.objects.get()
    assert (recovery.from_month, recovery.through_month, recovery.months) == (
        date(2023, 11, 1),
        date(2024, 2, 1),
        4,
    )
    assert (recovery.amount_due, recovery.amount_collected, recovery.status) == (
        Decimal("2450.00"),
        Decimal("0.00"),
        "outstanding",
    )
    assert found.recovery == recovery
    kinds = sorted(Notice.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["concealment_termination", "recovery_demand"]
    # Found by the county: the county issues.
    assert set(Notice.objects.filter(case=case).values_list("region_id", flat=True)) == {COUNTY}
    body = Notice.objects.get(case=case, kind="recovery_demand").body
    assert "2450.00元" in body and "612.50 元 × 4 个月 = 2450.00 元" in body
    assert "2023年11月至2024年2月，共 4 个月" in body
    event = EntitlementEvent.objects.get(entitlement=entitlement, kind="end")
    assert event.changes["end_month"] == "2024-02-01" and event.actor == approver


def test_a_finding_on_an_entitlement_in_payment_from_when_the_concealment_began(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    entitlement = new_entitlement(amount="450.00", start_month=date(2023, 3, 1), decided_on=date(2023, 2, 20))
    found = _find(
        approver,
        entitlement_id=entitlement.pk,
        version=entitlement.version,
        found_on=date(2024, 3, 1),
        concealed_from=date(2024, 1, 31),
    )
    # Hidden since January 2024: January, February, March = 3 × 450.00 = 1350.00.
    assert found.case is None
    assert found.recovery is not None and found.recovery.amount_due == Decimal("1350.00")
    assert found.recovery.months == 3 and found.recovery.from_month == date(2024, 1, 1)
    entitlement.refresh_from_db()
    assert entitlement.status == "ended" and entitlement.end_month == date(2024, 3, 1)
    notices = Notice.objects.filter(household=entitlement.household).order_by("id")
    assert [n.kind for n in notices] == ["concealment_termination", "recovery_demand"]
    assert all(n.case_id is None for n in notices)
    assert entitlement.decision.case_number in notices[0].body
    assert found.concealment.finding.entitlement == entitlement
    # A second finding on the ended entitlement: refused.
    with pytest.raises(Conflict):
        _find(approver, entitlement_id=entitlement.pk, version=entitlement.version, found_on=date(2024, 3, 1))


def test_a_no_cash_entitlement_ends_without_a_recovery(make_user, policy) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    entitlement = new_entitlement(program="near_dibao", amount="0", payment="no_cash")
    found = _find(reviewer, entitlement_id=entitlement.pk, version=1, found_on=date(2024, 6, 1))
    assert found.recovery is None and not OverpaymentRecovery.objects.exists()
    assert [n.kind for n in found.notices] == ["concealment_termination"]
    assert Entitlement.objects.get(pk=entitlement.pk).status == "ended"


def test_who_may_record_a_finding(make_user, policy) -> None:
    case = new_case(state="investigation", accepted_on=date(2024, 1, 10))
    entitlement = new_entitlement()
    for role, region in (
        ("township_caseworker", EAST_TOWN),
        ("village_assistant", "980101001001"),
        ("county_approver", EAST_TOWN),  # a county role bound to a township: not the county's approver
        ("auditor", COUNTY),
    ):
        user = make_user(role, region)
        with pytest.raises(PermissionDenied):
            _find(user, case_id=case.pk, version=1, found_on=date(2024, 2, 1))
        with pytest.raises(PermissionDenied):
            _find(user, entitlement_id=entitlement.pk, version=1, found_on=date(2024, 2, 1))
    # Another township's reviewer: the case and the entitlement do not exist for them.
    west = make_user("township_reviewer", WEST_TOWN)
    with pytest.raises(NotFound):
        _find(west, case_id=case.pk, version=1, found_on=date(2024, 2, 1))
    with pytest.raises(NotFound):
        _find(west, entitlement_id=entitlement.pk, version=1, found_on=date(2024, 2, 1))
    case.refresh_from_db()
    entitlement.refresh_from_db()
    assert (case.state, case.version, entitlement.status) == ("investigation", 1, "active")
    assert not ConcealmentFinding.objects.exists() and not DishonestyRecord.objects.exists()


def test_a_stale_page_a_closed_case_and_an_open_review_are_refused(make_user, policy) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    case = new_case(state="investigation", accepted_on=date(2024, 1, 10))
    with pytest.raises(Conflict):
        _find(reviewer, case_id=case.pk, version=7, found_on=date(2024, 2, 1))
    closed = new_case(state="withdrawn", accepted_on=date(2024, 1, 10))
    with pytest.raises(Conflict):
        _find(reviewer, case_id=closed.pk, version=1, found_on=date(2024, 2, 1))
    household = new_household()
    entitlement = new_entitlement(household)
    review = new_case(household=household, state="investigation", purpose="review", entitlement=entitlement)
    with pytest.raises(Conflict, match=review.number):
        _find(reviewer, entitlement_id=entitlement.pk, version=1, found_on=date(2024, 2, 1))
    with pytest.raises(Conflict):
        _find(reviewer, entitlement_id=entitlement.pk, version=3, found_on=date(2024, 2, 1))
    assert not ConcealmentFinding.objects.exists()


def test_the_finding_is_checked_and_nothing_is_written_on_a_problem(make_user, policy) -> None:
    reviewer = make_user("township_reviewer", EAST_TOWN)
    case = new_case(state="investigation", accepted_on=date(2024, 1, 10))
    with pytest.raises(ValidationFailed) as exc:
        _find(reviewer, case_id=case.pk, version=1, items=[], evidence="", found_on=date(2099, 1, 1))
    assert exc.value.errors == {
        "items": "请逐项填写隐瞒的收入或财产",
        "evidence": "请填写查实依据（核对结果、调查笔录、部门出具的证明等）",
        "found_on": "认定日期不能晚于今天",
    }
    with pytest.raises(ValidationFailed) as exc:
        _find(
            reviewer,
            case_id=case.pk,
            version=1,
            items=[{"kind": "gift", "item": "", "amount": "abc"}],
            found_on=date(2023, 12, 31),
            concealed_from=date(2024, 1, 5),
        )
    assert exc.value.errors == {
        "items.0.kind": "请选择隐瞒收入或隐瞒财产",
        "items.0.item": "请说明隐瞒的是什么收入或财产",
        "items.0.amount": "金额应为数字",
        "found_on": "认定日期不能早于2024-01-10",
        "concealed_from": "隐瞒起始日期不能晚于认定日期",
    }
    case.refresh_from_db()
    assert (case.state, case.version) == ("investigation", 1)
    assert not ConcealmentFinding.objects.exists() and not Notice.objects.exists()
    assert Case.objects.filter(status="open").count() == 1
