"""特困人员认定 on the engine: the self-care assessment (service, page, API) recording the tier and the
三无 finding on the case, the evidence that holds the case until it is made, and the county's
confirmation granting a person entitlement with the care tier and support form.

The household (``steps_world``): rural, the report's per-capita income 650 yuan, the rural 低保 standard
800 yuan, 特困 multiplier 1.3 and the default care standards (dispersed: 62 / 412 / 721; central: 82 /
618 / 1030 yuan a month). So, by hand: basic 800 × 1.3 = 1040.00; dispersed 半护理 1040 + 412 = 1452.00;
central 全护理 1040 + 1030 = 2070.00."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow.models import SelfCareAssessment
from jiuzhu.workflow.selectors import case_transitions
from jiuzhu.workflow.services.steps import confirmation_decide
from jiuzhu.workflow.services.tekun import selfcare_assess, tekun_sanwu

from ..factories import (
    add_investigation,
    add_member,
    add_selfcare,
    make_id_number,
    new_tekun_case,
    selfcare_items,
)
from .steps_world import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


_SEQ = iter(range(9100, 9999))


def _elder(w: World, age: int = 75, **kw: Any) -> Any:
    today = timezone.localdate()
    birth = date(today.year - age, 1, 1)
    number = make_id_number(next(_SEQ), birth=birth)
    return add_member(w.household, "parent", name="张奶奶", id_number=number, **kw)


def _case(w: World, state: str = "investigation", **kw: Any) -> Any:
    if "subject" not in kw:
        kw["subject"] = _elder(w)
    kw.setdefault("report", w.report)
    kw.setdefault("policy", w.policy)
    kw.setdefault("opened_by", w.caseworker)
    kw.setdefault("accepted_on", timezone.localdate())
    return new_tekun_case(household=w.household, state=state, **kw)


def _assess(w: World, case: Any, user: Any = None, lost: int = 2, **kw: Any) -> SelfCareAssessment:
    case.refresh_from_db()
    values: dict[str, Any] = {
        "items": selfcare_items(lost),
        "assessed_on": timezone.localdate(),
        "assessor_ids": [w.approver.pk, w.caseworker.pk],
        "note": "",
    }
    values.update(kw)
    return selfcare_assess(
        ctx=AuditContext(user=user or w.caseworker), case_id=case.pk, version=case.version, **values
    )


def test_the_assessment_records_the_tier_and_the_sanwu_finding(w: World) -> None:
    case = _case(w)
    row = _assess(w, case, lost=3)
    assert (row.round, row.lost, row.tier, row.reassessment) == (1, 3, "partial", False)
    case.refresh_from_db()
    assert case.details["selfcare"]["tier"] == "partial"
    assert case.details["selfcare"]["lost_items"] == ["自主吃饭", "自主穿衣", "自主上下床"]
    sanwu = case.details["sanwu"]
    assert sanwu["outcome"] == "yes"
    assert [f["met"] for f in sanwu["findings"]] == [True, True, True]
    assert sanwu["findings"][0]["reasons"] == ["张奶奶年满60周岁"]
    assert sanwu["findings"][1]["reasons"][0] == "家庭人均月收入 650.00 元，低于低保标准 800.00 元"
    assert case.events.filter(action="selfcare_assessment").exists()
    # Four items lost: a second assessment, full care, counted as a re-assessment.
    again = _assess(w, case, lost=4)
    case.refresh_from_db()
    assert (again.round, again.tier, again.reassessment) == (2, "full", True)
    assert case.details["selfcare"]["tier"] == "full"


def test_the_county_leads_the_assessment(w: World) -> None:
    case = _case(w)
    with pytest.raises(ValidationFailed) as exc:
        _assess(w, case, assessor_ids=[w.caseworker.pk, w.caseworker2.pk])
    assert "县级" in exc.value.errors["assessor_ids"]
    with pytest.raises(ValidationFailed) as exc:
        _assess(w, case, assessor_ids=[w.approver.pk])
    assert "至少 2 名" in exc.value.errors["assessor_ids"]
    with pytest.raises(ValidationFailed) as exc:
        _assess(w, case, assessor_ids=[w.approver.pk, w.other_caseworker.pk])
    assert "本乡镇" in exc.value.errors["assessor_ids"]
    # The county approver records it too (the county leads it), the reviewer may not.
    assert _assess(w, case, user=w.approver).tier == "partial"
    with pytest.raises(PermissionDenied):
        _assess(w, case, user=w.reviewer)


def test_every_item_is_required(w: World) -> None:
    case = _case(w)
    items = selfcare_items(0)
    del items["bathing"]
    with pytest.raises(ValidationFailed) as exc:
        _assess(w, case, items={**items, "reading": True})
    assert set(exc.value.errors) == {"items.bathing", "items.reading"}


def test_only_a_tekun_case_in_its_investigation_another_township_404(w: World) -> None:
    dibao = w.case("investigation")
    with pytest.raises(Conflict):
        _assess(w, dibao)
    review = _case(w, state="review", subject=None)
    with pytest.raises(Conflict):
        _assess(w, review)
    with pytest.raises(NotFound):
        _assess(w, _case(w, subject=None), user=w.other_caseworker)


def test_the_investigation_cannot_end_without_the_assessment(w: World) -> None:
    case = _case(w)
    add_investigation(case, w.caseworker, w.caseworker2)
    forward = [t for t in case_transitions(user=w.caseworker, case=case) if t.target == "review"]
    assert forward and not forward[0].allowed
    assert any("生活自理能力评估" in why for why in forward[0].why_not)
    _assess(w, case)
    case.refresh_from_db()
    forward = [t for t in case_transitions(user=w.caseworker, case=case) if t.target == "review"]
    assert forward[0].allowed, forward[0].why_not


def _set_supporters(w: World, supporters: list[dict[str, Any]]) -> None:
    """The report's liable supporters (a report is immutable through the model: a test writes around it)."""
    from jiuzhu.verification.models import VerificationReport

    VerificationReport.objects.filter(pk=w.report.pk).update(
        inputs={**w.report.inputs, "supporters": supporters}
    )


