"""Integrity pages (诚信): the recoveries of the jurisdiction (/benefits/recoveries/), one recovery with its
collections and the forms to record a collection or write it off, and the revocation of a dishonesty
record (posted from the household's benefits page, which lists its findings, records and recoveries)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.choices import choices
from jiuzhu.core.errors import ServiceError
from jiuzhu.core.vocab import AuditObject, RecoveryStatus
from jiuzhu.core.web import web_view

from . import integrity, selectors_integrity

_DATE = forms.DateInput(attrs={"type": "date"})


class _Form(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def apply_errors(self, exc: ServiceError) -> None:
        for key, message in exc.errors.items():
            self.add_error(key if key in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)


class CollectForm(_Form):
    amount = forms.DecimalField(label=_("追回金额（元）"), min_value=0, max_digits=14, decimal_places=2)
    collected_on = forms.DateField(label=_("追回日期"), widget=_DATE)
    reference = forms.CharField(label=_("收据号"), max_length=60, required=False)


class ReasonForm(_Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class StatusFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", "全部"), *choices(RecoveryStatus)], required=False
    )


@web_view("benefits.view_overpaymentrecovery")
def recoveries(request: HttpRequest) -> HttpResponse:
    filters = StatusFilter(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    rows = selectors_integrity.recoveries_list(user=request.user, status=status)[:500]
    return render(request, "benefits/recoveries.html", {"rows": rows, "filters": filters})


def _recovery_page(
    request: HttpRequest, pk: int, *, bound: dict[str, _Form] | None = None, status: int = 200
) -> HttpResponse:
    recovery = selectors_integrity.recovery_get(user=request.user, recovery_id=pk)
    audit_view(
        request,
        object_type=AuditObject.OVERPAYMENT_RECOVERY,
        object_id=recovery.pk,
        region_code=recovery.region_id,
    )
    open_ = recovery.status in (RecoveryStatus.OPEN, RecoveryStatus.PARTLY_COLLECTED)
    user = request.user
    forms_: dict[str, _Form] = {}
    if open_ and user.has_perm("benefits.change_overpaymentrecovery"):
        forms_["collect"] = CollectForm(
            initial={"version": recovery.version, "collected_on": timezone.localdate()}
        )
        if integrity.may_waive(user):
            forms_["waive"] = ReasonForm(initial={"version": recovery.version})
    forms_.update(bound or {})
    return render(
        request,
        "benefits/recovery.html",
        {"recovery": recovery, "forms": forms_, "steps": recovery.computation.get("steps", [])},
        status=status,
    )


@web_view("benefits.view_overpaymentrecovery")
def recovery(request: HttpRequest, pk: int) -> HttpResponse:
    return _recovery_page(request, pk)


def _post(request: HttpRequest, pk: int, name: str, form: _Form, run: Any, done: str) -> HttpResponse:
    selectors_integrity.recovery_get(user=request.user, recovery_id=pk)  # 404 elsewhere, first
    if form.is_valid():
        try:
            run(AuditContext.from_request(request), form.cleaned_data)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form.apply_errors(exc)
            return _recovery_page(request, pk, bound={name: form}, status=exc.status)
        messages.success(request, done)
        return redirect("benefits_recovery", pk=pk)
    return _recovery_page(request, pk, bound={name: form}, status=422)


@require_POST
@web_view("benefits.view_overpaymentrecovery")
def recovery_collect(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, data: dict[str, Any]) -> Any:
        return integrity.recovery_collect(ctx=ctx, recovery_id=pk, **data)

    return _post(request, pk, "collect", CollectForm(request.POST), run, "已登记追回的资金")


@require_POST
@web_view("benefits.view_overpaymentrecovery")
def recovery_waive(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ctx: AuditContext, data: dict[str, Any]) -> Any:
        return integrity.recovery_waive(ctx=ctx, recovery_id=pk, **data)

    return _post(request, pk, "waive", ReasonForm(request.POST), run, "已核销尚欠金额")


@require_POST
@web_view("benefits.view_dishonestyrecord")
def dishonesty_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors_integrity.dishonesty_get(user=request.user, record_id=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            integrity.dishonesty_revoke(
                ctx=AuditContext.from_request(request), record_id=pk, **form.cleaned_data
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, "；".join(exc.errors.values()) or exc.message)
        else:
            messages.success(request, "已撤销失信记录")
    else:
        messages.error(request, "请填写撤销理由")
    return redirect("benefits_household", pk=record.household_id)
