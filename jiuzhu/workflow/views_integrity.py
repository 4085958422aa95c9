"""The page of a finding that income or assets were hidden (查实隐瞒收入、财产), on a case at any open step
(/workflow/cases/<pk>/concealment/) or on an entitlement in payment
(/workflow/entitlements/<pk>/concealment/). The form is shown to anyone who may read the case or the
entitlement; the service decides who may record it (the township reviewer, the county approver)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.integrity import may_find
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import CaseStatus, EntitlementStatus
from jiuzhu.core.web import web_view
from jiuzhu.regions.scope import get_in_jurisdiction

from .forms_integrity import ConcealmentForm
from .selectors import case_get
from .services.integrity import Found, concealment_find


def _render(
    request: HttpRequest, context: dict[str, Any], form: ConcealmentForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "workflow/concealment.html",
        {**context, "form": form, "may_find": may_find(request.user)},
        status=status,
    )


def _done(request: HttpRequest, found: Found) -> None:
    text = f"已记录隐瞒收入、财产认定，失信记录有效期至 {found.dishonesty.ends_on:%Y-%m-%d}"
    if found.recovery is not None:
        text += f"，应追缴 {found.recovery.amount_due} 元"
    messages.success(request, text)


def _handle(
    request: HttpRequest, context: dict[str, Any], version: int, **target: Any
) -> HttpResponse | Found:
    if request.method != "POST":
        form = ConcealmentForm(initial={"version": version, "found_on": timezone.localdate()})
        return _render(request, context, form)
    form = ConcealmentForm(request.POST)
    if not form.is_valid():
        return _render(request, context, form, status=422)
    try:
        return concealment_find(ctx=AuditContext.from_request(request), **target, **form.values())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.apply_errors(exc)
        return _render(request, context, form, status=exc.status)


@web_view("workflow.view_case")
def case_concealment(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    context = {"case": case, "open": case.status == CaseStatus.OPEN}
    result = _handle(request, context, case.version, case_id=case.pk)
    if isinstance(result, Found):
        _done(request, result)
        return redirect("workflow_case", pk=pk)
    return result


@web_view("benefits.view_entitlement")
def entitlement_concealment(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = get_in_jurisdiction(
        Entitlement.objects.select_related("household", "decision"),
        user=request.user,
        pk=pk,
        region_field="region__code",
    )
    context = {"entitlement": entitlement, "open": entitlement.status == EntitlementStatus.ACTIVE}
    result = _handle(request, context, entitlement.version, entitlement_id=entitlement.pk)
    if isinstance(result, Found):
        _done(request, result)
        return redirect("benefits_household", pk=entitlement.household_id)
    return result