def test_a_minor_of_17_needs_school_and_an_able_supporter_fails(w: World) -> None:
    today = timezone.localdate()
    birth = date(today.year - 17, 1, 1)
    child = add_member(w.household, "grandchild", name="张小孙", id_number=make_id_number(9002, birth=birth))
    case = _case(w, subject=child)
    labour = tekun_sanwu(case).labour
    assert labour.met is False and "须在校就读" in labour.reasons[0]
    child.in_school = True
    child.save()
    case.refresh_from_db()
    assert tekun_sanwu(case).labour.reasons == ("张小孙16至18周岁在校就读",)
    son = add_member(
        w.household, "child", name="张大儿", id_number=make_id_number(9003, birth=date(1980, 5, 5))
    )
    student = add_member(
        w.household,
        "child",
        name="张学生",
        id_number=make_id_number(9004, birth=date(2005, 5, 5)),
        in_school=True,
    )
    supporters = [{"person_id": student.pk, "name": student.name, "relation": "子女", "reason": "外出就读"}]
    _set_supporters(w, supporters)
    case.refresh_from_db()
    support = tekun_sanwu(case).support
    assert support.met is True
    assert support.reasons == ("张学生（子女）无履行义务能力：全日制在校学生",)
    _set_supporters(w, [*supporters, {"person_id": son.pk, "name": son.name, "relation": "子女"}])
    case.refresh_from_db()
    finding = tekun_sanwu(case)
    assert finding.support.met is False and finding.outcome == "no"
    assert finding.support.reasons[1] == "张大儿（子女）具备履行义务能力"


