"""Payroll pages: the list of payrolls (with generation for the county), a payroll with its totals, jobs
(progress, errors, retry), lines (paginated, filtered) and the holds queue of the caller's township, and
the posts that move it (check, submit, approve, clear or confirm a hold). Thin: the services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import web_view

from . import selectors
from .forms import ClearForm, ConfirmForm, GenerateForm, HoldFilter, LineFilter, PayrollFilter, VersionForm
from .models import Payroll, PayrollHold
from .services import check, generate, holds

VIEW = selectors.VIEW_PERM


def _error_text(exc: ServiceError) -> str:
    return "；".join(exc.errors.values()) if exc.errors else exc.message


@web_view(VIEW)
def payrolls(request: HttpRequest) -> HttpResponse:
    filters = PayrollFilter(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.payrolls_list(
        user=request.user,
        program=data.get("program") or "",
        month=data.get("month"),
        county=data.get("county") or "",
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    form = None
    if request.user.has_perm(generate.GENERATE_PERM) and selectors.sees_whole_payroll(request.user):
        code = str(getattr(request.user, "region_id", "") or "")
        initial = {"county": code[:6] + "000000" if code else ""}
        form = GenerateForm(initial=initial)
    return render(request, "payments/payrolls.html", {"page": page, "filters": filters, "form": form})


@require_POST
@web_view(generate.GENERATE_PERM)
def payroll_generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            payroll = generate.payroll_generate(
                ctx=AuditContext.from_request(request),
                county_code=data["county"],
                program=data["program"],
                month=data["month"],
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
        else:
            messages.success(
                request, f"已生成发放名册：{payroll.lines_count} 条，合计 {payroll.total_amount} 元"
            )
            return redirect("payroll_detail", pk=payroll.pk)
    rows = selectors.payrolls_list(user=request.user)
    page = Paginator(rows, 30).get_page(1)
    return render(
        request,
        "payments/payrolls.html",
        {"page": page, "filters": PayrollFilter(), "form": form},
        status=422,
    )


@web_view(VIEW)
def payroll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payroll = selectors.payroll_get(user=request.user, payroll_id=pk)
    audit_view(request, object_type=AuditObject.PAYROLL, object_id=payroll.pk, region_code=payroll.region_id)
    filters = LineFilter(request.GET)
    f = filters.cleaned_data if filters.is_valid() else {}
    lines = selectors.lines_list(
        user=request.user,
        payroll=payroll,
        status=f.get("status") or "",
        township=f.get("township") or "",
        query=f.get("q") or "",
    )
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    hold_filter = HoldFilter(request.GET)
    hold_status = hold_filter.cleaned_data.get("hold_status", "") if hold_filter.is_valid() else ""
    queue = list(selectors.holds_list(user=request.user, payroll=payroll, status=hold_status or "held")[:200])
    user = request.user
    whole = selectors.sees_whole_payroll(user)
    may_decide = user.has_perm(holds.HOLD_PERM) and payroll.status in (
        Payroll.Status.CHECKING,
        Payroll.Status.HOLDS,
    )
    context: dict[str, Any] = {
        "payroll": payroll,
        "whole": whole,
        "towns": selectors.township_totals(user=user, payroll=payroll),
        "jobs": selectors.jobs_list(payroll),
        "page": page,
        "filters": filters,
        "hold_filter": hold_filter,
        "queue": queue,
        "may_decide": may_decide,
        "may_run": whole and user.has_perm(generate.GENERATE_PERM),
        "may_approve": whole
        and user.has_perm(holds.APPROVE_PERM)
        and payroll.status == Payroll.Status.SUBMITTED,
        "open_holds": check.open_holds(payroll),
        "query": request.GET.urlencode(),
    }
    return render(request, "payments/payroll.html", context)


def _payroll_post(
    request: HttpRequest, pk: int, run: Callable[[AuditContext, dict[str, Any]], Any], done: str
) -> HttpResponse:
    selectors.payroll_get(user=request.user, payroll_id=pk)  # 404 elsewhere, first
    form = VersionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        run(AuditContext.from_request(request), data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("payroll_detail", pk=pk)


@require_POST
@web_view(generate.GENERATE_PERM)
def payroll_check(request: HttpRequest, pk: int) -> HttpResponse:
    return _payroll_post(
        request, pk, lambda ctx, _: check.payroll_check(ctx=ctx, payroll_id=pk), "发放前比对已完成"
    )


@require_POST
@web_view(generate.GENERATE_PERM)
def payroll_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _payroll_post(
        request, pk, lambda ctx, _: holds.payroll_retry(ctx=ctx, payroll_id=pk), "作业已重新运行"
    )


@require_POST
@web_view(generate.GENERATE_PERM)
def payroll_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _payroll_post(
        request,
        pk,
        lambda ctx, d: holds.payroll_submit(ctx=ctx, payroll_id=pk, version=d.get("version")),
        "已提交县级审批",
    )


@require_POST
@web_view(holds.APPROVE_PERM)
def payroll_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _payroll_post(
        request,
        pk,
        lambda ctx, d: holds.payroll_approve(ctx=ctx, payroll_id=pk, version=d.get("version")),
        "名册已审批",
    )


def _hold_post(request: HttpRequest, pk: int, form: ClearForm | ConfirmForm, confirm: bool) -> HttpResponse:
    hold: PayrollHold = selectors.hold_get(user=request.user, hold_id=pk)  # 404 elsewhere, first
    if not form.is_valid():
        messages.error(request, "请填写核实说明（停发理由）")
        return redirect("payroll_detail", pk=hold.line.payroll_id)
    ctx = AuditContext.from_request(request)
    try:
        if confirm:
            holds.hold_confirm(ctx=ctx, hold_id=pk, **form.cleaned_data)
        else:
            holds.hold_clear(ctx=ctx, hold_id=pk, **form.cleaned_data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已停发该笔资金" if confirm else "已恢复发放")
    return redirect("payroll_detail", pk=hold.line.payroll_id)


@require_POST
@web_view(holds.HOLD_PERM)
def hold_clear(request: HttpRequest, pk: int) -> HttpResponse:
    return _hold_post(request, pk, ClearForm(request.POST), confirm=False)


@require_POST
@web_view(holds.HOLD_PERM)
def hold_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _hold_post(request, pk, ConfirmForm(request.POST), confirm=True)
