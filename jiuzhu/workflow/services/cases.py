"""Cases: opening one, moving it along its definition, the notes of its steps, extending its limit,
attaching the verification report, claiming it, and the scanner that marks and escalates overdue
cases.

Every move is one transaction with an optimistic lock: the case row is updated with
``UPDATE … WHERE id = %s AND version = %s`` and a move that finds another version (someone else acted
first) changes nothing and answers ``Conflict``. It works inside a caller's transaction too (the step
services record their evidence and move the case in one).

County spot checks (抽查) are a flag beside the state: a case entering ``confirmation`` or
``township_confirmation`` is selected when the first 8 hex digits of the HMAC-SHA256 of its number,
keyed with the server's secret (``salted_hmac`` with ``SPOT_CHECK_SALT``), read as a fraction of 2^32,
fall below the policy's ``spot_check_rate``. Deterministic (the same case is always selected or not,
whoever acts and however often it re-enters) and uniform over case numbers, but not predictable
from the (sequential) case number by anyone without the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.benefits.programs import PER_PERSON
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import (
    AidProgram,
    AuditObject,
    CaseOutcome,
    CasePurpose,
    CaseStatus,
    SpotCheck,
    StepKind,
    TransitionAction,
)
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.verification.models import VerificationReport

from .. import deadlines
from ..checks import Checker
from ..models import Case, CaseEvent, Step, Transition
from ..selectors import actor_refusals, case_policy, definition_for

CONFLICT = "该案件已被他人办理（或已变化），请刷新后重试"
CLOSED = "该案件已办结，不能再办理"
# AidProgram → the letters that open its case numbers.
NUMBER_PREFIX: dict[str, str] = {
    AidProgram.DIBAO: "DB",
    AidProgram.NEAR_DIBAO: "DBBY",
    AidProgram.RIGID_EXPENSE: "GX",
    AidProgram.TEKUN: "TK",
    AidProgram.TEMPORARY: "LS",
    AidProgram.DISABILITY_LIVING: "CJSH",
    AidProgram.DISABILITY_CARE: "CJHL",
    AidProgram.CHILD_IN_DIFFICULTY: "KJ",
    AidProgram.DE_FACTO_ORPHAN: "SW",
}
ESCALATE_AFTER_WORKING_DAYS = 3  # the scanner escalates a case overdue by more than this
SPOT_CHECK_STEPS = ("confirmation", "township_confirmation")
SPOT_CHECK_SALT = "jiuzhu.workflow.spot_check"


def _case_number(program: str, region_code: str, year: int) -> str:
    prefix = f"{NUMBER_PREFIX.get(program, program.upper())}-{region_code[:9]}-{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def spot_check_selected(number: str, rate: Decimal | float) -> bool:
    """Whether the case numbered ``number`` is spot-checked at ``rate`` (see the module docstring)."""
    fraction = int(salted_hmac(SPOT_CHECK_SALT, number, algorithm="sha256").hexdigest()[:8], 16) / 2**32
    return fraction < float(rate)


def _event(
    ctx: AuditContext,
    case: Case,
    *,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append to the history; the caller holds the case row (its update or a row lock)."""
    last = CaseEvent.objects.filter(case_id=case.pk).aggregate(m=Max("seq"))["m"] or 0
    user = ctx.user
    return CaseEvent.objects.create(
        case_id=case.pk,
        seq=last + 1,
        at=at or timezone.now(),
        actor=user,
        actor_name=(user.get_full_name() or user.get_username()) if user else "系统",
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def _audit(ctx: AuditContext, case: Case, action: str, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=AuditObject.CASE,
        object_id=case.pk,
        region_code=case.region_id,
        detail={"number": case.number, **detail},
    )


def _reason(reason: str, errors: dict[str, str], *, required: bool = False) -> str:
    text = clean_text(reason or "", "reason", "理由", errors, max_length=500)
    if required and "reason" not in errors and not text:
        errors["reason"] = "请填写理由"
    return text


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


# --- open --------------------------------------------------------------------------------------------


def _minor_case(
    household: Household, applicant: Person, report: VerificationReport | None, *, on: date, minor_age: int
) -> bool:
    """A minors' case (not publicly noticed, rules §1.6): the applicant is a minor, or every member
    counted in the household is — the report's included members when a report is attached, else the
    current co-resident members — whoever applies for them (usually an adult guardian)."""
    if applicant.age_on(on) < minor_age:
        return True
    if report is not None:
        ids = [int(m["person_id"]) for m in (report.inputs or {}).get("members", []) if m.get("included")]
        people = list(Person.objects.filter(pk__in=ids))
    else:
        people = [
            m.person
            for m in Membership.objects.filter(
                household=household, end_date__isnull=True, co_resident=True
            ).select_related("person")
        ]
    return bool(people) and all(p.age_on(on) < minor_age for p in people)


def _minor_subject(subject_id: int | None, *, on: date, minor_age: int) -> bool:
    """A per-person program's case for a minor (特困: minors are not publicly noticed, rules §3.3)."""
    if subject_id is None:
        return False
    person = Person.objects.filter(pk=subject_id).first()
    return person is not None and person.age_on(on) < minor_age


def case_open(
    *,
    ctx: AuditContext,
    program: str,
    household_id: int,
    applicant_id: int,
    report_id: int | None = None,
    application_no: str = "",
    accepted_on: date | None = None,
    applied_on: date | None = None,
    close_relative: bool = False,
    remote: bool = False,
    subject_id: int | None = None,
    purpose: str = CasePurpose.APPLICATION,
    details: Mapping[str, Any] | None = None,
    entitlement_id: int | None = None,
) -> Case:
    """Open a case (受理): pinned to the definition the household's region runs for the program and
    ``purpose`` and the policy in force on the acceptance date; in the start state, its deadlines
    computed. ``applied_on`` is the day the application was made (default: the acceptance date).
    ``subject_id`` is the member a per-person program is for (default: the applicant); ``details`` the
    program facts given at intake; ``entitlement_id`` the entitlement a review case reviews."""
    user = ctx.user
    if user is None or not (user.is_superuser or user.role == Role.TOWNSHIP_CASEWORKER):
        raise PermissionDenied("只有乡镇经办人员可以受理立案")
    errors: dict[str, str] = {}
    if program not in AidProgram.codes():
        errors["program"] = "未知的救助项目"
    today = timezone.localdate()
    accepted_on = accepted_on or today
    if accepted_on > today:
        errors["accepted_on"] = "受理日期不能晚于今天"
    applied_on = applied_on or accepted_on
    if applied_on > accepted_on:
        errors["applied_on"] = "申请日期不能晚于受理日期"
    application_no = clean_text(application_no or "", "application_no", "申请编号", errors, max_length=32)
    _raise_if(errors)
    with transaction.atomic():
        household = get_in_jurisdiction(
            Household.objects.select_for_update().select_related("region"),
            user=user,
            pk=household_id,
            region_field="region__code",
        )
        applicant = Person.objects.filter(pk=applicant_id).first()
        member = Membership.objects.filter(
            household=household, person_id=applicant_id, end_date__isnull=True
        ).exists()
        if applicant is None or not member:
            raise ValidationFailed({"applicant_id": "申请人不是该户的现有成员"})
        report = None
        if report_id is not None:
            report = VerificationReport.objects.filter(pk=report_id, household=household).first()
            if report is None:
                raise ValidationFailed({"report_id": "核对报告不属于该户"})
        if (
            subject_id is not None
            and not Membership.objects.filter(
                household=household, person_id=subject_id, end_date__isnull=True
            ).exists()
        ):
            raise ValidationFailed({"subject_id": "救助对象不是该户的现有成员"})
        running_q = Case.objects.filter(
            household=household, program=program, purpose=purpose, status=CaseStatus.OPEN
        )
        if program in PER_PERSON:
            running_q = running_q.filter(
                Q(subject_id=subject_id or applicant_id)
                | Q(subject__isnull=True, applicant_id=subject_id or applicant_id)
            )
        if purpose == CasePurpose.REVIEW and entitlement_id is not None:
            running_q = running_q.filter(entitlement_id=entitlement_id)
        running = running_q.first()
        if running is not None:
            raise Conflict(
                f"该户已有办理中的{AidProgram.label_of(program)}案件（{running.number}），不能重复立案"
            )
        definition = definition_for(program=program, region_code=household.region_id, purpose=purpose)
        policy = policy_in_force(region_code=household.region_id, on=accepted_on)
        start = Step.objects.filter(definition=definition, kind=StepKind.START).first()
        if start is None:
            raise NotFound("办理流程没有开始环节，请管理员检查流程定义")
        cal = deadlines.work_calendar()
        step_due = deadlines.step_deadline(start, policy, accepted_on, cal)
        case_due = deadlines.case_deadline(
            accepted_on=accepted_on, policy=policy, extended=False, paused=[], cal=cal
        )
        now = timezone.now()
        case = Case.objects.create(
            number=_case_number(program, household.region_id, accepted_on.year),
            program=program,
            household=household,
            applicant=applicant,
            region=household.region,
            application_no=application_no,
            subject_id=subject_id,
            purpose=purpose,
            details=dict(details or {}),
            entitlement_id=entitlement_id,
            definition=definition,
            policy_version=policy,
            report=report,
            state=start.code,
            state_entered_at=now,
            step_due_on=step_due.due if step_due else None,
            step_due_provisional=bool(step_due and step_due.provisional),
            accepted_on=accepted_on,
            applied_on=applied_on,
            due_on=case_due.due,
            due_provisional=case_due.provisional,
            close_relative=close_relative,
            remote=remote,
            # A per-person program's case is a minor's when its person is; a household's when the
            # applicant or every member counted is.
            minor_case=(
                _minor_subject(subject_id or applicant_id, on=accepted_on, minor_age=policy.minor_age)
                if program in PER_PERSON
                else _minor_case(household, applicant, report, on=accepted_on, minor_age=policy.minor_age)
            ),
            opened_by=user,
        )
        case._current_step = start  # type: ignore[attr-defined]
        _event(ctx, case, action="open", to_state=start.code, data={"definition": definition.pk}, at=now)
        _audit(ctx, case, "create", program=program, household=household.pk, state=start.code)
    return case


# --- move --------------------------------------------------------------------------------------------


def _locked_case(ctx: AuditContext, case_id: int) -> Case:
    return get_in_jurisdiction(
        Case.objects.select_related("definition", "policy_version"),
        user=ctx.user,
        pk=case_id,
        region_field="region__code",
    )


def _pick(transitions: list[Transition], checker: Checker) -> tuple[Transition, list[str]]:
    """The first transition whose condition holds, else the first with its unmet conditions."""
    for t in transitions:
        if not checker.unmet(t.condition, t.target):
            return t, []
    return transitions[0], checker.unmet(transitions[0].condition, transitions[0].target)


def case_act(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    target: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    recorded: bool = False,
    actor_checked: bool = False,
) -> Case:
    """Move a case from its current state to ``target`` along a transition of its definition.

    A forward move that decides the case (into an end state with the outcome confirmed or refused) or
    that ends a public notice is made only by the step service that records what goes with it — the
    decision, the entitlement and the notice, or the notice's closing — which passes ``recorded``; the
    generic move (page, API, admin) refuses it, so no case is decided without its records.
    ``actor_checked``: the calling step service has checked who may act by its own rule (a finding of
    hidden income ends a case at any step, by the township reviewer or the county approver), in place
    of the step's role."""
    require_perm(ctx.user, "workflow.change_case")
    errors: dict[str, str] = {}
    reason = _reason(reason, errors)
    _raise_if(errors)
    with transaction.atomic():
        case = _locked_case(ctx, case_id)
        if case.status != CaseStatus.OPEN:
            raise Conflict(CLOSED)
        if case.version != version:
            raise Conflict(CONFLICT)
        steps = {s.code: s for s in Step.objects.filter(definition_id=case.definition_id)}
        step = steps[case.state]
        candidates = list(
            Transition.objects.filter(
                definition_id=case.definition_id, source=case.state, target=target
            ).order_by("position", "id")
        )
        if not candidates or target not in steps:
            raise ValidationFailed({"target": f"当前环节（{step.name}）不能转到“{target}”"})
        refusals = [] if actor_checked else actor_refusals(ctx.user, step, candidates[0].action)
        if refusals:
            raise PermissionDenied("；".join(refusals))
        today = timezone.localdate()
        policy = case_policy(case, today)
        checker = Checker(case=case, policy=policy, today=today)
        transition, unmet = _pick(candidates, checker)
        if unmet:
            raise ValidationFailed({"target": "条件不满足：" + "、".join(unmet)})
        if (
            transition.action == TransitionAction.FORWARD
            and not recorded
            and _needs_record(step, steps[target])
        ):
            message = (
                f"“{transition.name}”须在本环节的办理表单中完成（记录意见、决定或公示结果），不能直接流转"
            )
            raise ValidationFailed({"target": message})
        if transition.action == TransitionAction.FORWARD:
            missing = checker.missing(list(step.evidence or []))
            if missing:
                raise ValidationFailed({"evidence": "尚缺：" + "、".join(missing)})
        if transition.reason_required and not reason:
            raise ValidationFailed({"reason": f"“{transition.name}”须填写理由"})
        new = steps[target]
        case = _move(
            ctx,
            case,
            step=step,
            new=new,
            transition=transition,
            policy=policy,
            today=today,
            reason=reason,
            data=data or {},
        )
    return case


_DECIDING = frozenset(
    {
        CaseOutcome.CONFIRMED,
        CaseOutcome.REFUSED,
        # A review's ends change the entitlement and issue a notice (``services.reviews``).
        CaseOutcome.MAINTAINED,
        CaseOutcome.ADJUSTED,
        CaseOutcome.SUSPENDED,
        CaseOutcome.STOPPED,
    }
)


def _needs_record(step: Step, new: Step) -> bool:
    """Whether a forward move from ``step`` to ``new`` belongs to a step service (see ``case_act``)."""
    return (new.kind == StepKind.END and new.outcome in _DECIDING) or "public_notice_ended" in (
        step.evidence or []
    )


def _move(
    ctx: AuditContext,
    case: Case,
    *,
    step: Step,
    new: Step,
    transition: Transition,
    policy: Any,
    today: date,
    reason: str,
    data: dict[str, Any],
) -> Case:
    now = timezone.now()
    cal = deadlines.work_calendar()
    pauses = list(case.pauses or [])
    paused_since = case.paused_since
    if step.pauses_clock and paused_since is not None:
        last = today - timedelta(days=1)
        if last >= paused_since:
            pauses.append([paused_since.isoformat(), last.isoformat()])
        paused_since = None
    if new.pauses_clock and paused_since is None:
        paused_since = today
    values: dict[str, Any] = {
        "state": new.code,
        "state_entered_at": now,
        "pauses": pauses,
        "paused_since": paused_since,
        "overdue": False,
        "escalated_at": None,
        "claimed_by": None,
        "claimed_until": None,
    }
    if new.kind == StepKind.END:
        values |= {
            "status": CaseStatus.CLOSED,
            "outcome": new.outcome,
            "closed_at": now,
            "step_due_on": None,
            "step_due_provisional": False,
            "paused_since": None,
        }
    else:
        step_due = deadlines.step_deadline(new, policy, today, cal)
        values |= {
            "step_due_on": step_due.due if step_due else None,
            "step_due_provisional": bool(step_due and step_due.provisional),
        }
    case_due = deadlines.case_deadline(
        accepted_on=case.accepted_on,
        policy=policy,
        extended=case.extended,
        paused=[(date.fromisoformat(a), date.fromisoformat(b)) for a, b in pauses],
        cal=cal,
    )
    values |= {
        "due_on": case_due.due,
        "due_provisional": case_due.provisional,
        "case_overdue": case.case_overdue and new.kind != StepKind.END and case_due.due < today,
    }
    selected = new.code in SPOT_CHECK_STEPS and case.spot_check == SpotCheck.NONE
    if selected and spot_check_selected(case.number, policy.spot_check_rate):
        values["spot_check"] = SpotCheck.SELECTED
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(**values, version=F("version") + 1)
    if updated != 1:
        raise Conflict(CONFLICT)
    for key, value in values.items():
        setattr(case, key, value)
    case.version += 1
    case._current_step = new  # type: ignore[attr-defined]
    event_data = dict(data)
    if policy.pk != case.policy_version_id:
        event_data["policy_version"] = policy.pk
    if values.get("spot_check") == SpotCheck.SELECTED:
        event_data["spot_check"] = SpotCheck.SELECTED.value
    _event(
        ctx,
        case,
        action=transition.action,
        from_state=step.code,
        to_state=new.code,
        reason=reason,
        data=event_data,
        at=now,
    )
    _audit(ctx, case, "update", transition=f"{step.code}->{new.code}", kind=transition.action)
    return case


def case_note(
    *, ctx: AuditContext, case: Case, action: str, data: dict[str, Any] | None = None, reason: str = ""
) -> CaseEvent:
    """A history row without a change of state, inside the caller's transaction (the step services
    record their evidence through it). Takes the case row's lock so that the history stays in order."""
    with transaction.atomic(savepoint=False):
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
        return _event(
            ctx,
            case,
            action=action,
            from_state=case.state,
            to_state=case.state,
            reason=reason[:500],
            data=data,
        )


def case_extend(*, ctx: AuditContext, case_id: int, version: int, reason: str) -> Case:
    """Extend the whole-case limit from ``case_limit_days`` to ``case_limit_extended_days`` working
    days; a reason is required, and a case is extended once."""
    require_perm(ctx.user, "workflow.change_case")
    errors: dict[str, str] = {}
    reason = _reason(reason, errors, required=True)
    if len(reason) > 200:
        errors["reason"] = "延长理由不超过 200 字"
    _raise_if(errors)
    with transaction.atomic():
        case = _locked_case(ctx, case_id)
        if case.status != CaseStatus.OPEN:
            raise Conflict(CLOSED)
        if case.extended:
            raise ValidationFailed({"reason": "该案件已延长过办理时限，不能再次延长"})
        policy = case_policy(case, timezone.localdate())
        due = deadlines.case_deadline(
            accepted_on=case.accepted_on,
            policy=policy,
            extended=True,
            paused=deadlines.pauses_of(case),
            cal=deadlines.work_calendar(),
        )
        values = {
            "extended": True,
            "extension_reason": reason,
            "due_on": due.due,
            "due_provisional": due.provisional,
            "case_overdue": case.case_overdue and due.due < timezone.localdate(),
        }
        if Case.objects.filter(pk=case.pk, version=version).update(**values, version=F("version") + 1) != 1:
            raise Conflict(CONFLICT)
        for key, value in values.items():
            setattr(case, key, value)
        case.version = version + 1
        _event(
            ctx,
            case,
            action="extend",
            from_state=case.state,
            to_state=case.state,
            reason=reason,
            data={"due_on": due.due.isoformat()},
        )
        _audit(ctx, case, "update", extend=due.due.isoformat())
    return case


def case_attach_report(*, ctx: AuditContext, case_id: int, version: int, report_id: int) -> Case:
    """Attach (or replace) the household's verification report."""
    require_perm(ctx.user, "workflow.change_case")
    with transaction.atomic():
        case = _locked_case(ctx, case_id)
        if case.status != CaseStatus.OPEN:
            raise Conflict(CLOSED)
        report = VerificationReport.objects.filter(pk=report_id, household_id=case.household_id).first()
        if report is None:
            raise ValidationFailed({"report_id": "核对报告不属于该案件的家庭"})
        if (
            Case.objects.filter(pk=case.pk, version=version).update(report=report, version=F("version") + 1)
            != 1
        ):
            raise Conflict(CONFLICT)
        case.report = report
        case.version = version + 1
        _event(
            ctx,
            case,
            action="attach_report",
            from_state=case.state,
            to_state=case.state,
            data={"report": report.pk},
        )
        _audit(ctx, case, "update", report=report.pk)
    return case


def case_claim(*, ctx: AuditContext, case_id: int, minutes: int = 30) -> bool:
    """Claim a case for ``minutes`` (so that two people do not work on it at once): true when the
    caller holds it now, false when someone else does."""
    require_perm(ctx.user, "workflow.change_case")
    if not 1 <= minutes <= 480:
        raise ValidationFailed({"minutes": "认领时长应在 1 至 480 分钟之间"})
    case = _locked_case(ctx, case_id)
    now = timezone.now()
    free = Q(claimed_by__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=ctx.user)
    claimed = (
        Case.objects.filter(free, pk=case.pk, status=CaseStatus.OPEN).update(
            claimed_by=ctx.user, claimed_until=now + timedelta(minutes=minutes)
        )
        == 1
    )
    return claimed


# --- the scanner -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    overdue: int
    escalated: int
    recomputed: int
    case_overdue: int = 0  # cases newly past their whole-case limit


def cases_scan(
    *, ctx: AuditContext, today: date | None = None, escalate_after: int = ESCALATE_AFTER_WORKING_DAYS
) -> ScanResult:
    """Mark overdue cases (once per stay in a step) and cases past their whole-case limit ``due_on``
    (once: a "case_overdue" event), escalate (督办) cases overdue in their step by more than
    ``escalate_after`` working days and cases past their whole-case limit (once per step: a move
    clears the escalation), and recompute provisional deadlines on the calendar as it is now.
    Idempotent. Each case is claimed with a conditional UPDATE (``WHERE overdue = false`` …),
    so two scanners running at once never process one case twice."""
    today = today or timezone.localdate()
    cal = deadlines.work_calendar()
    marked = escalated = recomputed = 0
    late = Case.objects.filter(status=CaseStatus.OPEN, overdue=False, step_due_on__lt=today).values_list(
        "pk", "state"
    )
    for pk, state in list(late):
        with transaction.atomic():
            if Case.objects.filter(pk=pk, status=CaseStatus.OPEN, overdue=False, state=state).update(
                overdue=True
            ):
                case = Case.objects.get(pk=pk)
                _event(
                    ctx,
                    case,
                    action="overdue",
                    from_state=state,
                    to_state=state,
                    data={"step_due_on": case.step_due_on.isoformat() if case.step_due_on else None},
                )
                _audit(ctx, case, "update", overdue=True)
                marked += 1
    whole = Case.objects.filter(status=CaseStatus.OPEN, case_overdue=False, due_on__lt=today).values_list(
        "pk", flat=True
    )
    whole_marked = 0
    for pk in list(whole):
        with transaction.atomic():
            claim = Case.objects.filter(pk=pk, status=CaseStatus.OPEN, case_overdue=False, due_on__lt=today)
            if claim.update(case_overdue=True):
                case = Case.objects.get(pk=pk)
                _event(
                    ctx,
                    case,
                    action="case_overdue",
                    from_state=case.state,
                    to_state=case.state,
                    data={"due_on": case.due_on.isoformat() if case.due_on else None},
                )
                _audit(ctx, case, "update", case_overdue=True)
                whole_marked += 1
    rows = (
        Case.objects.filter(status=CaseStatus.OPEN, escalated_at__isnull=True)
        .filter(Q(overdue=True) | Q(case_overdue=True))
        .values_list("pk", "step_due_on", "case_overdue", "due_on")
    )
    for pk, due, past_case_limit, case_due_on in list(rows):
        if past_case_limit:
            data = {"due_on": case_due_on.isoformat() if case_due_on else None}
        elif due is None or cal.working_days_between(due, today) <= escalate_after:
            continue
        else:
            data = {"step_due_on": due.isoformat()}
        with transaction.atomic():
            if Case.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
                case = Case.objects.get(pk=pk)
                _event(
                    ctx,
                    case,
                    action="escalate",
                    from_state=case.state,
                    to_state=case.state,
                    data=data,
                )
                _audit(ctx, case, "update", escalated=True)
                escalated += 1
    provisional = (
        Case.objects.filter(status=CaseStatus.OPEN)
        .filter(Q(step_due_provisional=True) | Q(due_provisional=True))
        .select_related("policy_version")
    )
    for case in list(provisional):
        step = Step.objects.filter(definition_id=case.definition_id, code=case.state).first()
        policy = case_policy(case, today)
        entered = timezone.localdate(case.state_entered_at)
        step_due = deadlines.step_deadline(step, policy, entered, cal) if step else None
        case_due = deadlines.case_deadline(
            accepted_on=case.accepted_on,
            policy=policy,
            extended=case.extended,
            paused=deadlines.pauses_of(case),
            cal=cal,
        )
        values: dict[str, Any] = {}
        if case.step_due_provisional and step_due is not None:
            values |= {"step_due_on": step_due.due, "step_due_provisional": step_due.provisional}
        if case.due_provisional:
            values |= {"due_on": case_due.due, "due_provisional": case_due.provisional}
        if all(getattr(case, k) == v for k, v in values.items()):
            continue
        # Not a change by a person: the version stays, but a move in between wins (it recomputed too).
        recomputed += Case.objects.filter(pk=case.pk, version=case.version).update(**values)
    return ScanResult(overdue=marked, escalated=escalated, recomputed=recomputed, case_overdue=whole_marked)