def test_confirmation_grants_a_person_entitlement_with_tier_and_form(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=2)
    case.refresh_from_db()
    done = confirmation_decide(
        ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    decision, entitlement = done.decision, done.entitlement
    assert decision.amount == Decimal("1452.00")
    assert decision.person_id == case.subject_id
    assert entitlement is not None and entitlement.person_id == case.subject_id
    assert entitlement.amount == Decimal("1452.00")
    assert entitlement.details == {
        "care_tier": "partial",
        "care_tier_label": "半护理（部分丧失生活自理能力）",
        "support_form": "dispersed",
        "support_form_label": "分散供养",
    }
    steps = decision.computation["allowance"]["steps"]
    assert [s["amount"] for s in steps] == ["1040.00", "412.00", "1452.00"]
    assert steps[0]["formula"] == "800.00 × 1.3 = 1040.00"
    assert "月救助供养金合计：1040.00 + 412.00 = 1452.00" in done.notice.body


def test_central_full_care_names_the_institution(w: World) -> None:
    case = _case(w, state="confirmation", support_form="central")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=5)
    case.refresh_from_db()
    done = confirmation_decide(
        ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.decision.amount == Decimal("2070.00")
    assert done.entitlement is not None
    assert done.entitlement.details["institution"] == "县社会福利中心"
    assert done.entitlement.details["care_tier"] == "full"


def test_no_decision_either_way_without_the_assessment(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    assert "自理能力评估" in str(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=AuditContext(user=w.approver),
            case_id=case.pk,
            version=case.version,
            agree=False,
            text="不同意",
            reasons=["有赡养能力的子女"],
        )
    assert "生活自理能力评估" in exc.value.errors["evidence"]
    add_selfcare(case, w.approver, w.caseworker, lost=0, sanwu="no")
    case.refresh_from_db()
    done = confirmation_decide(
        ctx=AuditContext(user=w.approver),
        case_id=case.pk,
        version=case.version,
        agree=False,
        text="不同意",
        reasons=["有赡养能力的子女"],
    )
    assert done.entitlement is None and done.case.outcome == "refused"


def test_a_failed_sanwu_cannot_be_confirmed(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=0, sanwu="no")
    case.refresh_from_db()
    with pytest.raises(ValidationFailed):
        confirmation_decide(
            ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )


def test_the_case_page_shows_the_form_and_the_finding(w: World, client_for: Any) -> None:
    case = _case(w)
    client = client_for(w.caseworker)
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "生活自理能力评估（六项）" in page and "自主上下床" in page
    assert "特困人员认定" in page and "按核对报告预判" in page
    body = {
        "version": case.version,
        "assessed_on": timezone.localdate().isoformat(),
        "assessor_ids": [w.approver.pk, w.caseworker.pk],
        **{k: "1" if v else "0" for k, v in selfcare_items(4).items()},
    }
    bad = client.post(f"/workflow/cases/{case.pk}/selfcare/", {**body, "assessor_ids": [w.caseworker.pk]})
    assert bad.status_code == 422
    assert "评估人员" in bad.content.decode()
    response = client.post(f"/workflow/cases/{case.pk}/selfcare/", body)
    assert response.status_code == 302
    page = client.get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "全护理（完全丧失生活自理能力）" in page and "按核对报告预判" not in page
    # The county approver sees the form too (the county leads the assessment).
    assert (
        "生活自理能力评估（六项）"
        in client_for(w.approver).get(f"/workflow/cases/{case.pk}/").content.decode()
    )
    assert (
        client_for(w.other_caseworker).post(f"/workflow/cases/{case.pk}/selfcare/", body).status_code == 404
    )


def test_the_api(w: World, client_for: Any) -> None:
    case = _case(w)
    client = client_for(w.caseworker)
    body = {
        "version": case.version,
        "items": selfcare_items(1),
        "assessed_on": timezone.localdate().isoformat(),
        "assessor_ids": [w.approver.pk, w.caseworker.pk],
    }
    url = f"/api/workflow/cases/{case.pk}/selfcare"
    other = client_for(w.other_caseworker).post(url, body, content_type="application/json")
    assert other.status_code == 404
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["lost"], data["tier"], data["sanwu"]) == (1, "partial", "yes")
    assert [f["code"] for f in data["findings"]] == ["labour", "means", "support"]
    again = client.post(url, {**body, "items": selfcare_items(6)}, content_type="application/json")
    assert again.status_code == 201 and again.json()["round"] == 2 and again.json()["tier"] == "full"


def test_a_minors_case_is_not_noticed_and_goes_to_the_county(w: World) -> None:
    from jiuzhu.workflow.services import case_open

    from ..factories import tekun_definition

    tekun_definition()
    today = timezone.localdate()
    orphan = add_member(
        w.household,
        "grandchild",
        name="张孤儿",
        id_number=make_id_number(9005, birth=date(today.year - 10, 1, 1)),
    )
    case = case_open(
        ctx=AuditContext(user=w.caseworker),
        program="tekun",
        household_id=w.household.pk,
        applicant_id=w.household.head_id,
        report_id=w.report.pk,
        subject_id=orphan.pk,
        details={"support_form": "dispersed"},
    )
    assert case.minor_case and case.subject_id == orphan.pk
    adult = case_open(
        ctx=AuditContext(user=w.caseworker),
        program="tekun",
        household_id=w.household.pk,
        applicant_id=w.household.head_id,
        report_id=w.report.pk,
        subject_id=_elder(w).pk,
        details={"support_form": "dispersed"},
    )
    assert not adult.minor_case
    from jiuzhu.workflow.models import Case

    Case.objects.filter(pk=case.pk).update(state="review")
    case.refresh_from_db()
    targets = {t.target: t for t in case_transitions(user=w.reviewer, case=case)}
    assert "未成年人" in targets["confirmation"].name
    assert not targets["public_notice"].allowed


def test_the_flowchart_and_the_handbook_show_the_procedure(w: World, client_for: Any) -> None:
    from ..factories import tekun_definition

    tekun_definition()
    client = client_for(w.caseworker)
    chart = client.get("/workflow/docs/flowchart/tekun/").content.decode()
    assert "调查核实与自理能力评估" in chart and "15个工作日" in chart
    book = client.get("/workflow/docs/handbook/").content.decode()
    assert "特困人员认定" in book and "生活自理能力评估（六项）及“三无”条件认定" in book


def test_a_reassessment_on_a_review_case_records_the_change_and_its_limit(w: World) -> None:
    from jiuzhu.benefits.programs import amount_rule
    from jiuzhu.workflow.services.steps import case_amount_request

    first = _case(w, state="confirmation")
    add_investigation(first, w.caseworker, w.caseworker2)
    add_selfcare(first, w.approver, w.caseworker, lost=1)
    first.refresh_from_db()
    done = confirmation_decide(
        ctx=AuditContext(user=w.approver), case_id=first.pk, version=first.version, agree=True, text="同意"
    )
    assert done.entitlement is not None and done.entitlement.details["care_tier"] == "partial"
    review = new_tekun_case(
        household=w.household,
        state="review",
        subject=first.subject,
        report=w.report,
        policy=w.policy,
        opened_by=w.caseworker,
        accepted_on=timezone.localdate(),
        purpose="review",
        entitlement=done.entitlement,
    )
    row = _assess(w, review, user=w.reviewer, lost=4)
    assert row.tier == "full"
    review.refresh_from_db()
    selfcare = review.details["selfcare"]
    assert selfcare["previous_tier"] == "partial" and selfcare["late"] is False
    assert date.fromisoformat(selfcare["reassess_due"]) > timezone.localdate()
    # The rule gives the adjusted amount: 1040.00 + 721.00 (dispersed, full care).
    result = amount_rule("tekun")(case_amount_request(review, w.policy, timezone.localdate()))
    assert result.amount == Decimal("1761.00")


# --- the 三无 finding must be "yes" for a grant (rules §3.1: all three conditions met) ------------------


def _with_sanwu(case: Any, sanwu: dict[str, Any] | None) -> None:
    """The case's 三无 finding replaced (``None``: none recorded), as the assessment would leave it."""
    from jiuzhu.workflow.models import Case

    details = {k: v for k, v in case.details.items() if k != "sanwu"}
    if sanwu is not None:
        details["sanwu"] = sanwu
    Case.objects.filter(pk=case.pk).update(details=details)
    case.refresh_from_db()


_PENDING = {
    "outcome": "review",
    "findings": [
        {"code": "labour", "label": "无劳动能力", "met": True, "reasons": ["张奶奶年满60周岁"]},
        {"code": "means", "label": "无生活来源", "met": True, "reasons": ["家庭财产符合规定"]},
        {
            "code": "support",
            "label": "无法定义务人或义务人无履行义务能力",
            "met": None,
            "reasons": ["张大儿（子女）待核实：年满70周岁，收入或财产情况待核实"],
        },
    ],
}


def test_a_sanwu_still_to_be_checked_cannot_be_confirmed_and_says_what_is_pending(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=2)
    _with_sanwu(case, _PENDING)
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    said = str(exc.value.errors)
    assert "特困人员“三无”条件待核实：无法定义务人或义务人无履行义务能力" in said
    assert "张大儿（子女）待核实：年满70周岁，收入或财产情况待核实" in said
    assert "无劳动能力（" not in said  # only what is pending is named
    # the county may still refuse it, with its reasons
    done = confirmation_decide(
        ctx=AuditContext(user=w.approver),
        case_id=case.pk,
        version=case.version,
        agree=False,
        text="不同意",
        reasons=["赡养人收入财产情况未能核实"],
    )
    assert done.entitlement is None and done.case.outcome == "refused"


def test_a_review_finding_without_its_findings_names_all_three_conditions(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=2, sanwu="review")
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    assert "特困人员“三无”条件待核实：无劳动能力、无生活来源、无法定义务人或义务人无履行义务能力" in str(
        exc.value.errors
    )


def test_no_sanwu_finding_recorded_cannot_be_confirmed(w: World) -> None:
    case = _case(w, state="confirmation")
    add_investigation(case, w.caseworker, w.caseworker2)
    add_selfcare(case, w.approver, w.caseworker, lost=2)
    _with_sanwu(case, None)
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=AuditContext(user=w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    assert "尚未作出特困人员“三无”条件认定" in str(exc.value.errors)
    from jiuzhu.benefits.models import Entitlement

    assert not Entitlement.objects.filter(person_id=case.subject_id).exists()


def test_the_rule_grants_only_on_yes_and_recomputation_refuses_only_no(w: World) -> None:
    from jiuzhu.benefits.programs.base import AmountRequest
    from jiuzhu.benefits.programs.tekun import tekun_rule

    selfcare = {"tier": "partial"}

    def rule(sanwu: dict[str, Any] | None, *, recompute: bool = False) -> Any:
        details: dict[str, Any] = {"support_form": "dispersed", "selfcare": selfcare}
        if sanwu is not None:
            details["sanwu"] = sanwu
        return tekun_rule(
            AmountRequest(
                program="tekun",
                members=[],
                per_capita_income=None,
                policy=w.policy,
                urban=False,
                decided_on=timezone.localdate(),
                details=details,
                recompute=recompute,
            )
        )

    # 800 × 1.3 = 1040.00; + 412 (dispersed 半护理) = 1452.00
    yes = rule({"outcome": "yes", "findings": []})
    assert (yes.eligible, yes.amount) == (True, Decimal("1452.00"))
    pending: tuple[dict[str, Any] | None, ...] = ({"outcome": "review", "findings": []}, _PENDING, None, {})
    for pended in pending:
        refused = rule(pended)
        assert (refused.eligible, refused.amount) == (False, Decimal("0.00")), pended
        assert refused.reasons and "三无" in refused.reasons[0]
    no = rule({"outcome": "no", "findings": [{"met": False, "reasons": ["张大儿（子女）具备履行义务能力"]}]})
    assert no.reasons == ("不符合特困人员“三无”条件", "张大儿（子女）具备履行义务能力")
    # an existing entitlement recomputed (its facts may carry no finding): only "no" stops it
    kept: tuple[dict[str, Any] | None, ...] = ({"outcome": "yes"}, {"outcome": "review"}, None)
    for sanwu in kept:
        assert rule(sanwu, recompute=True).amount == Decimal("1452.00")
    assert not rule({"outcome": "no"}, recompute=True).eligible


# --- the supporter's asset limit uses the supporter's own household's standard -----------------------


_BANK = iter(range(1, 999))


def _unable_supporter(w: World, household: Any, deposits: str, name: str) -> Any:
    """A supporter without capacity (no self-care, no labour) holding ``deposits`` in the bank: unable
    to support only when the deposits are within 24 months of their own household's 低保 standard."""
    from jiuzhu.exchange.models import FeedRecord

    from ..factories import new_import_batch

    person = add_member(
        household,
        "child",
        name=name,
        id_number=make_id_number(next(_SEQ), birth=date(1975, 3, 3)),
        self_care="none",
        labour_capacity="none",
    )
    FeedRecord.objects.create(
        feed="bank",
        id_number=person.id_number,
        date=timezone.localdate(),
        amount=Decimal(deposits),
        row_key=f"bank-{person.pk}-{next(_BANK)}",
        batch=new_import_batch(),
    )
    return person


def test_a_rural_supporters_assets_are_measured_on_the_rural_standard(w: World) -> None:
    # rural (the world's household): 24 × 800 = 19200.00; urban would be 24 × 900 = 21600.00
    case = _case(w)
    son = _unable_supporter(w, w.household, "20000", "张大儿")
    _set_supporters(w, [{"person_id": son.pk, "name": son.name, "relation": "子女"}])
    case.refresh_from_db()
    support = tekun_sanwu(case).support
    assert support.met is False  # 20000 > 19200: not "within the limits", so not unable
    assert support.reasons == ("张大儿（子女）具备履行义务能力",)
    _set_supporters(w, [])
    within = _unable_supporter(w, w.household, "19200", "张二儿")
    _set_supporters(w, [{"person_id": within.pk, "name": within.name, "relation": "子女"}])
    case.refresh_from_db()
    support = tekun_sanwu(case).support
    assert support.met is True
    assert support.reasons == ("张二儿（子女）无履行义务能力：无民事行为能力，财产符合规定",)


def test_an_urban_supporter_of_a_rural_applicant_is_measured_on_the_urban_standard(w: World) -> None:
    from ..factories import new_household

    case = _case(w)
    town = new_household(head__name="张城", urban_rural="urban")
    son = _unable_supporter(w, town, "21000", "张城儿")  # ≤ 24 × 900 = 21600.00, > 24 × 800 = 19200.00
    _set_supporters(w, [{"person_id": son.pk, "name": son.name, "relation": "子女"}])
    case.refresh_from_db()
    assert tekun_sanwu(case).support.met is True
