"""The demo's integrity (诚信) data, built after the 低保 procedure by the demo users through the services:

- an application ended at the township's review by the reviewer's finding that the family hid a wage
  income and a deposit: the case terminated, the applicant's dishonesty record, the termination notice;
- a 低保 entitlement in payment for some months (confirmed by the county, its months moved into the
  past: demo data only), found by the county's approver to have been obtained by hiding a business
  income since a later month: the entitlement ended, the dishonesty record, the recovery of the months
  paid since the concealment began with its notice, and part of it repaid at the township's window.

Running it again changes nothing (built once per county).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.benefits.engine.review import add_months
from jiuzhu.benefits.integrity import recovery_collect
from jiuzhu.benefits.models import (
    ConcealmentFinding,
    Decision,
    DishonestyRecord,
    Entitlement,
    EntitlementEvent,
    OverpaymentRecovery,
    RecoveryCollection,
)
from jiuzhu.core.vocab import EntitlementStatus
from jiuzhu.regions.models import Region
from jiuzhu.workflow.models import Case
from jiuzhu.workflow.services.integrity import concealment_find

from .build import Layout

if TYPE_CHECKING:
    from .procedure import _Procedure

PAID_MONTHS = 6  # how long the demo's entitlement has been paid before the finding
CONCEALED_MONTHS = 3  # since when its household hid the income (months before the finding's month)


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    bounds = Region.objects.get(code=layout.county_code).bounds()
    if ConcealmentFinding.objects.filter(region__code__range=bounds).exists():
        log("  诚信：隐瞒收入财产认定已存在，沿用现有数据")
        return
    from .procedure import _Procedure  # the procedure imports the programs' list

    with transaction.atomic():
        proc = _Procedure(layout=layout, log=log)
        busy = set(Case.objects.filter(region__code__range=bounds).values_list("household_id", flat=True))
        busy |= set(
            Entitlement.objects.filter(
                region__code__range=bounds, status=EntitlementStatus.ACTIVE
            ).values_list("household_id", flat=True)
        )
        proc.pool.unscreened = [h for h in proc.pool.unscreened if h.pk not in busy]
        proc.pool.screen(yes=1, no=1)
        ended = _application_ended(proc)
        recovered = _entitlement_ended(proc)
    log(f"  诚信：{ended}；{recovered}")


def _application_ended(proc: _Procedure) -> str:
    from .procedure import _elapse

    household = proc.pool.take(qualifying=False) or proc.pool.take(qualifying=None)
    if household is None:
        return "无可申请的家庭，未生成终止办理的案件"
    case = proc.apply(household, seq=3)
    _elapse(case, 6)
    proc.to_review(case)
    found = concealment_find(
        ctx=proc.ctx(proc.reviewer),
        case_id=case.pk,
        version=proc.version(case),
        items=[
            {"kind": "hidden_income", "item": "申请人配偶在县城务工的工资收入未申报", "amount": "2800"},
            {"kind": "hidden_asset", "item": "以子女名义存入的定期存款未申报", "amount": "60000"},
        ],
        evidence="人社部门工资发放记录与银行存款查询结果，申请人在入户调查复核时予以承认",
        found_on=proc.today,
    )
    return f"{case.number} 查实隐瞒收入、财产终止办理，失信记录至 {found.dishonesty.ends_on:%Y-%m-%d}"


def _backdate(entitlement: Entitlement, months: int) -> Entitlement:
    """Move the entitlement (and its decision) ``months`` months into the past: demo data only."""
    decision = Decision.objects.get(pk=entitlement.decision_id)
    Decision.objects.filter(pk=decision.pk).update(decided_on=add_months(decision.decided_on, -months))
    Entitlement.objects.filter(pk=entitlement.pk).update(
        start_month=add_months(entitlement.start_month, -months),
        next_review_on=add_months(entitlement.next_review_on, -months),
    )
    for event in EntitlementEvent.objects.filter(entitlement=entitlement):
        EntitlementEvent.objects.filter(pk=event.pk).update(at=event.at - timedelta(days=31 * months))
    return Entitlement.objects.get(pk=entitlement.pk)


def _entitlement_ended(proc: _Procedure) -> str:
    from .procedure import _elapse

    household = proc.pool.take(qualifying=True)
    if household is None:
        return "无符合条件的家庭，未生成追缴"
    case = proc.apply(household, seq=4)
    _elapse(case, 2)
    proc.to_confirmation(case)
    done: Any = proc.confirm(case, agree=True)
    if done.entitlement is None:
        return "确认未生成在保记录，未生成追缴"
    entitlement = _backdate(done.entitlement, PAID_MONTHS)
    concealed_from = add_months(proc.today.replace(day=1), -CONCEALED_MONTHS)
    found = concealment_find(
        ctx=proc.ctx(proc.approver),
        entitlement_id=entitlement.pk,
        version=entitlement.version,
        items=[{"kind": "hidden_income", "item": "家庭成员经营网店的收入未申报", "amount": "3500"}],
        evidence="市场监管部门登记信息与电商平台流水，县级入户核查笔录",
        found_on=proc.today,
        concealed_from=concealed_from,
    )
    recovery = found.recovery
    if recovery is None:
        return "在保记录已停保（无需追缴）"
    part = (recovery.amount_due / 3).quantize(Decimal("1"), rounding=ROUND_DOWN)
    recovery = recovery_collect(
        ctx=proc.ctx(proc.reviewer),
        recovery_id=recovery.pk,
        version=recovery.version,
        amount=part,
        collected_on=timezone.localdate(),
        reference="退款收据-0001",
    )
    return (
        f"{household.number} 停保并追缴 {recovery.months} 个月共 {recovery.amount_due} 元，"
        f"已退回 {recovery.amount_collected} 元"
    )


def delete(bounds: tuple[str, str]) -> None:
    """Remove the county's integrity rows (the procedure's delete removes the cases, notices and
    entitlements after)."""
    RecoveryCollection.objects.filter(recovery__region__code__range=bounds).delete()
    OverpaymentRecovery.objects.filter(region__code__range=bounds).delete()
    DishonestyRecord.objects.filter(region__code__range=bounds).delete()
    ConcealmentFinding.objects.filter(region__code__range=bounds).delete()
