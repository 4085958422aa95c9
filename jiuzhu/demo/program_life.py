"""The demo of the life of an entitlement (rules §1.11), built after the other programs' demos.

Five more 低保 households of the demo township are walked from the window to an entitlement by the demo
users (as the 低保 demo does), then, as if their decisions had been taken a year ago (their next review
dates moved to within the review window: demo data only), their lives go on through the services:

- ``jiuzhu reviews-open`` (``reviews_open``) opens the periodic reviews due: one is left at the
  township's home visit, one at the county's decision — both in the review queue (定期复核);
- one review ends in 停保 with its reasons and a 终止救助告知书;
- one household's income rose: its amount is adjusted from next month with a 调整告知书;
- a member of one household found work: it is in its 渐退期 (paid the policy's months more, then it
  ends by itself);
- the county raises the 低保 standard from next month (a new policy version, as entered in the admin):
  the recomputation list of every affected entitlement waits for the county approver's approval.

Idempotent: nothing is built when the county already has a review case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import CasePurpose

from .build import Layout

WALKS = 5


def _county_bounds(layout: Layout) -> tuple[str, str]:
    from jiuzhu.regions.models import Region

    return Region.objects.get(code=layout.county_code).bounds()


def build(*, layout: Layout, log: Callable[[str], None] = print) -> None:
    from jiuzhu.workflow.models import Case

    bounds = _county_bounds(layout)
    if Case.objects.filter(region__code__range=bounds, purpose=CasePurpose.REVIEW).exists():
        log("  在保动态管理：已存在，沿用现有数据")
        return
    with transaction.atomic():
        _Life(layout=layout, log=log).run()


def delete(bounds: tuple[str, str]) -> None:
    """The review cases (and what they recorded), the recomputation lists and the life's notices of the
    county; the entitlements and their cases go with the 低保 demo's rows."""
    from jiuzhu.benefits.models import StandardRecomputation
    from jiuzhu.workflow.models import Case, CaseEvent, HomeInvestigation, Notice, Opinion

    StandardRecomputation.objects.filter(region__code__range=bounds).delete()
    reviews = Case.objects.filter(region__code__range=bounds, purpose=CasePurpose.REVIEW)
    Notice.objects.filter(case__in=reviews).delete()
    for model in (Opinion, HomeInvestigation, CaseEvent):
        model._default_manager.filter(case__in=reviews).delete()
    reviews.delete()


