"""What each step of a case records (rules §1.4–§1.7): the home investigation, the community review,
the township's opinion, the public notice and its objections, the county's spot check and the
confirmation that ends in a decision, an entitlement and a notice.

Every service here: the case is read through the engine's ``case_get`` (another jurisdiction is 404),
locked, its version compared with the one the caller saw (a stale page is a Conflict and changes
nothing), its current step checked, and the caller's role and level checked against the step's. What
is recorded goes into the case's history (``case_note``) and the audit log; a step that ends with a
move calls the engine's ``case_act`` inside the same transaction, so that either everything is
recorded or nothing is.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from jiuzhu.accounts.models import User
from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.benefits.models import Decision, Entitlement
from jiuzhu.benefits.programs import PER_PERSON, AmountRequest, amount_rule
from jiuzhu.benefits.services import DecisionMember, decision_record, entitlement_create
from jiuzhu.benefits.services_margins import single_member_grant
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.masking import id_number_masked, name_masked
from jiuzhu.core.text import clean_text
from jiuzhu.core.uploads import check_upload, sniff
from jiuzhu.core.vocab import (
    AidProgram,
    AuditObject,
    CaseOutcome,
    CaseStatus,
    DeadlineKind,
    NoticeKind,
    PaymentKind,
    SpotCheck,
)
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.codes import Level, is_within, level_of
from jiuzhu.regions.scope import scoped
from jiuzhu.registry.models import Person

from .. import deadlines
from ..models import Case, CommunityReview, HomeInvestigation, Objection, Opinion, PublicNotice, Step
from ..notices import notice_issue, public_notice_facts
from ..selectors import case_get, case_policy, case_transitions
from .cases import case_act, case_note

# Steps of the 低保 definition (the codes every definition of the program uses).
INVESTIGATION_STEPS = ("investigation", "reinvestigation")
COUNTY_VISIT_STEPS = ("confirmation",)
CONFIRM_STEPS = ("confirmation", "township_confirmation")
# Where a case may go when its notice closes: a confirming step, or the county's case-by-case approval
# (临时救助 above the general cap) that comes before the county's decision.
AFTER_NOTICE_STEPS = (*CONFIRM_STEPS, "county_special")
RATIO_PLACES = Decimal("0.001")  # the precision of the policy's quorum and majority settings

TEXT_MAX = 300
LONG_MAX = 2000


# --- shared -----------------------------------------------------------------------------------------


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _step_of(case: Case) -> Step:
    step = Step.objects.filter(definition_id=case.definition_id, code=case.state).first()
    if step is None:  # a definition always holds its own states; a broken row is not the caller's fault
        raise Conflict("案件所处环节在流程定义中不存在，请联系管理员")
    return step


def _require_actor(user: Any, step: Step) -> None:
    """The caller must hold the step's role at the step's level (rules §1.1)."""
    if not step.role:
        raise Conflict(f"“{step.name}”环节无需办理")
    role = Role(step.role).label
    region = getattr(user, "region_id", None)
    if getattr(user, "role", "") != step.role or not region:
        raise PermissionDenied(f"“{step.name}”环节由{role}办理，您的角色无权办理")
    if step.level is not None and level_of(region) != step.level:
        raise PermissionDenied(f"“{step.name}”环节由{Level(step.level).label}{role}办理")


def may_spot_check(user: Any) -> bool:
    """The county's spot check is the county approver's, whichever level confirms the case."""
    region = getattr(user, "region_id", None)
    role = getattr(user, "role", "")
    return role == Role.COUNTY_APPROVER and bool(region) and level_of(str(region)) == Level.COUNTY


def _require_county_approver(user: Any) -> None:
    if not may_spot_check(user):
        raise PermissionDenied(f"县级抽查由县级{Role(Role.COUNTY_APPROVER).label}办理，您的角色无权办理")


def _locked_case(
    ctx: AuditContext,
    case_id: int,
    version: int | None,
    steps: Sequence[str],
    *,
    county_check: bool = False,
) -> tuple[Case, Step]:
    """The case (in the caller's jurisdiction, else 404), locked, at the version the caller saw, in one
    of ``steps``, and the caller entitled to act in it (the county approver, for ``county_check``)."""
    seen = case_get(user=ctx.user, case_id=case_id)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("household", "applicant", "region", "policy_version", "report")
        .get(pk=seen.pk)
    )
    if case.status != CaseStatus.OPEN:
        raise Conflict("案件已办结，不能再办理")
    if version is not None and case.version != version:
        raise Conflict()
    step = _step_of(case)
    if case.state not in steps:
        raise Conflict(f"案件当前处于“{step.name}”环节，不能办理此事项")
    if county_check:
        _require_county_approver(ctx.user)
    else:
        _require_actor(ctx.user, step)
    return case, step


def _version_now(case: Case) -> int:
    """The case's version after what this transaction wrote (a history row may move it)."""
    return Case.objects.filter(pk=case.pk).values_list("version", flat=True).get()


def _audit(ctx: AuditContext, case: Case, action: str, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=AuditObject.CASE,
        object_id=case.pk,
        region_code=case.region_id,
        detail={"case": case.number, **detail},
    )


def _files(checks: Sequence[tuple[Any, str, str, bool]], errors: dict[str, str]) -> None:
    """Size and type of each upload (``core.uploads``), every problem collected."""
    for file, field, label, required in checks:
        if file is None:
            if required:
                errors[field] = f"请上传{label}"
            continue
        try:
            check_upload(file, field=field, label=label)
        except ValidationFailed as exc:
            errors.update(exc.errors or {field: exc.message})


def _rename(upload: Any, what: str) -> None:
    """Store ``upload`` under a random name (the browser's own name may carry a person's name or ID):
    the kind of file, then random hex, with the extension of the sniffed type."""
    upload.seek(0)
    kind = sniff(upload.read(16)) or "bin"
    upload.seek(0)
    upload.name = f"{what}-{secrets.token_hex(12)}.{'jpg' if kind == 'jpeg' else kind}"


def _check_date(value: date | None, field: str, label: str, errors: dict[str, str], *, after: date) -> None:
    today = timezone.localdate()
    if value is None:
        errors[field] = f"请填写{label}"
    elif value > today:
        errors[field] = f"{label}不能晚于今天"
    elif value < after:
        errors[field] = f"{label}不能早于{after.isoformat()}"


def _works_in(code: str, area: str, *, county: bool) -> bool:
    """The county's own staff (the county's node itself), or anyone within the township."""
    return code == area if county else is_within(code, area)


def township_of(code: str) -> str:
    return code[:9] + "000"


def county_of(code: str) -> str:
    return code[:6] + "000000"


# --- the household as the decision sees it ----------------------------------------------------------


def case_members(case: Case) -> list[DecisionMember]:
    """The members counted by the case's verification report (its included members, at the ages the
    report gave), with what the registry records of them now (disability, capacity, work)."""
    report = case.report
    if report is None:
        raise ValidationFailed({"report": "案件尚未附家庭经济状况核对报告"})
    rows = [m for m in report.inputs.get("members", []) if m.get("included")]
    persons = Person.objects.in_bulk([int(m["person_id"]) for m in rows])
    return [
        DecisionMember.of(persons[int(m["person_id"])], age=int(m["age"]))
        for m in rows
        if int(m["person_id"]) in persons
    ]


def case_per_capita_income(case: Case) -> Decimal:
    """The household's per-capita monthly income as the report computed it."""
    if case.report is None:
        raise ValidationFailed({"report": "案件尚未附家庭经济状况核对报告"})
    return Decimal(str(case.report.results["per_capita_monthly_income"]))


def case_subject(case: Case, on: date) -> DecisionMember | None:
    """The person a per-person program's case is for (``case.subject``, else the applicant), at their
    age on ``on``; None for a household program."""
    if case.program not in PER_PERSON:
        return None
    person = case.subject or case.applicant
    return DecisionMember.of(person, age=person.age_on(on))


def case_amount_request(case: Case, policy: PolicyVersion, on: date) -> AmountRequest:
    """What the program's benefit rule needs of the case (``benefits.programs``)."""
    return AmountRequest(
        program=case.program,
        members=case_members(case) if case.report_id else [],
        per_capita_income=case_per_capita_income(case) if case.report_id else None,
        policy=policy,
        urban=case.household.urban_rural == "urban",
        decided_on=on,
        subject=case_subject(case, on),
        details=case.details,
        report=case.report.results if case.report is not None else {},
    )


def proposed_amount(case: Case, policy: PolicyVersion) -> Decimal:
    """The amount the case would be granted under ``policy`` (0 when not eligible)."""
    result = amount_rule(case.program)(case_amount_request(case, policy, timezone.localdate()))
    return Decimal(result.amount) if result.eligible else Decimal("0")


# --- 入户调查 -------------------------------------------------------------------------------------------


def investigation_record(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    visited_on: date,
    investigator_ids: Sequence[int],
    food: str,
    clothing: str,
    housing: str,
    daily_goods: str,
    findings: str,
    family_signatory: str,
    family_signature: UploadedFile | None,
    investigator_signatures: UploadedFile | None,
    photo: UploadedFile | None = None,
    by_county: bool = False,
) -> HomeInvestigation:
    """入户调查 (rules §1.4), also the re-investigation after a held objection and, with
    ``by_county``, the county's own home visit of a close-relative case. At least the policy's number
    of investigators, active users of the township (of the county for the county's visit)."""
    with transaction.atomic():
        case, _step = _locked_case(
            ctx, case_id, version, COUNTY_VISIT_STEPS if by_county else INVESTIGATION_STEPS
        )
        policy = case_policy(case, timezone.localdate())
        errors: dict[str, str] = {}
        _check_date(visited_on, "visited_on", "调查日期", errors, after=case.accepted_on)
        texts = {
            "food": clean_text(food, "food", "饮食情况", errors, max_length=TEXT_MAX, required=True),
            "clothing": clean_text(
                clothing, "clothing", "穿着情况", errors, max_length=TEXT_MAX, required=True
            ),
            "housing": clean_text(housing, "housing", "居住情况", errors, max_length=TEXT_MAX, required=True),
            "daily_goods": clean_text(
                daily_goods, "daily_goods", "日常生活用品", errors, max_length=TEXT_MAX, required=True
            ),
            "findings": clean_text(
                findings, "findings", "调查结论", errors, max_length=LONG_MAX, required=True
            ),
            "family_signatory": clean_text(
                family_signatory,
                "family_signatory",
                "在场家庭成员签字人",
                errors,
                max_length=50,
                required=True,
            ),
        }
        ids = sorted({int(i) for i in investigator_ids})
        area = county_of(case.region_id) if by_county else township_of(case.region_id)
        users = list(User.objects.filter(pk__in=ids, is_active=True).exclude(region__isnull=True))
        outside = [u for u in users if not _works_in(u.region_id or "", area, county=by_county)]
        where = "本县民政部门" if by_county else "本乡镇（街道）"
        if len(users) != len(ids) or outside:
            errors["investigator_ids"] = f"调查人员须为{where}在岗的工作人员"
        elif len(ids) < policy.investigators_min:
            errors["investigator_ids"] = (
                f"入户调查至少须 {policy.investigators_min} 名调查人员（现为 {len(ids)} 名）"
            )
        _files(
            [
                (family_signature, "family_signature", "家庭成员签字", True),
                (investigator_signatures, "investigator_signatures", "调查人员签字", True),
                (photo, "photo", "现场照片", False),
            ],
            errors,
        )
        _raise(errors)
        for upload, what in (
            (family_signature, "family"),
            (investigator_signatures, "investigators"),
            (photo, "photo"),
        ):
            if upload is not None:
                _rename(upload, what)
        round_no = HomeInvestigation.objects.filter(case=case).count() + 1
        investigation = HomeInvestigation(
            case=case,
            round=round_no,
            visited_on=visited_on,
            by_county=by_county,
            recorded_by=ctx.user,
            family_signature=family_signature,
            investigator_signatures=investigator_signatures,
            **texts,
        )
        if photo is not None:
            investigation.photo = photo
        investigation.save()
        investigation.investigators.set(users)
        data = {
            "investigation": investigation.pk,
            "round": round_no,
            "by_county": by_county,
            "investigators": ids,
        }
        case_note(ctx=ctx, case=case, action="county_visit" if by_county else "investigation", data=data)
        _audit(ctx, case, "create", **data)
    return investigation


# --- 民主评议 -------------------------------------------------------------------------------------------


def ratio_meets(numerator: int, denominator: int, threshold: Decimal) -> bool:
    """``numerator / denominator`` at the precision of the setting (three decimals, half up) against
    ``threshold``: 2/3 reads as 0.667 and meets a threshold of 0.667, 5/8 (0.625) does not."""
    if denominator <= 0:
        return False
    ratio = (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)
    return ratio >= threshold


def community_review_record(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    held_on: date,
    expected: int,
    attended: int,
    votes_for: int,
    votes_against: int,
    abstained: int,
    minutes: str,
    signatures: UploadedFile | None,
) -> CommunityReview:
    """民主评议 (rules §1.5): it passes when the attendance reaches the quorum of those expected and the
    votes for reach the majority of those present (both policy settings)."""
    with transaction.atomic():
        case, _step = _locked_case(ctx, case_id, version, ("community_review",))
        policy = case_policy(case, timezone.localdate())
        errors: dict[str, str] = {}
        _check_date(held_on, "held_on", "评议日期", errors, after=case.accepted_on)
        counts = {
            "expected": (expected, "应到人数"),
            "attended": (attended, "实到人数"),
            "votes_for": (votes_for, "同意票数"),
            "votes_against": (votes_against, "不同意票数"),
            "abstained": (abstained, "弃权票数"),
        }
        for key, (value, label) in counts.items():
            if value is None or value < 0 or value > 10000:
                errors[key] = f"{label}须为 0 至 10000 的整数"
        if not errors:
            if expected < 1:
                errors["expected"] = "应到人数至少为 1"
            elif attended > expected:
                errors["attended"] = f"实到人数（{attended}）不能多于应到人数（{expected}）"
            elif votes_for + votes_against + abstained > attended:
                votes = votes_for + votes_against + abstained
                errors["votes_for"] = f"同意、不同意与弃权票数之和（{votes}）不能多于实到人数（{attended}）"
        text = clean_text(minutes, "minutes", "评议记录", errors, max_length=LONG_MAX, required=True)
        _files([(signatures, "signatures", "参会人员签字", True)], errors)
        _raise(errors)
        _rename(signatures, "review")
        passed = ratio_meets(attended, expected, policy.community_review_quorum) and ratio_meets(
            votes_for, attended, policy.community_review_majority
        )
        review = CommunityReview.objects.create(
            case=case,
            held_on=held_on,
            expected=expected,
            attended=attended,
            votes_for=votes_for,
            votes_against=votes_against,
            abstained=abstained,
            passed=passed,
            minutes=text,
            signatures=signatures,
            recorded_by=ctx.user,
        )
        data = {"community_review": review.pk, "passed": passed, "attended": attended, "votes_for": votes_for}
        case_note(ctx=ctx, case=case, action="community_review", data=data)
        _audit(ctx, case, "create", **data)
    return review


# --- 乡镇审核 -------------------------------------------------------------------------------------------


def _opinion(ctx: AuditContext, case: Case, step: str, agree: bool, text: str, *, label: str) -> Opinion:
    errors: dict[str, str] = {}
    text = clean_text(text, "text", label, errors, max_length=LONG_MAX, required=True)
    _raise(errors)
    opinion = Opinion.objects.create(case=case, step=step, agree=bool(agree), text=text, recorded_by=ctx.user)
    data = {"opinion": opinion.pk, "step": step, "agree": opinion.agree}
    case_note(ctx=ctx, case=case, action="opinion", data=data, reason=text[:500])
    _audit(ctx, case, "create", **data)
    return opinion


def review_opinion(*, ctx: AuditContext, case_id: int, version: int, agree: bool, text: str) -> Opinion:
    """乡镇审核意见. The reviewer then moves the case on (the engine's transitions)."""
    with transaction.atomic():
        case, step = _locked_case(ctx, case_id, version, ("review",))
        return _opinion(ctx, case, step.code, agree, text, label="审核意见")


# --- 公示 and objections ---------------------------------------------------------------------------------


def _notice_blocked(case: Case, policy: PolicyVersion) -> str:
    if case.minor_case and not policy.public_notice_minors:
        return "未成年人案件不公示"
    return ""


def public_notice_start(*, ctx: AuditContext, case_id: int, version: int) -> PublicNotice:
    """公示 in the household's village (rules §1.6): from today for the policy's number of natural
    days (the first day counted; the step's deadline becomes the day after the last), showing the
    masked name, the household size, the program and the proposed amount. A minor's case is not
    noticed unless the region says otherwise."""
    with transaction.atomic():
        case, step = _locked_case(ctx, case_id, version, ("public_notice",))
        today = timezone.localdate()
        policy = case_policy(case, today)
        blocked = _notice_blocked(case, policy)
        if blocked:
            raise ValidationFailed({"case": blocked}, message=blocked)
        if PublicNotice.objects.filter(case=case, closed_on__isnull=True).exists():
            raise Conflict("本案已有正在进行的公示")
        members = case_members(case)
        # One notice period on the calendar: the notice runs ``public_notice_days`` natural days from
        # today (today counted), and the step's deadline is the first day it may close, so that a notice
        # started after the case entered the step does not turn the case red before it can legally close.
        cal = deadlines.work_calendar()
        ends_on = cal.add_natural_days(today, policy.public_notice_days - 1).due
        closes_on = cal.add_natural_days(today, policy.public_notice_days).due
        if step.limit_kind == DeadlineKind.WORKING:
            # A notice counted in working days (临时救助's): its last day the n-th working day from today,
            # today counted when it is one.
            days = deadlines.step_limit(step, policy) or policy.public_notice_days
            counted = 1 if cal.is_working_day(today) else 0
            ends_on = cal.add_working_days(today, days - counted).due if days > counted else today
            closes_on = cal.add_working_days(ends_on, 1).due
        notice = PublicNotice.objects.create(
            case=case,
            round=PublicNotice.objects.filter(case=case).count() + 1,
            village=case.region,
            starts_on=today,
            ends_on=ends_on,
            masked_name=name_masked(case.applicant.name),
            household_size=len(members),
            program=case.program,
            amount=proposed_amount(case, policy),
            recorded_by=ctx.user,
        )
        Case.objects.filter(pk=case.pk).update(
            step_due_on=closes_on, step_due_provisional=False, overdue=False
        )
        case.step_due_on, case.step_due_provisional, case.overdue = closes_on, False, False
        # The 公示 text itself, in the township's words (its PUBLIC_NOTICE template), masked facts only.
        document = notice_issue(
            ctx=ctx,
            kind=NoticeKind.PUBLIC_NOTICE,
            region_code=township_of(case.region_id),
            household_id=case.household_id,
            case_id=case.pk,
            facts=public_notice_facts(notice),
            on=today,
        )
        data = {
            "public_notice": notice.pk,
            "notice": document.pk,
            "round": notice.round,
            "starts_on": notice.starts_on.isoformat(),
            "ends_on": notice.ends_on.isoformat(),
            "amount": str(notice.amount),
        }
        case_note(ctx=ctx, case=case, action="public_notice", data=data)
        _audit(ctx, case, "create", **data)
    return notice


def _notice_in_jurisdiction(user: Any, notice_id: int) -> PublicNotice:
    notice = scoped(PublicNotice.objects.all(), user, "case__region__code").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound()
    return notice


def objection_record(
    *, ctx: AuditContext, notice_id: int, received_on: date, content: str, raised_by: str = ""
) -> Objection:
    """An objection to a running notice (anonymous allowed); the reviewer then decides whether it
    holds."""
    with transaction.atomic():
        notice = _notice_in_jurisdiction(ctx.user, notice_id)
        case, _step = _locked_case(ctx, notice.case_id, None, ("public_notice",))
        notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.closed_on is not None:
            raise Conflict("该轮公示已结束，不能再登记异议")
        errors: dict[str, str] = {}
        _check_date(received_on, "received_on", "收到日期", errors, after=notice.starts_on)
        text = clean_text(content, "content", "异议内容", errors, max_length=LONG_MAX, required=True)
        who = clean_text(raised_by, "raised_by", "异议人", errors, max_length=50)
        _raise(errors)
        objection = Objection.objects.create(
            notice=notice, received_on=received_on, content=text, raised_by=who, recorded_by=ctx.user
        )
        data = {"objection": objection.pk, "public_notice": notice.pk, "round": notice.round}
        case_note(ctx=ctx, case=case, action="objection", data=data)
        _audit(ctx, case, "create", **data)
    return objection


def objection_decide(
    *, ctx: AuditContext, objection_id: int, holds: bool, finding: str, version: int | None = None
) -> Objection:
    """Whether an objection holds, with the finding. One that holds ends the notice and sends the case
    back to re-investigation (its limit is the policy's ``reinvestigation_days``); a new notice round
    follows the new review."""
    with transaction.atomic():
        found = (
            scoped(Objection.objects.all(), ctx.user, "notice__case__region__code")
            .filter(pk=objection_id)
            .values_list("notice__case_id", flat=True)
            .first()
        )
        if found is None:
            raise NotFound()
        case, _step = _locked_case(ctx, found, version, ("public_notice",))
        objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection_id)
        if objection.holds is not None:
            raise Conflict("该异议已有核实结论")
        errors: dict[str, str] = {}
        text = clean_text(finding, "finding", "核实结论", errors, max_length=LONG_MAX, required=True)
        _raise(errors)
        objection.holds = bool(holds)
        objection.finding = text
        objection.save(update_fields=["holds", "finding"])
        data = {"objection": objection.pk, "holds": objection.holds}
        case_note(ctx=ctx, case=case, action="objection_decided", data=data, reason=text[:500])
        _audit(ctx, case, "update", **data)
        if objection.holds:
            PublicNotice.objects.filter(pk=objection.notice_id).update(closed_on=timezone.localdate())
            case_act(
                ctx=ctx,
                case_id=case.pk,
                version=_version_now(case),
                target="reinvestigation",
                reason=f"公示异议成立：{text}"[:500],
                data={"objection": objection.pk},
                recorded=True,
            )
    return objection


