"""Integrity (诚信, rules §1.11): the benefits side of a finding that income or assets were hidden, and the
recoveries that follow.

``concealment_record`` writes, inside the caller's transaction, what a finding leaves here: the finding,
the dishonesty record against the applicant (失信记录, from the finding's day for the policy's
``dishonesty_months``), and — when made on an entitlement — the entitlement ended with the finding's month
and an overpayment recovery (追缴) of the months paid meanwhile (``engine.recovery``). The workflow's
``concealment_find`` calls it (it also ends the case and issues the notices; the workflow sits above).

``recovery_collect`` records money collected (repaid at the window, or deducted by the payroll: the
payroll calls it with ``source="payroll_deduction"`` and its own reference, ``version`` None),
``recovery_waive`` writes off what is outstanding (county approver), ``dishonesty_revoke`` revokes a
record (county approver) and ``dishonesty_expire`` marks records past their end (idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import (
    AuditObject,
    CollectionSource,
    DishonestyStatus,
    EntitlementStatus,
    HiddenKind,
    RecoveryStatus,
)
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import InvalidRegionCode, Level, level_of
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.models import Household, Person

from .engine.recovery import Recovery, month_of, overpayment
from .engine.review import add_months
from .models import (
    ConcealmentFinding,
    DishonestyRecord,
    Entitlement,
    EntitlementEvent,
    OverpaymentRecovery,
    RecoveryCollection,
)
from .selectors import LIVE

MAX_ITEMS = 20
TEXT_MAX = 200
EVIDENCE_MAX = 2000
AMOUNT_MAX = Decimal("100000000")
FEN = Decimal("0.01")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _level(user: Any) -> int | None:
    code = getattr(user, "region_id", None)
    if not code:
        return None
    try:
        return int(level_of(str(code)))
    except InvalidRegionCode:
        return None


def may_find(user: Any) -> bool:
    """A finding is recorded by the township's reviewer or the county's approver (rules §1.1)."""
    role, level = getattr(user, "role", ""), _level(user)
    return (role == Role.TOWNSHIP_REVIEWER and level == Level.TOWNSHIP) or (
        role == Role.COUNTY_APPROVER and level == Level.COUNTY
    )


def may_waive(user: Any) -> bool:
    """Writing off a recovery, or revoking a dishonesty record, is the county approver's."""
    return getattr(user, "role", "") == Role.COUNTY_APPROVER and _level(user) == Level.COUNTY


def require_finder(user: Any) -> None:
    if not may_find(user):
        raise PermissionDenied(
            f"隐瞒收入、财产的认定由乡镇{Role.TOWNSHIP_REVIEWER.label}或县级{Role.COUNTY_APPROVER.label}"
            "记录，您的角色无权办理"
        )


def _require_county(user: Any, what: str) -> None:
    if not may_waive(user):
        raise PermissionDenied(f"{what}由县级{Role.COUNTY_APPROVER.label}办理，您的角色无权办理")


# --- the finding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanFinding:
    """A finding's fields, checked: the hidden items (kind, item, amount), their total, the evidence,
    the day found and the day the concealment began (if known)."""

    items: list[dict[str, str]]
    hidden_total: Decimal
    evidence: str
    found_on: date
    concealed_from: date | None


def _money(value: Any, key: str, errors: dict[str, str]) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(FEN)
    except (InvalidOperation, ValueError):
        errors[key] = "金额应为数字"
        return None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        errors[key] = "金额应在 0 至 1 亿元之间"
        return None
    return amount