class _Life:
    def __init__(self, *, layout: Layout, log: Callable[[str], None]) -> None:
        from .procedure import _Procedure

        self.proc = _Procedure(layout=layout, log=log)
        self.log = log
        self.today = timezone.localdate()
        self.layout = layout

    def ctx(self, user: Any) -> AuditContext:
        return AuditContext(user=user, channel="cli")

    def _households(self) -> list[Any]:
        """Households of the township under the standard, with no case yet (the 低保 demo's are used)."""
        from jiuzhu.workflow.models import Case

        pool = self.proc.pool
        from jiuzhu.benefits.models import Entitlement

        busy = set(Case.objects.values_list("household_id", flat=True))
        busy |= set(Entitlement.objects.values_list("household_id", flat=True))
        pool.unscreened = [h for h in pool.unscreened if h.pk not in busy]
        pool.screen(yes=WALKS, no=0)
        return [h for h in pool.yes[:WALKS]]

    def _entitlement(self, household: Any, seq: int) -> Any:
        from .procedure import _elapse

        case = self.proc.apply(household, seq=seq)
        _elapse(case, 2)
        self.proc.to_confirmation(case)
        return self.proc.confirm(case, agree=True).entitlement

    def run(self) -> None:
        from jiuzhu.benefits.models import Entitlement

        entitlements = [self._entitlement(h, i + 1) for i, h in enumerate(self._households())]
        if len(entitlements) < 4:
            self.log("  在保动态管理：示例县可用的低保家庭不足，跳过")
            return
        # As if decided a year ago: the first three are due for review within the window.
        for e in entitlements[:3]:
            Entitlement.objects.filter(pk=e.pk).update(next_review_on=self.today + timedelta(days=10))
        opened = self._reviews(entitlements[:3])
        adjusted = self._adjust(entitlements[3])
        tapered = self._taper(entitlements[4]) if len(entitlements) > 4 else None
        rec = self._recompute()
        self.log(
            f"  在保动态管理：定期复核立案 {len(opened)} 件（办理中 2 件，停保 1 件）；"
            f"调整 {adjusted}；渐退 {tapered or '—'}；提标重算清单 {rec.rows.count()} 户待审批"
        )

    def _reviews(self, entitlements: list[Any]) -> list[str]:
        from jiuzhu.workflow.models import Case
        from jiuzhu.workflow.services.reviews import review_decide, reviews_open

        proc = self.proc
        result = reviews_open(ctx=self.ctx(proc.caseworker))
        cases = {c.entitlement_id: c for c in Case.objects.filter(number__in=result.opened)}
        _waiting, deciding, stopping = (cases[e.pk] for e in entitlements)
        # One at the county's decision, one ended by 停保; the first stays at the home visit.
        for case in (deciding, stopping):
            proc.investigate(case, findings="入户核查：家庭人口、收入与上次核定时相比有变化，需乡镇审核")
            proc.act(proc.caseworker, case, "review")
            proc.review(case)
            proc.act(proc.reviewer, case, "review_decision")
        review_decide(
            ctx=self.ctx(proc.approver),
            case_id=stopping.pk,
            version=proc.version(stopping),
            outcome="stopped",
            text="经复核，家庭经济状况已超过低保标准，决定停保",
            reasons=["家庭成员稳定就业，家庭月人均收入已超过当地低保标准", "已享受渐退期后仍超过标准"],
            from_month=self.today,
        )
        return list(result.opened)

    def _adjust(self, e: Any) -> str:
        from jiuzhu.workflow.services.reviews import entitlement_change, next_month

        income = Decimal(e.decision.per_capita_income or 0) + Decimal("60")
        done = entitlement_change(
            ctx=self.ctx(self.proc.approver),
            entitlement_id=e.pk,
            from_month=next_month(self.today),
            reason="家庭成员务工收入增加，重新核定保障金额",
            per_capita_income=income,
        )
        return (
            f"{e.amount} → {done.entitlement.amount} 元（{done.notice.document_no if done.notice else ''}）"
        )

    def _taper(self, e: Any) -> str:
        from jiuzhu.registry.models import Membership
        from jiuzhu.workflow.services.reviews import entitlement_work_found

        member = (
            Membership.objects.filter(household_id=e.household_id, end_date__isnull=True)
            .order_by("person__birth_date")
            .values_list("person_id", flat=True)
            .last()
        )
        if member is None:
            return ""
        done = entitlement_work_found(
            ctx=self.ctx(self.proc.reviewer),
            entitlement_id=e.pk,
            person_id=member,
            found_work_on=max(self.today.replace(day=1), e.start_month),
            reason="家庭成员在县城工业园区稳定就业",
        )
        return f"至 {done.entitlement.valid_until:%Y-%m}"

    def _recompute(self) -> Any:
        from jiuzhu.benefits.recompute import recomputation_create
        from jiuzhu.policy.models import PolicyVersion
        from jiuzhu.policy.selectors import policy_in_force
        from jiuzhu.policy.services import policy_version_create
        from jiuzhu.workflow.services.reviews import next_month

        start = next_month(self.today)
        current = policy_in_force(region_code=self.layout.county_code, on=self.today)
        raised = PolicyVersion.objects.filter(region=current.region, effective_from=start).first()
        if raised is None:
            skip = {"id", "region", "effective_from", "effective_to", "created_by", "created_at"}
            values = {
                f.name: getattr(current, f.name) for f in current._meta.concrete_fields if f.name not in skip
            }
            values |= {
                "dibao_standard_urban": current.dibao_standard_urban + Decimal("50"),
                "dibao_standard_rural": current.dibao_standard_rural + Decimal("40"),
                "document_no": f"{current.region.name}民发〔{start.year}〕{start.month}号（提高低保标准）"[
                    :100
                ],
            }
            raised = policy_version_create(
                ctx=AuditContext.system(), region=current.region, effective_from=start, **values
            )
        return recomputation_create(
            ctx=self.ctx(self.proc.approver), policy_version_id=raised.pk, from_month=start
        )
