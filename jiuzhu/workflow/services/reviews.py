"""The life of an entitlement on the engine (rules §1.11): periodic reviews opened as cases, the
county's review decision with its four ends, and the changes made outside a review (调整 when the
household changes, 暂停, 终止) — each with the notice that tells the family.

- ``reviews_open``: a review case (``purpose`` review, on the program's review definition) for each
  live entitlement whose next review date is at most ``review_open_days_before`` days away (or past);
  idempotent: an entitlement with an open review case, or with a review case already opened for the
  same review date, is skipped.
- ``review_decide``: the county's decision in ``review_decision``: 维持 (next review date), 调整 (the
  program's rule on the case's new means check, or on the facts the decision recorded, under the policy
  now; from a month; 调整告知书), 暂停发放 (告知书), 停保 (last month and reasons; 终止救助告知书). The
  opinion, the entitlement's change, the notice and the move: one transaction.
- ``entitlement_change`` / ``entitlement_hold`` / ``entitlement_stop``: the same changes outside a review,
  on the household's benefits page or the API, by whoever may change entitlements (the county approver,
  or the township's reviewer where confirmation is delegated), notices in the actor's level's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits import life
from jiuzhu.benefits.engine.life import next_review_after, review_due
from jiuzhu.benefits.engine.review import month_of
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.programs import PER_PERSON, AmountResult, amount_rule
from jiuzhu.benefits.recompute import recomputation_adjusted
from jiuzhu.benefits.selectors import disability_certificate_check, entitlement_get
from jiuzhu.core.errors import Conflict, NotFound, ServiceError, ValidationFailed
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AidProgram, CasePurpose, CaseStatus, NoticeKind, PaymentKind
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import Level, level_of
from jiuzhu.registry.models import Membership

from ..definitions import REVIEWS
from ..definitions.review import DECISION_STEP, REVIEW_ENDS
from ..models import Case, Notice, Opinion
from ..notices import notice_issue
from ..selectors import case_policy
from .cases import case_act, case_note, case_open
from .steps import _audit, _locked_case, _version_now, case_amount_request, county_of, township_of

OUTCOMES = tuple(REVIEW_ENDS)
OUTCOME_LABELS = {"maintained": "维持", "adjusted": "调整", "suspended": "暂停发放", "stopped": "停保"}


def _month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def next_month(day: date) -> date:
    return life.add_months(month_of(day), 1)


# --- opening reviews ----------------------------------------------------------------------------------


@dataclass
class ReviewsOpened:
    opened: list[str] = field(default_factory=list)  # case numbers
    skipped: dict[str, int] = field(default_factory=dict)  # reason → count

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def _applicant(e: Entitlement) -> int | None:
    """Who the review case is opened with: the decision's applicant while still a member, else the
    household's head, else any current member."""
    current = Membership.objects.filter(household_id=e.household_id, end_date__isnull=True)
    ids = set(current.values_list("person_id", flat=True))
    for candidate in (e.decision.applicant_id, e.household.head_id):
        if candidate in ids:
            return int(candidate)
    return min(ids) if ids else None


