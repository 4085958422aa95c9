"""Web pages of 一证申请 and 一键核对."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.choices import choices
from jiuzhu.core.errors import BadRequest, NotFound, ValidationFailed
from jiuzhu.core.middleware import error_response
from jiuzhu.core.vocab import AuditObject, DeclarableItem, Program
from jiuzhu.core.web import web_view
from jiuzhu.registry.models import Household, Person
from jiuzhu.registry.selectors import household_get, person_get

from . import declarable, selectors, services
from .assembly import household_assemble, household_load
from .engine.period import Period
from .presenters import present

FORM_ROWS = 5  # declared items on the report form


class StartForm(forms.Form):
    id_number = forms.CharField(label=_("申请人或任一家庭成员的身份证号码"), max_length=20)


class AuthorisationForm(forms.Form):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(label=_("签署日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("授权书编号或存档位置"), max_length=100)


@web_view("verification.view_verificationreport")
def start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a = household_load(
                user=request.user, id_number=form.cleaned_data["id_number"], as_of=timezone.localdate()
            )
        except NotFound as exc:
            form.add_error("id_number", exc.message)
        else:
            # The ID number stays out of URLs (and so out of access logs): the page is keyed by ids.
            url = reverse("verification_household", args=[a.household.pk])
            return redirect(f"{url}?applicant={a.applicant.person_id}")
    reports = selectors.reports_list(user=request.user)[:20]
    return render(request, "verification/start.html", {"form": form, "reports": reports})


_ROW_ID = re.compile(r"[0-9]{1,18}")  # a row id as the pages write it: ASCII digits, within bigint


def _row_id(value: str | None) -> int | None:
    """A row id from a form or query value; None when it is not one (e.g. "abc", "²", 10**30)."""
    return int(value) if value is not None and _ROW_ID.fullmatch(value) else None


def _row_message(key: str, text: str) -> str:
    """A service error on ``declared.<i>.<field>`` as the form's row number."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "declared" and parts[1].isdecimal():
        return f"第 {int(parts[1]) + 1} 行：{text}"
    return text


@web_view("verification.view_verificationreport")
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = household_get(user=request.user, household_id=pk)
    applicant_id = request.GET.get("applicant")
    applicant: Person | None
    if applicant_id:
        chosen = _row_id(applicant_id)
        if chosen is None:
            raise NotFound("申请人编号无效")
        applicant = person_get(user=request.user, person_id=chosen)
    else:
        applicant = h.head
    if applicant is None:
        raise NotFound()
    return _household_page(request, h, applicant)


def _household_page(
    request: HttpRequest,
    h: Household,
    applicant: Person,
    *,
    rows: list[dict[str, str]] | None = None,
    chosen: list[str] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The 一证申请 page; after a refused report, again with what was typed and why (status 400)."""
    today = timezone.localdate()
    a = household_assemble(user=request.user, id_number=applicant.id_number, as_of=today)
    if a.household.pk != h.pk:
        raise NotFound()
    period = None if a.policy is None else Period.before(today, a.policy.reference_months)
    audit_view(
        request, object_type=AuditObject.HOUSEHOLD, object_id=h.pk, region_code=h.region_id, assembly=True
    )
    blank = {"person": "", "item": "", "amount": ""}
    return render(
        request,
        "verification/household.html",
        {
            "a": a,
            "valid": a.authorised,
            "today": today,
            "reports": selectors.reports_list(user=request.user, household_id=h.pk)[:20],
            "programs": dict(choices(Program)),
            "declarable": dict(choices(DeclarableItem)),
            "values_on_date": sorted(declarable.VALUES_ON_DATE),
            "period": period,
            "max_amount_digits": declarable.MAX_AMOUNT_DIGITS,
            "rows": rows or [blank] * FORM_ROWS,
            "chosen": chosen or [],
            "report_errors": errors or [],
        },
        status=400 if errors else 200,
    )


@require_POST
@web_view("verification.add_authorisation")
def authorisation_add(request: HttpRequest, pk: int) -> HttpResponse:
    household_get(user=request.user, household_id=pk)
    form = AuthorisationForm(request.POST)
    back = f"{request.POST.get('back', '')}"
    if form.is_valid():
        try:
            services.authorisation_record(ctx=AuditContext.from_request(request), **form.cleaned_data)
            messages.success(request, "已登记核对授权书")
        except ValidationFailed as exc:
            messages.error(request, "；".join(exc.errors.values()) or exc.message)
    else:
        messages.error(request, "授权书信息不完整：" + "；".join(str(e[0]) for e in form.errors.values()))
    return redirect(
        back if back.startswith("/verification/") else reverse("verification_household", args=[pk])
    )


@require_POST
@web_view("verification.add_verificationreport")
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    h = household_get(user=request.user, household_id=pk)
    applicant_id = _row_id(request.POST.get("applicant"))
    if applicant_id is None:
        # Only a tampered form gets here (the page writes the applicant's id itself).
        return error_response(request, BadRequest("申请人编号无效，请从家庭页面重新生成核对报告"))
    applicant = person_get(user=request.user, person_id=applicant_id)
    rows = [
        {k: request.POST.get(f"declared_{k}_{i}", "").strip() for k in ("person", "item", "amount")}
        for i in range(FORM_ROWS)
    ]
    programs = request.POST.getlist("programs")
    declared, errors = [], []
    for i, row in enumerate(rows):
        if row["item"] and row["person"] and row["amount"]:
            person_id = _row_id(row["person"])
            if person_id is None:
                errors.append(f"第 {i + 1} 行申报人无效，请从下拉列表中选择家庭成员")
                continue
            declared.append({"item": row["item"], "person_id": person_id, "amount": row["amount"]})
        elif row["item"] or row["amount"]:
            errors.append(f"第 {i + 1} 行申报不完整：请选择成员、项目并填写金额，或清空该行")
    if not errors:
        try:
            report = services.report_create(
                ctx=AuditContext.from_request(request),
                id_number=applicant.id_number,
                programs=programs or None,
                declared=declared,
            )
        except ValidationFailed as exc:
            errors = [_row_message(key, text) for key, text in exc.errors.items()] or [exc.message]
    if errors:
        return _household_page(request, h, applicant, rows=rows, chosen=programs, errors=errors)
    return redirect("verification_report", pk=report.pk)


@web_view("verification.view_verificationreport")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.report_get(user=request.user, report_id=pk)
    audit_view(
        request, object_type=AuditObject.VERIFICATION_REPORT, object_id=r.pk, region_code=r.region_code
    )
    full = request.user.has_perm("registry.view_full_id_number")
    return render(request, "verification/report.html", {"v": present(r, full=full), "today": date.today()})
