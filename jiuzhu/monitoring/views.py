"""Web pages of the warnings (动态监测预警): the queue of the caller's role with its filters and lights,
and the warning page (evidence, the household's members and live entitlements, the link to its
assistance chain) with the closed loop's forms — verify, then the outcome."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.web import web_view

from . import selectors
from .forms import OutcomeForm, QueueFilter, VerifyForm
from .models import Warning
from .services.warnings import Closed, warning_close, warning_verify

LIGHT_CLASSES = {"red": "tag", "yellow": "tag warn", "green": "tag ok", "": "tag ok"}


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 6 else 1


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("queue") or selectors.queue_kind_for(request.user)
    return kind if kind in selectors.QUEUE_KINDS else selectors.queue_kind_for(request.user)


@web_view(selectors.VIEW_PERM)
def warning_queue(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    form = QueueFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.queue(
        user=request.user,
        kind=kind,
        rule=filters.get("rule") or None,
        purpose=filters.get("purpose") or None,
        status=filters.get("status") or None,
        light=filters.get("light") or None,
        village=filters.get("village") or None,
        page=_page_number(request.GET.get("page")),
    )
    query_string = urlencode({"queue": kind, **{k: v for k, v in filters.items() if v}})
    return render(
        request,
        "monitoring/warning_queue.html",
        {
            "kind": kind,
            "kind_label": selectors.QUEUE_LABELS[kind],
            "kinds": [(k, selectors.QUEUE_LABELS[k]) for k in selectors.QUEUE_KINDS],
            "page": page,
            "rows": [(row, LIGHT_CLASSES[row.light]) for row in page.rows],
            "form": form,
            "query_string": query_string,
        },
    )


def _entitlement_choices(detail: selectors.WarningDetail) -> list[tuple[int, str]]:
    return [(e.id, f"{e.program_label}（{e.person_name}，{e.amount} 元/月）") for e in detail.entitlements]


def _render(
    request: HttpRequest,
    pk: int,
    *,
    verify: VerifyForm | None = None,
    outcome: OutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.warning_detail(user=request.user, warning_id=pk)
    w = detail.warning
    verify = verify or VerifyForm(initial={"version": w.version, "verification": w.verification})
    outcome = outcome or OutcomeForm(
        initial={"version": w.version, "outcome": detail.suggested_outcome or None},
        entitlements=_entitlement_choices(detail),
    )
    may_change = request.user.has_perm(selectors.CHANGE_PERM) and w.status != Warning.Status.CLOSED
    return render(
        request,
        "monitoring/warning.html",
        {
            "d": detail,
            "w": w,
            "light_class": LIGHT_CLASSES[detail.light],
            "verify_form": verify,
            "outcome_form": outcome,
            "may_change": may_change,
            "may_close": may_change and getattr(request.user, "role", "") != "village_assistant",
        },
        status=status,
    )


@web_view(selectors.VIEW_PERM)
def warning_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk)


@require_POST
@web_view(selectors.CHANGE_PERM)
def warning_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.warning_get(user=request.user, warning_id=pk)  # 404 outside the jurisdiction, first
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _render(request, pk, verify=form, status=422)
    try:
        warning_verify(ctx=AuditContext.from_request(request), warning_id=pk, **form.values())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.apply_errors(exc)
        return _render(request, pk, verify=form, status=exc.status)
    messages.success(request, "已记录核实情况")
    return redirect("monitoring_warning", pk=pk)


def _closed_message(closed: Closed) -> str:
    w = closed.warning
    text = f"预警已办结：{w.get_outcome_display()}"
    if closed.application is not None:
        text += f"，已发起救助申请 {closed.application.number}"
    if closed.case is not None:
        text += f"，已立复核案件 {closed.case.number}"
    if closed.notice is not None:
        text += "，已出具终止救助告知书"
    return text


@require_POST
@web_view(selectors.CHANGE_PERM)
def warning_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.warning_detail(user=request.user, warning_id=pk)  # 404 outside, first
    form = OutcomeForm(request.POST, entitlements=_entitlement_choices(detail))
    if not form.is_valid():
        return _render(request, pk, outcome=form, status=422)
    try:
        closed = warning_close(ctx=AuditContext.from_request(request), warning_id=pk, **form.values())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.apply_errors(exc)
        return _render(request, pk, outcome=form, status=exc.status)
    messages.success(request, _closed_message(closed))
    return redirect("monitoring_warning", pk=pk)


__all__: list[Any] = ["warning_close_view", "warning_page", "warning_queue", "warning_verify_view"]
