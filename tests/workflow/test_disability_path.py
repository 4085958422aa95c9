"""The two disability subsidies walked through the engine: facts at intake (certificate, care months),
the case opened for the disabled member, the 残联 feed check as the first step's evidence (refused
with the reason while the certificate differs from the feed or has expired), the township's review,
the county's confirmation, the decision by grade and the person's entitlement keeping the certificate.

The household of 东镇 (rural): head 40, a member with a physical disability. County policy: living
subsidy 277 (grades 1–2) / 185 (3–4), care 300 (grade 1) / 150 (grade 2), 6 months' care, no spot
checks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.programs.facts import facts_clean
from jiuzhu.benefits.selectors import disability_certificate_check, disability_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.workflow.definitions import NATIONAL
from jiuzhu.workflow.definitions.spec import soundness
from jiuzhu.workflow.selectors import case_missing_evidence
from jiuzhu.workflow.services import case_act, case_open
from jiuzhu.workflow.services.steps import confirmation_decide, review_opinion

from ..conftest import EAST_VILLAGE
from ..factories import (
    add_disability_record,
    add_entitlement,
    add_member,
    new_household,
    new_policy,
    program_definition,
)
from .steps_world import report_for

pytestmark = pytest.mark.django_db

LIVING, CARE = "disability_living", "disability_care"


@pytest.fixture
def world(tree: dict[str, Any], caseworker: Any, reviewer: Any, approver: Any) -> dict[str, Any]:
    new_policy(spot_check_rate=Decimal("0"))
    for program in (LIVING, CARE):
        program_definition(program)
    household = new_household(region=tree[EAST_VILLAGE], head__residence_region=tree[EAST_VILLAGE])
    disabled = add_member(household, "child", name="残疾成员", birth_date=date(1990, 5, 1))
    report = report_for(household)
    return {
        "household": household,
        "disabled": disabled,
        "report": report,
        "caseworker": caseworker,
        "reviewer": reviewer,
        "approver": approver,
    }


def ctx(user: Any) -> AuditContext:
    return AuditContext(user=user, channel="web")


def number(person: Any, category: str = "physical", grade: int = 1) -> str:
    digit = {"visual": "1", "physical": "4", "intellectual": "5", "mental": "6"}[category]
    return f"{person.id_number}{digit}{grade}"


def facts(w: dict[str, Any], program: str, grade: int = 1, **extra: Any) -> dict[str, Any]:
    raw = {
        "subject_id": w["disabled"].pk,
        "certificate_no": number(w["disabled"], grade=grade),
        "disability_category": "physical",
        "disability_grade": str(grade),
        **extra,
    }
    members = {w["household"].head_id, w["disabled"].pk}
    return facts_clean(program, raw, members=members)


def open_case(w: dict[str, Any], program: str, cleaned: dict[str, Any]) -> Any:
    cleaned = dict(cleaned)
    subject = cleaned.pop("subject_id")
    return case_open(
        ctx=ctx(w["caseworker"]),
        program=program,
        household_id=w["household"].pk,
        applicant_id=w["household"].head_id,
        report_id=w["report"].pk,
        subject_id=subject,
        details=cleaned,
    )


def version(case: Any) -> int:
    case.refresh_from_db()
    return int(case.version)


def walk(w: dict[str, Any], case: Any, *, agree: bool = True) -> Any:
    case_act(ctx=ctx(w["caseworker"]), case_id=case.pk, version=version(case), target="review")
    review_opinion(
        ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), agree=True, text="同意上报"
    )
    case_act(ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), target="confirmation")
    return confirmation_decide(
        ctx=ctx(w["approver"]),
        case_id=case.pk,
        version=version(case),
        agree=agree,
        text="同意" if agree else "不同意",
        reasons=None if agree else ["不符合条件"],
    )


# --- the definitions ---------------------------------------------------------------


@pytest.mark.parametrize("program", [LIVING, CARE])
def test_definitions_are_sound_and_national(program: str) -> None:
    spec = NATIONAL[program]
    assert soundness(spec) == []
    assert [s.code for s in spec.steps if not s.is_end] == [
        "verification",
        "review",
        "materials",
        "confirmation",
    ]
    assert spec.step("verification").evidence == ("verification_report", "disability_certificate")
    assert spec.step("confirmation").level == 3 and spec.step("review").level == 4


# --- facts ---------------------------------------------------------------


def test_facts_check_the_certificate_number(world: dict[str, Any]) -> None:
    cleaned = facts(world, CARE, grade=2, care_months="8")
    assert cleaned["disability_grade"] == 2 and cleaned["care_months"] == 8
    with pytest.raises(ValidationFailed) as exc:
        facts(world, LIVING, grade=1, certificate_no=number(world["disabled"], grade=2))
    assert exc.value.errors == {f"details.{LIVING}.certificate_no": "残疾人证号第 20 位应为残疾等级 1"}
    with pytest.raises(ValidationFailed) as exc:
        facts(world, CARE, grade=1)
    assert exc.value.errors == {f"details.{CARE}.care_months": "请填写需长期照护的月数"}


# --- the feed check ---------------------------------------------------------------


def test_the_feed_record_and_its_check(world: dict[str, Any]) -> None:
    person = world["disabled"]
    today = timezone.localdate()
    assert disability_record(id_number=person.id_number, on=today) is None
    check = disability_certificate_check(person_id=person.pk, on=today)
    assert not check.ok and check.reason == "残联数据中没有该人员的残疾人证信息"
    add_disability_record(person, grade=2, issued_on=date(2015, 1, 1))
    add_disability_record(person, grade=1, issued_on=date(2021, 3, 1), valid_until=today + timedelta(days=30))
    record = disability_record(id_number=person.id_number, on=today)
    assert record is not None and (record.grade, record.category) == (1, "physical")
    assert record.certificate_no == number(person, grade=1) and not record.number_from_feed
    # On a day before the newer certificate, the older one is the latest.
    older = disability_record(id_number=person.id_number, on=date(2020, 1, 1))
    assert older is not None and older.grade == 2
    claimed = {"certificate_no": number(person), "disability_category": "physical", "disability_grade": 1}
    assert disability_certificate_check(person_id=person.pk, on=today, claimed=claimed).ok
    wrong = {
        "certificate_no": number(person, "visual", 2),
        "disability_category": "visual",
        "disability_grade": 2,
    }
    check = disability_certificate_check(person_id=person.pk, on=today, claimed=wrong)
    assert check.reasons == (
        f"残疾人证号与残联数据不一致（残联：{number(person)}）",
        "残疾类别与残联数据不一致（申报：视力残疾，残联：肢体残疾）",
        "残疾等级与残联数据不一致（申报：2级，残联：1级）",
    )
    later = today + timedelta(days=31)
    expired = disability_certificate_check(person_id=person.pk, on=later, claimed=claimed)
    assert expired.reasons == (
        f"残疾人证已于 {(today + timedelta(days=30)).isoformat()} 到期（残联数据），须先换领",
    )


def test_a_number_given_by_the_feed_is_the_one_compared(world: dict[str, Any]) -> None:
    person = world["disabled"]
    add_disability_record(person, grade=1, certificate_no="X" * 20)
    check = disability_certificate_check(
        person_id=person.pk, on=timezone.localdate(), claimed={"certificate_no": number(person)}
    )
    assert check.reasons == ("残疾人证号与残联数据不一致（残联：XXXXXXXXXXXXXXXXXXXX）",)


# --- the living subsidy ---------------------------------------------------------------


def test_living_subsidy_walked_to_an_entitlement(world: dict[str, Any]) -> None:
    w = world
    add_entitlement(w["household"], program="dibao")
    case = open_case(w, LIVING, facts(w, LIVING, grade=1))
    assert case.state == "verification" and case.subject_id == w["disabled"].pk
    # No certificate in the feed: the case cannot leave its first step, and says why.
    assert case_missing_evidence(case) == [
        "残疾人证与残联数据一致且在有效期内（残联数据中没有该人员的残疾人证信息）"
    ]
    with pytest.raises(ValidationFailed):
        case_act(ctx=ctx(w["caseworker"]), case_id=case.pk, version=version(case), target="review")
    add_disability_record(w["disabled"], grade=2)
    assert "残疾等级与残联数据不一致（申报：1级，残联：2级）" in case_missing_evidence(case)[0]
    add_disability_record(w["disabled"], grade=1, issued_on=date(2022, 6, 1))
    assert case_missing_evidence(case) == []
    done = walk(w, case)
    assert done.case.state == "confirmed"
    assert done.decision.amount == Decimal("277.00") and done.decision.person_id == w["disabled"].pk
    ent = done.entitlement
    assert ent is not None and ent.person_id == w["disabled"].pk and ent.amount == Decimal("277.00")
    assert ent.payment == "monthly"
    assert ent.details == {
        "certificate_no": number(w["disabled"]),
        "disability_category": "physical",
        "disability_grade": 1,
        "household_basis": "dibao",
    }
    # What the review calls: the entitlement's certificate is still the federation's.
    assert disability_certificate_check(
        person_id=ent.person_id, on=timezone.localdate(), claimed=ent.details
    ).ok


def test_living_subsidy_grade_three_and_outside_dibao(world: dict[str, Any]) -> None:
    w = world
    add_disability_record(w["disabled"], grade=3)
    case = open_case(w, LIVING, facts(w, LIVING, grade=3))
    with pytest.raises(ValidationFailed) as exc:
        walk(w, case)  # the household holds no 低保: the county cannot confirm
    assert "所在家庭未享受最低生活保障" in str(exc.value.errors)
    add_entitlement(w["household"], program="dibao")
    done = confirmation_decide(
        ctx=ctx(w["approver"]), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == Decimal("185.00")


def test_living_subsidy_excluded_for_tekun_and_refused_with_reasons(world: dict[str, Any]) -> None:
    w = world
    add_entitlement(w["household"], program="dibao")
    add_entitlement(w["household"], program="tekun", person=w["disabled"])
    add_disability_record(w["disabled"], grade=1)
    case = open_case(w, LIVING, facts(w, LIVING, grade=1, work_injury_care="1"))
    done = walk(w, case, agree=False)
    assert done.case.state == "refused" and done.entitlement is None
    reasons = done.decision.computation["allowance"]["reasons"]
    assert reasons == ["已纳入特困人员救助供养", "已享受工伤保险生活护理费"]


# --- the care subsidy ---------------------------------------------------------------


@pytest.mark.parametrize(("grade", "amount"), [(1, "300.00"), (2, "150.00")])
def test_care_subsidy_by_grade(world: dict[str, Any], grade: int, amount: str) -> None:
    w = world
    add_disability_record(w["disabled"], grade=grade)
    case = open_case(w, CARE, facts(w, CARE, grade=grade, care_months="6", caregiver="母亲"))
    done = walk(w, case)
    assert done.entitlement is not None and done.entitlement.amount == Decimal(amount)
    assert done.entitlement.details["care_months"] == 6 and done.entitlement.details["caregiver"] == "母亲"
    assert Entitlement.objects.filter(person=w["disabled"], program=CARE, status="active").count() == 1


def test_care_subsidy_needs_six_months(world: dict[str, Any]) -> None:
    w = world
    add_disability_record(w["disabled"], grade=1)
    case = open_case(w, CARE, facts(w, CARE, grade=1, care_months="5"))
    with pytest.raises(ValidationFailed) as exc:
        walk(w, case)
    assert "长期照护须持续 6 个月以上（申报 5 个月）" in str(exc.value.errors)


def test_the_certificate_check_api(world: dict[str, Any], client_for: Any, other_caseworker: Any) -> None:
    w = world
    person = w["disabled"]
    add_disability_record(person, category="mental", grade=3)
    url = f"/api/benefits/persons/{person.pk}/disability-certificate"
    got = client_for(w["caseworker"]).get(url).json()
    assert got["ok"] is True and got["reasons"] == []
    assert (got["certificate_no"], got["category"], got["grade"]) == (
        number(person, "mental", 3),
        "mental",
        3,
    )
    early = client_for(w["caseworker"]).get(url, {"on": "2019-12-31"}).json()
    assert early["ok"] is False and early["reasons"] == ["残联数据中没有该人员的残疾人证信息"]
    assert client_for(other_caseworker).get(url).status_code == 404


# --- pages ---------------------------------------------------------------------------------------------


def test_case_page_flowchart_and_handbook_show_the_certificate_check(
    world: dict[str, Any], client_for: Any
) -> None:
    w = world
    add_disability_record(w["disabled"], grade=2)
    case = open_case(w, LIVING, facts(w, LIVING, grade=1))
    client = client_for(w["caseworker"])
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "残疾等级与残联数据不一致（申报：1级，残联：2级）" in page
    chart = client.get(f"/workflow/docs/flowchart/{LIVING}/").content.decode()
    assert "受理及残疾人证核验" in chart and "县级确认" in chart
    book = client.get("/workflow/docs/handbook/").content.decode()
    for name in ("困难残疾人生活补贴审核确认", "重度残疾人护理补贴审核确认"):
        assert name in book


def test_program_facts_are_offered_to_the_acceptance_form(world: dict[str, Any], client_for: Any) -> None:
    got = client_for(world["caseworker"]).get("/api/intake/program-facts").json()
    text = str(got)
    for code in (
        "certificate_no",
        "disability_category",
        "disability_grade",
        "care_months",
        "work_injury_care",
    ):
        assert code in text


def test_a_certificate_expired_by_the_decision_date_is_not_granted(world: dict[str, Any]) -> None:
    w = world
    add_entitlement(w["household"], program="dibao")
    add_disability_record(w["disabled"], grade=1)
    case = open_case(w, LIVING, facts(w, LIVING, grade=1))
    case_act(ctx=ctx(w["caseworker"]), case_id=case.pk, version=version(case), target="review")
    # The federation re-grades the person while the case is at the township.
    add_disability_record(w["disabled"], grade=2, issued_on=timezone.localdate())
    with pytest.raises(ValidationFailed) as exc:
        walk_from_review(w, case)
    assert "残疾人证核验未通过：残疾等级与残联数据不一致（申报：1级，残联：2级）" in str(exc.value.errors)
    done = confirmation_decide(
        ctx=ctx(w["approver"]),
        case_id=case.pk,
        version=version(case),
        agree=False,
        text="不同意",
        reasons=["已换证"],
    )
    assert done.case.state == "refused"


def walk_from_review(w: dict[str, Any], case: Any) -> Any:
    review_opinion(
        ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), agree=True, text="同意上报"
    )
    case_act(ctx=ctx(w["reviewer"]), case_id=case.pk, version=version(case), target="confirmation")
    return confirmation_decide(
        ctx=ctx(w["approver"]), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
