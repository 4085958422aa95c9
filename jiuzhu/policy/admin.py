from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from jiuzhu.audit.services import AuditContext
from jiuzhu.regions.admin import JurisdictionAdmin

from .models import PolicyVersion
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
        # A version that produced a report is evidence: change it by adding a new version.
        if obj is not None and obj.reports.exists():
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
