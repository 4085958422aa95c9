"""Fund supervision pages (阳光资金监管, /oversight/): the totals of the jurisdiction's payroll lines by
month, program and township, the anomaly report of a month (and its masked XLSX), and a township's 月通报
(page and masked XLSX). Read-only; every download is audited."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.masking import FULL_ID_NUMBER_PERM, id_number_masked
from jiuzhu.core.vocab import AidProgram, AuditObject
from jiuzhu.core.web import web_view

from . import exports_oversight, selectors_oversight
from .selectors_oversight import ANOMALY_KINDS, REPORT_PERM, parse_month

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


class _Filters(forms.Form):
    def apply_errors(self, exc: ValidationFailed) -> None:
        for key, message in exc.errors.items():
            self.add_error(key if key in self.fields else None, message)


class TotalsFilter(_Filters):
    month_from = forms.CharField(label=_("起始月份"), max_length=7, required=False, widget=_MONTH_INPUT)
    month_to = forms.CharField(label=_("截止月份"), max_length=7, required=False, widget=_MONTH_INPUT)
    program = forms.ChoiceField(
        label=_("救助项目"), choices=[("", "全部"), *AidProgram.labels().items()], required=False
    )


class AnomalyFilter(_Filters):
    month = forms.CharField(label=_("发放月份"), max_length=7, required=False, widget=_MONTH_INPUT)
    kind = forms.ChoiceField(
        label=_("异常类型"), choices=[("", "全部"), *ANOMALY_KINDS.items()], required=False
    )


class BulletinFilter(_Filters):
    township = forms.CharField(label=_("乡镇（街道）区划代码"), max_length=12, required=False)
    month = forms.CharField(label=_("通报月份"), max_length=7, required=False, widget=_MONTH_INPUT)


def _month_or(value: str, default: date, field: str) -> date:
    return parse_month(value, field_name=field) if value else default


def shows_full(user: Any) -> bool:
    return bool(user.has_perm(FULL_ID_NUMBER_PERM))


def shown_lines(user: Any, lines: Any) -> None:
    """Mark each line with its ID number and account as the user may see them (masked without the
    permission to see full ID numbers, e.g. the auditor)."""
    full = shows_full(user)
    for line in lines:
        line.shown_id = line.id_number if full else id_number_masked(line.id_number)
        line.shown_account = (
            line.bank_account if full else exports_oversight.account_masked(line.bank_account)
        )


@web_view(REPORT_PERM)
def totals(request: HttpRequest) -> HttpResponse:
    filters = TotalsFilter(request.GET)
    result = None
    status = 200
    if filters.is_valid():
        data = filters.cleaned_data
        try:
            month_to = _month_or(data["month_to"], this_month(), "month_to")
            month_from = _month_or(data["month_from"], months_back(month_to, 11), "month_from")
            result = selectors_oversight.payment_totals(
                user=request.user, month_from=month_from, month_to=month_to, program=data["program"]
            )
        except ValidationFailed as exc:
            filters.apply_errors(exc)
            status = 422
    else:
        status = 422
    return render(
        request,
        "payments/oversight.html",
        {"filters": filters, "totals": result, "scope": selectors_oversight.scope_label(request.user)},
        status=status,
    )


def _anomaly_report(request: HttpRequest) -> tuple[AnomalyFilter, Any]:
    filters = AnomalyFilter(request.GET)
    if not filters.is_valid():
        return filters, None
    try:
        month = _month_or(filters.cleaned_data["month"], this_month(), "month")
        report = selectors_oversight.anomaly_report(
            user=request.user, month=month, kind=filters.cleaned_data["kind"]
        )
    except ValidationFailed as exc:
        filters.apply_errors(exc)
        return filters, None
    return filters, report


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


@web_view(REPORT_PERM)
def anomalies(request: HttpRequest) -> HttpResponse:
    """The report; with ``?format=xlsx`` (and the same filters) its masked download."""
    filters, report = _anomaly_report(request)
    if report is not None and wants_xlsx(request):
        return _anomalies_xlsx(request, report)
    if report is not None:
        shown_lines(request.user, [a.line for a in report.rows])
    return render(
        request,
        "payments/oversight_anomalies.html",
        {
            "filters": filters,
            "report": report,
            "kinds": ANOMALY_KINDS,
            "xlsx_query": urlencode(
                {"month": f"{report.month:%Y-%m}", "kind": report.kind, "format": "xlsx"} if report else {}
            ),
        },
        status=200 if report is not None else 422,
    )


def _anomalies_xlsx(request: HttpRequest, report: Any) -> HttpResponse:
    audit_record(
        ctx=AuditContext.from_request(request),
        action="export",
        object_type=AuditObject.PAYROLL_LINE,
        object_id="",
        region_code=getattr(request.user, "region_id", None) or "",
        detail={"anomalies": f"{report.month:%Y-%m}", "kind": report.kind, "rows": len(report.rows)},
    )
    response = HttpResponse(exports_oversight.anomalies_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="anomalies-{report.month:%Y-%m}.xlsx"'
    return response


def _bulletin(request: HttpRequest) -> tuple[BulletinFilter, Any]:
    filters = BulletinFilter(request.GET)
    if not filters.is_valid():
        return filters, None
    try:
        month = _month_or(filters.cleaned_data["month"], months_back(this_month(), 1), "month")
        bulletin = selectors_oversight.township_bulletin(
            user=request.user, township=filters.cleaned_data["township"], month=month
        )
    except ValidationFailed as exc:
        filters.apply_errors(exc)
        return filters, None
    return filters, bulletin


def _bulletin_page(request: HttpRequest, filters: BulletinFilter, bulletin: Any) -> HttpResponse:
    # No township chosen (a county or city user arriving): the choice, not an error.
    choosing = bulletin is None and not request.GET.get("township") and not filters.errors.get("month")
    if choosing:
        filters = BulletinFilter(request.GET or None)
    return render(
        request,
        "payments/bulletin.html",
        {
            "filters": filters,
            "bulletin": bulletin,
            "townships": selectors_oversight.townships_for(request.user),
        },
        status=200 if bulletin is not None or choosing else 422,
    )


@web_view(REPORT_PERM)
def bulletin(request: HttpRequest) -> HttpResponse:
    """The bulletin; with ``?format=xlsx`` (and the same township and month) its masked download."""
    filters, result = _bulletin(request)
    if result is not None and wants_xlsx(request):
        return _bulletin_xlsx(request, result)
    return _bulletin_page(request, filters, result)


def _bulletin_xlsx(request: HttpRequest, result: Any) -> HttpResponse:
    audit_record(
        ctx=AuditContext.from_request(request),
        action="export",
        object_type=AuditObject.PAYROLL,
        object_id="",
        region_code=result.township.code,
        detail={"bulletin": f"{result.month:%Y-%m}"},
    )
    response = HttpResponse(exports_oversight.bulletin_xlsx(result), content_type=XLSX)
    name = f"bulletin-{result.township.code}-{result.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
