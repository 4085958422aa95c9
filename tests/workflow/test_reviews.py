"""Periodic reviews on the engine (rules §1.11): opened on schedule (a month end, 29 February), once;
walked by the right roles to each of their four ends with the entitlement's change and the notice;
the changes outside a review with their notices; the review queue, the case page's form, the household
benefits page's actions and the API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow.models import Case, Notice
from jiuzhu.workflow.services import case_act
from jiuzhu.workflow.services.reviews import (
    entitlement_change,
    entitlement_stop,
    review_decide,
    reviews_open,
)

from ..conftest import COUNTY, EAST_TOWN
from ..factories import add_investigation, add_opinion, new_life_entitlement, workflow_definitions

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def synced(tree: dict[str, Any], policy: Any) -> None:
    workflow_definitions()


def _ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


def test_reviews_open_within_the_window_and_only_once(synced, caseworker) -> None:
    due = new_life_entitlement(next_review_on=TODAY + timedelta(days=30))  # default: 30 days before
    later = new_life_entitlement(next_review_on=TODAY + timedelta(days=31))
    late = new_life_entitlement(next_review_on=TODAY - timedelta(days=3))
    ended = new_life_entitlement(next_review_on=TODAY, status="ended")
    result = reviews_open(ctx=_ctx(caseworker))
    assert len(result.opened) == 2
    cases = Case.objects.filter(purpose="review")
    assert {c.entitlement_id for c in cases} == {due.pk, late.pk}
    case = cases.get(entitlement=due)
    assert case.state == "investigation" and case.definition.purpose == "review"
    assert case.details["due_on"] == due.next_review_on.isoformat()
    assert later.pk not in {c.entitlement_id for c in cases} and ended.pk not in {
        c.entitlement_id for c in cases
    }
    again = reviews_open(ctx=_ctx(caseworker))
    assert again.opened == [] and again.skipped == {"已立复核案件": 2}


def test_a_review_due_on_29_february_opens_on_30_january(synced, caseworker) -> None:
    leap = new_life_entitlement(next_review_on=date(2028, 2, 29))
    assert reviews_open(ctx=_ctx(caseworker), today=date(2028, 1, 29)).opened == []
    opened = reviews_open(ctx=_ctx(caseworker), today=date(2028, 1, 30)).opened
    assert len(opened) == 1
    assert Case.objects.get(number=opened[0]).entitlement_id == leap.pk


def test_another_township_opens_nothing_here(synced, other_caseworker) -> None:
    new_life_entitlement(next_review_on=TODAY)
    assert reviews_open(ctx=_ctx(other_caseworker)).opened == []


def _open(caseworker: Any, **kw: Any) -> tuple[Case, Entitlement]:
    e = new_life_entitlement(next_review_on=TODAY + timedelta(days=5), **kw)
    [number] = reviews_open(ctx=_ctx(caseworker)).opened
    return Case.objects.get(number=number), e


def _to_decision(case: Case, caseworker: Any, reviewer: Any) -> Case:
    add_investigation(case)
    case = case_act(ctx=_ctx(caseworker), case_id=case.pk, version=case.version, target="review")
    add_opinion(case, by=reviewer)
    return case_act(ctx=_ctx(reviewer), case_id=case.pk, version=case.version, target="review_decision")


def test_maintain(synced, caseworker, reviewer, approver) -> None:
    case, _e = _open(caseworker, review_class="B")
    case = _to_decision(case, caseworker, reviewer)
    done = review_decide(
        ctx=_ctx(approver), case_id=case.pk, version=case.version, outcome="maintained", text="家庭情况无变化"
    )
    assert done.case.state == "maintained" and done.case.outcome == "maintained" and done.notice is None
    # B: 12 months after today's review.
    from jiuzhu.benefits.engine.review import add_months

    assert done.entitlement.next_review_on == add_months(TODAY, 12)


def test_adjust_recomputes_with_the_rule_and_issues_a_notice(
    synced, caseworker, reviewer, approver, tree
) -> None:
    from ..factories import new_policy

    case, _e = _open(caseworker)
    case = _to_decision(case, caseworker, reviewer)
    # The standard went up since: rural 520 → 600 from this year, two members at 370: (600 − 370) × 2 = 460.
    new_policy(effective_from=TODAY.replace(month=1, day=1), dibao_standard_rural=Decimal("600"))
    Case.objects.filter(pk=case.pk).update(policy_version=case.policy_version)  # pinned to the old one …
    case.policy_version.policy_at_decision = "at_decision"  # … but the region decides under today's
    case.policy_version.save()
    done = review_decide(
        ctx=_ctx(approver),
        case_id=case.pk,
        version=case.version,
        outcome="adjusted",
        text="标准提高，重新核定",
        from_month=date(TODAY.year, TODAY.month, 1),
    )
    assert done.case.state == "adjusted"
    assert done.entitlement.amount == Decimal("460.00")
    assert done.notice.kind == "adjustment"
    assert "300.00元调整为460.00元" in done.notice.body
    assert f"{TODAY.year}年{TODAY.month}月起调整" in done.notice.body
    assert done.notice.region_id == COUNTY


def test_stop_needs_reasons_and_issues_a_termination_notice(synced, caseworker, reviewer, approver) -> None:
    case, _e = _open(caseworker)
    case = _to_decision(case, caseworker, reviewer)
    with pytest.raises(ValidationFailed) as exc:
        review_decide(
            ctx=_ctx(approver), case_id=case.pk, version=case.version, outcome="stopped", text="停保"
        )
    assert exc.value.errors == {"reasons": "暂停发放或停保须逐条写明理由"}
    done = review_decide(
        ctx=_ctx(approver),
        case_id=case.pk,
        version=case.version,
        outcome="stopped",
        text="停保",
        reasons=["家庭月人均收入超过低保标准", "家庭拥有机动车辆"],
        from_month=date(2026, 9, 15),
    )
    assert done.entitlement.status == "ended" and done.entitlement.end_month == date(2026, 9, 1)
    assert done.notice.kind == "termination" and done.notice.title == "终止救助告知书"
    assert (
        "1．家庭月人均收入超过低保标准" in done.notice.body and "2026年9月为最后发放月份" in done.notice.body
    )


def test_suspend_issues_a_notice(synced, caseworker, reviewer, approver) -> None:
    case, _e = _open(caseworker)
    case = _to_decision(case, caseworker, reviewer)
    done = review_decide(
        ctx=_ctx(approver),
        case_id=case.pk,
        version=case.version,
        outcome="suspended",
        text="暂停",
        reasons=["拒不配合入户核查"],
    )
    assert done.entitlement.status == "suspended" and done.notice.kind == "suspension"


def test_roles_and_jurisdiction(synced, caseworker, reviewer, approver, make_user) -> None:
    case, _e = _open(caseworker)
    case = _to_decision(case, caseworker, reviewer)
    with pytest.raises(PermissionDenied):
        review_decide(
            ctx=_ctx(reviewer), case_id=case.pk, version=case.version, outcome="maintained", text="x"
        )
    with pytest.raises(NotFound):
        review_decide(
            ctx=_ctx(make_user("county_approver", "980102000000")),
            case_id=case.pk,
            version=case.version,
            outcome="maintained",
            text="x",
        )
    # The generic move cannot end a review without its record.
    with pytest.raises(ValidationFailed):
        case_act(ctx=_ctx(approver), case_id=case.pk, version=case.version, target="maintained")


def test_tekun_is_reviewed_by_the_county_without_the_township_review(synced, caseworker, approver) -> None:
    e = new_life_entitlement(program="tekun", ages=(80,), amount="900.00", next_review_on=TODAY)
    Entitlement.objects.filter(pk=e.pk).update(person=e.household.head)
    [number] = reviews_open(ctx=_ctx(caseworker)).opened
    case = Case.objects.get(number=number)
    assert case.subject_id == e.household.head_id and case.definition.name == "特困人员年审"
    add_investigation(case)
    case = case_act(ctx=_ctx(caseworker), case_id=case.pk, version=case.version, target="review_decision")
    assert case.state == "review_decision"


def test_change_outside_a_review_with_a_new_income(synced, approver, reviewer) -> None:
    e = new_life_entitlement()
    changed = entitlement_change(
        ctx=_ctx(approver),
        entitlement_id=e.pk,
        from_month=date(2026, 4, 1),
        reason="家庭成员收入增加",
        per_capita_income=Decimal("420"),
    )
    # (520 − 420) × 2 = 200
    assert changed.entitlement.amount == Decimal("200.00")
    assert changed.notice.kind == "adjustment" and changed.notice.region_id == COUNTY
    assert "家庭成员收入增加" in changed.notice.body
    # The township's reviewer may too; the notice is then the township's.
    again = entitlement_change(
        ctx=_ctx(reviewer),
        entitlement_id=e.pk,
        from_month=date(2026, 6, 1),
        reason="收入回落",
        per_capita_income=Decimal("370"),
    )
    assert again.entitlement.amount == Decimal("300.00") and again.notice.region_id == EAST_TOWN


def test_stop_outside_a_review(synced, approver, other_caseworker, make_user) -> None:
    e = new_life_entitlement()
    with pytest.raises(NotFound):
        entitlement_stop(
            ctx=_ctx(make_user("county_approver", "980102000000")),
            entitlement_id=e.pk,
            end_month=date(2026, 5, 1),
            reasons=["死亡"],
        )
    done = entitlement_stop(
        ctx=_ctx(approver), entitlement_id=e.pk, end_month=date(2026, 5, 1), reasons=["户主死亡"]
    )
    assert done.entitlement.status == "ended" and "1．户主死亡" in done.notice.body
    assert Notice.objects.filter(household=e.household, kind="termination").count() == 1


def test_pages_queue_form_and_actions(synced, caseworker, reviewer, approver, client_for) -> None:
    case, e = _open(caseworker)
    queue = client_for(caseworker).get("/workflow/reviews/").content.decode()
    assert case.number in queue and "定期复核" in queue
    case = _to_decision(case, caseworker, reviewer)
    page = client_for(approver).get(f"/workflow/cases/{case.pk}/").content.decode()
    assert "作出复核决定" in page and "维持" in page
    response = client_for(approver).post(
        f"/workflow/cases/{case.pk}/review-decision/",
        {"version": case.version, "outcome": "maintained", "text": "无变化"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "maintained"
    household = client_for(approver).get(f"/benefits/households/{e.household_id}/").content.decode()
    assert "调整保障金额" in household and "终止救助" in household and "复核维持" in household
    assert (
        "调整保障金额"
        not in client_for(caseworker).get(f"/benefits/households/{e.household_id}/").content.decode()
    )
    response = client_for(approver).post(
        f"/workflow/entitlements/{e.pk}/terminate/", {"end_month": "2026-05", "reasons": "迁出本县"}
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status == "ended" and e.end_month == date(2026, 5, 1)


def test_api_review_decision_and_adjust(synced, caseworker, reviewer, approver, client_for) -> None:
    case, e = _open(caseworker)
    case = _to_decision(case, caseworker, reviewer)
    response = client_for(approver).post(
        f"/api/workflow/cases/{case.pk}/review-decision",
        {"version": case.version, "outcome": "suspended", "text": "暂停", "reasons": ["不配合"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "suspended" and body["entitlement_status"] == "suspended" and body["notice_id"]
    response = client_for(approver).post(
        f"/api/workflow/entitlements/{e.pk}/resume",
        {"from_month": "2026-07-01", "reason": "已配合核查"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "active"
    response = client_for(approver).post(
        f"/api/workflow/entitlements/{e.pk}/adjust",
        {"from_month": "2026-08-01", "reason": "收入变化", "per_capita_income": "470"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "100.00"  # (520 − 470) × 2
    detail = client_for(caseworker).get(f"/api/benefits/entitlements/{e.pk}").json()
    assert [ev["kind"] for ev in detail["events"]][-3:] == ["suspend", "resume", "adjust"]


def test_the_flowchart_and_the_handbook_show_the_reviews(synced, caseworker, client_for) -> None:
    client = client_for(caseworker)
    chart = client.get("/workflow/docs/flowchart/dibao/?purpose=review").content.decode()
    assert "低保定期复核" in chart and "县级确认" in chart
    assert "定期复核流程" in client.get("/workflow/docs/flowchart/dibao/").content.decode()
    book = client.get("/workflow/docs/handbook/").content.decode()
    assert "特困人员年审" in book and "最低生活保障审核确认" in book
    api = client.get("/api/workflow/docs/flowchart/tekun", {"purpose": "review"}).json()
    assert api["definition"] == "特困人员年审"


def test_the_commands(synced, caseworker, approver) -> None:
    from io import StringIO

    from django.core.management import call_command

    from ..factories import new_policy

    e = new_life_entitlement(next_review_on=TODAY)
    out = StringIO()
    call_command("reviews_open", user=caseworker.username, stdout=out)
    assert "新立定期复核案件 1 件" in out.getvalue()
    call_command("reviews_open", user=caseworker.username, stdout=out)
    assert "已立复核案件 1" in out.getvalue()
    raised = new_policy(effective_from=date(TODAY.year + 1, 1, 1), dibao_standard_rural=Decimal("600"))
    out = StringIO()
    call_command(
        "recompute_standard", raised.pk, "--user", approver.username, "--approve", "--apply", stdout=out
    )
    assert "1 户" in out.getvalue() and "已执行" in out.getvalue()
    e.refresh_from_db()
    assert e.amount == Decimal("460.00")  # (600 − 370) × 2


# --- review 11: program facts on the review case, the 残联 re-check, opening on schedule, "today" -----


def test_the_review_case_carries_the_entitlements_program_facts(synced, caseworker) -> None:
    e = new_life_entitlement(
        next_review_on=TODAY + timedelta(days=5), details={"support_form": "centralised"}
    )
    comp = dict(e.decision.computation)
    comp["details"] = {"selfcare": {"tier": "none"}}
    e.decision.computation = comp
    e.decision.save(update_fields=["computation"])
    [number] = reviews_open(ctx=_ctx(caseworker)).opened
    details = Case.objects.get(number=number).details
    assert details["selfcare"] == {"tier": "none"} and details["support_form"] == "centralised"
    assert details["due_on"] == e.next_review_on.isoformat()


def test_a_disability_subsidy_is_not_maintained_without_a_valid_certificate(
    synced, caseworker, reviewer, approver
) -> None:
    from ..factories import new_household

    household = new_household()
    case, e = _open(
        caseworker, household=household, program="disability_care", person=household.head, ages=(45,)
    )
    case = _to_decision(case, caseworker, reviewer)
    with pytest.raises(ValidationFailed) as err:
        review_decide(
            ctx=_ctx(approver), case_id=case.pk, version=case.version, outcome="maintained", text="无变化"
        )
    assert "残疾人证核对未通过" in err.value.errors["outcome"]
    e.refresh_from_db()
    assert e.events.filter(kind="maintain").count() == 0


def test_the_scan_opens_the_reviews_due(synced, caseworker, make_user) -> None:
    from io import StringIO

    from django.core.management import call_command

    from jiuzhu.workflow.tasks import workflow_scan_tick

    make_user("county_approver", COUNTY, is_superuser=True)
    e = new_life_entitlement(next_review_on=TODAY)
    out = StringIO()
    call_command("workflow_scan", stdout=out)
    assert "新立定期复核案件 1 件" in out.getvalue()
    assert Case.objects.filter(entitlement=e, purpose="review").count() == 1
    new_life_entitlement(next_review_on=TODAY)
    assert workflow_scan_tick.call()["reviews_opened"] == 1


def test_the_api_refuses_a_future_today(synced, caseworker, client_for) -> None:
    new_life_entitlement(next_review_on=TODAY + timedelta(days=300))
    response = client_for(caseworker).post(
        "/api/workflow/reviews/open",
        {"today": (TODAY + timedelta(days=300)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert Case.objects.filter(purpose="review").count() == 0
