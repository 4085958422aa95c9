"""The step services: each refuses the wrong role (403), another jurisdiction (404), a stale version
(409), missing or bad evidence (422, in Chinese); what they record goes into the case's history; the
public notice, objections, re-investigation and a new round; the confirmation with its decision,
entitlement and notice. Figures are worked out by hand (steps_world's docstring)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.workflow.models import CaseEvent, HomeInvestigation, Notice, PublicNotice
from jiuzhu.workflow.services import steps
from jiuzhu.workflow.services.cases import case_act

from ..conftest import COUNTY, EAST_TOWN
from ..factories import add_community_review, add_investigation, add_opinion, new_policy, new_user
from .steps_world import World, make_world, not_an_image, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: dict[str, Any]) -> World:
    return make_world(tree)


def ctx(user: Any) -> AuditContext:
    return AuditContext(user=user)


def _refresh(case: Any) -> Any:
    case.refresh_from_db()
    return case


# --- 入户调查 ---------------------------------------------------------------------------------------------


def test_investigation_recorded_with_history(w: World) -> None:
    case = w.case("investigation")
    row = steps.investigation_record(
        ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, **w.investigation()
    )
    assert row.round == 1 and not row.by_county
    assert sorted(u.pk for u in row.investigators.all()) == sorted([w.caseworker.pk, w.caseworker2.pk])
    assert CaseEvent.objects.filter(case=case, action="investigation").exists()
    # The evidence is there: the caseworker may move the case on.
    moved = case_act(ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, target="review")
    assert moved.state == "review"


def test_investigation_refusals(w: World) -> None:
    case = w.case("investigation")
    v = case.version
    with pytest.raises(PermissionDenied):
        steps.investigation_record(ctx=ctx(w.reviewer), case_id=case.pk, version=v, **w.investigation())
    with pytest.raises(NotFound):
        steps.investigation_record(
            ctx=ctx(w.other_caseworker), case_id=case.pk, version=v, **w.investigation()
        )
    with pytest.raises(Conflict):
        steps.investigation_record(ctx=ctx(w.caseworker), case_id=case.pk, version=v + 1, **w.investigation())
    with pytest.raises(ValidationFailed) as one:
        steps.investigation_record(
            ctx=ctx(w.caseworker),
            case_id=case.pk,
            version=v,
            **w.investigation(investigator_ids=[w.caseworker.pk]),
        )
    assert "至少须 2 名" in one.value.errors["investigator_ids"]
    with pytest.raises(ValidationFailed) as outside:
        steps.investigation_record(
            ctx=ctx(w.caseworker),
            case_id=case.pk,
            version=v,
            **w.investigation(investigator_ids=[w.caseworker.pk, w.other_caseworker.pk]),
        )
    assert "本乡镇" in outside.value.errors["investigator_ids"]
    with pytest.raises(ValidationFailed) as files:
        steps.investigation_record(
            ctx=ctx(w.caseworker),
            case_id=case.pk,
            version=v,
            **w.investigation(family_signature=not_an_image(), investigator_signatures=None, food=""),
        )
    assert set(files.value.errors) >= {"family_signature", "investigator_signatures", "food"}
    assert "格式" in files.value.errors["family_signature"]
    assert not HomeInvestigation.objects.filter(case=case).exists()


def test_investigation_at_the_wrong_step(w: World) -> None:
    case = w.case("review")
    with pytest.raises(Conflict) as exc:
        steps.investigation_record(
            ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, **w.investigation()
        )
    assert "乡镇审核" in exc.value.message


def test_county_home_visit_of_a_close_relative_case(w: World, tree: dict[str, Any]) -> None:
    case = w.case("confirmation", close_relative=True)
    colleague = new_user(role="county_approver", region=tree[COUNTY])
    values = w.investigation(investigator_ids=[w.approver.pk, colleague.pk])
    with pytest.raises(ValidationFailed):  # township staff may not make the county's visit
        steps.investigation_record(
            ctx=ctx(w.approver),
            case_id=case.pk,
            version=case.version,
            by_county=True,
            **w.investigation(investigator_ids=[w.approver.pk, w.caseworker.pk]),
        )
    row = steps.investigation_record(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, by_county=True, **values
    )
    assert row.by_county
    assert CaseEvent.objects.filter(case=case, action="county_visit").exists()
    with pytest.raises(PermissionDenied):
        steps.investigation_record(
            ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, by_county=True, **w.investigation()
        )


# --- 民主评议 ---------------------------------------------------------------------------------------------


def _review(w: World, case: Any, **kw: Any) -> Any:
    values = {
        "held_on": timezone.localdate(),
        "expected": 9,
        "attended": 6,
        "votes_for": 4,
        "votes_against": 2,
        "abstained": 0,
        "minutes": "村民代表评议",
        "signatures": png(),
    }
    values.update(kw)
    return steps.community_review_record(
        ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, **values
    )


def test_community_review_quorum_and_majority_boundaries(w: World) -> None:
    case = w.case("community_review")
    # 6 of 9 attend (exactly 2/3) and 4 of 6 agree (exactly 2/3): passes at the 0.667 settings.
    assert _review(w, case).passed is True
    # One fewer present: 5 of 9 (0.556) is under the quorum.
    assert _review(w, case, attended=5, votes_for=4, votes_against=1).passed is False
    # One vote under: 3 of 6 (0.5) is under the majority.
    assert _review(w, case, votes_for=3, votes_against=3).passed is False
    # Everyone present, 7 of 9 for (0.778): passes.
    assert _review(w, case, attended=9, votes_for=7, votes_against=2).passed is True


def test_community_review_counts_checked(w: World) -> None:
    case = w.case("community_review")
    with pytest.raises(ValidationFailed) as exc:
        _review(w, case, attended=10)
    assert "不能多于应到人数" in exc.value.errors["attended"]
    with pytest.raises(ValidationFailed) as votes:
        _review(w, case, votes_for=5, votes_against=2)
    assert "不能多于实到人数" in votes.value.errors["votes_for"]
    with pytest.raises(ValidationFailed) as sig:
        _review(w, case, signatures=None, minutes="")
    assert set(sig.value.errors) == {"signatures", "minutes"}
    with pytest.raises(PermissionDenied):
        steps.community_review_record(
            ctx=ctx(w.reviewer),
            case_id=case.pk,
            version=case.version,
            held_on=timezone.localdate(),
            expected=9,
            attended=6,
            votes_for=4,
            votes_against=2,
            abstained=0,
            minutes="x",
            signatures=png(),
        )


# --- 乡镇审核 ---------------------------------------------------------------------------------------------


def test_review_opinion(w: World) -> None:
    case = w.case("review")
    with pytest.raises(PermissionDenied):
        steps.review_opinion(
            ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    with pytest.raises(ValidationFailed):
        steps.review_opinion(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, agree=True, text=" ")
    opinion = steps.review_opinion(
        ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, agree=True, text="情况属实，同意"
    )
    assert opinion.step == "review" and opinion.agree
    moved = case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, target="public_notice")
    assert moved.state == "public_notice"


# --- 公示 -------------------------------------------------------------------------------------------------


def test_public_notice_masked_with_the_proposed_amount(w: World) -> None:
    case = w.case("public_notice")
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    today = timezone.localdate()
    assert (notice.round, notice.village_id, notice.masked_name) == (1, case.region_id, "张*三")
    assert notice.household_size == 3
    assert notice.amount == Decimal("450.00")  # (800 − 650) × 3
    assert (notice.starts_on, notice.ends_on) == (today, today + timedelta(days=6))  # 7 natural days
    with pytest.raises(Conflict):
        steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    with pytest.raises(ValidationFailed) as early:
        steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert "期满后" in early.value.message


def test_minors_case_is_not_noticed(w: World) -> None:
    case = w.case("public_notice", minor_case=True)
    with pytest.raises(ValidationFailed) as exc:
        steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert "未成年人" in exc.value.message
    assert not PublicNotice.objects.filter(case=case).exists()


def _backdate(notice: Any, days: int) -> None:
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=notice.starts_on - timedelta(days=days), ends_on=notice.ends_on - timedelta(days=days)
    )


def test_objection_held_reinvestigation_and_a_new_round(w: World) -> None:
    case = w.case("public_notice")
    add_investigation(case, w.caseworker, w.caseworker2)  # the first round, before the notice
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    _backdate(notice, 10)
    objection = steps.objection_record(
        ctx=ctx(w.reviewer),
        notice_id=notice.pk,
        received_on=timezone.localdate() - timedelta(days=8),
        content="该户有一辆轿车未申报",
        raised_by="",
    )
    with pytest.raises(Conflict):  # an undecided objection keeps the notice open
        steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    with pytest.raises(NotFound):
        steps.objection_decide(
            ctx=ctx(w.other_caseworker), objection_id=objection.pk, holds=True, finding="x"
        )
    steps.objection_decide(
        ctx=ctx(w.reviewer), objection_id=objection.pk, holds=True, finding="经核实确有轿车一辆"
    )
    case = _refresh(case)
    assert case.state == "reinvestigation"
    assert PublicNotice.objects.get(pk=notice.pk).closed_on == timezone.localdate()
    with pytest.raises(Conflict):
        steps.objection_decide(ctx=ctx(w.reviewer), objection_id=objection.pk, holds=False, finding="再议")

    row = steps.investigation_record(
        ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, **w.investigation()
    )
    assert row.round == 2
    # Community review on objection (the default mode), then the township's review again.
    case = case_act(ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, target="community_review")
    _review(w, case)
    case = case_act(ctx=ctx(w.caseworker), case_id=case.pk, version=case.version, target="review")
    steps.review_opinion(
        ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, agree=True, text="复核属实"
    )
    case = case_act(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, target="public_notice")
    second = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert second.round == 2


def test_notice_closes_after_the_period_to_the_county(w: World) -> None:
    case = w.case("public_notice")
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    _backdate(notice, 7)
    objection = steps.objection_record(
        ctx=ctx(w.reviewer),
        notice_id=notice.pk,
        received_on=timezone.localdate() - timedelta(days=6),
        content="有疑问",
    )
    steps.objection_decide(
        ctx=ctx(w.reviewer), objection_id=objection.pk, holds=False, finding="经核实不成立"
    )
    with pytest.raises(PermissionDenied):
        steps.public_notice_close(ctx=ctx(w.caseworker), case_id=case.pk, version=case.version)
    moved = steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert moved.state == "confirmation"
    assert PublicNotice.objects.get(pk=notice.pk).closed_on == timezone.localdate()


# --- spot check and confirmation -------------------------------------------------------------------------


def _confirmable(w: World, **fields: Any) -> Any:
    case = w.case("confirmation", **fields)
    add_investigation(case, w.caseworker, w.caseworker2)
    return case


def test_spot_check(w: World) -> None:
    case = _confirmable(w, spot_check="selected")
    with pytest.raises(PermissionDenied):
        steps.spot_check_record(
            ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, finding="x", agree=True
        )
    steps.spot_check_record(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, finding="抽查属实", agree=True
    )
    assert _refresh(case).spot_check == "done"
    with pytest.raises(Conflict):
        steps.spot_check_record(
            ctx=ctx(w.approver), case_id=case.pk, version=case.version, finding="再查", agree=True
        )


def test_confirmation_creates_decision_entitlement_and_notice(w: World) -> None:
    case = _confirmable(w)
    with pytest.raises(PermissionDenied):
        steps.confirmation_decide(
            ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意给予低保"
    )
    assert done.case.state == "confirmed" and done.case.outcome == "confirmed"
    assert done.decision.amount == Decimal("450.00")  # (800 − 650) × 3
    assert done.decision.policy_version_id == w.policy.pk
    assert done.entitlement is not None and done.entitlement.amount == Decimal("450.00")
    assert done.entitlement.start_month == timezone.localdate().replace(day=1)  # decision month (default)
    assert done.notice.kind == "confirmation" and done.notice.region_id == COUNTY
    assert "450.00" in done.notice.body and "(800.00 − 650.00) × 3 = 450.00" in done.notice.body


def test_spot_check_pending_blocks_confirmation(w: World) -> None:
    case = _confirmable(w, spot_check="selected")
    with pytest.raises(ValidationFailed):
        steps.confirmation_decide(
            ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    assert not Decision.objects.exists() and not Notice.objects.exists()
    assert _refresh(case).state == "confirmation"


def test_refusal_gives_reasons_and_a_notice(w: World) -> None:
    case = _confirmable(w)
    with pytest.raises(ValidationFailed) as exc:
        steps.confirmation_decide(
            ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=False, text="不同意"
        )
    assert "理由" in exc.value.errors["reasons"]
    done = steps.confirmation_decide(
        ctx=ctx(w.approver),
        case_id=case.pk,
        version=case.version,
        agree=False,
        text="不同意",
        reasons=["家庭有轿车一辆", "存款超过标准"],
    )
    assert done.case.state == "refused" and done.entitlement is None
    assert done.decision.outcome == "refused" and done.decision.reasons == "家庭有轿车一辆；存款超过标准"
    assert done.notice.kind == "refusal"
    assert "1．家庭有轿车一辆" in done.notice.body and "2．存款超过标准" in done.notice.body
    assert not Entitlement.objects.exists()


def test_second_entitlement_refused_and_nothing_recorded(w: World) -> None:
    first = _confirmable(w)
    steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=first.pk, version=first.version, agree=True, text="同意"
    )
    second = _confirmable(w)
    with pytest.raises(Conflict) as exc:
        steps.confirmation_decide(
            ctx=ctx(w.approver), case_id=second.pk, version=second.version, agree=True, text="同意"
        )
    assert "不能重复享受" in exc.value.message
    assert Decision.objects.count() == 1 and Entitlement.objects.count() == 1
    assert _refresh(second).state == "confirmation"


def test_policy_change_mid_case_uses_the_pinned_version(w: World, tree: dict[str, Any]) -> None:
    case = _confirmable(w)
    new_policy(
        COUNTY,
        timezone.localdate(),
        dibao_standard_rural=Decimal("900"),
        dibao_standard_urban=Decimal("1000"),
    )
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.decision.amount == Decimal("450.00")  # the pinned 800
    assert done.decision.policy_version_id == w.policy.pk


def test_policy_at_decision_uses_the_new_version(tree: dict[str, Any]) -> None:
    w = make_world(tree, policy_at_decision="at_decision")
    case = _confirmable(w)
    newer = new_policy(
        COUNTY,
        timezone.localdate(),
        dibao_standard_rural=Decimal("900"),
        dibao_standard_urban=Decimal("1000"),
    )
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.decision.amount == Decimal("750.00")  # (900 − 650) × 3
    assert done.decision.policy_version_id == newer.pk


def test_township_confirmation_where_delegated(tree: dict[str, Any]) -> None:
    w = make_world(tree, confirm_level="township")
    case = w.case("township_confirmation")
    add_opinion(case, agree=True, step="review", by=w.reviewer)
    add_community_review(case)
    with pytest.raises(PermissionDenied):
        steps.confirmation_decide(
            ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
        )
    done = steps.confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.case.state == "confirmed"
    assert done.notice.region_id == EAST_TOWN


# --- delegated confirmation: close relatives and spot checks (rules §1.2) ------------------------------


def test_close_relative_case_goes_to_the_county_where_confirmation_is_delegated(tree: dict[str, Any]) -> None:
    w = make_world(tree, confirm_level="township", spot_check_rate=Decimal("0"))
    case = w.case("public_notice", close_relative=True)
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    _backdate(notice, 7)
    moved = steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert moved.state == "confirmation"  # the county's, not the township's delegated confirmation
    with pytest.raises(ValidationFailed) as missing:  # the county's own home visit is still required
        steps.confirmation_decide(
            ctx=ctx(w.approver), case_id=case.pk, version=moved.version, agree=True, text="同意"
        )
    assert "县级" in missing.value.message or "县级" in str(missing.value.errors)
    colleague = new_user(role="county_approver", region=w.tree[COUNTY])
    steps.investigation_record(
        ctx=ctx(w.approver),
        case_id=case.pk,
        version=moved.version,
        by_county=True,
        **w.investigation(investigator_ids=[w.approver.pk, colleague.pk]),
    )
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=_refresh(case).version, agree=True, text="同意"
    )
    assert done.case.state == "confirmed" and done.notice.region_id == COUNTY


def test_delegated_confirmation_without_a_close_relative_stays_in_the_township(tree: dict[str, Any]) -> None:
    w = make_world(tree, confirm_level="township", spot_check_rate=Decimal("0"))
    case = w.case("public_notice")
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    _backdate(notice, 7)
    moved = steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert (moved.state, moved.spot_check) == ("township_confirmation", "none")


def test_delegated_confirmation_is_spot_checked_by_the_county(tree: dict[str, Any]) -> None:
    w = make_world(tree, confirm_level="township", spot_check_rate=Decimal("1"))  # every case drawn
    case = w.case("public_notice")
    add_investigation(case, w.caseworker, w.caseworker2)
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    _backdate(notice, 7)
    moved = steps.public_notice_close(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert (moved.state, moved.spot_check) == ("township_confirmation", "selected")
    with pytest.raises(ValidationFailed):  # the township may not confirm before the county's check
        steps.confirmation_decide(
            ctx=ctx(w.reviewer), case_id=case.pk, version=moved.version, agree=True, text="同意"
        )
    with pytest.raises(PermissionDenied):  # the check is the county's, not the township's
        steps.spot_check_record(
            ctx=ctx(w.reviewer), case_id=case.pk, version=moved.version, finding="x", agree=True
        )
    steps.spot_check_record(
        ctx=ctx(w.approver), case_id=case.pk, version=moved.version, finding="抽查属实", agree=True
    )
    done = steps.confirmation_decide(
        ctx=ctx(w.reviewer), case_id=case.pk, version=_refresh(case).version, agree=True, text="同意"
    )
    assert done.case.state == "confirmed" and done.notice.region_id == EAST_TOWN


# --- the application date (not the acceptance date) -----------------------------------------------------


def test_allowance_starts_in_the_application_month_and_the_notice_gives_the_application_date(
    tree: dict[str, Any],
) -> None:
    w = make_world(tree, allowance_start="application_month", spot_check_rate=Decimal("0"))
    today = timezone.localdate()
    applied = today.replace(day=1) - timedelta(days=2)  # made in the month before (say 30 Jan) …
    accepted = today.replace(day=1) + timedelta(days=1) if today.day > 2 else today  # … accepted later
    case = _confirmable(w, applied_on=applied, accepted_on=accepted)
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.entitlement is not None
    assert done.entitlement.start_month == applied.replace(day=1)  # the month before this one
    assert f"于{applied.year}年{applied.month}月{applied.day}日提出" in done.notice.body


# --- a policy version a case or a decision used is frozen -------------------------------------------------


def test_a_policy_version_pinned_by_a_case_or_recorded_by_a_decision_is_frozen(tree: dict[str, Any]) -> None:
    from jiuzhu.policy.admin import PolicyVersionAdmin
    from jiuzhu.policy.models import PolicyVersion
    from jiuzhu.policy.services import policy_version_update

    w = make_world(tree, policy_at_decision="at_decision", spot_check_rate=Decimal("0"))
    elsewhere = new_policy(
        "980102000000"
    )  # the report's version: another county's, so no report uses w.policy
    type(w.report).objects.filter(pk=w.report.pk).update(policy_version=elsewhere)
    case = _confirmable(w)  # pinned to w.policy
    with pytest.raises(Conflict) as pinned:
        policy_version_update(ctx=AuditContext.system(), version=w.policy, investigation_days=20)
    assert "审核确认案件" in pinned.value.message
    assert PolicyVersion.objects.get(pk=w.policy.pk).investigation_days == 10
    newer = new_policy(COUNTY, timezone.localdate(), dibao_standard_rural=Decimal("900"))
    done = steps.confirmation_decide(
        ctx=ctx(w.approver), case_id=case.pk, version=case.version, agree=True, text="同意"
    )
    assert done.decision.policy_version_id == newer.pk  # recorded by the decision only
    with pytest.raises(Conflict) as decided:
        policy_version_update(ctx=AuditContext.system(), version=newer, dibao_standard_rural=Decimal("950"))
    assert "救助决定" in decided.value.message
    assert PolicyVersion.objects.get(pk=newer.pk).dibao_standard_rural == Decimal("900")
    admin = PolicyVersionAdmin(PolicyVersion, None)  # type: ignore[arg-type]
    assert admin.has_change_permission(None, newer) is False  # type: ignore[arg-type]


def test_a_notice_started_a_day_after_entering_the_step_moves_the_step_deadline(w: World) -> None:
    """7 natural days: entered yesterday, the step was due on yesterday + 7 = today + 6; the notice
    starts today and runs today … today + 6, so the case may close on today + 7, and that is now the
    step's deadline (not red the day before it may close)."""
    today = timezone.localdate()
    case = w.case("public_notice", entered_on=today - timedelta(days=1))
    assert case.step_due_on == today + timedelta(days=6)
    notice = steps.public_notice_start(ctx=ctx(w.reviewer), case_id=case.pk, version=case.version)
    assert (notice.starts_on, notice.ends_on) == (today, today + timedelta(days=6))
    case = _refresh(case)
    assert (case.step_due_on, case.step_due_provisional) == (today + timedelta(days=7), False)
