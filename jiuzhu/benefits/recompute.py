"""提标重算: a new policy version that raises a standard recomputes every affected entitlement of its
region from a month — listed first (draft), approved by the county approver, then applied.

``recomputation_create`` lists the region's monthly entitlements whose amount the program's rule gives
differently under the new version (the facts their decisions recorded: ``life.entitlement_recompute``);
``recomputation_approve`` is the county approver's; ``recomputation_apply`` adjusts each row's entitlement
from the month (``life.entitlement_adjust``), one row per transaction, marking the row done, so that an
interrupted run is resumed by running it again and a finished one changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from jiuzhu.accounts.roles import Role
from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject, EntitlementStatus, PaymentKind, RecomputationStatus
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import Level, is_within, level_of, subtree_bounds

from .engine.review import month_of
from .life import entitlement_adjust, entitlement_recompute
from .models import Entitlement, StandardRecomputation, StandardRecomputationRow
from .selectors import recomputation_get

# Sent after each entitlement a recomputation adjusts (in the row's transaction), with ``ctx``,
# ``entitlement``, ``old_amount``, ``new_amount``, ``from_month`` and ``document_no``: the workflow, which
# sits above, issues the 调整告知书 (``workflow.services.reviews``).
recomputation_adjusted = Signal()


def _audit(ctx: AuditContext, rec: StandardRecomputation, action: str, **detail: Any) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=AuditObject.STANDARD_RECOMPUTATION,
        object_id=rec.pk,
        region_code=rec.region_id,
        detail={"policy": rec.policy_version_id, **detail},
    )


def _county_approver(user: Any) -> None:
    region = getattr(user, "region_id", None)
    if getattr(user, "is_superuser", False):
        return
    if (
        getattr(user, "role", "") != Role.COUNTY_APPROVER
        or not region
        or level_of(str(region)) > Level.COUNTY
    ):
        raise PermissionDenied("提标重算清单由县级审批人员审批和执行")


def recomputation_create(
    *, ctx: AuditContext, policy_version_id: int, from_month: date | None = None
) -> StandardRecomputation:
    """The recomputation list of a policy version (once per version: a second call returns the first):
    each live monthly entitlement of the version's region whose amount under the version differs from
    today's, from ``from_month`` (default: the month the version takes effect)."""
    require_perm(ctx.user, "benefits.add_standardrecomputation")
    policy = PolicyVersion.objects.filter(pk=policy_version_id).first()
    if policy is None:
        raise NotFound()
    # The version's region where it lies in the caller's jurisdiction; the caller's own region where the
    # version is a city's or a province's that applies there; else not the caller's.
    own = getattr(ctx.user, "region_id", None)
    if (own is None and getattr(ctx.user, "is_superuser", False)) or (
        own and is_within(policy.region_id, own)
    ):
        region_code = policy.region_id
    elif own and is_within(own, policy.region_id):
        region_code = own
    else:
        raise NotFound()
    month = month_of(from_month or policy.effective_from)
    if month < month_of(policy.effective_from):
        raise ValidationFailed({"from_month": "调整起始月份不能早于新政策生效的月份"})
    with transaction.atomic():
        existing = StandardRecomputation.objects.filter(policy_version=policy, region_id=region_code).first()
        if existing is not None:
            return existing
        rec = StandardRecomputation.objects.create(
            policy_version=policy, region_id=region_code, from_month=month, created_by=ctx.user
        )
        rows = []
        live = Entitlement.objects.filter(
            region__code__range=subtree_bounds(region_code),
            status__in=(EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED),
            payment=PaymentKind.MONTHLY,
        ).select_related("decision")
        in_force: dict[str, int | None] = {}
        for e in live.order_by("id").iterator(chunk_size=500):

            def skipped(why: str, e: Entitlement = e) -> StandardRecomputationRow:
                return StandardRecomputationRow(
                    recomputation=rec, entitlement=e, old_amount=e.amount, new_amount=None, note=why[:200]
                )

            if e.region_id not in in_force:
                try:
                    in_force[e.region_id] = policy_in_force(region_code=e.region_id, on=month).pk
                except NotFound:
                    in_force[e.region_id] = None
            if in_force[e.region_id] != policy.pk:
                rows.append(skipped("本地区该月适用其他政策版本，不按本版本重算"))
                continue
            try:
                result = entitlement_recompute(e, policy=policy, on=month)
            except ValidationFailed as exc:
                why = "；".join(exc.errors.values()) if exc.errors else exc.message
                rows.append(skipped(f"无法重算：{why}"))
                continue
            new = Decimal(result.amount).quantize(Decimal("0.01"))
            if not result.eligible:
                why = "；".join(result.reasons) or "不符合条件"
                rows.append(skipped(f"按新标准计算不符合条件：{why}"))
            elif new <= 0:
                rows.append(skipped("按新标准计算金额为 0"))
            elif new != e.amount:
                rows.append(
                    StandardRecomputationRow(
                        recomputation=rec, entitlement=e, old_amount=e.amount, new_amount=new
                    )
                )
        StandardRecomputationRow.objects.bulk_create(rows, batch_size=1000)
        _audit(ctx, rec, "create", from_month=month.isoformat(), rows=len(rows))
    return rec