def reviews_open(
    *, ctx: AuditContext, today: date | None = None, region_code: str | None = None
) -> ReviewsOpened:
    """Open the review cases due by ``today`` (see the module docstring) in the caller's jurisdiction
    (or ``region_code``'s subtree within it). The case's acceptance date is the real day it is opened."""
    from jiuzhu.regions.scope import scoped

    today = today or timezone.localdate()
    accepted_on = min(today, timezone.localdate())
    result = ReviewsOpened()
    live = scoped(
        Entitlement.objects.filter(status__in=life.LIVE).exclude(payment=PaymentKind.ONCE),
        ctx.user,
        "region__code",
    )
    if region_code:
        from jiuzhu.regions.codes import subtree_bounds

        live = live.filter(region__code__range=subtree_bounds(region_code))
    policies: dict[str, Any] = {}
    horizon = 400  # no policy opens a review more than this many days ahead
    candidates = live.filter(next_review_on__lte=today + timedelta(days=horizon)).select_related(
        "decision", "household"
    )
    for e in candidates.order_by("next_review_on", "id").iterator(chunk_size=500):
        if e.program not in REVIEWS:
            result.skip("该项目无定期复核")
            continue
        if e.region_id not in policies:
            try:
                policies[e.region_id] = policy_in_force(region_code=e.region_id, on=today)
            except NotFound:
                policies[e.region_id] = None
        policy = policies[e.region_id]
        if policy is None:
            result.skip("无生效的政策参数")
            continue
        if not review_due(
            next_review_on=e.next_review_on, today=today, days_before=policy.review_open_days_before
        ):
            continue
        due = e.next_review_on.isoformat()
        existing = Case.objects.filter(entitlement=e, purpose=CasePurpose.REVIEW)
        if existing.filter(status=CaseStatus.OPEN).exists() or existing.filter(details__due_on=due).exists():
            result.skip("已立复核案件")
            continue
        applicant = _applicant(e)
        if applicant is None:
            result.skip("家庭无现有成员")
            continue
        subject = e.person_id if e.program in PER_PERSON else None
        if (
            subject is not None
            and not Membership.objects.filter(
                household_id=e.household_id, person_id=subject, end_date__isnull=True
            ).exists()
        ):
            result.skip("救助对象已不在该户")
            continue
        try:
            with transaction.atomic():
                case = case_open(
                    ctx=ctx,
                    program=e.program,
                    household_id=e.household_id,
                    applicant_id=applicant,
                    subject_id=subject,
                    purpose=CasePurpose.REVIEW,
                    entitlement_id=e.pk,
                    details={
                        **((e.decision.computation or {}).get("details") or {}),
                        **{k: v for k, v in (e.details or {}).items() if k != "migration"},
                        "due_on": due,
                        "review_class": e.review_class,
                    },
                    accepted_on=accepted_on,
                )
        except ServiceError as exc:
            result.skip(exc.message or "立案失败")
            continue
        result.opened.append(case.number)
    return result


def reviews_open_scheduled(*, today: date | None = None, channel: str = "worker") -> ReviewsOpened:
    """The scheduled scan's share: the reviews due everywhere, opened as the first active superuser (a
    case records who opened it); nothing when there is none."""
    from jiuzhu.accounts.models import User

    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if actor is None:
        return ReviewsOpened(skipped={"无可立案的系统用户": 1})
    return reviews_open(ctx=AuditContext(user=actor, channel=channel), today=today)


# --- the county's decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    case: Case
    opinion: Opinion
    entitlement: Entitlement
    notice: Notice | None


def _lines(reasons: Sequence[str] | None, errors: dict[str, str]) -> list[str]:
    out = []
    for i, r in enumerate(reasons or []):
        line = clean_text(r, f"reasons.{i}", "理由", errors, max_length=200)
        if line:
            out.append(line)
    return out


def _common_facts(e: Entitlement, today: date) -> dict[str, Any]:
    applicant = e.decision.applicant
    return {
        "program_label": AidProgram.label_of(e.program),
        "applicant_name": applicant.name,
        "id_number_masked": id_number_masked(applicant.id_number),
        "decided_on": today,
        "household_size": e.members,
    }


def _recompute(e: Entitlement, case: Case | None, policy: Any, on: date) -> AmountResult:
    if case is not None and case.report_id:
        return amount_rule(e.program)(case_amount_request(case, policy, on))
    return life.entitlement_recompute(e, policy=policy, on=on)


def _adjusted_amount(e: Entitlement, result: AmountResult) -> Decimal:
    if not result.eligible:
        why = "；".join(result.reasons) or "不再符合条件"
        raise ValidationFailed({"outcome": f"按现行规则计算：{why}，应作出停保决定"})
    amount = Decimal(result.amount).quantize(Decimal("0.01"))
    if amount == e.amount:
        raise ValidationFailed({"outcome": f"按现行规则计算的金额仍为 {amount} 元，应作出维持决定"})
    return amount


