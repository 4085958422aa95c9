"""The household's entitlements (在保记录) with their decisions and history; linked from the household
file (the registry sits below benefits and does not import it: docs/decisions.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiuzhu.audit.services import audit_view
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import web_view
from jiuzhu.registry.selectors import household_get

from . import selectors
from .integrity import may_waive
from .selectors_integrity import integrity_for_household


@web_view("benefits.view_entitlement")
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = household_get(user=request.user, household_id=pk)
    entitlements = selectors.entitlements_for_household(user=request.user, household_id=pk)
    audit_view(
        request, object_type=AuditObject.HOUSEHOLD, object_id=h.pk, region_code=h.region_id, benefits=True
    )
    context = {"household": h, "entitlements": entitlements}
    if request.user.has_perm("benefits.view_dishonestyrecord"):
        context |= {
            "integrity": integrity_for_household(user=request.user, household_id=pk),
            "may_waive": may_waive(request.user),
            "today": timezone.localdate(),
        }
    return render(request, "benefits/household.html", context)
