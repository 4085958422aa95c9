"""Thin web views: parse the request, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiuzhu.audit.services import AuditContext, audit_search, audit_view
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.vocab import AuditObject
from jiuzhu.core.web import is_htmx, web_view

from . import selectors, services
from .forms import (
    CategoryForm,
    HouseholdEditForm,
    HouseholdForm,
    LeaveForm,
    MemberForm,
    PersonEditForm,
    PersonForm,
    SearchForm,
)


@web_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect("household_search")


@web_view("registry.view_household")
def household_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = None
    error = ""
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        try:
            page = selectors.household_search(
                user=request.user,
                query=data.get("q", ""),
                region_code=data.get("region", ""),
                category=data.get("category", ""),
                page=_int(request.GET.get("page"), 1),
            )
            audit_search(request, query=data.get("q", ""))
        except ValidationFailed as exc:
            error = "；".join(exc.errors.values())
    context = {"form": form, "page": page, "error": error, "query_string": _without_page(request)}
    template = "registry/_search_results.html" if is_htmx(request) else "registry/household_search.html"
    # A refused query is a 400; htmx swaps only 2xx answers, so its partial shows the error with 200.
    return render(request, template, context, status=400 if error and not is_htmx(request) else 200)


@web_view("registry.view_household")
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.household_file(user=request.user, household_id=pk)
    audit_view(request, object_type=AuditObject.HOUSEHOLD, object_id=pk, region_code=file.household.region_id)
    return render(request, "registry/household_detail.html", {"file": file, "h": file.household})


@web_view("registry.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.person_file(user=request.user, person_id=pk)
    audit_view(
        request, object_type=AuditObject.PERSON, object_id=pk, region_code=file.person.residence_region_id
    )
    return render(request, "registry/person_detail.html", {"file": file, "p": file.person})


@web_view("registry.add_person")
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                ctx=AuditContext.from_request(request), data=form.data_for_service()
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已登记人员：{person.name}")
            return redirect("person_detail", pk=person.pk)
    return render(request, "registry/form.html", {"form": form, "title": "登记人员"})


@web_view("registry.change_person")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=pk)
    initial = {f: getattr(person, f"{f}_id" if f.endswith("region") else f) for f in PersonForm.base_fields}
    initial["version"] = person.version
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.data_for_service().items() if k in form.changed_data}
        try:
            services.person_update(
                ctx=AuditContext.from_request(request),
                person_id=pk,
                version=form.cleaned_data["version"],
                data=changed,
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("person_detail", pk=pk)
    return render(request, "registry/form.html", {"form": form, "title": f"修改人员信息：{person.name}"})


@web_view("registry.add_household")
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        head = selectors.person_by_id_number(user=request.user, id_number=str(data.pop("head_id_number")))
        if head is None:
            form.add_error("head_id_number", selectors.ID_NOT_FOUND_HERE)
        else:
            try:
                household = services.household_create(
                    ctx=AuditContext.from_request(request), data=data, head_person_id=head.pk
                )
            except ValidationFailed as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已建立家庭档案：{household.number}")
                return redirect("household_detail", pk=household.pk)
    return render(request, "registry/form.html", {"form": form, "title": "建立家庭档案"})


@web_view("registry.change_household")
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, household_id=pk)
    initial = {
        "region": h.region_id,
        "address": h.address,
        "urban_rural": h.urban_rural,
        "bank_name": h.bank_name,
        "bank_account": h.bank_account,
        "version": h.version,
    }
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.data_for_service().items() if k in form.changed_data}
        try:
            services.household_update(
                ctx=AuditContext.from_request(request),
                household_id=pk,
                version=form.cleaned_data["version"],
                data=changed,
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("household_detail", pk=pk)
    audit_view(request, object_type=AuditObject.HOUSEHOLD, object_id=pk, region_code=h.region_id, form="edit")
    return render(request, "registry/form.html", {"form": form, "title": f"修改家庭信息：{h.number}"})


@web_view("registry.change_membership")
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, household_id=pk)
    form = MemberForm(request.POST or None, initial={"co_resident": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = selectors.person_by_id_number(user=request.user, id_number=data["id_number"])
        if person is None:
            form.add_error("id_number", selectors.ID_NOT_FOUND_HERE)
        else:
            try:
                services.member_join(
                    ctx=AuditContext.from_request(request),
                    household_id=pk,
                    person_id=person.pk,
                    relation=data["relation"],
                    co_resident=data["co_resident"],
                    on=data["on"],
                    reason=data["reason"],
                )
            except ValidationFailed as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"{person.name} 已加入本户")
                return redirect("household_detail", pk=pk)
    return render(request, "registry/form.html", {"form": form, "title": f"添加成员：{h.number}"})


@web_view("registry.change_membership")
def member_leave(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, household_id=pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_leave(
                ctx=AuditContext.from_request(request),
                household_id=pk,
                person_id=person_id,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已办理成员离开")
            return redirect("household_detail", pk=pk)
    return render(request, "registry/form.html", {"form": form, "title": f"成员离开：{h.number}"})


@web_view("registry.add_personcategory")
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=pk)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_tag(
                ctx=AuditContext.from_request(request),
                person_id=pk,
                category=form.cleaned_data["category"],
                start_date=form.cleaned_data["start_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已标记类别")
            return redirect("person_detail", pk=pk)
    return render(request, "registry/form.html", {"form": form, "title": f"标记类别：{person.name}"})


def _int(raw: str | None, default: int) -> int:
    try:
        return max(1, int(raw or default))
    except ValueError:
        return default


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