def public_notice_close(*, ctx: AuditContext, case_id: int, version: int) -> Case:
    """Close the notice once its period has passed with no objection left undecided, and send the case
    to the confirmer (the county, or the township where confirmation is delegated)."""
    with transaction.atomic():
        case, _step = _locked_case(ctx, case_id, version, ("public_notice",))
        today = timezone.localdate()
        notice = PublicNotice.objects.filter(case=case).order_by("-round").first()
        if notice is None or notice.closed_on is not None:
            raise ValidationFailed({"case": "本轮公示尚未开始"}, message="本轮公示尚未开始")
        if today <= notice.ends_on:
            message = f"公示期至 {notice.ends_on.isoformat()}，期满后方可结束公示"
            raise ValidationFailed({"case": message}, message=message)
        if Objection.objects.filter(notice=notice, holds__isnull=True).exists():
            raise Conflict("尚有异议未核实，请先作出核实结论")
        PublicNotice.objects.filter(pk=notice.pk).update(closed_on=today)
        case_note(ctx=ctx, case=case, action="public_notice_closed", data={"public_notice": notice.pk})
        _audit(ctx, case, "update", public_notice=notice.pk, closed_on=today.isoformat())
        target = _confirmer(ctx.user, case)
        return case_act(ctx=ctx, case_id=case.pk, version=_version_now(case), target=target, recorded=True)


