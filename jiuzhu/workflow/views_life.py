"""The actions of the household benefits page (``benefits/households/<pk>/``) on an entitlement —
调整、暂停发放、恢复发放、终止救助、渐退期 — and opening the periodic reviews due, from the review queue.
Each posts here (the workflow issues the notices), runs its service, and goes back to the page with
the outcome or the refusal in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits import forms as bf
from jiuzhu.benefits.selectors import entitlement_get
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.web import web_view
from jiuzhu.registry.models import Membership

from .services import reviews

PERM = "benefits.view_entitlement"


def _refusal(exc: ServiceError) -> str:
    return "；".join(str(v) for v in exc.errors.values()) or exc.message


def _act(
    request: HttpRequest, pk: int, form: forms.Form, run: Callable[[AuditContext, Any], Any], done: str
) -> HttpResponse:
    e = entitlement_get(user=request.user, entitlement_id=pk)
    back = redirect("benefits_household", pk=e.household_id)
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''}：{' '.join(str(m) for m in v)}"
            for k, v in form.errors.items()
        )
        messages.error(request, errors)
        return back
    try:
        run(AuditContext.from_request(request), form)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _refusal(exc))
        return back
    messages.success(request, done)
    return back


@require_POST
@web_view(PERM)
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: bf.AdjustForm) -> Any:
        return reviews.entitlement_change(ctx=ctx, entitlement_id=pk, **form.values())

    return _act(request, pk, bf.AdjustForm(request.POST), run, "已调整保障金额，并出具调整告知书")


@require_POST
@web_view(PERM)
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: bf.MonthReasonForm) -> Any:
        return reviews.entitlement_hold(ctx=ctx, entitlement_id=pk, **form.values())

    return _act(request, pk, bf.MonthReasonForm(request.POST), run, "已暂停发放，并出具暂停发放告知书")


@require_POST
@web_view(PERM)
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: bf.MonthReasonForm) -> Any:
        return reviews.entitlement_restart(ctx=ctx, entitlement_id=pk, **form.values())

    return _act(request, pk, bf.MonthReasonForm(request.POST), run, "已恢复发放")


@require_POST
@web_view(PERM)
def terminate(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, form: bf.TerminateForm) -> Any:
        return reviews.entitlement_stop(
            ctx=ctx, entitlement_id=pk, reasons=form.reason_lines(), **form.values("reasons")
        )

    return _act(request, pk, bf.TerminateForm(request.POST), run, "已终止救助，并出具终止救助告知书")


@require_POST
@web_view(PERM)
def taper(request: HttpRequest, pk: int) -> HttpResponse:
    e = entitlement_get(user=request.user, entitlement_id=pk)
    members = [
        (m.person_id, m.person.name)
        for m in Membership.objects.filter(household_id=e.household_id).select_related("person")
    ]

    def run(ctx: AuditContext, form: bf.TaperForm) -> Any:
        return reviews.entitlement_work_found(ctx=ctx, entitlement_id=pk, **form.values())

    return _act(request, pk, bf.TaperForm(request.POST, members=members), run, "已登记就业，进入渐退期")


@require_POST
@web_view("workflow.change_case")
def reviews_open(request: HttpRequest) -> HttpResponse:
    """Open the review cases due in the caller's jurisdiction (a township caseworker)."""
    try:
        result = reviews.reviews_open(ctx=AuditContext.from_request(request))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, _refusal(exc))
        return redirect("workflow_reviews")
    messages.success(request, f"新立定期复核案件 {len(result.opened)} 件")
    return redirect("workflow_reviews")
