"""Reads of findings, dishonesty records and recoveries, scoped to the caller's jurisdiction (elsewhere is
404, lists hold only the caller's subtree)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import RecoveryStatus
from jiuzhu.regions.scope import get_in_jurisdiction, scoped
from jiuzhu.registry.models import Household, Membership, Person
from jiuzhu.registry.selectors import household_get

from .models import (
    ConcealmentFinding,
    DishonestyRecord,
    OverpaymentRecovery,
    RecoveryCollection,
)

_COLLECTIONS = Prefetch("collections", queryset=RecoveryCollection.objects.order_by("collected_on", "id"))


@dataclass(frozen=True)
class HouseholdIntegrity:
    """A household's findings, dishonesty records and recoveries, newest first."""

    household: Household
    findings: list[ConcealmentFinding]
    dishonesty: list[DishonestyRecord]
    recoveries: list[OverpaymentRecovery]


def integrity_for_household(*, user: Any, household_id: int) -> HouseholdIntegrity:
    """What the household file shows of integrity (the household in the caller's jurisdiction)."""
    require_perm(user, "benefits.view_dishonestyrecord")
    household = household_get(user=user, household_id=household_id)
    return HouseholdIntegrity(
        household=household,
        findings=list(
            ConcealmentFinding.objects.filter(household=household)
            .select_related("person", "recorded_by")
            .order_by("-found_on", "-id")
        ),
        dishonesty=list(
            DishonestyRecord.objects.filter(household=household)
            .select_related("person", "finding")
            .order_by("-starts_on", "-id")
        ),
        recoveries=list(
            OverpaymentRecovery.objects.filter(household=household)
            .select_related("entitlement", "finding")
            .prefetch_related(_COLLECTIONS)
            .order_by("-created_at", "-id")
        ),
    )


def dishonesty_for_person(*, user: Any, person_id: int) -> list[DishonestyRecord]:
    """A person's dishonesty records, wherever recorded, for a person who lives in the caller's
    jurisdiction (a current membership of a household there), else 404."""
    require_perm(user, "benefits.view_dishonestyrecord")
    households = scoped(
        Membership.objects.filter(person_id=person_id, end_date__isnull=True), user, "household__region__code"
    )
    if not households.exists():
        get_in_jurisdiction(
            Person.objects.all(), user=user, pk=person_id, region_field="residence_region__code"
        )
    return list(
        DishonestyRecord.objects.filter(person_id=person_id)
        .select_related("person", "finding")
        .order_by("-starts_on", "-id")
    )


def dishonesty_get(*, user: Any, record_id: int) -> DishonestyRecord:
    require_perm(user, "benefits.view_dishonestyrecord")
    return get_in_jurisdiction(
        DishonestyRecord.objects.select_related("person", "household", "finding", "revoked_by"),
        user=user,
        pk=record_id,
        region_field="region__code",
    )


def recovery_get(*, user: Any, recovery_id: int) -> OverpaymentRecovery:
    require_perm(user, "benefits.view_overpaymentrecovery")
    return get_in_jurisdiction(
        OverpaymentRecovery.objects.select_related(
            "household", "entitlement", "finding", "finding__person", "waived_by"
        ).prefetch_related(_COLLECTIONS),
        user=user,
        pk=recovery_id,
        region_field="region__code",
    )


def recoveries_list(*, user: Any, status: str = "") -> QuerySet[OverpaymentRecovery]:
    """The recoveries of the caller's jurisdiction, newest first; ``status`` filters (the payroll reads
    the open and partly collected ones)."""
    require_perm(user, "benefits.view_overpaymentrecovery")
    if status and status not in RecoveryStatus.codes():
        raise ValidationFailed({"status": "追缴状态无效"})
    qs = scoped(
        OverpaymentRecovery.objects.select_related("household", "finding__person"), user, "region__code"
    ).order_by("-created_at", "-id")
    return qs.filter(status=status) if status else qs
