"""What follows the comparison: the township verifies each hold (clears it: the line is paid; or confirms
it: the line is stopped, with the reason), the county submits the payroll and approves it. Approval is
refused while any hold is open. Every change with optimistic locking (``version``) and an audit line."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.scope import get_in_jurisdiction

from ..models import Payroll, PayrollHold, PayrollLine
from .check import open_holds
from .generate import GENERATE_PERM, payroll_totals

HOLD_PERM = "payments.change_payrollhold"
APPROVE_PERM = "payments.change_payroll"
_OPEN_PAYROLL = (Payroll.Status.CHECKING, Payroll.Status.HOLDS)


def _locked_hold(ctx: AuditContext, hold_id: int, version: int | None) -> PayrollHold:
    require_perm(ctx.user, HOLD_PERM)
    hold = get_in_jurisdiction(
        PayrollHold.objects.select_for_update(of=("self",)).select_related("line", "line__payroll"),
        user=ctx.user,
        pk=hold_id,
        region_field="line__region__code",
    )
    if version is not None and hold.version != version:
        raise Conflict("该暂停发放记录已被他人处理，请刷新后重试")
    if hold.status != PayrollHold.Status.HELD:
        raise Conflict(f"该暂停发放记录已{hold.get_status_display()}")
    if hold.line.payroll.status not in _OPEN_PAYROLL:
        raise Conflict(f"名册已{hold.line.payroll.get_status_display()}，不能再处理暂停发放")
    return hold


def _decide(
    ctx: AuditContext, hold: PayrollHold, *, status: str, reason: str, others: bool = False
) -> PayrollHold:
    now = timezone.now()
    qs = PayrollHold.objects.filter(pk=hold.pk)
    if others:  # a stopped line: its other open holds are settled with it
        qs = PayrollHold.objects.filter(line=hold.line, status=PayrollHold.Status.HELD)
    qs.update(status=status, reason=reason, decided_by=ctx.user, decided_at=now, version=F("version") + 1)
    hold.refresh_from_db()
    return hold


def hold_clear(
    *, ctx: AuditContext, hold_id: int, version: int | None = None, reason: str = ""
) -> PayrollHold:
    """核实无误: the hold is cleared; the line is paid again once it has no other open hold."""
    errors: dict[str, str] = {}
    text = clean_text(reason or "", "reason", "核实说明", errors, max_length=500)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        hold = _locked_hold(ctx, hold_id, version)
        _decide(ctx, hold, status=PayrollHold.Status.CLEARED, reason=text)
        line = hold.line
        if not line.holds.filter(status=PayrollHold.Status.HELD).exists():
            PayrollLine.objects.filter(pk=line.pk, status=PayrollLine.Status.HELD).update(
                status=PayrollLine.Status.PENDING
            )
        payroll_totals(line.payroll)
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.PAYROLL_LINE,
            object_id=line.pk,
            region_code=line.region_id,
            detail={"hold": hold.pk, "rule": hold.rule, "decision": "cleared", "reason": text},
        )
    return hold


def hold_confirm(*, ctx: AuditContext, hold_id: int, reason: str, version: int | None = None) -> PayrollHold:
    """核实属实: the line is stopped (not paid, never carried to a later payroll); the reason is required.
    The warning the hold came from is handled in its own loop (stop, adjust …)."""
    errors: dict[str, str] = {}
    text = clean_text(reason or "", "reason", "核实说明", errors, max_length=500, required=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        hold = _locked_hold(ctx, hold_id, version)
        _decide(ctx, hold, status=PayrollHold.Status.CONFIRMED, reason=text, others=True)
        line = hold.line
        PayrollLine.objects.filter(pk=line.pk).update(status=PayrollLine.Status.STOPPED)
        payroll_totals(line.payroll)
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.PAYROLL_LINE,
            object_id=line.pk,
            region_code=line.region_id,
            detail={
                "hold": hold.pk,
                "rule": hold.rule,
                "decision": "confirmed",
                "reason": text,
                "warning": hold.warning_id,
                "amount": str(line.amount),
            },
        )
    return hold


def _locked_payroll(ctx: AuditContext, payroll_id: int, version: int | None) -> Payroll:
    from jiuzhu.payments.selectors import payroll_get

    payroll_get(user=ctx.user, payroll_id=payroll_id, county_only=True)  # 404 elsewhere, first
    payroll = Payroll.objects.select_for_update().get(pk=payroll_id)
    if version is not None and payroll.version != version:
        raise Conflict("名册已被他人变更，请刷新后重试")
    return payroll


def _set_status(ctx: AuditContext, payroll: Payroll, status: str, **extra: Any) -> Payroll:
    Payroll.objects.filter(pk=payroll.pk).update(status=status, version=F("version") + 1, **extra)
    audit_record(
        ctx=ctx,
        action="update",
        object_type=AuditObject.PAYROLL,
        object_id=payroll.pk,
        region_code=payroll.region_id,
        detail={"status": [payroll.status, status]},
    )
    payroll.refresh_from_db()
    return payroll


def payroll_submit(*, ctx: AuditContext, payroll_id: int, version: int | None = None) -> Payroll:
    """提交县级审批, once every hold is verified."""
    require_perm(ctx.user, GENERATE_PERM)
    with transaction.atomic():
        payroll = _locked_payroll(ctx, payroll_id, version)
        if payroll.status != Payroll.Status.HOLDS:
            raise Conflict(f"名册{payroll.get_status_display()}，不能提交审批（须先完成发放前比对）")
        n = open_holds(payroll)
        if n:
            raise Conflict(f"尚有 {n} 条暂停发放未核实，核实后才能提交审批")
        return _set_status(
            ctx, payroll, Payroll.Status.SUBMITTED, submitted_by=ctx.user, submitted_at=timezone.now()
        )


def payroll_approve(*, ctx: AuditContext, payroll_id: int, version: int | None = None) -> Payroll:
    """县级审批: the payroll is approved for the bank (refused while a hold is open)."""
    require_perm(ctx.user, APPROVE_PERM)
    with transaction.atomic():
        payroll = _locked_payroll(ctx, payroll_id, version)
        n = open_holds(payroll)
        if n:
            raise Conflict(f"尚有 {n} 条暂停发放未核实，不能审批")
        if payroll.status != Payroll.Status.SUBMITTED:
            raise Conflict(f"名册{payroll.get_status_display()}，不能审批")
        return _set_status(
            ctx, payroll, Payroll.Status.APPROVED, approved_by=ctx.user, approved_at=timezone.now()
        )


def payroll_retry(*, ctx: AuditContext, payroll_id: int) -> Payroll:
    """Run again the payroll's failed or stalled generation or comparison."""
    from jiuzhu.payments.selectors import payroll_get

    from ..models import PayrollJob
    from .check import payroll_check
    from .generate import payroll_generate

    require_perm(ctx.user, GENERATE_PERM)
    payroll = payroll_get(user=ctx.user, payroll_id=payroll_id, county_only=True)
    job = (
        payroll.jobs.filter(kind__in=[PayrollJob.Kind.GENERATE, PayrollJob.Kind.CHECK])
        .order_by("-id")
        .first()
    )
    if job is None or not (job.status == PayrollJob.Status.FAILED or job.stalled):
        raise Conflict("没有失败或中断的作业需要重试")
    if job.kind == PayrollJob.Kind.GENERATE:
        return payroll_generate(
            ctx=ctx, county_code=payroll.region_id, program=payroll.program, month=payroll.month
        )
    return payroll_check(ctx=ctx, payroll_id=payroll.pk)
