"""Web pages of 一证申请 and 一键核对."""

from __future__ import annotations

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
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.web import web_view
from jiuzhu.registry.selectors import household_get, person_get

from . import selectors, services
from .assembly import household_assemble, household_load
from .presenters import present


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


@web_view("verification.view_verificationreport")
def household(request: HttpRequest, pk: int) -> HttpResponse:
    h = household_get(user=request.user, household_id=pk)
    applicant_id = request.GET.get("applicant")
    applicant = (
        person_get(user=request.user, person_id=int(applicant_id))
        if applicant_id and applicant_id.isdigit()
        else h.head
    )
    if applicant is None:
        raise NotFound()
    today = timezone.localdate()
    a = household_assemble(user=request.user, id_number=applicant.id_number, as_of=today)
    if a.household.pk != h.pk:
        raise NotFound()
    audit_view(request, object_type="household", object_id=h.pk, region_code=h.region_id, assembly=True)
    people = [m.person.pk for m in a.members] + [s.person.pk for s in a.supporters]
    auths = selectors.authorisations_for(people)
    valid = a.authorised
    return render(
        request,
        "verification/household.html",
        {
            "a": a,
            "auths": auths,
            "valid": valid,
            "today": today,
            "reports": selectors.reports_list(user=request.user, household_id=h.pk)[:20],
            "programs": services.PROGRAMS,
            "auth_form": AuthorisationForm(initial={"signed_on": today}),
            "declarable": services.DECLARABLE_LABELS,
        },
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
    household_get(user=request.user, household_id=pk)
    applicant = person_get(user=request.user, person_id=int(request.POST.get("applicant", "0") or 0))
    declared = []
    for i in range(5):
        item, person, amount = (
            request.POST.get(f"declared_{k}_{i}", "").strip() for k in ("item", "person", "amount")
        )
        if item and person and amount:
            declared.append({"item": item, "person_id": int(person), "amount": amount})
    try:
        report = services.report_create(
            ctx=AuditContext.from_request(request),
            id_number=applicant.id_number,
            programs=request.POST.getlist("programs") or None,
            declared=declared,
        )
    except ValidationFailed as exc:
        messages.error(request, "；".join(exc.errors.values()) or exc.message)
        return redirect(f"{reverse('verification_household', args=[pk])}?applicant={applicant.pk}")
    return redirect("verification_report", pk=report.pk)


@web_view("verification.view_verificationreport")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.report_get(user=request.user, report_id=pk)
    audit_view(request, object_type="verification_report", object_id=r.pk, region_code=r.region_code)
    full = request.user.has_perm("registry.view_full_id_number")
    return render(request, "verification/report.html", {"v": present(r, full=full), "today": date.today()})
