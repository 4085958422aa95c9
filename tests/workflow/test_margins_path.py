"""低保边缘 and 刚性支出困难 walked from acceptance to the decision through the services, each step by
its role (the township's caseworker, reviewer; the county's approver, or the township where the county
delegates); the wrong role refused (403), another township's worker refused (404). Then 单人保 granted
with the 边缘 decision, the rigid ratio at exactly the threshold refused at the decision, and the
automatic end of an entitlement whose validity has passed (service, command, idempotent).

Figures by hand. The county's policy: rural standard 800 yuan, multiplier 1.5, minimum wage 1900 —
the 边缘 line is min(800 × 1.5, 1900) = 1200; severe-disability top-up 50 yuan; last year's disposable
income 24000 yuan; ratio 60 %. The household (rural): 张小三 (40), 张小妹 (12), 张老汉 (70, grade-1
disability)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiuzhu.audit.models import AuditEvent
from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.engine.review import add_months
from jiuzhu.benefits.models import Entitlement, EntitlementEvent
from jiuzhu.benefits.services_margins import entitlements_expire
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.intake.services import second_entitlement
from jiuzhu.workflow.models import PublicNotice
from jiuzhu.workflow.services import case_open, steps
from jiuzhu.workflow.services.cases import case_act

from ..conftest import COUNTY, EAST_TOWN
from ..factories import (
    add_member,
    new_household,
    new_margins_report,
    new_policy,
    new_user,
    workflow_definitions,
)

pytestmark = pytest.mark.django_db


def ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


class Walk:
    def __init__(self, tree: dict[str, Any], **policy: Any) -> None:
        values: dict[str, Any] = {
            "dibao_standard_rural": Decimal("800"),
            "dibao_standard_urban": Decimal("900"),
            "near_dibao_multiplier": Decimal("1.5"),
            "minimum_wage_monthly": Decimal("1900"),
            "topup_severe_disability": Decimal("50"),
            "disposable_income_prev_year": Decimal("24000"),
            "rigid_expense_ratio": Decimal("0.6"),
            "community_review_mode": "on_objection",
            "spot_check_rate": Decimal("0"),
        }
        values.update(policy)
        self.policy = new_policy(COUNTY, date(2020, 1, 1), **values)
        workflow_definitions()
        self.household = new_household(head__name="张小三")
        self.household.urban_rural = "rural"
        self.household.save(update_fields=["urban_rural"])
        add_member(self.household, "child", name="张小妹")
        self.elder = add_member(
            self.household, "parent", name="张老汉", disability_grade=1, disability_category="physical"
        )
        self.caseworker = new_user(role="township_caseworker", region=tree[EAST_TOWN])
        self.caseworker2 = new_user(role="township_caseworker", region=tree[EAST_TOWN])
        self.reviewer = new_user(role="township_reviewer", region=tree[EAST_TOWN])
        self.approver = new_user(role="county_approver", region=tree[COUNTY])
        self.other = new_user(role="township_caseworker", region=tree["980101002000"])

    def version(self, case: Any) -> int:
        case.refresh_from_db()
        return int(case.version)

    def open(self, program: str, report: Any, **details: Any) -> Any:
        return case_open(
            ctx=ctx(self.caseworker),
            program=program,
            household_id=self.household.pk,
            applicant_id=self.household.head_id,
            report_id=report.pk,
            details=details,
        )

    def to_confirmation(self, case: Any) -> Any:
        with pytest.raises(NotFound):  # another township's caseworker does not see the case
            case_act(ctx=ctx(self.other), case_id=case.pk, version=self.version(case), target="investigation")
        case_act(
            ctx=ctx(self.caseworker), case_id=case.pk, version=self.version(case), target="investigation"
        )
        steps.investigation_record(
            ctx=ctx(self.caseworker),
            case_id=case.pk,
            version=self.version(case),
            visited_on=timezone.localdate(),
            investigator_ids=[self.caseworker.pk, self.caseworker2.pk],
            food="一日三餐正常",
            clothing="衣着简朴",
            housing="砖房两间",
            daily_goods="家电简陋",
            findings="家中老人一级残疾，长期护理，支出较大",
            family_signatory="张小三",
            family_signature=_png(),
            investigator_signatures=_png(),
        )
        case_act(ctx=ctx(self.caseworker), case_id=case.pk, version=self.version(case), target="review")
        with pytest.raises(PermissionDenied):  # the review opinion is the reviewer's
            steps.review_opinion(
                ctx=ctx(self.caseworker), case_id=case.pk, version=self.version(case), agree=True, text="同意"
            )
        steps.review_opinion(
            ctx=ctx(self.reviewer), case_id=case.pk, version=self.version(case), agree=True, text="同意上报"
        )
        case_act(ctx=ctx(self.reviewer), case_id=case.pk, version=self.version(case), target="public_notice")
        notice = steps.public_notice_start(
            ctx=ctx(self.reviewer), case_id=case.pk, version=self.version(case)
        )
        PublicNotice.objects.filter(pk=notice.pk).update(
            starts_on=notice.starts_on - timedelta(days=10), ends_on=notice.ends_on - timedelta(days=10)
        )
        return steps.public_notice_close(ctx=ctx(self.reviewer), case_id=case.pk, version=self.version(case))


def _png() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("s.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")


@pytest.fixture
def walk(tree: dict[str, Any]) -> Walk:
    return Walk(tree)


def test_near_dibao_from_acceptance_to_the_county_decision_with_single_member(walk: Walk) -> None:
    # Per-capita 1000: at or over the standard 800 and under the line 1200 → 边缘. The elder's own
    # income: a pension of 1200 a year → 100 a month; 单人保 (800 − 100) × 1 + 50 = 750.00.
    lines = [{"person_id": walk.elder.pk, "category": "transfer", "amount": "1200.00", "used": True}]
    report = new_margins_report(walk.household, per_capita="1000.00", lines=lines)
    case = walk.open("near_dibao", report, single_member_id=walk.elder.pk)
    assert case.number.startswith("DBBY-") and case.definition.program == "near_dibao"
    moved = walk.to_confirmation(case)
    assert moved.state == "confirmation"  # decided by the county
    with pytest.raises(PermissionDenied):
        steps.confirmation_decide(
            ctx=ctx(walk.reviewer), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
        )
    done = steps.confirmation_decide(
        ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意认定"
    )
    assert done.case.state == "confirmed"
    edge = done.entitlement
    assert edge is not None and edge.program == "near_dibao"
    assert (edge.payment, edge.amount, edge.person_id) == ("no_cash", Decimal("0.00"), None)
    assert edge.valid_until == add_months(edge.start_month, 11)  # 12 months
    assert edge.details["special_assistance"] == ["medical", "education", "housing", "employment"]
    assert edge.details["single_member_id"] == walk.elder.pk
    single = Entitlement.objects.get(program="dibao", person=walk.elder)
    assert single.amount == Decimal("750.00") and single.members == 1 and single.payment == "monthly"
    assert single.decision.case_number == f"{case.number}-DB" and single.valid_until is None
    assert single.household_id == walk.household.pk
    assert "单人保" in done.notice.body and "750.00" in done.notice.body
    # No money for the 边缘 household itself: the notice says so instead of a monthly amount of 0.
    assert "不发放救助金，按规定享受相应的专项救助" in done.notice.body
    assert "月保障金额0.00元" not in done.notice.body
    assert (
        "不发放资金；可享受医疗救助、教育救助、住房救助、就业救助等专项救助，有效期 12 个月"
        in done.notice.body
    )


def test_single_member_who_is_not_severely_ill_or_disabled_is_refused(walk: Walk) -> None:
    report = new_margins_report(walk.household, per_capita="1000.00")
    child = walk.household.memberships.get(person__name="张小妹").person
    case = walk.open("near_dibao", report, single_member_id=child.pk)
    walk.to_confirmation(case)
    with pytest.raises(ValidationFailed) as exc:
        steps.confirmation_decide(
            ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
        )
    assert "不是重度残疾" in str(exc.value.errors)
    assert not Entitlement.objects.exists()


def test_near_dibao_income_at_the_line_cannot_be_confirmed(walk: Walk) -> None:
    report = new_margins_report(walk.household, per_capita="1200.00")  # at the line 1200
    case = walk.open("near_dibao", report)
    walk.to_confirmation(case)
    with pytest.raises(ValidationFailed) as exc:
        steps.confirmation_decide(
            ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
        )
    assert "不低于低保边缘线 1200.00 元" in str(exc.value.errors)
    done = steps.confirmation_decide(
        ctx=ctx(walk.approver),
        case_id=case.pk,
        version=walk.version(case),
        agree=False,
        text="不同意",
        reasons=["家庭人均月收入不低于低保边缘线"],
    )
    assert done.case.state == "refused" and done.entitlement is None


def _rigid_report(walk: Walk, expense: str) -> Any:
    # Per-capita 1300 (over the line 1200); 46800 a year for 3 → 15600 each (< 24000).
    return new_margins_report(
        walk.household,
        per_capita="1300.00",
        gross="46800.00",
        window_expense=expense,
        window_income="46800.00",
    )


def test_rigid_expense_delegated_to_the_township(tree: dict[str, Any]) -> None:
    walk = Walk(tree, confirm_level="township", rigid_expense_valid_months=6)
    report = _rigid_report(walk, "30000.00")  # 30000 ÷ 46800 = 64.10 % > 60 %
    case = walk.open("rigid_expense", report)
    assert case.number.startswith("GX-")
    moved = walk.to_confirmation(case)
    assert moved.state == "township_confirmation"
    with pytest.raises(PermissionDenied):
        steps.confirmation_decide(
            ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
        )
    done = steps.confirmation_decide(
        ctx=ctx(walk.reviewer), case_id=case.pk, version=walk.version(case), agree=True, text="同意认定"
    )
    entitlement = done.entitlement
    assert entitlement is not None and entitlement.program == "rigid_expense"
    assert (entitlement.payment, entitlement.amount) == ("no_cash", Decimal("0.00"))
    assert entitlement.valid_until == add_months(entitlement.start_month, 5)  # 6 months
    assert done.notice.region_id == EAST_TOWN
    figures = done.decision.computation["allowance"]["figures"]
    assert figures["ratio"] == "0.6410" and figures["annual_per_capita_income"] == "15600.00"


def test_rigid_expense_ratio_exactly_at_the_threshold_is_refused_at_the_decision(walk: Walk) -> None:
    report = _rigid_report(walk, "28080.00")  # 28080 ÷ 46800 = 0.6 exactly
    case = walk.open("rigid_expense", report)
    walk.to_confirmation(case)
    with pytest.raises(ValidationFailed) as exc:
        steps.confirmation_decide(
            ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
        )
    assert "未超过 60%" in str(exc.value.errors)
    assert not Entitlement.objects.exists()


def test_expired_entitlements_end_once_and_the_household_may_apply_again(walk: Walk) -> None:
    report = _rigid_report(walk, "30000.00")
    case = walk.open("rigid_expense", report)
    walk.to_confirmation(case)
    done = steps.confirmation_decide(
        ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
    )
    entitlement = done.entitlement
    assert entitlement is not None and entitlement.valid_until is not None
    last = entitlement.valid_until
    assert second_entitlement(household_id=walk.household.pk, program="rigid_expense") is not None
    # In its last valid month nothing ends; on the first day after it, it ends.
    assert entitlements_expire(ctx=AuditContext.system(), today=last + timedelta(days=27)) == 0
    after = add_months(last, 1)
    assert entitlements_expire(ctx=AuditContext.system(), today=after) == 1
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.end_month) == ("ended", last)
    event = EntitlementEvent.objects.get(entitlement=entitlement, kind="expire")
    assert "有效期" in event.reason and event.changes["end_month"] == last.isoformat()
    assert AuditEvent.objects.filter(
        object_type="entitlement", object_id=str(entitlement.pk), action="update"
    ).exists()
    assert entitlements_expire(ctx=AuditContext.system(), today=after) == 0  # idempotent
    out = StringIO()
    call_command("entitlements_expire", "--today", after.isoformat(), stdout=out)
    assert "0 条" in out.getvalue()
    assert second_entitlement(household_id=walk.household.pk, program="rigid_expense") is None


def test_the_benefits_page_shows_validity_and_special_assistance(walk: Walk, client_for: Any) -> None:
    report = _rigid_report(walk, "30000.00")
    case = walk.open("rigid_expense", report)
    walk.to_confirmation(case)
    done = steps.confirmation_decide(
        ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
    )
    assert done.entitlement is not None and done.entitlement.valid_until is not None
    body = client_for(walk.caseworker).get(f"/benefits/households/{walk.household.pk}/").content.decode()
    assert "有效期至" in body and done.entitlement.valid_until.strftime("%Y-%m") in body
    for label in ("医疗救助", "教育救助", "住房救助", "就业救助"):
        assert label in body
    assert "不发放资金" in body
    assert client_for(walk.other).get(f"/benefits/households/{walk.household.pk}/").status_code == 404
    api = client_for(walk.caseworker).get(f"/api/benefits/households/{walk.household.pk}/entitlements")
    row = api.json()[0]
    assert (row["payment"], row["valid_until"]) == ("no_cash", done.entitlement.valid_until.isoformat())
    assert row["details"]["special_assistance"] == ["medical", "education", "housing", "employment"]


def test_scan_command_ends_expired_entitlements(walk: Walk) -> None:
    out = StringIO()
    call_command("workflow_scan", "--today", timezone.localdate().isoformat(), stdout=out)
    assert "有效期届满终止在保记录 0 条" in out.getvalue()


def test_the_single_member_fact_is_offered_at_intake(walk: Walk, client_for: Any) -> None:
    facts = client_for(walk.caseworker).get("/api/intake/program-facts").json()
    [single] = facts["near_dibao"]
    assert (single["code"], single["kind"], single["required"]) == ("single_member_id", "member", False)
    assert "rigid_expense" not in facts  # nothing beyond the household and its report


def test_flowchart_and_handbook_of_both_programs(walk: Walk, client_for: Any) -> None:
    client = client_for(walk.caseworker)
    for program, name in (
        ("near_dibao", "低保边缘家庭审核确认"),
        ("rigid_expense", "刚性支出困难家庭审核确认"),
    ):
        page = client.get(f"/workflow/docs/flowchart/{program}/")
        assert page.status_code == 200 and name in page.content.decode()
    book = client.get("/workflow/docs/handbook/").content.decode()
    assert "低保边缘家庭审核确认" in book and "刚性支出困难家庭审核确认" in book


def test_a_second_near_dibao_naming_a_member_who_holds_a_single_member_dibao(walk: Walk) -> None:
    # The 边缘 validity ended; the household applies again naming the same member, whose 单人保 is still
    # live (suspended counts too): the decision is confirmed, the 单人保 goes on, none is added.
    from jiuzhu.benefits.selectors import entitlement_conflicts

    lines = [{"person_id": walk.elder.pk, "category": "transfer", "amount": "1200.00", "used": True}]
    case = walk.open(
        "near_dibao",
        new_margins_report(walk.household, per_capita="1000.00", lines=lines),
        single_member_id=walk.elder.pk,
    )
    walk.to_confirmation(case)
    first = steps.confirmation_decide(
        ctx=ctx(walk.approver), case_id=case.pk, version=walk.version(case), agree=True, text="同意"
    )
    assert first.entitlement is not None
    Entitlement.objects.filter(pk=first.entitlement.pk).update(status="ended")
    single = Entitlement.objects.get(program="dibao", person=walk.elder)
    Entitlement.objects.filter(pk=single.pk).update(status="suspended")
    # The one check names the person's own 单人保 (a household program held by one person).
    found = entitlement_conflicts(household_id=walk.household.pk, person_id=walk.elder.pk, program="dibao")
    assert [f.kind for f in found] == ["held"] and "该救助对象已在享受低保" in found[0].message
    again = walk.open(
        "near_dibao",
        new_margins_report(walk.household, per_capita="1000.00", lines=lines),
        single_member_id=walk.elder.pk,
    )
    walk.to_confirmation(again)
    done = steps.confirmation_decide(
        ctx=ctx(walk.approver), case_id=again.pk, version=walk.version(again), agree=True, text="同意"
    )
    assert done.case.state == "confirmed" and done.entitlement is not None
    assert "single_member_id" not in done.entitlement.details
    assert Entitlement.objects.filter(program="dibao", person=walk.elder).count() == 1
    assert "已在享受单人保" in str(done.entitlement.decision.computation)


def test_a_suspended_taper_past_its_validity_ends_with_a_termination_notice(walk: Walk) -> None:
    # A 低保 in its 渐退期 (valid to 2025-06), suspended meanwhile: the scan of 2025-07-01 ends it (last
    # month 2025-06), bumps its version and issues a 终止救助告知书; a 低保边缘 past its validity ends
    # without one (no money, its validity was on the decision).
    from jiuzhu.workflow.models import Notice
    from jiuzhu.workflow.services.expiry import entitlements_expire_notify

    from ..factories import new_entitlement

    taper = new_entitlement(walk.household, valid_until=date(2025, 6, 1), status="suspended")
    other = new_household(head__name="李边缘")
    edge = new_entitlement(
        other, program="near_dibao", payment="no_cash", amount="0", valid_until=date(2025, 6, 1)
    )
    before = int(taper.version)
    assert entitlements_expire_notify(ctx=AuditContext.system(), today=date(2025, 6, 30)) == 0
    assert entitlements_expire_notify(ctx=AuditContext.system(), today=date(2025, 7, 1)) == 2
    taper.refresh_from_db()
    edge.refresh_from_db()
    assert (taper.status, taper.end_month, taper.version) == ("ended", date(2025, 6, 1), before + 1)
    assert edge.status == "ended"
    [notice] = Notice.objects.filter(kind="termination")
    assert notice.household_id == walk.household.pk
    assert "终止救助告知书" in notice.title and "2025年6月为最后发放月份" in notice.body
    assert "有效期至2025年6月届满" in notice.body
    assert entitlements_expire_notify(ctx=AuditContext.system(), today=date(2025, 7, 1)) == 0
    assert Notice.objects.filter(kind="termination").count() == 1
