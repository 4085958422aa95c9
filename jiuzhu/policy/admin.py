from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.regions.admin import JurisdictionAdmin

from .calendar_services import (
    calendar_import,
    calendar_year_save,
    calendar_years_delete,
    holiday_day_save,
    holiday_days_delete,
)
from .models import CalendarYear, HolidayDay, PolicyVersion
from .selectors import policy_version_users
from .services import policy_period_conflict, policy_version_create, policy_version_update


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = [
            f.name
            for f in PolicyVersion._meta.concrete_fields
            if f.name not in ("id", "created_by", "created_at")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("region") and data.get("effective_from"):
            conflict = policy_period_conflict(
                region=data["region"],
                effective_from=data["effective_from"],
                effective_to=data.get("effective_to"),
                exclude_pk=self.instance.pk,
            )
            if conflict:
                self.add_error("effective_from", conflict)
        return data


@admin.register(PolicyVersion)
class PolicyVersionAdmin(JurisdictionAdmin):
    form = PolicyVersionForm
    list_display = (
        "region",
        "effective_from",
        "effective_to",
        "document_no",
        "dibao_standard_urban",
        "dibao_standard_rural",
    )
    list_filter = ("effective_from",)
    search_fields = ("document_no", "region__name", "region__code")
    raw_id_fields = ("region",)
    readonly_fields = ("created_by", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A version that a report, a case or a decision used is evidence: change it by adding a new version.
        if obj is not None and policy_version_users(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form: Any, change: bool) -> None:
        ctx = AuditContext.from_request(request)
        if change:
            policy_version_update(
                ctx=ctx, version=obj, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
            return
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("region", "effective_from")}
        obj.pk = policy_version_create(
            ctx=ctx, region=obj.region, effective_from=obj.effective_from, **values
        ).pk


# --- the working-day calendar (工作日历): national, for holders of the calendar permissions ---------------


class HolidayDayForm(forms.ModelForm):
    class Meta:
        model = HolidayDay
        fields = ["date", "kind", "name"]


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label="CSV 文件",
        help_text="表头 date,kind,name（或 日期,类别,节日）；类别为 休 或 班；UTF-8 或 GB18030 编码。"
        "文件所含年度的安排整体替换为文件内容，并标记为已录入",
    )
    year = forms.IntegerField(
        label="限定年度",
        required=False,
        min_value=1949,
        max_value=2200,
        help_text="填写后，每一行都须在该年度",
    )
    note = forms.CharField(
        label="说明", required=False, max_length=200, help_text="例如国务院办公厅通知的文号"
    )


def _service_errors(form: forms.Form, exc: ValidationFailed) -> None:
    for key, message in exc.errors.items():
        form.add_error(key if key in form.fields else None, message)


@admin.register(HolidayDay)
class HolidayDayAdmin(admin.ModelAdmin):
    form = HolidayDayForm
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", "name")
    search_fields = ("name",)
    date_hierarchy = "date"
    change_list_template = "admin/policy/holidayday/change_list.html"

    @admin.display(description="星期")
    def weekday(self, obj: HolidayDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request: HttpRequest, obj: HolidayDay, form: Any, change: bool) -> None:
        saved = holiday_day_save(
            ctx=AuditContext.from_request(request),
            day=form.cleaned_data["date"],
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            pk=obj.pk if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: HolidayDay) -> None:
        holiday_days_delete(ctx=AuditContext.from_request(request), pks=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayDay]) -> None:
        holiday_days_delete(ctx=AuditContext.from_request(request), pks=[h.pk for h in queryset])

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="policy_holidayday_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise DjangoPermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = calendar_import(
                    ctx=AuditContext.from_request(request),
                    content=form.cleaned_data["file"].read(),
                    year=form.cleaned_data["year"],
                    note=form.cleaned_data["note"],
                )
            except ValidationFailed as exc:
                _service_errors(form, exc)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None
            else:
                messages.success(request, "已导入：" + outcome.summary())
                return redirect("admin:policy_holidayday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入节假日安排（CSV）",
            "form": form,
        }
        return TemplateResponse(request, "admin/policy/holidayday/import.html", context)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ("year", "source", "entered_at", "entered_by", "note")
    list_filter = ("source",)
    readonly_fields = ("source", "entered_at", "entered_by")

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        saved = calendar_year_save(
            ctx=AuditContext.from_request(request),
            year=form.cleaned_data["year"],
            note=form.cleaned_data["note"],
            pk=obj.pk if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        calendar_years_delete(ctx=AuditContext.from_request(request), pks=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        calendar_years_delete(ctx=AuditContext.from_request(request), pks=[c.pk for c in queryset])