def recomputation_approve(*, ctx: AuditContext, recomputation_id: int) -> StandardRecomputation:
    """审批: the county approver approves the list; it may then be applied."""
    require_perm(ctx.user, "benefits.change_standardrecomputation")
    _county_approver(ctx.user)
    with transaction.atomic():
        seen = recomputation_get(user=ctx.user, recomputation_id=recomputation_id)
        rec = StandardRecomputation.objects.select_for_update().get(pk=seen.pk)
        if rec.status != RecomputationStatus.DRAFT:
            raise Conflict("该清单已审批")
        rec.status = RecomputationStatus.APPROVED
        rec.approved_by = ctx.user
        rec.approved_at = timezone.now()
        rec.save(update_fields=["status", "approved_by", "approved_at"])
        _audit(ctx, rec, "update", status=rec.status)
    return rec


def recomputation_apply(*, ctx: AuditContext, recomputation_id: int) -> StandardRecomputation:
    """执行: each row not yet applied adjusts its entitlement from the list's month (one transaction per
    row; an entitlement ended since, or already at the new amount, is marked done unchanged)."""
    require_perm(ctx.user, "benefits.change_standardrecomputation")
    _county_approver(ctx.user)
    rec = recomputation_get(user=ctx.user, recomputation_id=recomputation_id)
    if rec.status == RecomputationStatus.DRAFT:
        raise Conflict("清单尚未审批，不能执行")
    if rec.status == RecomputationStatus.APPLIED:
        return rec
    document = rec.policy_version.document_no
    for row_id in list(rec.rows.filter(applied=False).order_by("id").values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                StandardRecomputationRow.objects.select_for_update()
                .select_related("entitlement")
                .get(pk=row_id)
            )
            if row.applied:
                continue
            e = row.entitlement
            live = e.status in (EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED)
            if row.new_amount is None:
                pass  # listed with the reason it was not recomputed
            elif live and e.amount != row.old_amount:
                # changed since the list was made (a review, a manual change): its figure is stale
                row.note = "已变更，需重新计算"
            elif live and e.amount != row.new_amount:
                month = max(rec.from_month, e.start_month)
                e = entitlement_adjust(
                    ctx=ctx,
                    entitlement_id=e.pk,
                    amount=row.new_amount,
                    from_month=month,
                    reason=f"提高保障标准（{document}）重算"[:200],
                    computation={"recomputation": rec.pk, "policy_version": rec.policy_version_id},
                )
                recomputation_adjusted.send(
                    sender=StandardRecomputation,
                    ctx=ctx,
                    entitlement=e,
                    old_amount=row.old_amount,
                    new_amount=row.new_amount,
                    from_month=month,
                    document_no=document,
                )
            row.applied = True
            row.save(update_fields=["applied", "note"])
    with transaction.atomic():
        rec = StandardRecomputation.objects.select_for_update().get(pk=rec.pk)
        if not rec.rows.filter(applied=False).exists() and rec.status != RecomputationStatus.APPLIED:
            rec.status = RecomputationStatus.APPLIED
            rec.applied_at = timezone.now()
            rec.save(update_fields=["status", "applied_at"])
            _audit(ctx, rec, "update", status=rec.status)
    return rec