def _next_review(e: Entitlement, policy: Any, on: date) -> date:
    return next_review_after(
        on=on,
        review_class=e.review_class,
        months=life.review_months(policy),
        urban=bool((e.decision.computation or {}).get("urban")),
        c_urban_months=policy.review_months_c_urban,
    )


def review_decide(
    *,
    ctx: AuditContext,
    case_id: int,
    version: int,
    outcome: str,
    text: str,
    reasons: Sequence[str] | None = None,
    from_month: date | None = None,
) -> Reviewed:
    """县级确认 of a review case (module docstring). ``from_month``: the first month of the new amount or
    of the suspension, or the last month paid for 停保 (default: the month after today for a change, this
    month for 停保)."""
    with transaction.atomic():
        case, step = _locked_case(ctx, case_id, version, (DECISION_STEP,))
        if case.purpose != CasePurpose.REVIEW or case.entitlement_id is None:
            raise Conflict("本案不是定期复核案件")
        errors: dict[str, str] = {}
        if outcome not in OUTCOMES:
            errors["outcome"] = "复核结论须为维持、调整、暂停发放或停保"
        opinion_text = clean_text(text, "text", "确认意见", errors, max_length=2000, required=True)
        lines = _lines(reasons, errors)
        if outcome in ("suspended", "stopped") and not lines and "reasons" not in errors:
            errors["reasons"] = "暂停发放或停保须逐条写明理由"
        if errors:
            raise ValidationFailed(errors)
        today = timezone.localdate()
        policy = case_policy(case, today)
        e = Entitlement.objects.select_related("decision", "decision__applicant").get(pk=case.entitlement_id)
        if e.status not in life.LIVE:
            raise Conflict("该在保记录已终止")
        opinion = Opinion.objects.create(
            case=case,
            step=step.code,
            agree=outcome in ("maintained", "adjusted"),
            text=opinion_text,
            recorded_by=ctx.user,
        )
        case_note(
            ctx=ctx,
            case=case,
            action="opinion",
            data={"opinion": opinion.pk, "outcome": outcome},
            reason=opinion_text[:500],
        )
        facts = {**_common_facts(e, today), "case_number": case.number}
        kind: str | None = None
        reason_text = f"定期复核 {case.number}：{opinion_text}"[:200]
        if outcome in ("maintained", "adjusted") and e.program in CERTIFICATE_PROGRAMS and e.person_id:
            # 残联 data is checked at every review, not only at the application.
            check = disability_certificate_check(person_id=e.person_id, on=today, claimed=e.details)
            if not check.ok:
                raise ValidationFailed(
                    {"outcome": "残疾人证核对未通过：" + "；".join(check.reasons) + "，不能维持或调整"}
                )
        if outcome == "maintained":
            e = life.entitlement_maintain(ctx=ctx, entitlement_id=e.pk, reviewed_on=today, reason=reason_text)
        elif outcome == "adjusted":
            month = (from_month or next_month(today)).replace(day=1)
            result = _recompute(e, case, policy, today)
            amount = _adjusted_amount(e, result)
            old = e.amount
            e = life.entitlement_adjust(
                ctx=ctx,
                entitlement_id=e.pk,
                amount=amount,
                from_month=month,
                reason=reason_text,
                next_review_on=_next_review(e, policy, today),
                computation={"case": case.number, "policy_version": policy.pk},
            )
            kind = NoticeKind.ADJUSTMENT
            facts |= {
                "amount": amount,
                "old_amount": old,
                "from_month": _month_label(month),
                "reasons": lines or [opinion_text],
                "computation_lines": [f"{s['label']}：{s['formula']}" for s in result.steps],
            }
        elif outcome == "suspended":
            month = (from_month or next_month(today)).replace(day=1)
            e = life.entitlement_suspend(
                ctx=ctx, entitlement_id=e.pk, from_month=month, reason="；".join(lines)
            )
            kind = NoticeKind.SUSPENSION
            facts |= {"from_month": _month_label(month), "reasons": lines}
        else:
            month = (from_month or today).replace(day=1)
            e = life.entitlement_terminate(ctx=ctx, entitlement_id=e.pk, end_month=month, reasons=lines)
            kind = NoticeKind.TERMINATION
            facts |= {"end_month": _month_label(month), "reasons": lines}
        notice = None
        if kind is not None:
            notice = notice_issue(
                ctx=ctx,
                kind=kind,
                region_code=county_of(case.region_id),
                household_id=case.household_id,
                case_id=case.pk,
                facts=facts,
                on=today,
            )
        moved = case_act(
            ctx=ctx,
            case_id=case.pk,
            version=_version_now(case),
            target=outcome,
            reason="；".join(lines)[:500],
            data={"entitlement": e.pk, "notice": notice.pk if notice else None},
            recorded=True,
        )
        _audit(ctx, case, "update", review=outcome, entitlement=e.pk)
    return Reviewed(case=moved, opinion=opinion, entitlement=e, notice=notice)


