"""The life of an entitlement in benefits: review kept (next date), amount adjusted from a month, suspended
and resumed, terminated with its reasons, 渐退期 ending through the one expiry path, the recomputation
after a raised standard (listed, approved, applied once), and the one check of incompatible programs.
Figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits import life
from jiuzhu.benefits.models import Entitlement, StandardRecomputation
from jiuzhu.benefits.recompute import recomputation_apply, recomputation_approve, recomputation_create
from jiuzhu.benefits.selectors import entitlement_conflicts
from jiuzhu.benefits.services import DecisionMember, decision_record, entitlement_create
from jiuzhu.benefits.services_margins import entitlements_expire
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..conftest import COUNTY
from ..factories import add_member, new_household, new_life_entitlement, new_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(make_user: Any) -> Any:
    return make_user("county_approver", COUNTY)


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy()  # rural 520, urban 700; A/B 12, C 6 months; taper 6


def _ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


def test_maintain_sets_the_next_review_by_class(approver, policy) -> None:
    e = new_life_entitlement(review_class="C")
    kept = life.entitlement_maintain(
        ctx=_ctx(approver), entitlement_id=e.pk, reviewed_on=date(2026, 8, 31), reason="无变化"
    )
    # C, rural: 6 months from 31 August 2026 → 28 February 2027.
    assert kept.next_review_on == date(2027, 2, 28)
    assert kept.amount == Decimal("300.00") and kept.version == 2
    event = kept.events.order_by("-id").first()
    assert event.kind == "maintain" and event.changes["next_review_on"][1] == "2027-02-28"


def test_urban_class_c_is_reviewed_quarterly_where_the_region_says(approver, tree) -> None:
    new_policy(review_months_c_urban=3)
    town = new_household(urban_rural="urban")
    e = new_life_entitlement(household=town, review_class="C")
    e.decision.computation["urban"] = True
    e.decision.save()
    kept = life.entitlement_maintain(
        ctx=_ctx(approver), entitlement_id=e.pk, reviewed_on=date(2026, 1, 31), reason="无变化"
    )
    assert kept.next_review_on == date(2026, 4, 30)  # 31 January + 3 months → 30 April


def test_adjust_from_a_month_keeps_the_old_amount_in_the_event(approver, policy) -> None:
    e = new_life_entitlement()
    changed = life.entitlement_adjust(
        ctx=_ctx(approver),
        entitlement_id=e.pk,
        amount=Decimal("240"),
        from_month=date(2026, 5, 17),
        reason="家庭收入增加",
    )
    assert changed.amount == Decimal("240.00")
    event = changed.events.order_by("-id").first()
    assert event.kind == "adjust"
    assert event.changes == {"amount": ["300.00", "240.00"], "from_month": "2026-05-01"}
    with pytest.raises(ValidationFailed) as exc:
        life.entitlement_adjust(
            ctx=_ctx(approver),
            entitlement_id=e.pk,
            amount=Decimal("0"),
            from_month=date(2026, 5, 1),
            reason="x",
        )
    assert "停保" in exc.value.errors["amount"]
    with pytest.raises(ValidationFailed) as exc:
        life.entitlement_adjust(
            ctx=_ctx(approver),
            entitlement_id=e.pk,
            amount=Decimal("200"),
            from_month=date(2024, 12, 1),
            reason="x",
        )
    assert "不能早于在保起始月份" in exc.value.errors["from_month"]


def test_recompute_with_a_new_income_uses_the_programs_rule(policy) -> None:
    e = new_life_entitlement()
    # Rural standard 520, income now 400, two members: (520 − 400) × 2 = 240.
    result = life.entitlement_recompute(
        e, policy=policy, on=date(2026, 5, 1), per_capita_income=Decimal("400")
    )
    assert result.eligible and result.amount == Decimal("240.00")


def test_suspend_resume_and_terminate(approver, policy) -> None:
    e = new_life_entitlement()
    ctx = _ctx(approver)
    held = life.entitlement_suspend(
        ctx=ctx, entitlement_id=e.pk, from_month=date(2026, 6, 1), reason="不配合复核"
    )
    assert held.status == "suspended" and held.details["suspended"]["reason"] == "不配合复核"
    with pytest.raises(Conflict):
        life.entitlement_suspend(ctx=ctx, entitlement_id=e.pk, from_month=date(2026, 6, 1), reason="x")
    again = life.entitlement_resume(
        ctx=ctx, entitlement_id=e.pk, from_month=date(2026, 7, 1), reason="已配合"
    )
    assert again.status == "active" and "suspended" not in again.details
    with pytest.raises(ValidationFailed) as exc:
        life.entitlement_terminate(ctx=ctx, entitlement_id=e.pk, end_month=date(2026, 8, 1), reasons=[" "])
    assert exc.value.errors == {"reasons": "终止救助须逐条写明理由"}
    ended = life.entitlement_terminate(
        ctx=ctx, entitlement_id=e.pk, end_month=date(2026, 8, 20), reasons=["家庭人均收入超过低保标准"]
    )
    assert ended.status == "ended" and ended.end_month == date(2026, 8, 1)
    with pytest.raises(Conflict):
        life.entitlement_adjust(
            ctx=ctx, entitlement_id=e.pk, amount=Decimal("100"), from_month=date(2026, 9, 1), reason="x"
        )
    assert [ev.kind for ev in ended.events.order_by("id")] == ["create", "suspend", "resume", "terminate"]


def test_changes_need_the_permission(make_user, policy) -> None:
    e = new_life_entitlement()
    with pytest.raises(PermissionDenied):
        life.entitlement_suspend(
            ctx=_ctx(make_user("township_caseworker")),
            entitlement_id=e.pk,
            from_month=date(2026, 6, 1),
            reason="x",
        )


def test_taper_continues_the_configured_months_then_expires(approver, tree) -> None:
    new_policy(taper_months=6)
    e = new_life_entitlement(start_month=date(2025, 1, 1))
    worker = e.household.head
    tapered = life.entitlement_taper(
        ctx=_ctx(approver),
        entitlement_id=e.pk,
        person_id=worker.pk,
        found_work_on=date(2025, 3, 15),
        reason="就业",
    )
    # Found work in March 2025: paid March and six months more, April–September → last month September.
    assert tapered.valid_until == date(2025, 9, 1)
    assert tapered.details["taper"]["months"] == 6 and tapered.status == "active"
    with pytest.raises(Conflict):
        life.entitlement_taper(
            ctx=_ctx(approver),
            entitlement_id=e.pk,
            person_id=worker.pk,
            found_work_on=date(2025, 3, 15),
            reason="x",
        )
    # Still paid in September; ended from October, the end month September; idempotent.
    assert entitlements_expire(ctx=AuditContext.system(), today=date(2025, 9, 30)) == 0
    assert entitlements_expire(ctx=AuditContext.system(), today=date(2025, 10, 1)) == 1
    assert entitlements_expire(ctx=AuditContext.system(), today=date(2025, 10, 2)) == 0
    e.refresh_from_db()
    assert e.status == "ended" and e.end_month == date(2025, 9, 1)
    assert "届满" in e.events.order_by("-id").first().reason


def test_taper_needs_a_member_and_a_date_not_in_the_future(approver, policy) -> None:
    e = new_life_entitlement()
    stranger = new_household().head
    with pytest.raises(ValidationFailed) as exc:
        life.entitlement_taper(
            ctx=_ctx(approver),
            entitlement_id=e.pk,
            person_id=stranger.pk,
            found_work_on=date(2099, 1, 1),
            reason="就业",
        )
    assert set(exc.value.errors) == {"person_id", "found_work_on"}


def test_recomputation_lists_approves_and_applies_once(approver, policy, make_user) -> None:
    a = new_life_entitlement()  # 2 members, income 370: (520 − 370) × 2 = 300
    b = new_life_entitlement(ages=(70,), per_capita_income="100", amount="420.00")  # (520 − 100) × 1 = 420
    ended = new_life_entitlement(status="ended")
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk)
    assert rec.status == "draft" and rec.from_month == date(2026, 7, 1)
    rows = {r.entitlement_id: (r.old_amount, r.new_amount) for r in rec.rows.all()}
    # New standard 560: a (560 − 370) × 2 = 380; b (560 − 100) × 1 = 460; the ended one not listed.
    assert rows == {
        a.pk: (Decimal("300.00"), Decimal("380.00")),
        b.pk: (Decimal("420.00"), Decimal("460.00")),
    }
    assert ended.pk not in rows
    assert recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk).pk == rec.pk
    with pytest.raises(Conflict):
        recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)
    with pytest.raises(PermissionDenied):
        recomputation_approve(ctx=_ctx(make_user("township_reviewer")), recomputation_id=rec.pk)
    recomputation_approve(ctx=_ctx(approver), recomputation_id=rec.pk)
    done = recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)
    assert done.status == "applied"
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.amount, b.amount) == (Decimal("380.00"), Decimal("460.00"))
    assert a.events.filter(kind="adjust").get().changes["from_month"] == "2026-07-01"
    recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)  # again: nothing more
    assert a.events.filter(kind="adjust").count() == 1


def test_recomputation_is_resumable(approver, policy) -> None:
    a = new_life_entitlement()
    b = new_life_entitlement()
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk)
    recomputation_approve(ctx=_ctx(approver), recomputation_id=rec.pk)
    # As if interrupted after the first row: that row done, its entitlement adjusted.
    first = rec.rows.order_by("id").first()
    life.entitlement_adjust(
        ctx=_ctx(approver),
        entitlement_id=first.entitlement_id,
        amount=first.new_amount,
        from_month=date(2026, 7, 1),
        reason="提标",
    )
    first.applied = True
    first.save()
    recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)
    for e in (a, b):
        assert e.events.filter(kind="adjust").count() == 1
    assert StandardRecomputation.objects.get(pk=rec.pk).status == "applied"


def test_recomputation_of_another_county_is_not_found(approver, tree, make_user) -> None:
    new_policy("980102000000")
    other = new_policy("980102000000", effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("900"))
    with pytest.raises(NotFound):
        recomputation_create(ctx=_ctx(approver), policy_version_id=other.pk)


def test_tekun_for_a_person_counted_in_a_dibao_household_is_refused(approver, policy) -> None:
    e = new_life_entitlement()
    head = e.household.head
    found = entitlement_conflicts(household_id=e.household_id, person_id=head.pk, program="tekun")
    assert [(c.kind, c.message) for c in found] == [
        ("incompatible", "特困人员已纳入特困供养，不再同时享受低保（同一人不能同时享受特困与低保）")
    ]
    # A 特困 decision for that person: no entitlement, the reason given.
    decision = decision_record(
        ctx=_ctx(approver),
        case_number="TK-1",
        program="dibao",
        household_id=e.household_id,
        applicant_id=head.pk,
        region_code=e.region_id,
        outcome="refused",
        reasons="测试",
        per_capita_income=None,
        members=[DecisionMember(person_id=head.pk, name=head.name, age=50)],
        policy=policy,
        decided_on=date(2026, 3, 1),
    )
    assert decision.outcome == "refused"
    # A member elsewhere is not "the same person": 特困 for a stranger of another household is allowed.
    other = new_household()
    assert entitlement_conflicts(household_id=other.pk, person_id=other.head_id, program="tekun") == []


def test_entitlement_create_refuses_an_incompatible_program(approver, policy) -> None:
    tekun = new_life_entitlement(program="tekun", ages=(80,), amount="900.00")
    household = tekun.household
    Entitlement.objects.filter(pk=tekun.pk).update(person=household.head)
    child = add_member(household, "child")
    decision = decision_record(
        ctx=_ctx(approver),
        case_number="DB-2",
        program="dibao",
        household_id=household.pk,
        applicant_id=household.head_id,
        region_code=household.region_id,
        outcome="confirmed",
        reasons="",
        per_capita_income=Decimal("100"),
        members=[
            DecisionMember(person_id=household.head_id, name="甲", age=80),
            DecisionMember(person_id=child.pk, name="乙", age=40),
        ],
        policy=policy,
        decided_on=date(2026, 3, 1),
    )
    with pytest.raises(Conflict) as exc:
        entitlement_create(ctx=_ctx(approver), decision_id=decision.pk)
    assert "同一人不能同时享受特困与低保" in exc.value.message


def test_a_standard_raised_in_the_admin_shows_the_recomputation_list(policy, make_user, client_for) -> None:
    from jiuzhu.policy.models import PolicyVersion

    e = new_life_entitlement()
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    root = client_for(make_user("admin", COUNTY, username="root", is_superuser=True, is_staff=True))
    response = root.post(
        "/admin/policy/policyversion/",
        {"action": "recomputation_for_versions", "_selected_action": [raised.pk]},
    )
    assert response.status_code == 302
    rec = StandardRecomputation.objects.get(policy_version=raised)
    assert rec.status == "draft" and rec.rows.get().entitlement_id == e.pk
    listing = root.get("/admin/benefits/standardrecomputation/").content.decode()
    assert str(raised.document_no) in listing or "待审批" in listing
    assert PolicyVersion.objects.count() == 2


# --- review 11: what a recomputation cannot recompute, stale rows, other versions, notices, scope -------


def test_a_migrated_decision_reads_urban_from_the_household_and_the_care_tier_as_selfcare(policy) -> None:
    household = new_household(urban_rural="urban")
    e = new_life_entitlement(household=household)
    comp = dict(e.decision.computation)
    del comp["urban"]  # the migration's decisions record no "urban"
    comp["details"] = {"care_tier": "partial"}
    e.decision.computation = comp
    e.decision.save(update_fields=["computation"])
    e = Entitlement.objects.select_related("decision", "household").get(pk=e.pk)
    request = life.entitlement_amount_request(e, policy=policy, on=date(2026, 7, 1))
    assert request.urban is True
    assert request.details["selfcare"] == {"tier": "partial"}
    # Urban standard 700: (700 − 370) × 2 = 660.
    assert life.entitlement_recompute(e, policy=policy, on=date(2026, 7, 1)).amount == Decimal("660")


def test_recomputation_lists_what_it_could_not_recompute_with_the_reason(approver, policy) -> None:
    unknown = new_life_entitlement(per_capita_income=None)  # no income recorded: the rule refuses
    above = new_life_entitlement(per_capita_income="600")  # 600 > 560: no longer eligible
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk)
    rows = {r.entitlement_id: r for r in rec.rows.all()}
    assert rows[unknown.pk].new_amount is None and rows[unknown.pk].note.startswith("无法重算：")
    assert rows[above.pk].new_amount is None and "不符合条件" in rows[above.pk].note
    recomputation_approve(ctx=_ctx(approver), recomputation_id=rec.pk)
    assert recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk).status == "applied"
    unknown.refresh_from_db()
    above.refresh_from_db()
    assert (unknown.amount, above.amount) == (Decimal("300.00"), Decimal("300.00"))  # left alone


def test_apply_leaves_an_entitlement_changed_since_the_list(approver, policy) -> None:
    a = new_life_entitlement()
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk)
    recomputation_approve(ctx=_ctx(approver), recomputation_id=rec.pk)
    life.entitlement_adjust(
        ctx=_ctx(approver),
        entitlement_id=a.pk,
        amount=Decimal("150.00"),
        from_month=date(2026, 7, 1),
        reason="复核",
    )
    recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)
    a.refresh_from_db()
    row = rec.rows.get(entitlement=a)
    assert a.amount == Decimal("150.00") and row.applied and row.note == "已变更，需重新计算"


def test_a_city_version_does_not_recompute_a_county_with_its_own(approver, policy, tree) -> None:
    e = new_life_entitlement()
    new_policy(COUNTY, effective_from=date(2026, 1, 1), dibao_standard_rural=Decimal("540"))  # county's own
    city = new_policy("980100000000", effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("900"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=city.pk)
    row = rec.rows.get(entitlement=e)
    assert row.new_amount is None and "其他政策版本" in row.note


def test_apply_issues_an_adjustment_notice_per_entitlement(approver, policy) -> None:
    from jiuzhu.workflow.models import Notice

    a = new_life_entitlement()
    raised = new_policy(effective_from=date(2026, 7, 1), dibao_standard_rural=Decimal("560"))
    rec = recomputation_create(ctx=_ctx(approver), policy_version_id=raised.pk)
    recomputation_approve(ctx=_ctx(approver), recomputation_id=rec.pk)
    recomputation_apply(ctx=_ctx(approver), recomputation_id=rec.pk)
    notice = Notice.objects.get(household_id=a.household_id, kind="adjustment")
    assert "380" in notice.body and "300" in notice.body


def test_life_writes_are_scoped_to_the_callers_jurisdiction(make_user, policy) -> None:
    e = new_life_entitlement()
    outsider = make_user("county_approver", "980102000000")
    with pytest.raises(NotFound):
        life.entitlement_maintain(
            ctx=_ctx(outsider), entitlement_id=e.pk, reviewed_on=date(2026, 6, 1), reason="维持"
        )
    e.refresh_from_db()
    assert e.events.count() == 1
