"""临时救助's own pages: the register of 先行救助 (with each completion deadline's light), the form that
pays one at once for a household's member, a non-resident's file at the place of the emergency, and
the county's 一事一议 on a case above the general cap."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.web import web_view
from jiuzhu.regions.scope import scoped
from jiuzhu.registry.models import Household, Membership
from jiuzhu.registry.selectors import household_get

from . import forms_temporary as ft
from .selectors import case_get
from .selectors_temporary import prior_aids
from .services.temporary import (
    non_resident_register,
    prior_aid_grant,
    special_approval_record,
    temporary_amount_propose,
)
from .views_case import _page

LIGHT_CLASSES = {"red": "tag light-red", "yellow": "tag warn", "green": "tag ok", "": "tag ok"}


@web_view("workflow.view_prioraid")
def prior_aid_list(request: HttpRequest) -> HttpResponse:
    """The register; a household number typed in (户编号) leads to its 先行救助 form."""
    number = str(request.GET.get("household") or "").strip()[:24]
    error = ""
    if number:
        found = scoped(Household.objects.all(), request.user, "region__code").filter(number=number).first()
        if found is not None:
            return redirect("workflow_prior_aid_new", pk=found.pk)
        error = "未在本辖区找到该户编号，流动人口请先建档"
    rows = [(r, LIGHT_CLASSES[r.light]) for r in prior_aids(user=request.user)]
    return render(
        request, "workflow/prior_aid_list.html", {"rows": rows, "household": number, "error": error}
    )


def _members(household_id: int) -> list[tuple[int, str]]:
    return [
        (m.person_id, m.person.name)
        for m in Membership.objects.filter(household_id=household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("start_date", "id")
    ]


@web_view("workflow.add_prioraid")
def prior_aid_new(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, household_id=pk)
    members = _members(household.pk)
    form = ft.PriorAidForm(
        request.POST or None,
        members=members,
        initial={"paid_on": timezone.localdate(), "recipient_id": household.head_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            aid = prior_aid_grant(
                ctx=AuditContext.from_request(request), household_id=household.pk, **form.cleaned_data
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
        else:
            messages.success(request, f"已先行救助 {aid.amount} 元，请于 {aid.due_on:%Y-%m-%d} 前补办手续")
            return redirect("workflow_case", pk=aid.case_id)
    return render(request, "workflow/prior_aid_form.html", {"form": form, "household": household})


@web_view("registry.add_household")
def non_resident_new(request: HttpRequest) -> HttpResponse:
    form = ft.NonResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = non_resident_register(ctx=AuditContext.from_request(request), **form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
        else:
            messages.success(
                request, f"已在急难发生地建档：{household.number}，请登记先行救助或受理临时救助申请"
            )
            return redirect("workflow_prior_aid_new", pk=household.pk)
    return render(request, "workflow/non_resident_form.html", {"form": form})


@require_POST
@web_view("workflow.view_case")
def special_approval(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    form = ft.SpecialApprovalForm(request.POST)
    if form.is_valid():
        try:
            special_approval_record(ctx=AuditContext.from_request(request), case_id=pk, **form.values())
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
            return _page(
                request,
                case_get(user=request.user, case_id=pk),
                bound={"special_approval": form},
                status=exc.status,
            )
        messages.success(request, "已登记一事一议意见，案件已转入县级审批")
        return redirect("workflow_case", pk=pk)
    return _page(request, case, bound={"special_approval": form}, status=422)


@require_POST
@web_view("workflow.view_case")
def amount_propose(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=pk)
    form = ft.AmountProposeForm(request.POST)
    if form.is_valid():
        try:
            temporary_amount_propose(ctx=AuditContext.from_request(request), case_id=pk, **form.values())
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
            case = case_get(user=request.user, case_id=pk)
            return _page(request, case, bound={"temporary_amount": form}, status=exc.status)
        messages.success(request, "已调整拟救助金额")
        return redirect("workflow_case", pk=pk)
    return _page(request, case, bound={"temporary_amount": form}, status=422)