# --- changes outside a review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changed:
    entitlement: Entitlement
    notice: Notice | None


def _issuer(user: Any, e: Entitlement) -> str:
    region = getattr(user, "region_id", None) or ""
    if region and level_of(region) <= Level.COUNTY:
        return county_of(e.region_id)
    return township_of(e.region_id)


def _notify(ctx: AuditContext, e: Entitlement, kind: str, facts: dict[str, Any]) -> Notice:
    today = timezone.localdate()
    return notice_issue(
        ctx=ctx,
        kind=kind,
        region_code=_issuer(ctx.user, e),
        household_id=e.household_id,
        facts={**_common_facts(e, today), **facts},
        on=today,
    )


CERTIFICATE_PROGRAMS = (AidProgram.DISABILITY_LIVING, AidProgram.DISABILITY_CARE)


def _recomputation_notice(
    sender: Any,
    *,
    ctx: AuditContext,
    entitlement: Entitlement,
    old_amount: Decimal,
    new_amount: Decimal,
    from_month: date,
    document_no: str,
    **kwargs: Any,
) -> None:
    """The 调整告知书 of each entitlement a 提标重算 adjusts (``benefits.recompute``)."""
    e = Entitlement.objects.select_related("decision", "decision__applicant").get(pk=entitlement.pk)
    _notify(
        ctx,
        e,
        NoticeKind.ADJUSTMENT,
        {
            "amount": new_amount,
            "old_amount": old_amount,
            "from_month": _month_label(from_month),
            "reasons": [f"提高保障标准（{document_no}）重算"],
            "computation_lines": [],
        },
    )


recomputation_adjusted.connect(_recomputation_notice, dispatch_uid="workflow.reviews.recomputation_notice")


def _seen(ctx: AuditContext, entitlement_id: int) -> Entitlement:
    """The entitlement in the caller's jurisdiction (else 404)."""
    return entitlement_get(user=ctx.user, entitlement_id=entitlement_id)