def finding_clean(
    *,
    items: Sequence[Mapping[str, Any]],
    evidence: str,
    found_on: date | None,
    concealed_from: date | None = None,
    earliest: date | None = None,
) -> CleanFinding:
    """Check a finding's fields (every problem at once, keyed by field). ``earliest``: the day before
    which the finding cannot be (the case's acceptance, the entitlement's decision)."""
    errors: dict[str, str] = {}
    out: list[dict[str, str]] = []
    total = Decimal("0.00")
    rows = list(items or [])
    if not rows:
        errors["items"] = "请逐项填写隐瞒的收入或财产"
    if len(rows) > MAX_ITEMS:
        errors["items"] = f"隐瞒事项不超过 {MAX_ITEMS} 项"
        rows = []
    for i, row in enumerate(rows):
        kind = str((row or {}).get("kind") or "")
        if kind not in HiddenKind.codes():
            errors[f"items.{i}.kind"] = "请选择隐瞒收入或隐瞒财产"
        item = clean_text((row or {}).get("item"), f"items.{i}.item", "隐瞒事项", errors, max_length=TEXT_MAX)
        if not item and f"items.{i}.item" not in errors:
            errors[f"items.{i}.item"] = "请说明隐瞒的是什么收入或财产"
        amount = _money((row or {}).get("amount", "0"), f"items.{i}.amount", errors)
        if amount is not None:
            total += amount
            out.append({"kind": kind, "item": item, "amount": str(amount)})
    text = clean_text(evidence, "evidence", "查实依据", errors, max_length=EVIDENCE_MAX)
    if not text and "evidence" not in errors:
        errors["evidence"] = "请填写查实依据（核对结果、调查笔录、部门出具的证明等）"
    today = timezone.localdate()
    if found_on is None:
        errors["found_on"] = "请填写认定日期"
    elif found_on > today:
        errors["found_on"] = "认定日期不能晚于今天"
    elif earliest is not None and found_on < earliest:
        errors["found_on"] = f"认定日期不能早于{earliest.isoformat()}"
    if concealed_from is not None:
        if concealed_from > today:
            errors["concealed_from"] = "隐瞒起始日期不能晚于今天"
        elif found_on is not None and concealed_from > found_on:
            errors["concealed_from"] = "隐瞒起始日期不能晚于认定日期"
    _raise(errors)
    assert found_on is not None
    return CleanFinding(out, total, text, found_on, concealed_from)


