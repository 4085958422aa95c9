"""The life of an entitlement (rules §1.11, 动态管理): its amount recomputed from the facts its decision
recorded (under another policy version, or with a new per-capita income), and the changes a review or a
caseworker makes to it — the next review date after a review that keeps it (维持), a new amount from a
month (调整), suspension and resumption (暂停 / 恢复), termination (终止, 停保) with its reasons and last
month, and the 渐退期 after a member finds work (paid ``taper_months`` more, then it ends through the
one expiry path, ``Entitlement.valid_until``: ``services_margins.entitlements_expire``).

Every change: the entitlement locked, its version moved on, an ``EntitlementEvent`` with what changed
and why, and an audit line. The notices that tell the family (调整告知书, 终止救助告知书 …) are issued by
the workflow, which sits above (``workflow.services.reviews``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AidProgram, AuditObject, EntitlementStatus, PaymentKind
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Membership

from .engine.life import next_review_after, taper_last_month
from .engine.review import add_months, month_of
from .models import Entitlement, EntitlementEvent
from .programs import AmountRequest, AmountResult, amount_rule
from .services import DecisionMember, review_months

CHANGE_PERM = "benefits.change_entitlement"
LIVE = (EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED)

# EntitlementEvent.kind of each change, and its words (the household benefits page).
EVENT_LABELS: dict[str, str] = {
    "create": "建立在保",
    "maintain": "复核维持",
    "adjust": "调整金额",
    "suspend": "暂停发放",
    "resume": "恢复发放",
    "terminate": "终止救助",
    "taper": "渐退期",
    "expire": "到期终止",
}


def _member(data: dict[str, Any]) -> DecisionMember:
    names = {f.name for f in fields(DecisionMember)}
    return DecisionMember(**{k: v for k, v in data.items() if k in names})


def program_details(details: dict[str, Any]) -> dict[str, Any]:
    """The program facts a rule reads, from those a decision or an entitlement recorded: a recorded care
    tier (the former system's, imported) stands for the self-care assessment the 特困 rule reads."""
    out = {k: v for k, v in (details or {}).items() if k != "migration"}
    if out.get("care_tier") and "selfcare" not in out:
        out["selfcare"] = {"tier": out["care_tier"]}
    return out


def entitlement_amount_request(
    entitlement: Entitlement, *, policy: PolicyVersion, on: date, per_capita_income: Decimal | None = None
) -> AmountRequest:
    """What the program's rule needs to recompute ``entitlement`` under ``policy``: the members, the
    person and the program facts its decision recorded, and the per-capita income it recorded unless a
    new one is given (a household whose income changed)."""
    decision = entitlement.decision
    comp = decision.computation or {}
    subject = comp.get("subject")
    income = per_capita_income if per_capita_income is not None else decision.per_capita_income
    return AmountRequest(
        program=entitlement.program,
        members=[_member(m) for m in comp.get("members", [])],
        per_capita_income=Decimal(income) if income is not None else None,
        policy=policy,
        urban=bool(comp["urban"]) if "urban" in comp else entitlement.household.urban_rural == "urban",
        decided_on=on,
        subject=_member(subject) if subject else None,
        details=program_details(comp.get("details") or {}),
        recompute=True,
    )


def entitlement_recompute(
    entitlement: Entitlement, *, policy: PolicyVersion, on: date, per_capita_income: Decimal | None = None
) -> AmountResult:
    """The program's rule (``benefits.programs.RULES``) applied to the entitlement's facts."""
    request = entitlement_amount_request(
        entitlement, policy=policy, on=on, per_capita_income=per_capita_income
    )
    return amount_rule(entitlement.program)(request)


# --- writes ---------------------------------------------------------------------------------------------


def _locked(ctx: AuditContext, entitlement_id: int, version: int | None, *, live: bool = True) -> Entitlement:
    require_perm(ctx.user, CHANGE_PERM)
    entitlement = get_in_jurisdiction(
        Entitlement.objects.select_for_update(of=("self",)).select_related("decision", "household"),
        user=ctx.user,
        pk=entitlement_id,
        region_field="region__code",
    )
    if version is not None and entitlement.version != version:
        raise Conflict("该在保记录已被他人变更，请刷新后重试")
    if live and entitlement.status not in LIVE:
        raise Conflict("该在保记录已终止，不能再变更")
    return entitlement


def _record(
    ctx: AuditContext,
    entitlement: Entitlement,
    *,
    kind: str,
    changes: dict[str, Any],
    reason: str,
    update: dict[str, Any],
) -> Entitlement:
    Entitlement.objects.filter(pk=entitlement.pk).update(**update, version=F("version") + 1)
    entitlement.refresh_from_db()
    EntitlementEvent.objects.create(
        entitlement=entitlement,
        at=timezone.now(),
        kind=kind,
        changes=changes,
        reason=reason[:200],
        actor=ctx.user,
    )
    audit_record(
        ctx=ctx,
        action="update",
        object_type=AuditObject.ENTITLEMENT,
        object_id=entitlement.pk,
        region_code=entitlement.region_id,
        detail={"change": kind, **changes},
    )
    return entitlement


def _reason(text: str, errors: dict[str, str], *, field: str = "reason", label: str = "原因") -> str:
    return clean_text(text or "", field, label, errors, max_length=200, required=True)


def _month(
    value: date | None, errors: dict[str, str], entitlement: Entitlement, *, field: str, label: str
) -> date:
    if value is None:
        errors[field] = f"请填写{label}"
        return entitlement.start_month
    month = month_of(value)
    if month < entitlement.start_month:
        errors[field] = f"{label}不能早于在保起始月份 {entitlement.start_month:%Y-%m}"
    return month


def entitlement_maintain(
    *, ctx: AuditContext, entitlement_id: int, reviewed_on: date, reason: str, version: int | None = None
) -> Entitlement:
    """复核维持: nothing material changed; the amount is kept and the next review falls one interval of
    the review class after ``reviewed_on`` (policy in force on that day)."""
    from jiuzhu.policy.selectors import policy_in_force

    errors: dict[str, str] = {}
    text = _reason(reason, errors, label="复核结论")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        policy = policy_in_force(region_code=e.region_id, on=reviewed_on)
        nxt = next_review_after(
            on=reviewed_on,
            review_class=e.review_class,
            months=review_months(policy),
            urban=bool((e.decision.computation or {}).get("urban")),
            c_urban_months=policy.review_months_c_urban,
        )
        changes = {
            "next_review_on": [e.next_review_on.isoformat(), nxt.isoformat()],
            "reviewed_on": reviewed_on.isoformat(),
        }
        return _record(ctx, e, kind="maintain", changes=changes, reason=text, update={"next_review_on": nxt})


def entitlement_adjust(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    amount: Decimal,
    from_month: date,
    reason: str,
    version: int | None = None,
    next_review_on: date | None = None,
    computation: dict[str, Any] | None = None,
) -> Entitlement:
    """调整: a new monthly amount from ``from_month`` (the month's first day), the old one kept in the
    event. A zero amount is not an adjustment: the entitlement is terminated (停保)."""
    errors: dict[str, str] = {}
    text = _reason(reason, errors, label="调整原因")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        errors["amount"] = "调整后的金额须大于 0；不再符合条件的，应终止救助（停保）"
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        if e.payment != PaymentKind.MONTHLY:
            errors["amount"] = "只有按月发放的在保记录可以调整金额"
        month = _month(from_month, errors, e, field="from_month", label="调整起始月份")
        if not errors and amount == e.amount:
            errors["amount"] = f"调整后的金额与现金额相同（{amount} 元），无需调整"
        if errors:
            raise ValidationFailed(errors)
        changes: dict[str, Any] = {
            "amount": [str(e.amount), str(amount)],
            "from_month": month.isoformat(),
        }
        update: dict[str, Any] = {"amount": amount}
        if next_review_on is not None:
            changes["next_review_on"] = [e.next_review_on.isoformat(), next_review_on.isoformat()]
            update["next_review_on"] = next_review_on
        if computation:
            changes["computation"] = computation
        return _record(ctx, e, kind="adjust", changes=changes, reason=text, update=update)


def entitlement_suspend(
    *, ctx: AuditContext, entitlement_id: int, from_month: date, reason: str, version: int | None = None
) -> Entitlement:
    """暂停发放 from ``from_month`` (e.g. the household does not cooperate with a review), with the reason."""
    errors: dict[str, str] = {}
    text = _reason(reason, errors, label="暂停原因")
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        if e.status != EntitlementStatus.ACTIVE:
            raise Conflict("该在保记录已暂停发放")
        month = _month(from_month, errors, e, field="from_month", label="暂停起始月份")
        if errors:
            raise ValidationFailed(errors)
        details = {**(e.details or {}), "suspended": {"from_month": month.isoformat(), "reason": text}}
        changes = {"status": [e.status, EntitlementStatus.SUSPENDED.value], "from_month": month.isoformat()}
        return _record(
            ctx,
            e,
            kind="suspend",
            changes=changes,
            reason=text,
            update={"status": EntitlementStatus.SUSPENDED, "details": details},
        )


def entitlement_resume(
    *, ctx: AuditContext, entitlement_id: int, from_month: date, reason: str, version: int | None = None
) -> Entitlement:
    """恢复发放 of a suspended entitlement from ``from_month``."""
    errors: dict[str, str] = {}
    text = _reason(reason, errors, label="恢复原因")
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        if e.status != EntitlementStatus.SUSPENDED:
            raise Conflict("该在保记录未暂停发放")
        month = _month(from_month, errors, e, field="from_month", label="恢复起始月份")
        if errors:
            raise ValidationFailed(errors)
        details = {k: v for k, v in (e.details or {}).items() if k != "suspended"}
        changes = {"status": [e.status, EntitlementStatus.ACTIVE.value], "from_month": month.isoformat()}
        return _record(
            ctx,
            e,
            kind="resume",
            changes=changes,
            reason=text,
            update={"status": EntitlementStatus.ACTIVE, "details": details},
        )


def entitlement_terminate(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    end_month: date,
    reasons: Sequence[str],
    version: int | None = None,
    kind: str = "terminate",
) -> Entitlement:
    """终止救助 (停保): the last month paid is ``end_month``; the reasons are required, one per line
    (rules §1.11: a legal ground and the household told why)."""
    errors: dict[str, str] = {}
    lines: list[str] = []
    for i, r in enumerate(reasons):
        line = clean_text(r, f"reasons.{i}", "终止理由", errors, max_length=200)
        if line:
            lines.append(line)
    if not lines and not errors:
        errors["reasons"] = "终止救助须逐条写明理由"
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        month = _month(end_month, errors, e, field="end_month", label="终止月份")
        if errors:
            raise ValidationFailed(errors)
        changes = {
            "status": [e.status, EntitlementStatus.ENDED.value],
            "end_month": month.isoformat(),
            "reasons": lines,
        }
        return _record(
            ctx,
            e,
            kind=kind,
            changes=changes,
            reason="；".join(lines),
            update={"status": EntitlementStatus.ENDED, "end_month": month},
        )


def entitlement_taper(
    *,
    ctx: AuditContext,
    entitlement_id: int,
    person_id: int,
    found_work_on: date,
    reason: str,
    version: int | None = None,
) -> Entitlement:
    """渐退期: a member of the household found work, so that the household's income passes the
    standard; the allowance goes on for the month of the finding and the policy's ``taper_months``
    more, then ends (``valid_until``: the expiry path, ``jiuzhu entitlements-expire``)."""
    from jiuzhu.policy.selectors import policy_in_force

    errors: dict[str, str] = {}
    text = _reason(reason, errors, label="渐退原因")
    today = timezone.localdate()
    if found_work_on is None or found_work_on > today:
        errors["found_work_on"] = "就业日期须填写且不能晚于今天"
    with transaction.atomic():
        e = _locked(ctx, entitlement_id, version)
        if e.status != EntitlementStatus.ACTIVE:
            raise Conflict("只有正常发放的在保记录可以进入渐退期")
        if (e.details or {}).get("taper"):
            raise Conflict("该在保记录已在渐退期")
        if not Membership.objects.filter(household_id=e.household_id, person_id=person_id).exists():
            errors["person_id"] = "就业人员须为该户成员"
        if found_work_on is not None and found_work_on < e.start_month:
            errors["found_work_on"] = f"就业日期不能早于在保起始月份 {e.start_month:%Y-%m}"
        if errors:
            raise ValidationFailed(errors)
        policy = policy_in_force(region_code=e.region_id, on=found_work_on)
        last = taper_last_month(found_work_on=found_work_on, taper_months=policy.taper_months)
        if e.valid_until is not None and e.valid_until < last:
            last = e.valid_until
        taper = {
            "person_id": person_id,
            "found_work_on": found_work_on.isoformat(),
            "months": policy.taper_months,
            "until": last.isoformat(),
            "reason": text,
        }
        changes = {
            "valid_until": [e.valid_until.isoformat() if e.valid_until else None, last.isoformat()],
            "taper_months": policy.taper_months,
            "person_id": person_id,
        }
        return _record(
            ctx,
            e,
            kind="taper",
            changes=changes,
            reason=text,
            update={"valid_until": last, "details": {**(e.details or {}), "taper": taper}},
        )


def program_label(entitlement: Entitlement) -> str:
    return AidProgram.label_of(entitlement.program)


__all__ = [
    "EVENT_LABELS",
    "add_months",
    "entitlement_adjust",
    "entitlement_amount_request",
    "entitlement_maintain",
    "entitlement_recompute",
    "entitlement_resume",
    "entitlement_suspend",
    "entitlement_taper",
    "entitlement_terminate",
    "month_of",
    "review_months",
]
