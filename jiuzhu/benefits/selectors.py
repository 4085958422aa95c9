"""Reads of decisions and entitlements, scoped to the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from jiuzhu.core.permissions import require_perm
from jiuzhu.regions.scope import get_in_jurisdiction
from jiuzhu.registry.selectors import household_get

from .models import Decision, Entitlement, EntitlementEvent


def entitlements_for_household(*, user: Any, household_id: int) -> list[Entitlement]:
    """The household's entitlements, newest first, with their decision and history (two queries
    after the household's, whatever their number)."""
    require_perm(user, "benefits.view_entitlement")
    household = household_get(user=user, household_id=household_id)
    return list(
        Entitlement.objects.filter(household=household)
        .select_related("decision", "decision__policy_version", "person")
        .prefetch_related(
            Prefetch("events", queryset=EntitlementEvent.objects.select_related("actor").order_by("at", "id"))
        )
        .order_by("-start_month", "-id")
    )


def decision_get(*, user: Any, decision_id: int) -> Decision:
    require_perm(user, "benefits.view_decision")
    return get_in_jurisdiction(
        Decision.objects.select_related("household", "applicant", "policy_version", "decided_by"),
        user=user,
        pk=decision_id,
        region_field="region__code",
    )


def decision_for_case(*, case_number: str) -> Decision | None:
    """The decision of a case already read in the caller's jurisdiction (the case page)."""
    return (
        Decision.objects.select_related("policy_version", "decided_by")
        .filter(case_number=case_number)
        .first()
    )