def _confirmer(user: Any, case: Case) -> str:
    """The confirming step the definition's conditions allow from here."""
    options = [t for t in case_transitions(user=user, case=case) if t.target in AFTER_NOTICE_STEPS]
    for option in options:
        if option.allowed:
            return str(option.target)
    why = "；".join(str(o.why_not) for o in options if o.why_not) or "流程定义中没有可用的确认环节"
    raise Conflict(why)


# --- county spot check -----------------------------------------------------------------------------------


def spot_check_record(*, ctx: AuditContext, case_id: int, version: int, finding: str, agree: bool) -> Opinion:
    """县级抽查 of a case drawn for it (by the county approver, also where the township confirms): the
    finding is an opinion of its own, and the case's spot-check flag goes from selected to done (a flag
    beside the state, not a state)."""
    with transaction.atomic():
        case, _step = _locked_case(ctx, case_id, version, CONFIRM_STEPS, county_check=True)
        if case.spot_check != SpotCheck.SELECTED:
            raise Conflict("本案未被抽中核查，或已完成抽查")
        opinion = _opinion(ctx, case, "spot_check", agree, finding, label="抽查结论")
        Case.objects.filter(pk=case.pk).update(spot_check=SpotCheck.DONE)
    return opinion


# --- 确认 → decision, entitlement, notice ----------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation produced."""

    case: Case
    opinion: Opinion
    decision: Decision
    entitlement: Entitlement | None
    notice: Any