def item_lines(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The hidden items in words (the notices and pages print them)."""
    lines = []
    for row in items:
        amount = Decimal(str(row.get("amount") or "0"))
        money = f"，金额 {amount:.2f} 元" if amount else ""
        lines.append(f"{HiddenKind.label_of(str(row.get('kind')))}：{row.get('item')}{money}")
    return lines


@dataclass(frozen=True)
class Concealment:
    """What a finding wrote here."""

    finding: ConcealmentFinding
    dishonesty: DishonestyRecord
    entitlement: Entitlement | None
    recovery: OverpaymentRecovery | None
    computation: Recovery | None


def dishonesty_period(*, region_code: str, found_on: date) -> tuple[date, date, int]:
    """(first day, last day, months) of a dishonesty record from ``found_on`` under the policy in force
    for ``region_code`` then: ``dishonesty_months`` calendar months counted as the Civil Code counts a
    period in months (民法典 §201–202: from the day after the finding, ending on the corresponding day of
    the last month, or that month's last day when it has none — 29 February 2024 + 36 months ends on
    28 February 2027)."""
    months = int(policy_in_force(region_code=region_code, on=found_on).dishonesty_months)
    if months < 1:
        raise ValidationFailed({"found_on": "政策未设置失信记录有效期，请管理员设置“失信记录有效期（月）”"})
    return found_on, add_months(found_on, months), months


def concealment_record(
    *,
    ctx: AuditContext,
    household: Household,
    applicant: Person,
    program: str,
    finding: CleanFinding,
    case_number: str = "",
    entitlement: Entitlement | None = None,
) -> Concealment:
    """Record a finding (inside the caller's transaction; the caller has checked the actor, the
    jurisdiction and the case or entitlement): the finding, the applicant's dishonesty record, and on an
    entitlement (locked by the caller) its end and the recovery of the months paid."""
    require_perm(ctx.user, "benefits.add_concealmentfinding")
    with transaction.atomic(savepoint=False):
        row = ConcealmentFinding.objects.create(
            household=household,
            person=applicant,
            region_id=household.region_id,
            program=program,
            case_number=case_number,
            entitlement=entitlement,
            items=finding.items,
            hidden_total=finding.hidden_total,
            evidence=finding.evidence,
            found_on=finding.found_on,
            concealed_from=finding.concealed_from,
            recorded_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.CONCEALMENT_FINDING,
            object_id=row.pk,
            region_code=household.region_id,
            detail={
                "case": case_number,
                "entitlement": entitlement.pk if entitlement else None,
                "hidden_total": str(finding.hidden_total),
                "found_on": finding.found_on.isoformat(),
            },
        )
        starts, ends, months = dishonesty_period(region_code=household.region_id, found_on=finding.found_on)
        record = DishonestyRecord.objects.create(
            person=applicant,
            household=household,
            region_id=household.region_id,
            finding=row,
            starts_on=starts,
            ends_on=ends,
            months=months,
            recorded_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.DISHONESTY_RECORD,
            object_id=record.pk,
            region_code=household.region_id,
            detail={"person": applicant.pk, "finding": row.pk, "ends_on": ends.isoformat()},
        )
        recovery = computation = None
        if entitlement is not None:
            computation = overpayment(
                payment=entitlement.payment,
                amount=Decimal(entitlement.amount),
                start_month=entitlement.start_month,
                found_on=finding.found_on,
                concealed_from=finding.concealed_from,
                last_month=entitlement.valid_until,
            )
            _entitlement_end(ctx, entitlement, row, finding.found_on)
            if computation.amount_due > 0:
                recovery = OverpaymentRecovery.objects.create(
                    household=household,
                    region_id=entitlement.region_id,
                    entitlement=entitlement,
                    finding=row,
                    from_month=computation.from_month,
                    through_month=computation.through_month,
                    months=computation.months,
                    monthly_amount=entitlement.amount,
                    amount_due=computation.amount_due,
                    computation=computation.to_json(),
                )
                audit_record(
                    ctx=ctx,
                    action="create",
                    object_type=AuditObject.OVERPAYMENT_RECOVERY,
                    object_id=recovery.pk,
                    region_code=entitlement.region_id,
                    detail={
                        "entitlement": entitlement.pk,
                        "months": computation.months,
                        "amount_due": str(computation.amount_due),
                    },
                )
    return Concealment(row, record, entitlement, recovery, computation)


def _entitlement_end(
    ctx: AuditContext, entitlement: Entitlement, finding: ConcealmentFinding, on: date
) -> None:
    """End the entitlement with the finding's month (the month before its first, when found before
    it started: nothing was paid)."""
    if entitlement.status not in LIVE:  # suspended too: concealment is often found then
        raise Conflict("该在保记录已不在保障中")
    end = month_of(on)
    if end < entitlement.start_month:
        end = add_months(entitlement.start_month, -1)
    if entitlement.valid_until is not None and entitlement.valid_until < end:
        end = entitlement.valid_until
    updated = Entitlement.objects.filter(pk=entitlement.pk, version=entitlement.version).update(
        status=EntitlementStatus.ENDED, end_month=end, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict("该在保记录已被他人变更，请刷新后重试")
    entitlement.status, entitlement.end_month = EntitlementStatus.ENDED.value, end
    entitlement.version += 1
    EntitlementEvent.objects.create(
        entitlement=entitlement,
        at=timezone.now(),
        kind="end",
        changes={
            "status": EntitlementStatus.ENDED.value,
            "end_month": end.isoformat(),
            "finding": finding.pk,
        },
        reason="查实隐瞒家庭收入、财产，终止救助",
        actor=ctx.user,
    )
    audit_record(
        ctx=ctx,
        action="update",
        object_type=AuditObject.ENTITLEMENT,
        object_id=entitlement.pk,
        region_code=entitlement.region_id,
        detail={"status": "ended", "end_month": end.isoformat(), "finding": finding.pk},
    )


# --- recoveries -----------------------------------------------------------------------------------------


def _locked_recovery(ctx: AuditContext, recovery_id: int, version: int | None) -> OverpaymentRecovery:
    recovery = get_in_jurisdiction(
        OverpaymentRecovery.objects.select_for_update(),
        user=ctx.user,
        pk=recovery_id,
        region_field="region__code",
    )
    if version is not None and recovery.version != version:
        raise Conflict("该追缴记录已被他人变更，请刷新后重试")
    if recovery.status in (RecoveryStatus.COLLECTED, RecoveryStatus.WAIVED):
        raise Conflict(f"该追缴记录{RecoveryStatus.label_of(recovery.status)}，不能再办理")
    return recovery


def recovery_collect(
    *,
    ctx: AuditContext,
    recovery_id: int,
    version: int | None,
    amount: Decimal | str,
    collected_on: date | None = None,
    source: str = CollectionSource.WINDOW,
    reference: str = "",
) -> OverpaymentRecovery:
    """Record money collected on a recovery (no more than what is outstanding): partly collected, or
    collected when nothing remains. The payroll deducts and calls this with ``source="payroll_deduction"`` and
    its batch as ``reference`` (``version`` None: it does not hold a page)."""
    require_perm(ctx.user, "benefits.change_overpaymentrecovery")
    errors: dict[str, str] = {}
    money = _money(amount, "amount", errors)
    if money is not None and money <= 0 and "amount" not in errors:
        errors["amount"] = "追回金额应大于 0"
    if source not in CollectionSource.codes():
        errors["source"] = "追回方式无效"
    collected_on = collected_on or timezone.localdate()
    if collected_on > timezone.localdate():
        errors["collected_on"] = "追回日期不能晚于今天"
    reference = clean_text(reference, "reference", "凭证号", errors, max_length=60)
    _raise(errors)
    assert money is not None
    with transaction.atomic():
        recovery = _locked_recovery(ctx, recovery_id, version)
        found_on = ConcealmentFinding.objects.values_list("found_on", flat=True).get(pk=recovery.finding_id)
        if collected_on < found_on:
            raise ValidationFailed({"collected_on": "追回日期不能早于认定日期"})
        outstanding = recovery.outstanding
        if money > outstanding:
            raise ValidationFailed({"amount": f"追回金额超过尚欠金额（{outstanding:.2f} 元）"})
        collected = Decimal(recovery.amount_collected) + money
        status = (
            RecoveryStatus.COLLECTED if collected >= recovery.amount_due else RecoveryStatus.PARTLY_COLLECTED
        )
        RecoveryCollection.objects.create(
            recovery=recovery,
            amount=money,
            collected_on=collected_on,
            source=source,
            reference=reference,
            recorded_by=ctx.user,
        )
        OverpaymentRecovery.objects.filter(pk=recovery.pk).update(
            amount_collected=collected, status=status, version=F("version") + 1
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.OVERPAYMENT_RECOVERY,
            object_id=recovery.pk,
            region_code=recovery.region_id,
            detail={"collected": str(money), "source": source, "reference": reference, "status": status},
        )
        recovery.refresh_from_db()
    return recovery


def recovery_waive(
    *, ctx: AuditContext, recovery_id: int, version: int | None, reason: str
) -> OverpaymentRecovery:
    """Write off what is outstanding (核销, e.g. the family cannot repay): the county approver, with a
    reason. What was collected stays recorded."""
    require_perm(ctx.user, "benefits.change_overpaymentrecovery")
    _require_county(ctx.user, "追缴核销")
    errors: dict[str, str] = {}
    text = clean_text(reason, "reason", "核销理由", errors, max_length=300, required=True)
    _raise(errors)
    with transaction.atomic():
        recovery = _locked_recovery(ctx, recovery_id, version)
        outstanding = recovery.outstanding
        OverpaymentRecovery.objects.filter(pk=recovery.pk).update(
            status=RecoveryStatus.WAIVED,
            waived_reason=text,
            waived_by=ctx.user,
            waived_at=timezone.now(),
            version=F("version") + 1,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.OVERPAYMENT_RECOVERY,
            object_id=recovery.pk,
            region_code=recovery.region_id,
            detail={"waived": str(outstanding), "reason": text},
        )
        recovery.refresh_from_db()
    return recovery


# --- dishonesty records -----------------------------------------------------------------------------------


def dishonesty_revoke(
    *, ctx: AuditContext, record_id: int, version: int | None, reason: str
) -> DishonestyRecord:
    """Revoke a dishonesty record (the finding set aside on review or appeal): the county approver,
    with a reason."""
    require_perm(ctx.user, "benefits.change_dishonestyrecord")
    _require_county(ctx.user, "撤销失信记录")
    errors: dict[str, str] = {}
    text = clean_text(reason, "reason", "撤销理由", errors, max_length=300, required=True)
    _raise(errors)
    with transaction.atomic():
        record = get_in_jurisdiction(
            DishonestyRecord.objects.select_for_update(),
            user=ctx.user,
            pk=record_id,
            region_field="region__code",
        )
        if version is not None and record.version != version:
            raise Conflict("该失信记录已被他人变更，请刷新后重试")
        if record.status == DishonestyStatus.REVOKED:
            raise Conflict("该失信记录已撤销")
        DishonestyRecord.objects.filter(pk=record.pk).update(
            status=DishonestyStatus.REVOKED,
            revoked_reason=text,
            revoked_by=ctx.user,
            revoked_at=timezone.now(),
            version=F("version") + 1,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.DISHONESTY_RECORD,
            object_id=record.pk,
            region_code=record.region_id,
            detail={"status": "revoked", "reason": text},
        )
        record.refresh_from_db()
    return record


def dishonesty_expire(*, ctx: AuditContext, today: date | None = None) -> int:
    """Mark the active records whose period has ended as expired; idempotent. The number marked."""
    today = today or timezone.localdate()
    marked = 0
    for pk, region in list(
        DishonestyRecord.objects.filter(status=DishonestyStatus.ACTIVE, ends_on__lt=today).values_list(
            "pk", "region_id"
        )
    ):
        with transaction.atomic():
            if DishonestyRecord.objects.filter(pk=pk, status=DishonestyStatus.ACTIVE).update(
                status=DishonestyStatus.EXPIRED, version=F("version") + 1
            ):
                audit_record(
                    ctx=ctx,
                    action="update",
                    object_type=AuditObject.DISHONESTY_RECORD,
                    object_id=pk,
                    region_code=region,
                    detail={"status": "expired"},
                )
                marked += 1
    return marked
