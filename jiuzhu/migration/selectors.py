"""Reads of migration batches, their quarantine and the difference report, scoped to the importer's
jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from jiuzhu.benefits.life import program_details
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.programs import RULES, AmountRequest
from jiuzhu.benefits.services import DecisionMember
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.vocab import AidProgram, EntitlementSource, EntitlementStatus, PaymentKind
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.scope import get_in_jurisdiction, scoped
from jiuzhu.registry.models import Membership

from .models import MigrationBatch, MigrationRow

# Programs whose amount depends on the household's income: without a 核对 it cannot be computed.
MEANS_TESTED = frozenset({AidProgram.DIBAO, AidProgram.NEAR_DIBAO, AidProgram.RIGID_EXPENSE})
NO_INCOME = "无法计算（缺少收入核对）"


def batches_list(*, user: Any) -> QuerySet[MigrationBatch]:
    return scoped(MigrationBatch.objects.select_related("created_by", "region"), user, "region__code")


def batch_get(*, user: Any, batch_id: int) -> MigrationBatch:
    return get_in_jurisdiction(
        MigrationBatch.objects.select_related("created_by", "region"),
        user=user,
        pk=batch_id,
        region_field="region__code",
    )


def quarantine_rows(*, batch: MigrationBatch) -> QuerySet[MigrationRow]:
    return MigrationRow.objects.filter(batch=batch).order_by("row_number")


@dataclass(frozen=True)
class Difference:
    """A migrated entitlement beside what the policy in force today would grant."""

    entitlement: Entitlement
    migrated: Decimal
    computed: Decimal | None
    status: str  # "same" | "differs" | "unknown"
    note: str

    @property
    def status_label(self) -> str:
        return {"same": "一致", "differs": "不一致", "unknown": "无法计算"}[self.status]

    @property
    def delta(self) -> Decimal | None:
        return None if self.computed is None else self.computed - self.migrated


def migrated_entitlements(*, batch: MigrationBatch) -> QuerySet[Entitlement]:
    """The active entitlements a batch created (their details name it)."""
    return (
        Entitlement.objects.filter(
            source=EntitlementSource.MIGRATION,
            status=EntitlementStatus.ACTIVE,
            details__migration__batch=batch.pk,
        )
        .select_related("household", "person", "decision")
        .prefetch_related(
            Prefetch(
                "household__memberships",
                queryset=Membership.objects.filter(end_date__isnull=True).select_related("person"),
                to_attr="current_members",
            )
        )
        .order_by("household__number", "program", "id")
    )


def differences(
    *, batch: MigrationBatch, today: date | None = None, only_open: bool = True
) -> list[Difference]:
    """Each migrated entitlement of the batch with the amount the program's rule gives under today's
    policy, where the registry holds what the rule needs; for review, never applied by itself.
    ``only_open``: leave out those that agree."""
    today = today or timezone.localdate()
    policies: dict[str, Any] = {}
    out = []
    for e in migrated_entitlements(batch=batch):
        found = _difference(e, today, policies)
        if found.status != "same" or not only_open:
            out.append(found)
    return out


def _difference(e: Entitlement, today: date, policies: dict[str, Any]) -> Difference:
    def result(computed: Decimal | None, note: str) -> Difference:
        if computed is None:
            return Difference(e, e.amount, None, "unknown", note)
        return Difference(e, e.amount, computed, "same" if computed == e.amount else "differs", note)

    if e.payment == PaymentKind.NO_CASH:
        return result(Decimal("0.00"), "不发放资金")
    if e.program in MEANS_TESTED:
        return result(None, NO_INCOME)
    rule = RULES.get(e.program)
    if rule is None:
        return result(None, "无法计算（尚无该项目的计算规则）")
    region = e.household.region_id
    if region not in policies:
        try:
            policies[region] = policy_in_force(region_code=region, on=today)
        except NotFound:
            policies[region] = None
    policy = policies[region]
    if policy is None:
        return result(None, "无法计算（本地区今日无生效的政策参数）")
    members = [
        DecisionMember.of(m.person, age=m.person.age_on(today))
        for m in getattr(e.household, "current_members", [])
    ]
    subject = DecisionMember.of(e.person, age=e.person.age_on(today)) if e.person else None
    details = program_details(e.details or {})
    request = AmountRequest(
        program=e.program,
        members=members,
        per_capita_income=None,
        policy=policy,
        urban=e.household.urban_rural == "urban",
        decided_on=today,
        subject=subject,
        details=details,
        recompute=True,
    )
    try:
        granted = rule(request)
    except ValidationFailed as exc:
        reason = "；".join(exc.errors.values()) if exc.errors else exc.message
        return result(None, f"无法计算（{reason}）")
    except (KeyError, ValueError, TypeError) as exc:
        return result(None, f"无法计算（{exc}）")
    if not granted.eligible:
        return Difference(
            e, e.amount, Decimal("0.00"), "differs", "按现行政策不符合条件：" + "；".join(granted.reasons)
        )
    return result(granted.amount.quantize(Decimal("0.01")), "")