def confirmation_decide(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    agree: bool,
    text: str,
    reasons: Sequence[str] | None = None,
) -> Confirmed:
    """县级确认 (or the township's, where delegated): the opinion, the decision with its computation,
    and — on agreement — the entitlement and the confirmation notice with the amount; on refusal the
    notice gives the reasons and is due within the policy's ``refusal_notice_days`` working days. The
    case closes as confirmed or refused. One transaction."""
    with transaction.atomic():
        case, step = _locked_case(ctx, case_id, version, CONFIRM_STEPS)
        today = timezone.localdate()
        errors: dict[str, str] = {}
        clean_reasons = []
        for i, r in enumerate(reasons or []):
            line = clean_text(r, f"reasons.{i}", "理由", errors, max_length=500)
            if line:
                clean_reasons.append(line)
        if not agree and not clean_reasons and not errors:
            errors["reasons"] = "不予确认须逐条说明理由"
        _raise(errors)
        opinion = _opinion(ctx, case, step.code, agree, text, label="确认意见")
        policy = case_policy(case, today)
        outcome = CaseOutcome.CONFIRMED if agree else CaseOutcome.REFUSED
        request = case_amount_request(case, policy, today)
        decision = decision_record(
            ctx=ctx,
            case_number=case.number,
            program=case.program,
            household_id=case.household_id,
            applicant_id=case.applicant_id,
            region_code=case.region_id,
            outcome=outcome,
            reasons=clean_reasons,
            per_capita_income=request.per_capita_income,
            members=request.members,
            policy=policy,
            decided_on=today,
            applied_on=case.applied_on or case.accepted_on,
            subject=request.subject,
            details=request.details,
            report=request.report,
        )
        entitlement = None
        common: dict[str, Any] = {
            "program_label": AidProgram.label_of(case.program),
            "applicant_name": case.applicant.name,
            "id_number_masked": id_number_masked(case.applicant.id_number),
            "case_number": case.number,
            "applied_on": case.applied_on or case.accepted_on,
            "decided_on": today,
            "household_size": decision.members,
        }
        nothing_to_pay = (
            decision.computation.get("allowance", {}).get("payment") == PaymentKind.ONCE
            and not decision.amount
        )
        if agree:
            if not nothing_to_pay:  # a one-off grant already paid in full (先行救助) adds no entitlement
                entitlement = entitlement_create(ctx=ctx, decision_id=decision.pk)
            if case.program == AidProgram.NEAR_DIBAO:  # 单人保 named on the case (rules §1.9)
                single_member_grant(ctx=ctx, decision_id=decision.pk)
            lines = decision.computation.get("allowance", {}).get("steps", [])
            facts = {
                **common,
                "amount": str(decision.amount),
                "payment": str(decision.computation.get("allowance", {}).get("payment") or "monthly"),
                "computation_lines": [f"{s['label']}：{s['formula']}" for s in lines],
            }
            kind, target = NoticeKind.CONFIRMATION, "confirmed"
        else:
            due = deadlines.work_calendar().add_working_days(today, policy.refusal_notice_days)
            facts = {
                **common,
                "reasons": clean_reasons,
                "deadline": due.due,
            }
            kind, target = NoticeKind.REFUSAL, "refused"
        # In the name of the confirming authority: the county, or the township where delegated.
        issuer = county_of(case.region_id) if step.level == Level.COUNTY else township_of(case.region_id)
        notice = notice_issue(
            ctx=ctx,
            kind=kind,
            region_code=issuer,
            household_id=case.household_id,
            case_id=case.pk,
            application_no=case.application_no,
            facts=facts,
            on=today,
        )
        moved = case_act(
            ctx=ctx,
            case_id=case.pk,
            version=_version_now(case),
            target=target,
            reason="；".join(clean_reasons)[:500],
            data={"decision": decision.pk, "notice": notice.pk},
            recorded=True,
        )
    return Confirmed(case=moved, opinion=opinion, decision=decision, entitlement=entitlement, notice=notice)