def entitlement_change(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    from_month: date,
    reason: str,
    per_capita_income: Decimal | None = None,
    version: int | None = None,
) -> Changed:
    """调整 outside a review (the household's income or the standard changed): the program's rule on the
    facts the decision recorded — with the new per-capita income where given — under the policy in force
    in ``from_month``; the new amount from that month, and a 调整告知书."""
    e = _seen(ctx, entitlement_id)
    errors: dict[str, str] = {}
    if from_month is None:
        raise ValidationFailed({"from_month": "请填写调整起始月份"})
    if per_capita_income is not None and per_capita_income < 0:
        errors["per_capita_income"] = "家庭月人均收入不能为负数"
    text = clean_text(reason or "", "reason", "调整原因", errors, max_length=200, required=True)
    if errors:
        raise ValidationFailed(errors)
    month = from_month.replace(day=1)
    with transaction.atomic():
        e = Entitlement.objects.select_related("decision", "decision__applicant").get(pk=e.pk)
        try:
            policy = policy_in_force(region_code=e.region_id, on=month)
        except NotFound as exc:
            raise ValidationFailed({"from_month": exc.message}) from exc
        result = life.entitlement_recompute(e, policy=policy, on=month, per_capita_income=per_capita_income)
        amount = _adjusted_amount(e, result)
        old = e.amount
        e = life.entitlement_adjust(
            ctx=ctx,
            entitlement_id=e.pk,
            amount=amount,
            from_month=month,
            reason=text,
            version=version,
            computation={
                "policy_version": policy.pk,
                "per_capita_income": str(per_capita_income) if per_capita_income is not None else None,
            },
        )
        notice = _notify(
            ctx,
            e,
            NoticeKind.ADJUSTMENT,
            {
                "amount": amount,
                "old_amount": old,
                "from_month": _month_label(month),
                "reasons": [text],
                "computation_lines": [f"{s['label']}：{s['formula']}" for s in result.steps],
            },
        )
    return Changed(entitlement=e, notice=notice)


def entitlement_hold(
    *, ctx: AuditContext, entitlement_id: int, from_month: date, reason: str, version: int | None = None
) -> Changed:
    """暂停发放 outside a review, with a 暂停发放告知书."""
    e = _seen(ctx, entitlement_id)
    with transaction.atomic():
        e = life.entitlement_suspend(
            ctx=ctx, entitlement_id=e.pk, from_month=from_month, reason=reason, version=version
        )
        notice = _notify(
            ctx,
            e,
            NoticeKind.SUSPENSION,
            {"from_month": _month_label(from_month.replace(day=1)), "reasons": [reason.strip()]},
        )
    return Changed(entitlement=e, notice=notice)


def entitlement_restart(
    *, ctx: AuditContext, entitlement_id: int, from_month: date, reason: str, version: int | None = None
) -> Changed:
    """恢复发放 of a suspended entitlement."""
    e = _seen(ctx, entitlement_id)
    e = life.entitlement_resume(
        ctx=ctx, entitlement_id=e.pk, from_month=from_month, reason=reason, version=version
    )
    return Changed(entitlement=e, notice=None)


def entitlement_stop(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    end_month: date,
    reasons: Sequence[str],
    version: int | None = None,
) -> Changed:
    """终止救助 outside a review (death, moving away, income above the standard …), with a
    终止救助告知书 giving the reasons and the last month paid."""
    e = _seen(ctx, entitlement_id)
    with transaction.atomic():
        e = life.entitlement_terminate(
            ctx=ctx, entitlement_id=e.pk, end_month=end_month, reasons=reasons, version=version
        )
        lines = list(e.events.order_by("-at", "-id").first().changes.get("reasons", []))  # type: ignore[union-attr]
        notice = _notify(
            ctx,
            e,
            NoticeKind.TERMINATION,
            {"end_month": _month_label(e.end_month or end_month), "reasons": lines},
        )
    return Changed(entitlement=e, notice=notice)


def entitlement_work_found(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    person_id: int,
    found_work_on: date,
    reason: str,
    version: int | None = None,
) -> Changed:
    """渐退期 (``benefits.life.entitlement_taper``) for an entitlement of the caller's jurisdiction."""
    e = _seen(ctx, entitlement_id)
    e = life.entitlement_taper(
        ctx=ctx,
        entitlement_id=e.pk,
        person_id=person_id,
        found_work_on=found_work_on,
        reason=reason,
        version=version,
    )
    return Changed(entitlement=e, notice=None)


__all__ = [
    "OUTCOMES",
    "Changed",
    "Reviewed",
    "ReviewsOpened",
    "entitlement_change",
    "entitlement_hold",
    "entitlement_restart",
    "entitlement_stop",
    "entitlement_work_found",
    "review_decide",
    "reviews_open",
]
