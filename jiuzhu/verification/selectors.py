"""Reads of verification reports, scoped to the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiuzhu.regions.scope import get_in_jurisdiction, scoped

from .models import VerificationReport


def report_get(*, user: Any, report_id: int) -> VerificationReport:
    return get_in_jurisdiction(
        VerificationReport.objects.select_related("household", "applicant", "created_by"),
        user=user,
        pk=report_id,
        region_field="region_code",
    )


def reports_list(*, user: Any, household_id: int | None = None) -> QuerySet[VerificationReport]:
    qs = scoped(VerificationReport.objects.select_related("household", "applicant"), user, "region_code")
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return qs.order_by("-id")
