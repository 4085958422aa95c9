"""Cases: opening one, and every transition of the 低保 definition refused for the wrong role, outside
the jurisdiction, with a condition false and with evidence missing, then taken by the right person;
send-backs, materials (the clock pauses), withdrawal, the spot check, a policy change mid-case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.workflow.definitions import NATIONAL
from jiuzhu.workflow.definitions.spec import condition_terms
from jiuzhu.workflow.models import Case, CaseEvent
from jiuzhu.workflow.selectors import case_missing_evidence, case_policy, case_transitions
from jiuzhu.workflow.services import case_act, case_note, case_open, spot_check_selected

from ..conftest import EAST_TOWN, WEST_TOWN
from ..factories import (
    add_community_review,
    add_investigation,
    add_member,
    add_objection,
    add_opinion,
    add_public_notice,
    new_case,
    new_household,
    new_policy,
    new_report,
)

pytestmark = pytest.mark.django_db

DIBAO = NATIONAL["dibao"]
TODAY = timezone.localdate()
# Forward moves whose source needs evidence that the test can leave out without also making the
# transition's condition false (the confirmation opinion is both evidence and the agree/disagree
# condition, so at the township's confirmation no other evidence can be left out).
LEAVE_OUT = {
    "verification": "verification_report",
    "investigation": "home_investigation",
    "community_review": "community_review",
    "review": "review_opinion",
    "public_notice": "public_notice_ended",
    "reinvestigation": "home_investigation",
    "confirmation": "spot_check_done",
}
WRONG_ROLE = {
    "township_caseworker": ("township_reviewer", EAST_TOWN),
    "township_reviewer": ("township_caseworker", EAST_TOWN),
    "county_approver": ("township_reviewer", EAST_TOWN),
}
ELSEWHERE = {  # the same role in another jurisdiction
    "township_caseworker": ("township_caseworker", WEST_TOWN),
    "township_reviewer": ("township_reviewer", WEST_TOWN),
    "county_approver": ("county_approver", "980102000000"),
}


def _policy_set(case: Case, **values: Any) -> None:
    PolicyVersion.objects.filter(pk=case.policy_version_id).update(**values)
    case.policy_version.refresh_from_db()


def _set_condition(case: Case, code: str, holds: bool, target: str) -> None:
    """Make one condition code hold (or not) for ``case``."""
    if code == "community_review_always":
        _policy_set(case, community_review_mode="always" if holds else "never")
    elif code == "community_review_on_objection_or_always":
        _policy_set(case, community_review_mode="on_objection" if holds else "never")
    elif code == "community_review_never":
        _policy_set(case, community_review_mode="never" if holds else "always")
    elif code in ("notice_needed", "notice_skipped"):
        Case.objects.filter(pk=case.pk).update(minor_case=holds == (code == "notice_skipped"))
        _policy_set(case, public_notice_minors=False)
    elif code in ("objection_held", "no_objection_held"):
        notice = case.public_notices.order_by("-round").first() or add_public_notice(
            case, starts_on=TODAY - timedelta(days=8), ends_on=TODAY - timedelta(days=1)
        )
        if holds == (code == "objection_held"):
            add_objection(notice, holds=True)
        else:
            add_objection(notice, holds=False)
    elif code in ("confirm_county", "confirm_township"):
        _policy_set(
            case,
            confirm_level=code.removeprefix("confirm_")
            if holds
            else {"confirm_county": "township", "confirm_township": "county"}[code],
        )
    elif code in ("opinion_agree", "opinion_disagree"):
        add_opinion(case, agree=holds == (code == "opinion_agree"))
    elif code == "close_relative":
        Case.objects.filter(pk=case.pk).update(close_relative=holds)
    elif code == "came_from":
        source = target if holds else ({"investigation", "review"} - {target}).pop()
        CaseEvent.objects.create(
            case=case,
            seq=2,
            at=timezone.now(),
            actor_name="x",
            action="send_back",
            from_state=source,
            to_state="materials",
        )
    else:  # pragma: no cover
        raise AssertionError(code)


def _set_evidence(case: Case, code: str) -> None:
    if code == "verification_report":
        Case.objects.filter(pk=case.pk).update(report=new_report(case.household))
    elif code == "home_investigation":
        add_investigation(case)
    elif code == "community_review":
        add_community_review(case)
    elif code in ("review_opinion", "confirmation_opinion"):
        if not case.opinions.exists():
            add_opinion(case, agree=True)
    elif code == "public_notice_ended":
        if not case.public_notices.exists():
            add_public_notice(case, starts_on=TODAY - timedelta(days=8), ends_on=TODAY - timedelta(days=1))
    elif code in ("spot_check_done", "county_home_visit"):
        pass  # no spot check selected, not a close-relative case: nothing to record
    else:  # pragma: no cover
        raise AssertionError(code)


def _prepare(t: Any, *, condition: bool = True, leave_out: str = "") -> Case:
    """A case at ``t.source`` with the transition's condition (not) holding and the source step's
    evidence recorded, except ``leave_out``."""
    case = new_case(state=t.source)
    if leave_out == "public_notice_ended":  # a notice still running
        add_public_notice(case, starts_on=TODAY, ends_on=TODAY + timedelta(days=6))
    terms = condition_terms(t.condition)
    for i, (positive, code) in enumerate(terms):
        holds = positive if (condition or i > 0) else not positive
        _set_condition(case, code, holds, t.target)
    for code in DIBAO.step(t.source).evidence:
        if code != leave_out:
            _set_evidence(case, code)
    if leave_out == "spot_check_done":
        Case.objects.filter(pk=case.pk).update(spot_check="selected")
    case.refresh_from_db()
    return case


def _act(user: Any, case: Case, target: str, reason: str = "理由", *, recorded: bool = True) -> Case:
    """A move as a step service makes it (``recorded``: the records that go with it are written)."""
    return case_act(
        ctx=AuditContext(user=user),
        case_id=case.pk,
        version=case.version,
        target=target,
        reason=reason,
        recorded=recorded,
    )


DECIDING_OR_ENDING_NOTICE = [
    t
    for t in DIBAO.transitions
    if t.action == "forward" and (t.source == "public_notice" or t.target in ("confirmed", "refused"))
]


@pytest.mark.parametrize(
    "t", DECIDING_OR_ENDING_NOTICE, ids=[f"{t.source}->{t.target}" for t in DECIDING_OR_ENDING_NOTICE]
)
def test_a_generic_move_cannot_decide_a_case_or_end_its_notice(t, policy, dibao, make_user) -> None:
    """Deciding (confirmed / refused) and ending a public notice belong to the step services, which write
    the decision, entitlement and notice, or close the notice; the page's, API's and admin's generic move
    refuses them whatever else holds."""
    role = DIBAO.step(t.source).role
    case = _prepare(t)
    user = make_user(role, EAST_TOWN if role != "county_approver" else "980101000000")
    with pytest.raises(ValidationFailed) as refused:
        _act(user, case, t.target, recorded=False)
    assert "不能直接流转" in refused.value.errors["target"]
    case.refresh_from_db()
    assert (case.state, case.version) == (t.source, 1)


TRANSITIONS = [t for t in DIBAO.transitions if t.action in ("forward", "send_back")]
IDS = [f"{t.source}->{t.target}" for t in TRANSITIONS]


@pytest.mark.parametrize("t", TRANSITIONS, ids=IDS)
def test_every_transition_refuses_wrong_role_and_elsewhere_then_goes(t, policy, dibao, make_user) -> None:
    role = DIBAO.step(t.source).role
    case = _prepare(t)
    with pytest.raises(PermissionDenied) as denied:
        _act(make_user(*WRONG_ROLE[role]), case, t.target)
    assert "无权办理" in denied.value.message
    with pytest.raises(NotFound):
        _act(make_user(*ELSEWHERE[role]), case, t.target)
    moved = _act(make_user(role, EAST_TOWN if role != "county_approver" else "980101000000"), case, t.target)
    assert (moved.state, moved.version) == (t.target, 2)
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state) == (t.action, t.source, t.target)


CONDITIONAL = [t for t in TRANSITIONS if t.condition]


@pytest.mark.parametrize("t", CONDITIONAL, ids=[f"{t.source}->{t.target}" for t in CONDITIONAL])
def test_every_condition_false_is_refused(t, policy, dibao, actors) -> None:
    case = _prepare(t, condition=False)
    with pytest.raises(ValidationFailed) as exc:
        _act(actors[DIBAO.step(t.source).role], case, t.target)
    assert exc.value.errors["target"].startswith("条件不满足：")
    assert Case.objects.get(pk=case.pk).state == t.source


EVIDENCED = [t for t in TRANSITIONS if t.action == "forward" and t.source in LEAVE_OUT]


@pytest.mark.parametrize("t", EVIDENCED, ids=[f"{t.source}->{t.target}" for t in EVIDENCED])
def test_every_forward_move_refuses_missing_evidence(t, policy, dibao, actors) -> None:
    case = _prepare(t, leave_out=LEAVE_OUT[t.source])
    with pytest.raises(ValidationFailed) as exc:
        _act(actors[DIBAO.step(t.source).role], case, t.target)
    assert exc.value.errors["evidence"].startswith("尚缺：")
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_send_back_needs_no_evidence_but_a_reason(policy, dibao, reviewer) -> None:
    case = new_case(state="review")
    with pytest.raises(ValidationFailed) as exc:
        _act(reviewer, case, "investigation", reason="")
    assert "理由" in exc.value.errors["reason"]
    moved = _act(reviewer, case, "investigation", reason="家庭人口有误，请重新调查")
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (moved.state, event.action, event.reason) == (
        "investigation",
        "send_back",
        "家庭人口有误，请重新调查",
    )


def test_unknown_target_and_closed_case(policy, dibao, caseworker) -> None:
    case = new_case(state="investigation")
    with pytest.raises(ValidationFailed) as exc:
        _act(caseworker, case, "confirmed")
    assert "不能转到" in exc.value.errors["target"]
    closed = new_case(state="withdrawn")
    with pytest.raises(Conflict):
        _act(caseworker, closed, "investigation")


def test_a_caseworker_at_the_wrong_level_is_refused(policy, dibao, make_user) -> None:
    case = new_case(state="verification", report=None)
    Case.objects.filter(pk=case.pk).update(report=new_report(case.household))
    case.refresh_from_db()
    with pytest.raises(PermissionDenied) as exc:
        _act(make_user("township_caseworker", "980101000000"), case, "investigation")
    assert "不在您的办理层级" in exc.value.message


def test_withdraw_and_terminate_close_the_case(policy, dibao, caseworker, approver) -> None:
    case = _act(caseworker, new_case(state="review"), "withdrawn", reason="申请人书面撤回")
    assert (case.status, case.outcome, case.closed_at is not None, case.step_due_on) == (
        "closed",
        "withdrawn",
        True,
        None,
    )
    case = _act(approver, new_case(state="confirmation"), "terminated", reason="申请人死亡")
    assert (case.status, case.outcome) == ("closed", "terminated")


def test_transitions_say_why_not(policy, dibao, caseworker, reviewer) -> None:
    case = new_case(state="investigation")
    views = {v.target: v for v in case_transitions(user=caseworker, case=case)}
    assert views["review"].allowed is False
    assert views["review"].why_not == ["尚缺：入户调查记录（调查人员不少于规定人数）"]
    assert "community_review" in views and not views["community_review"].allowed
    assert views["verification"].allowed and views["withdrawn"].allowed
    assert case_missing_evidence(case) == ["入户调查记录（调查人员不少于规定人数）"]
    other = {v.target: v for v in case_transitions(user=reviewer, case=case)}
    assert "本环节由乡镇经办办理，您的角色无权办理" in other["verification"].why_not
    # A reviewer may not record the withdrawal either at investigation … but a caseworker may at review.
    review = new_case(state="review")
    assert {v.target: v for v in case_transitions(user=caseworker, case=review)}["withdrawn"].allowed


def test_home_investigation_needs_the_policys_number_of_investigators(
    policy, dibao, caseworker, make_user
) -> None:
    case = new_case(state="investigation")
    add_investigation(case, make_user("township_caseworker", EAST_TOWN))
    with pytest.raises(ValidationFailed):
        _act(caseworker, case, "review")
    PolicyVersion.objects.filter(pk=case.policy_version_id).update(investigators_min=1)
    assert _act(caseworker, Case.objects.get(pk=case.pk), "review").state == "review"


def test_evidence_recorded_before_entering_the_step_does_not_count(policy, dibao, caseworker) -> None:
    case = new_case(state="investigation", accepted_on=TODAY - timedelta(days=3))
    add_investigation(case)
    Case.objects.filter(pk=case.pk).update(state_entered_at=timezone.now() + timedelta(minutes=1))
    with pytest.raises(ValidationFailed):
        _act(caseworker, Case.objects.get(pk=case.pk), "review")


def test_close_relative_case_needs_the_countys_home_visit(policy, dibao, approver) -> None:
    case = new_case(state="confirmation", close_relative=True)
    add_opinion(case, agree=True)
    with pytest.raises(ValidationFailed) as exc:
        _act(approver, case, "confirmed")
    assert "县级入户核查记录" in exc.value.errors["evidence"]
    add_investigation(case, approver, approver, by_county=True)
    assert _act(approver, case, "confirmed").outcome == "confirmed"


def test_materials_pauses_the_clock_and_returns_where_it_came_from(policy, dibao, caseworker) -> None:
    case = new_case(state="investigation", accepted_on=TODAY - timedelta(days=10))
    due_before = case.due_on
    case = _act(caseworker, case, "materials", reason="缺少残疾证复印件")
    assert (case.state, case.paused_since) == ("materials", TODAY)
    # Paused a week ago: leaving today closes the interval [a week ago, yesterday].
    Case.objects.filter(pk=case.pk).update(paused_since=TODAY - timedelta(days=7))
    case.refresh_from_db()
    with pytest.raises(ValidationFailed):
        _act(caseworker, case, "review")  # not where it came from
    case = _act(caseworker, case, "investigation")
    assert case.paused_since is None
    assert case.pauses == [[(TODAY - timedelta(days=7)).isoformat(), (TODAY - timedelta(days=1)).isoformat()]]
    assert case.due_on is not None and due_before is not None and case.due_on > due_before


def test_entering_confirmation_selects_the_spot_check_deterministically(policy, dibao, reviewer) -> None:
    PolicyVersion.objects.filter(pk=policy.pk).update(spot_check_rate="1")
    case = new_case(state="public_notice")
    add_public_notice(case, starts_on=TODAY - timedelta(days=8), ends_on=TODAY - timedelta(days=1))
    assert _act(reviewer, case, "confirmation").spot_check == "selected"
    assert spot_check_selected("DB-980101001-2026-000001", "0") is False
    # HMAC-SHA256 of the number keyed with sha256(salt + SECRET_KEY) (Django's salted_hmac, written
    # out with the standard library), its first 8 hex digits read as a fraction of 2^32.
    import hashlib
    import hmac

    from django.conf import settings

    key = hashlib.sha256(("jiuzhu.workflow.spot_check" + settings.SECRET_KEY).encode()).digest()
    digest = hmac.new(key, b"DB-980101001-2026-000001", hashlib.sha256).hexdigest()
    fraction = int(digest[:8], 16) / 2**32
    assert spot_check_selected("DB-980101001-2026-000001", fraction + 0.001) is True
    assert spot_check_selected("DB-980101001-2026-000001", fraction) is False


def test_the_spot_check_draw_depends_on_the_server_secret() -> None:
    """Case numbers are sequential: without the key nobody can tell in advance which are drawn. Of 64
    numbers at the rate 1/2, two keys draw different sets (a bare hash of the number would not)."""
    numbers = [f"DB-980101001-2026-{i:06d}" for i in range(1, 65)]
    with override_settings(SECRET_KEY="one-key-of-the-server-for-this-test"):
        first = [spot_check_selected(n, "0.5") for n in numbers]
        assert first == [spot_check_selected(n, "0.5") for n in numbers]  # deterministic per case
    with override_settings(SECRET_KEY="another-key-of-the-server-for-this-test"):
        second = [spot_check_selected(n, "0.5") for n in numbers]
    assert first != second
    assert 0 < sum(first) < 64


def test_policy_change_mid_case(tree, dibao, approver) -> None:
    old = new_policy(effective_from=date(2020, 1, 1), confirmation_days=10)
    case = new_case(state="review", policy=old, accepted_on=TODAY - timedelta(days=5))
    new = new_policy(effective_from=TODAY - timedelta(days=1), confirmation_days=20)
    case.refresh_from_db()
    assert case_policy(case, TODAY) == old  # the case keeps its version …
    PolicyVersion.objects.filter(pk=old.pk).update(policy_at_decision="at_decision")
    case = Case.objects.select_related("policy_version").get(pk=case.pk)
    assert case_policy(case, TODAY) == new  # … unless decisions follow the rule in force


def test_case_note_appends_history_without_a_move(policy, dibao, caseworker) -> None:
    case = new_case(state="investigation")
    event = case_note(ctx=AuditContext(user=caseworker), case=case, action="investigation", data={"round": 1})
    assert (event.seq, event.from_state, event.to_state, event.data) == (
        2,
        "investigation",
        "investigation",
        {"round": 1},
    )
    assert Case.objects.get(pk=case.pk).version == 1


# --- opening -----------------------------------------------------------------------------------------


def test_case_open(policy, dibao, caseworker) -> None:
    household = new_household()
    report = new_report(household)
    case = case_open(
        ctx=AuditContext(user=caseworker),
        program="dibao",
        household_id=household.pk,
        applicant_id=household.head_id,
        report_id=report.pk,
        application_no="SQ-1",
        accepted_on=TODAY,
    )
    assert case.number == f"DB-980101001-{TODAY.year}-000001"
    assert (case.state, case.status, case.version, case.definition_id, case.policy_version_id) == (
        "verification",
        "open",
        1,
        dibao.pk,
        policy.pk,
    )
    assert case.region_id == household.region_id and case.minor_case is False
    assert CaseEvent.objects.get(case=case).action == "open"
    with pytest.raises(Conflict) as exc:
        case_open(
            ctx=AuditContext(user=caseworker),
            program="dibao",
            household_id=household.pk,
            applicant_id=household.head_id,
        )
    assert case.number in exc.value.message
    second = new_household()
    assert case_open(
        ctx=AuditContext(user=caseworker),
        program="dibao",
        household_id=second.pk,
        applicant_id=second.head_id,
    ).number.endswith("-000002")


def test_case_open_refusals(policy, dibao, caseworker, reviewer, other_caseworker) -> None:
    household = new_household()
    minor = add_member(household, "child", birth_date=TODAY - timedelta(days=365 * 10))
    with pytest.raises(PermissionDenied):
        case_open(
            ctx=AuditContext(user=reviewer),
            program="dibao",
            household_id=household.pk,
            applicant_id=household.head_id,
        )
    with pytest.raises(NotFound):
        case_open(
            ctx=AuditContext(user=other_caseworker),
            program="dibao",
            household_id=household.pk,
            applicant_id=household.head_id,
        )
    stranger = new_household()
    with pytest.raises(ValidationFailed) as exc:
        case_open(
            ctx=AuditContext(user=caseworker),
            program="dibao",
            household_id=household.pk,
            applicant_id=stranger.head_id,
        )
    assert "applicant_id" in exc.value.errors
    case = case_open(
        ctx=AuditContext(user=caseworker), program="dibao", household_id=household.pk, applicant_id=minor.pk
    )
    assert case.minor_case is True


def test_a_minors_case_is_judged_by_the_members_counted(policy, dibao, caseworker) -> None:
    """An adult guardian applies for two children (10 and 8): a minors' case (not publicly noticed),
    judged by the members counted — the report's included ones, else the co-resident members."""
    from jiuzhu.registry.models import Membership
    from jiuzhu.verification.models import VerificationReport

    ctx = AuditContext(user=caseworker)
    guarded = new_household()  # the head (an adult) is the guardian, living elsewhere
    Membership.objects.filter(household=guarded, person=guarded.head).update(co_resident=False)
    add_member(guarded, "child", birth_date=TODAY - timedelta(days=365 * 10 + 3))
    add_member(guarded, "child", birth_date=TODAY - timedelta(days=365 * 8 + 2))
    case = case_open(ctx=ctx, program="dibao", household_id=guarded.pk, applicant_id=guarded.head_id)
    assert case.minor_case is True

    family = new_household()  # the adult lives with the child: not a minors' case
    add_member(family, "child", birth_date=TODAY - timedelta(days=365 * 10 + 3))
    case = case_open(ctx=ctx, program="dibao", household_id=family.pk, applicant_id=family.head_id)
    assert case.minor_case is False

    reported = new_household()  # the report counts only the two children
    first = add_member(reported, "child", birth_date=TODAY - timedelta(days=365 * 10 + 3))
    second = add_member(reported, "child", birth_date=TODAY - timedelta(days=365 * 8 + 2))
    report = new_report(reported)
    members = [
        {"person_id": reported.head_id, "included": False},
        {"person_id": first.pk, "included": True},
        {"person_id": second.pk, "included": True},
    ]
    VerificationReport.objects.filter(pk=report.pk).update(inputs={"members": members})
    case = case_open(
        ctx=ctx, program="dibao", household_id=reported.pk, applicant_id=reported.head_id, report_id=report.pk
    )
    assert case.minor_case is True
