"""临时救助 on the engine (rules §5), walked through the services by the users of each step: the emergency
type's simplified path (no notice) to the township's approval, the expenditure type's notice in
working days and the county's approval, the county's 一事一议 above the general cap, the once-per-cause
refusal, 先行救助 paid at once and ratified later (its queue light, its overdue flag), the non-resident's
file at the place of the emergency, and the pages and endpoints of these acts with their roles.

The county's policy (``make_world``): urban standard 900 yuan (the caps' base: 临时救助 counts in the
urban standard by default), so by hand: township cap 3 × 900 = 2700.00, general cap 10 × 900 =
9000.00, county cap 30 × 900 = 27000.00, emergency floor 2 × 900 = 1800.00; 先行救助 to be completed
within 5 working days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.benefits.programs.facts import facts_clean
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow import deadlines
from jiuzhu.workflow.models import Case, Notice, PriorAid, PublicNotice
from jiuzhu.workflow.selectors import case_transitions, queue
from jiuzhu.workflow.services import case_act, case_open
from jiuzhu.workflow.services.steps import (
    confirmation_decide,
    investigation_record,
    public_notice_close,
    public_notice_start,
    review_opinion,
)
from jiuzhu.workflow.services.temporary import (
    non_resident_register,
    prior_aid_grant,
    prior_aid_scan,
    special_approval_record,
    temporary_amount_propose,
)

from ..conftest import EAST_VILLAGE, WEST_VILLAGE
from ..factories import (
    add_member,
    add_temporary_grant,
    make_id_number,
    new_temporary_case,
    temporary_definition,
)
from .steps_world import World, make_world

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    world = make_world(tree, spot_check_rate=Decimal("0"))  # no county spot check drawn in these walks
    temporary_definition()
    return world


def ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


def version(case: Any) -> int:
    return int(Case.objects.filter(pk=case.pk).values_list("version", flat=True).get())


def open_case(w: World, *, report: bool = False, **facts: Any) -> Case:
    facts.setdefault("kind", "emergency")
    facts.setdefault("cause", "fire")
    return case_open(
        ctx=ctx(w.caseworker),
        program="temporary",
        household_id=w.household.pk,
        applicant_id=w.household.head_id,
        subject_id=w.household.head_id,
        report_id=w.report.pk if report else None,
        details=facts,
    )


def to_review(w: World, case: Case) -> None:
    case_act(ctx=ctx(w.caseworker), case_id=case.pk, version=version(case), target="investigation")
    investigation_record(ctx=ctx(w.caseworker), case_id=case.pk, version=version(case), **w.investigation())
    case_act(ctx=ctx(w.caseworker), case_id=case.pk, version=version(case), target="review")
    review_opinion(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="情况属实")


def targets(user: Any, case: Case) -> dict[str, bool]:
    case.refresh_from_db()
    return {t.target: t.allowed for t in case_transitions(user=user, case=case)}


# --- 急难型: the simplified path to the township ------------------------------------------------------


def test_an_emergency_within_the_township_cap_is_approved_by_the_township_without_notice(w: World) -> None:
    case = open_case(w, amount_asked="2700.00")
    assert case.number.startswith("LS-") and case.state == "verification"
    to_review(w, case)
    allowed = targets(w.reviewer, case)
    assert allowed["township_confirmation"] and not allowed["public_notice"]
    assert not allowed["confirmation"] and not allowed["county_special"]
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.case.outcome == "confirmed"
    assert done.decision.amount == D("2700.00") and done.decision.person_id == w.household.head_id
    e = done.entitlement
    assert e is not None and (e.payment, e.amount, e.person_id) == ("once", D("2700.00"), w.household.head_id)
    assert e.start_month == TODAY.replace(day=1) == e.valid_until  # paid at once, this month
    assert e.details["cause"] == "fire" and e.details["approval"] == "township_approval"
    assert "一次性救助金额2700.00元" in done.notice.body and "月保障金额" not in done.notice.body


def test_an_emergency_without_an_amount_gets_the_floor(w: World) -> None:
    case = open_case(w)
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("1800.00")  # 900 × 2


def test_one_fen_over_the_township_cap_goes_to_the_county(w: World) -> None:
    case = open_case(w, amount_asked="2700.01")
    to_review(w, case)
    allowed = targets(w.reviewer, case)
    assert allowed["confirmation"] and not allowed["township_confirmation"]
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="confirmation")
    with pytest.raises(PermissionDenied):
        confirmation_decide(
            ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
        )
    done = confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("2700.01")


# --- 支出型: means check, a notice in working days, the county ----------------------------------------


def test_an_expense_case_needs_its_report_is_noticed_in_working_days_and_goes_to_the_county(w: World) -> None:
    bare = open_case(w, kind="expense", cause="medical_expense", people=3, months=2)
    assert not targets(w.caseworker, bare)["investigation"]  # the means check is missing
    Case.objects.filter(pk=bare.pk).update(status="closed", outcome="withdrawn")
    case = open_case(w, report=True, kind="expense", cause="medical_expense", people=3, months=2)
    to_review(w, case)
    allowed = targets(w.reviewer, case)
    assert allowed["public_notice"] and not allowed["township_confirmation"] and not allowed["confirmation"]
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="public_notice")
    notice = public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case))
    cal = deadlines.work_calendar()
    counted = 1 if cal.is_working_day(TODAY) else 0
    assert notice.ends_on == cal.add_working_days(TODAY, 5 - counted).due  # 5 working days, today counted
    assert notice.amount == D("5400.00")  # 900 × 3 × 2
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=TODAY - timedelta(days=10), ends_on=TODAY - timedelta(days=1)
    )
    moved = public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case))
    assert moved.state == "confirmation"  # 5400.00 > 2700.00: the county
    done = confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("5400.00")
    lines = done.decision.computation["allowance"]["steps"]
    assert lines[0]["formula"] == "900 × 3 × 2 = 5400.00"


# --- above the general cap: the county's 一事一议 ----------------------------------------------------------


@pytest.mark.parametrize(("agree", "amount"), [(True, "12000.00"), (False, "9000.00")])
def test_above_the_general_cap_the_county_decides_case_by_case_first(
    w: World, agree: bool, amount: str
) -> None:
    case = open_case(w, amount_asked="12000.00")
    to_review(w, case)
    allowed = targets(w.reviewer, case)
    assert allowed["county_special"] and not allowed["confirmation"]
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="county_special")
    with pytest.raises(ValidationFailed):  # the bare move lacks the county's opinion
        case_act(ctx=ctx(w.approver), case_id=case.pk, version=version(case), target="confirmation")
    with pytest.raises(PermissionDenied):
        special_approval_record(
            ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="x"
        )
    special_approval_record(
        ctx=ctx(w.approver), case_id=case.pk, version=version(case), agree=agree, text="研究"
    )
    case.refresh_from_db()
    assert case.state == "confirmation" and case.details["county_special"] is agree
    done = confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D(amount)


def test_the_township_may_correct_the_amount_after_investigation_and_the_approver_follows(w: World) -> None:
    case = open_case(w, amount_asked="1000.00")
    to_review(w, case)
    assert targets(w.reviewer, case)["township_confirmation"]
    with pytest.raises(PermissionDenied):
        temporary_amount_propose(
            ctx=ctx(w.caseworker), case_id=case.pk, version=version(case), amount_asked="3000"
        )
    changed = temporary_amount_propose(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), amount_asked="3000", note="医疗费另计"
    )
    assert changed.details["amount_asked"] == "3000.00" and changed.details["applied"] == {
        "amount_asked": "1000.00"
    }
    allowed = targets(w.reviewer, case)
    assert allowed["confirmation"] and not allowed["township_confirmation"]


# --- once per cause per year ----------------------------------------------------------------------------


def test_a_second_grant_for_the_same_cause_this_year_cannot_be_confirmed(w: World) -> None:
    head = w.household.head
    add_temporary_grant(head, cause="fire", decided_on=TODAY.replace(month=1, day=1))
    case = open_case(w, amount_asked="1000.00")
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
        )
    assert "每年不超过 1 次" in str(exc.value.errors)
    done = confirmation_decide(
        ctx=ctx(w.reviewer),
        case_id=case.pk,
        version=version(case),
        agree=False,
        text="不同意",
        reasons=["本年度已因同一事由获得临时救助"],
    )
    assert done.case.outcome == "refused" and done.entitlement is None


def test_last_years_grant_on_31_december_does_not_count(w: World) -> None:
    head = w.household.head
    add_temporary_grant(head, cause="fire", decided_on=date(TODAY.year - 1, 12, 31))
    case = open_case(w, amount_asked="2000.00")
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("2000.00")


def test_less_than_the_emergency_floor_asked_is_granted_the_floor(w: World) -> None:
    # 1000.00 asked < the floor 2 × 900 = 1800.00: the decision grants 1800.00 and says why
    case = open_case(w, amount_asked="1000.00")
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("1800.00")
    lines = done.decision.computation["allowance"]["steps"]
    assert lines[-1] == {
        "label": "不低于急难型最低救助额",
        "formula": "900 × 2 = 1800.00（申请 1000.00 元）",
        "amount": "1800.00",
    }


def test_the_county_exception_allows_one_more(w: World) -> None:
    add_temporary_grant(w.household.head, cause="fire", decided_on=TODAY)
    case = open_case(w, amount_asked="2000.00", county_exception=True)
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("2000.00")


# --- the facts at intake ------------------------------------------------------------------------------


def test_the_facts_are_checked_at_intake(w: World) -> None:
    members = {w.household.head_id}
    with pytest.raises(ValidationFailed) as exc:
        facts_clean(
            "temporary",
            {"subject_id": w.household.head_id, "kind": "emergency", "cause": "medical_expense"},
            members=members,
        )
    assert "details.temporary.cause" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        facts_clean(
            "temporary",
            {"subject_id": w.household.head_id, "kind": "expense", "cause": "medical_expense"},
            members=members,
        )
    assert {"details.temporary.people", "details.temporary.months"} <= set(exc.value.errors)
    ok = facts_clean(
        "temporary",
        {
            "subject_id": w.household.head_id,
            "kind": "expense",
            "cause": "education",
            "people": "2",
            "months": "3",
        },
        members=members,
    )
    assert ok["people"] == 2 and ok["months"] == 3


# --- 先行救助 ----------------------------------------------------------------------------------------------


def test_prior_aid_pays_at_once_and_the_decision_ratifies_it(w: World) -> None:
    head = w.household.head
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=w.household.pk,
        recipient_id=head.pk,
        amount="2000",
        cause="fire",
        reason="房屋失火",
    )
    # Paid now: a one-off entitlement for the payroll, its decision, and a notice to the family.
    assert (aid.entitlement.payment, aid.entitlement.amount, aid.entitlement.status) == (
        "once",
        D("2000.00"),
        "active",
    )
    assert aid.entitlement.start_month == TODAY.replace(day=1)
    assert aid.decision.case_number == aid.case.number + "-XZ"
    assert aid.due_on == deadlines.work_calendar().add_working_days(TODAY, 5).due
    assert Notice.objects.filter(case=aid.case, kind="prior_aid_notice").count() == 1
    case = aid.case
    assert case.state == "verification" and case.details["prior_aid_amount"] == "2000.00"
    # The queue shows the completion deadline's light.
    rows = [r for r in queue(user=w.caseworker, kind="todo").rows if r.id == case.pk]
    assert rows and rows[0].prior_aid_due_on == aid.due_on and rows[0].prior_aid_light in ("green", "yellow")
    # The paperwork: investigation, review, the township's decision — ratified, nothing paid twice.
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="追认"
    )
    assert done.decision.amount == D("0.00") and done.entitlement is None
    assert done.decision.computation["allowance"]["temporary"]["amount"] == "2000.00"
    assert done.decision.computation["allowance"]["steps"][-1]["formula"] == "2000.00 − 2000.00 = 0.00"
    assert Entitlement.objects.filter(program="temporary", person=head).count() == 1


def test_prior_aid_topped_up_by_the_decision_is_a_new_grant(w: World) -> None:
    head = w.household.head
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=w.household.pk,
        recipient_id=head.pk,
        amount="2000",
        cause="traffic",
        reason="车祸",
    )
    case = aid.case
    to_review(w, case)
    temporary_amount_propose(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), amount_asked="2500")
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("500.00")  # 2500.00 − 2000.00
    assert done.entitlement is not None and done.entitlement.amount == D("500.00")
    # the prior aid for the same cause is not counted against its own ratification
    assert Entitlement.objects.filter(program="temporary", person=head).count() == 2


def test_prior_aid_below_the_floor_is_what_was_paid_and_the_decision_tops_it_up(w: World) -> None:
    head = w.household.head
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=w.household.pk,
        recipient_id=head.pk,
        amount="500",
        cause="fire",
        reason="房屋失火",
    )
    # paid at once: 500.00, not the floor (the floor is the decision's)
    assert (aid.entitlement.amount, aid.decision.amount) == (D("500.00"), D("500.00"))
    assert aid.decision.computation["allowance"]["steps"] == [
        {"label": "先行救助金额", "formula": "500.00", "amount": "500.00"}
    ]
    case = aid.case
    to_review(w, case)
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="追认"
    )
    # the floor 2 × 900 = 1800.00, less the 500.00 paid: 1300.00 more
    assert done.decision.computation["allowance"]["temporary"]["amount"] == "1800.00"
    assert done.decision.amount == D("1300.00")
    assert done.entitlement is not None and done.entitlement.amount == D("1300.00")


def test_a_prior_aid_topped_up_by_the_decision_counts_as_one_grant(w: World) -> None:
    from jiuzhu.benefits.selectors_temporary import temporary_past_grants
    from jiuzhu.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=w.policy.pk).update(temporary_times_per_cause=2)
    head = w.household.head
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=w.household.pk,
        recipient_id=head.pk,
        amount="1000",
        cause="fire",
        reason="房屋失火",
    )
    case = aid.case
    to_review(w, case)
    temporary_amount_propose(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), amount_asked="2500")
    case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), target="township_confirmation")
    done = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=version(case), agree=True, text="同意"
    )
    assert done.decision.amount == D("1500.00")  # 2500.00 − 1000.00
    # two entitlements (paid at once, topped up), one grant for one fire
    assert Entitlement.objects.filter(program="temporary", person=head).count() == 2
    past = temporary_past_grants(person_id=head.pk)
    assert [(g.granted_on, g.cause) for g in past] == [(TODAY, "fire")]
    # so a second fire this year is the second grant (at most 2): allowed, and a third is refused
    second = open_case(w, amount_asked="2000.00")
    to_review(w, second)
    case_act(ctx=ctx(w.reviewer), case_id=second.pk, version=version(second), target="township_confirmation")
    allowed = confirmation_decide(
        ctx=ctx(w.reviewer), case_id=second.pk, version=version(second), agree=True, text="同意"
    )
    assert allowed.decision.amount == D("2000.00")
    assert allowed.decision.computation["allowance"]["temporary"]["times_this_year"] == 1
    assert len(temporary_past_grants(person_id=head.pk)) == 2
    third = open_case(w, amount_asked="2000.00")
    to_review(w, third)
    case_act(ctx=ctx(w.reviewer), case_id=third.pk, version=version(third), target="township_confirmation")
    with pytest.raises(ValidationFailed) as exc:
        confirmation_decide(
            ctx=ctx(w.reviewer), case_id=third.pk, version=version(third), agree=True, text="同意"
        )
    assert "已因“火灾”获临时救助 2 次（每年不超过 2 次）" in str(exc.value.errors)


def test_prior_aid_is_limited_to_the_township_cap_and_the_once_per_cause_rule(w: World) -> None:
    head = w.household.head
    with pytest.raises(ValidationFailed) as exc:
        prior_aid_grant(
            ctx=ctx(w.caseworker),
            household_id=w.household.pk,
            recipient_id=head.pk,
            amount="2700.01",
            cause="fire",
            reason="x",
        )
    assert "2700.00" in exc.value.errors["amount"]
    with pytest.raises(ValidationFailed) as exc:
        prior_aid_grant(
            ctx=ctx(w.caseworker),
            household_id=w.household.pk,
            recipient_id=head.pk,
            amount="100",
            cause="medical_expense",
            reason="x",
        )
    assert "cause" in exc.value.errors
    add_temporary_grant(head, cause="fire", decided_on=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        prior_aid_grant(
            ctx=ctx(w.caseworker),
            household_id=w.household.pk,
            recipient_id=head.pk,
            amount="100",
            cause="fire",
            reason="x",
        )
    assert "每年不超过" in exc.value.errors["cause"]
    assert not PriorAid.objects.exists() and not Case.objects.filter(program="temporary").exists()


def test_prior_aid_roles_and_jurisdiction(w: World) -> None:
    head = w.household.head
    args = {
        "household_id": w.household.pk,
        "recipient_id": head.pk,
        "amount": "100",
        "cause": "fire",
        "reason": "x",
    }
    with pytest.raises(PermissionDenied):
        prior_aid_grant(ctx=ctx(w.reviewer), **args)
    with pytest.raises(PermissionDenied):
        prior_aid_grant(ctx=ctx(w.approver), **args)
    with pytest.raises(NotFound):
        prior_aid_grant(ctx=ctx(w.other_caseworker), **args)


def test_a_late_prior_aid_is_flagged_once_and_shows_red(w: World) -> None:
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=w.household.pk,
        recipient_id=w.household.head_id,
        amount="500",
        cause="injury",
        reason="摔伤",
        paid_on=TODAY - timedelta(days=20),
    )
    assert aid.overdue  # paid 20 days ago: more than 5 working days have passed
    PriorAid.objects.filter(pk=aid.pk).update(overdue=False)
    assert prior_aid_scan(ctx=AuditContext.system()) == 1
    assert prior_aid_scan(ctx=AuditContext.system()) == 0
    aid.refresh_from_db()
    assert aid.overdue and aid.case.events.filter(action="prior_aid_overdue").count() == 1
    rows = [r for r in queue(user=w.caseworker, kind="overdue").rows if r.id == aid.case_id]
    assert rows and rows[0].prior_aid_light == "red" and rows[0].prior_aid_overdue


# --- 流动人口 ----------------------------------------------------------------------------------------------


def test_a_non_resident_gets_a_household_at_the_place_of_the_emergency(w: World) -> None:
    number = make_id_number(7001)
    household = non_resident_register(
        ctx=ctx(w.caseworker),
        id_number=number,
        name="流动甲",
        village_code=EAST_VILLAGE,
        address="幸福村工棚",
        hukou_address="外省某县某村",
    )
    assert household.region_id == EAST_VILLAGE and household.head.id_number == number
    assert household.head.residence_region_id == EAST_VILLAGE
    aid = prior_aid_grant(
        ctx=ctx(w.caseworker),
        household_id=household.pk,
        recipient_id=household.head_id,
        amount="800",
        cause="traffic",
        reason="务工途中遭遇车祸",
        non_resident=True,
    )
    assert aid.non_resident and aid.case.details["non_resident"] is True
    # already on the platform: not registered twice, not moved
    with pytest.raises(ValidationFailed):
        non_resident_register(
            ctx=ctx(w.caseworker), id_number=number, name="流动甲", village_code=EAST_VILLAGE, address="x"
        )
    with pytest.raises(NotFound):
        non_resident_register(
            ctx=ctx(w.caseworker),
            id_number=make_id_number(7002),
            name="流动乙",
            village_code=WEST_VILLAGE,
            address="x",
        )


# --- pages and endpoints -----------------------------------------------------------------------------


def test_the_prior_aid_page_pays_and_the_register_lists_it(w: World, client_for: Any) -> None:
    member = add_member(w.household, "child", name="张小弟")
    client = client_for(w.caseworker)
    page = client.get(f"/workflow/temporary/households/{w.household.pk}/prior-aid/")
    assert page.status_code == 200 and "张小弟" in page.content.decode()
    response = client.post(
        f"/workflow/temporary/households/{w.household.pk}/prior-aid/",
        {
            "recipient_id": member.pk,
            "amount": "600",
            "cause": "drowning",
            "reason": "落水救治",
            "paid_on": TODAY.isoformat(),
        },
    )
    aid = PriorAid.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workflow/cases/{aid.case_id}/"
    register = client.get("/workflow/temporary/prior-aid/").content.decode()
    assert aid.case.number in register and "600.00" in register
    case_page = client.get(f"/workflow/cases/{aid.case_id}/").content.decode()
    assert "先行救助" in case_page and "补办手续期限" in case_page
    todo = client.get("/workflow/").content.decode()
    assert "先行救助补办期限" in todo
    refused = client.post(
        f"/workflow/temporary/households/{w.household.pk}/prior-aid/",
        {
            "recipient_id": member.pk,
            "amount": "99999",
            "cause": "fire",
            "reason": "x",
            "paid_on": TODAY.isoformat(),
        },
    )
    assert refused.status_code == 200 and "乡镇审批限额" in refused.content.decode()
    assert (
        client_for(w.reviewer)
        .post(f"/workflow/temporary/households/{w.household.pk}/prior-aid/", {})
        .status_code
        == 403
    )


def test_the_api_pays_lists_and_approves(w: World, client_for: Any) -> None:
    client = client_for(w.caseworker)
    created = client.post(
        f"/api/workflow/temporary/households/{w.household.pk}/prior-aid",
        {"recipient_id": w.household.head_id, "amount": "700.00", "cause": "fire", "reason": "房屋失火"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "700.00" and body["light"] in ("green", "yellow") and not body["completed"]
    listed = client.get("/api/workflow/temporary/prior-aid").json()
    assert [r["id"] for r in listed] == [body["id"]]
    assert client.get(f"/api/workflow/temporary/prior-aid/{body['id']}").status_code == 200
    assert (
        client_for(w.other_caseworker).get(f"/api/workflow/temporary/prior-aid/{body['id']}").status_code
        == 404
    )
    case = new_temporary_case(
        household=w.household, state="county_special", amount_asked="12000.00", policy=w.policy
    )
    approved = client_for(w.approver).post(
        f"/api/workflow/temporary/cases/{case.pk}/special-approval",
        {"version": case.version, "agree": True, "text": "同意一事一议"},
        content_type="application/json",
    )
    assert approved.status_code == 201, approved.content
    case.refresh_from_db()
    assert case.state == "confirmation" and case.details["county_special"] is True
    assert Decision.objects.filter(case_number=case.number).count() == 0


def test_the_flowchart_and_the_handbook_show_the_procedure(w: World, client_for: Any) -> None:
    client = client_for(w.caseworker)
    chart = client.get("/workflow/docs/flowchart/temporary/")
    assert chart.status_code == 200
    text = chart.content.decode()
    assert "县级一事一议" in text and "乡镇审批（县级委托）" in text
    handbook = client.get("/workflow/docs/handbook/").content.decode()
    assert "临时救助审核审批" in handbook and "先行救助登记告知书" in handbook


def test_the_register_leads_from_a_household_number_to_its_form(w: World, client_for: Any) -> None:
    client = client_for(w.caseworker)
    found = client.get("/workflow/temporary/prior-aid/", {"household": w.household.number})
    assert found.status_code == 302
    assert found["Location"] == f"/workflow/temporary/households/{w.household.pk}/prior-aid/"
    elsewhere = client_for(w.other_caseworker).get(
        "/workflow/temporary/prior-aid/", {"household": w.household.number}
    )
    assert elsewhere.status_code == 200 and "未在本辖区找到该户编号" in elsewhere.content.decode()
